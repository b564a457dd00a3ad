/**
 * The logger shape the portable core writes to: the subset of pino's API it uses, so a pino
 * logger fits as is and the core imports no logging library.
 *
 * @example
 * ```ts
 * import { silentLogger, type Logger } from "./logger.ts";
 * const log: Logger = silentLogger;
 * log.warn({ reason: "invalid JSON" }, "bad frame skipped");
 * ```
 * @module
 */

/** One log method: pino's `(object, message)` form. */
export type LogFn = (obj: Record<string, unknown>, msg: string) => void;

/** What the core needs from a logger (pino satisfies it). */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const _noop: LogFn = () => {};
/** A logger that drops everything. */
export const silentLogger: Logger = { debug: _noop, info: _noop, warn: _noop, error: _noop };
