/**
 * Shared parts of the supervisor tests (test/supervisor*.test.ts): unique cluster names whose
 * segments are unlinked at the end, supervisors stopped and child processes killed by pid at the
 * end, a logger that records what the supervisor said (emptied before each test), and waiting for
 * a condition with a deadline.
 *
 * @example
 * ```ts
 * const h = harness();            // registers afterAll cleanup
 * const sup = await h.start({ instances: 2 });
 * await h.waitFor(() => sup.status().instances[1].restarts === 1, "slot 1 restarted");
 * ```
 */
import { afterAll, beforeEach } from "bun:test";
import type { Logger } from "@statd/sip-client";
import { Supervisor, type SupervisorOptions } from "../apps/statd/src/supervisor/mod.ts";
import { unlinkSegment } from "../packages/shm-bus/src/bun/shm.ts";

export const INSTANCE_FIXTURE = `${import.meta.dir}/../apps/statd/src/supervisor/instance_fixture.ts`;
export const SUPERVISOR_FIXTURE = `${import.meta.dir}/../apps/statd/src/supervisor/supervisor_fixture.ts`;

/** One recorded log line. */
export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  msg: string;
  /** performance.now() when logged. */
  t: number;
  [k: string]: unknown;
}

/** A logger with pino's `(object, message)` methods that keeps every line. */
export function recorder(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine["level"]) =>
    (obj: Record<string, unknown>, msg: string): void => {
      lines.push({ ...obj, level, msg, t: performance.now() });
      if (process.env.SUPERVISOR_TEST_LOG === "1") console.error(level, msg);
    };
  return { logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }, lines };
}

/** Polls `cond` every 10 ms; throws naming `what` (and the last `detail()`) after `ms`. */
export async function waitFor(
  cond: () => boolean,
  what: string,
  ms = 15_000,
  detail: () => unknown = () => "",
): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for: ${what} ${JSON.stringify(detail())}`);
    }
    await Bun.sleep(10);
  }
}

/** The argv of the fixture instance. */
export function fixtureCommand(slot: number, segment: string): string[] {
  return [process.execPath, INSTANCE_FIXTURE, "--segment", segment, "--slot", String(slot)];
}

/** Test options: small rings, children's output into the recording logger, fast backoff. */
export type StartOptions = Partial<SupervisorOptions> & { instances: number };

/** Per-file harness: cleanup registered with afterAll. */
export function harness() {
  const names: string[] = [];
  const sups: Supervisor[] = [];
  const pids: number[] = [];
  afterAll(async () => {
    for (const p of pids) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await Promise.all(sups.map((s) => s.stop()));
    for (const n of names) unlinkSegment(n);
  });
  const cluster = (): string => {
    const c = `test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    names.push(`statd-${c}`);
    return c;
  };
  const log = recorder();
  beforeEach(() => {
    log.lines.length = 0; // each test sees its own log lines
  });
  return {
    cluster,
    lines: log.lines,
    /** Remember a child pid to SIGKILL at the end. */
    track(pid: number): void {
      pids.push(pid);
    },
    options(o: StartOptions): SupervisorOptions {
      return {
        cluster: o.cluster ?? cluster(),
        layout: { spscBytes: 65536, broadcastBytes: 65536, maxRecord: 1024 },
        instanceCommand: fixtureCommand,
        logger: log.logger,
        output: "log",
        restartBackoff: { initialMs: 50, maxMs: 400, stableMs: 60_000 },
        ...o,
      };
    },
    async start(o: StartOptions): Promise<Supervisor> {
      const sup = await Supervisor.start(this.options(o));
      sups.push(sup);
      return sup;
    },
    waitFor,
  };
}

/** Reads the first line a child prints on stdout (throws after `ms`). */
export async function firstLine(stream: ReadableStream<Uint8Array>, ms = 20_000): Promise<string> {
  const reader = stream.getReader();
  let buf = "";
  const timer = setTimeout(() => reader.cancel(), ms);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`no line within ${ms} ms (got ${JSON.stringify(buf)})`);
      buf += new TextDecoder().decode(value);
      const nl = buf.indexOf("\n");
      if (nl >= 0) return buf.slice(0, nl);
    }
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
}
