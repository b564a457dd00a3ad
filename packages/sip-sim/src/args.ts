/**
 * The `sipsim` command line (docs/commands.md), parsed with commander into checked options. Bad
 * usage throws {@link UsageError} with a one-line message; `--help` and `--version` throw
 * {@link HelpShown} after printing.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { LIMITS } from "./config.ts";

/** Bad command-line usage (exit code 2). */
export class UsageError extends Error {
  override name = "UsageError";
}

/** `--help` or `--version` was printed (exit code 0). */
export class HelpShown extends Error {
  override name = "HelpShown";
}

/** The parsed `sipsim` options. */
export interface CliOptions {
  host: string;
  port: number;
  nodes: number;
  agents: number;
  queues: number;
  arrivalRate: number;
  aht: number;
  seed: number;
  speed: number | "max";
  duration: number | undefined;
  record: string | undefined;
  scenario: string | undefined;
  listen: boolean;
  model: "contact-center" | "mmc";
  emitDirectory: string | undefined;
  /** Simulated clock start: an ISO time with zone, or "now"; overrides the scenario's `start`. */
  start: string | undefined;
  cacheSize: number | undefined;
  stdinCommands: boolean;
  debug: boolean;
}

/** Defaults of the flags (documented in docs/sipsim.md). */
export const CLI_DEFAULTS = {
  listen: "127.0.0.1:7100",
  nodes: 2,
  agents: 20,
  queues: 2,
  arrivalRate: 0.05,
  aht: 180,
  seed: 1,
  speed: "1",
} as const;

const _int =
  (name: string, min: number, max: number) =>
  (s: string): number => {
    const n = Number(s);
    if (!/^\s*[+-]?\d+\s*$/.test(s) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer in ${min}..${max}`);
    }
    return n;
  };

const _num =
  (name: string, min: number, max: number, exclusiveMin = false) =>
  (s: string): number => {
    const n = s.trim() === "" ? Number.NaN : Number(s);
    if (!Number.isFinite(n) || n < min || (exclusiveMin && n === min) || n > max) {
      throw new InvalidArgumentError(
        `${name} must be a number in ${exclusiveMin ? "(" : "["}${min}, ${max}]`,
      );
    }
    return n;
  };

/**
 * Parse `HOST:PORT` (IPv6 as `[::1]:PORT`); port 0 means ephemeral ports.
 *
 * @example
 * ```ts
 * parseListen("127.0.0.1:7100"); // { host: "127.0.0.1", port: 7100 }
 * ```
 */
export function parseListen(s: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(s.trim());
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535) throw new InvalidArgumentError("expected HOST:PORT, e.g. 127.0.0.1:7100");
  return { host: (m[1] ?? m[2]) as string, port };
}

/**
 * Parse the arguments (without the runtime and script, e.g. `process.argv.slice(2)`).
 *
 * @example
 * ```ts
 * const o = parseCliArgs(["--nodes", "2", "--speed", "max", "--no-listen"]);
 * ```
 */
export function parseCliArgs(
  argv: readonly string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
): CliOptions {
  const program = new Command("sipsim")
    .description("A simulated SIP cluster: per node an Interaction Proxy and a T-Controller monitoring port.")
    .version("0.1.0")
    .addOption(
      new Option("--listen <host:port>", "first port; node i listens on PORT+2i and PORT+2i+1").default(
        CLI_DEFAULTS.listen,
      ),
    )
    .addOption(
      new Option("--nodes <n>", "SIP nodes")
        .argParser(_int("--nodes", 1, LIMITS.nodes))
        .default(CLI_DEFAULTS.nodes),
    )
    .addOption(
      new Option("--agents <a>", "agents")
        .argParser(_int("--agents", 1, LIMITS.agents))
        .default(CLI_DEFAULTS.agents),
    )
    .addOption(
      new Option("--queues <q>", "ACD queues")
        .argParser(_int("--queues", 1, LIMITS.queues))
        .default(CLI_DEFAULTS.queues),
    )
    .addOption(
      new Option("--arrival-rate <r>", "calls per second over all queues")
        .argParser(_num("--arrival-rate", 0, LIMITS.arrivalRate))
        .default(CLI_DEFAULTS.arrivalRate),
    )
    .addOption(
      new Option("--aht <s>", "mean talk time, seconds")
        .argParser(_num("--aht", 0, 86_400, true))
        .default(CLI_DEFAULTS.aht),
    )
    .addOption(
      new Option("--seed <k>", "random seed (integer)")
        .argParser(_int("--seed", Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER))
        .default(CLI_DEFAULTS.seed),
    )
    .addOption(
      new Option("--speed <x>", "simulated seconds per real second, or max").default(CLI_DEFAULTS.speed),
    )
    .addOption(
      new Option("--duration <d>", "simulated seconds to run, then exit").argParser(
        _num("--duration", 0, 1e10),
      ),
    )
    .addOption(new Option("--record <file>", "write every event as NDJSON"))
    .addOption(new Option("--scenario <file>", "scenario TOML (see docs/sipsim.md)"))
    .addOption(new Option("--no-listen", "only simulate (and record)"))
    .addOption(
      new Option("--model <m>", "traffic model").choices(["contact-center", "mmc"]).default("contact-center"),
    )
    .addOption(
      new Option(
        "--emit-directory <file>",
        "write the [directory] TOML for --agents/--queues ('-' = stdout) and exit",
      ),
    )
    .addOption(
      new Option(
        "--start <iso|now>",
        "simulated clock start (default 2026-01-05T08:00:00Z; now = wall clock)",
      ),
    )
    .addOption(
      new Option("--cache-size <n>", "events cached per stream").argParser(
        _int("--cache-size", 1, 10_000_000),
      ),
    )
    .addOption(new Option("--stdin-commands", "read fault commands from stdin (see docs/sipsim.md)"))
    .addOption(new Option("--debug", "stack traces on errors"))
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: () => {}, outputError: () => {} });
  try {
    program.parse([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === "commander.helpDisplayed" ||
        e.code === "commander.version" ||
        e.code === "commander.help"
      ) {
        throw new HelpShown(e.message);
      }
      throw new UsageError(e.message.replace(/^error: /, "").split("\n")[0]);
    }
    throw e;
  }
  const o = program.opts<Record<string, unknown>>();
  let listen: { host: string; port: number };
  try {
    listen = parseListen(o.listen === false ? CLI_DEFAULTS.listen : String(o.listen));
  } catch (e) {
    throw new UsageError(
      `option '--listen <host:port>' argument '${String(o.listen)}' is invalid. ${(e as Error).message}`,
    );
  }
  if (listen.port > 0 && listen.port + 2 * (o.nodes as number) - 1 > 65535) {
    throw new UsageError(`--listen port ${listen.port} + 2 × ${String(o.nodes)} nodes goes past 65535`);
  }
  if (o.start !== undefined && o.start !== "now") {
    const st = String(o.start);
    if (!/(Z|[+-]\d\d:\d\d)$/.test(st) || !Number.isFinite(Date.parse(st))) {
      throw new UsageError(
        `option '--start <iso|now>' argument '${st}' is invalid. expected an ISO time with a zone or now`,
      );
    }
  }
  const speedRaw = String(o.speed);
  let speed: number | "max";
  if (speedRaw === "max") speed = "max";
  else {
    speed = Number(speedRaw);
    if (speedRaw.trim() === "" || !Number.isFinite(speed) || speed <= 0 || speed > 1e9) {
      throw new UsageError(
        `option '--speed <x>' argument '${speedRaw}' is invalid. expected a number > 0 or max`,
      );
    }
  }
  return {
    host: listen.host,
    port: listen.port,
    nodes: o.nodes as number,
    agents: o.agents as number,
    queues: o.queues as number,
    arrivalRate: o.arrivalRate as number,
    aht: o.aht as number,
    seed: o.seed as number,
    speed,
    duration: o.duration as number | undefined,
    record: o.record as string | undefined,
    scenario: o.scenario as string | undefined,
    listen: o.listen !== false,
    model: o.model as "contact-center" | "mmc",
    emitDirectory: o.emitDirectory as string | undefined,
    start: o.start as string | undefined,
    cacheSize: o.cacheSize as number | undefined,
    stdinCommands: o.stdinCommands === true,
    debug: o.debug === true,
  };
}
