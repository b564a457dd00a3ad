#!/usr/bin/env bun
/**
 * `statd`: the daemon's command line (docs/commands.md).
 *
 * - `statd replay --config FILE EVENTS.ndjson [--instances N] [--at ISO-TIME]` — built.
 * - `statd watch --config FILE [--instances N] [--interval S] [--json] [--exit-after-events N]` —
 *   connect to the config's SIP nodes and show a live text wallboard (no daemon, one process).
 * - `statd start --config FILE [--instances N] [--demo] [--listen HOST:PORT]` — the daemon.
 *
 * Exit codes: 0 ok, 1 failure (unreadable file, config error), 2 bad usage. Errors are one line
 * on stderr (`--debug` adds the stack).
 *
 * @example
 * ```sh
 * bun apps/statd/src/cli.ts replay --config config/demo.toml day.ndjson --instances 2
 * ```
 */
import { readFileSync } from "node:fs";
import { loadStatdConfig, type StatdFileConfig } from "@statd/config";
import { ConfigError } from "@statd/stat-core";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import pino from "pino";
import { ReplayError, replay } from "./replay.ts";
import { startDaemon } from "./supervisor/start.ts";
import { startWatch } from "./watch.ts";

const _debug = process.argv.includes("--debug");

function _fail(code: number, msg: string, e?: unknown): never {
  process.stderr.write(`statd: ${msg}\n`);
  if (_debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(code);
}

function _int(name: string, lo: number, hi: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < lo || n > hi)
      throw new InvalidArgumentError(`${name} must be an integer ${lo}..${hi}`);
    return n;
  };
}

function _isoTime(v: string): number {
  const ms = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(ms))
    throw new InvalidArgumentError("expected an ISO time, e.g. 2026-01-05T12:00:00Z");
  return ms;
}

/** Read and validate the config; a config error is one line and exit 1. */
function _config(path: string): StatdFileConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    _fail(1, `cannot read config ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, e);
  }
  try {
    return loadStatdConfig(text, { onWarning: (w) => process.stderr.write(`statd: warning: ${w}\n`) });
  } catch (e) {
    if (e instanceof ConfigError) _fail(1, `${path}: ${e.message}`, e);
    throw e;
  }
}

const program = new Command()
  .name("statd")
  .description("open, clustered, real-time contact-center statistics server")
  .option("--debug", "print stack traces with errors")
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

program
  .command("replay")
  .description("replay a recorded event log on its own clock; print [[replay.statistics]] as JSON lines")
  .requiredOption("--config <file>", "statd TOML config")
  .argument("<events>", "NDJSON event log (e.g. from sipsim --record); - for stdin")
  .option("--instances <n>", "engine partitions (1..16)", _int("--instances", 1, 16), 1)
  .option("--at <iso-time>", "take the values at this instant (later events are not applied)", _isoTime)
  .action(async (events: string, o: { config: string; instances: number; at?: number }) => {
    const config = _config(o.config);
    let chunks: AsyncIterable<Uint8Array>;
    if (events === "-") chunks = Bun.stdin.stream();
    else {
      const f = Bun.file(events);
      if (!(await f.exists())) _fail(1, `cannot read events ${events}: ENOENT`);
      chunks = f.stream();
    }
    try {
      const t0 = performance.now();
      const { rows, counters } = await replay({
        config,
        chunks,
        instances: o.instances,
        ...(o.at !== undefined ? { atMs: o.at } : {}),
      });
      for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
      const bad = Object.values(counters.badLines).reduce((a, b) => a + b, 0);
      const skipped = Object.values(counters.skipped).reduce((a, b) => a + b, 0);
      const refused = Object.values(counters.refused).reduce((a, b) => a + b, 0);
      if (refused > 0 || counters.late > 0)
        process.stderr.write(
          `statd: warning: ${refused} event(s) refused for their time, ${counters.late} out of time order (applied late)\n`,
        );
      process.stderr.write(
        `statd: replayed ${counters.events} events (${counters.lines} lines, ${bad} bad, ${skipped} skipped, ${refused} refused, ` +
          `${counters.afterAt} after --at) on ${o.instances} instance(s) in ${((performance.now() - t0) / 1000).toFixed(2)} s` +
          `${counters.at !== null ? `; values at ${new Date(counters.at).toISOString()}` : "; no events"}\n`,
      );
      for (const [reason, n] of [
        ...Object.entries(counters.badLines),
        ...Object.entries(counters.skipped),
        ...Object.entries(counters.refused),
      ])
        process.stderr.write(`statd:   ${n} × ${reason}\n`);
    } catch (e) {
      if (e instanceof ReplayError) _fail(1, e.message, e);
      _fail(1, (e as Error).message, e);
    }
  });

program
  .command("watch")
  .description("connect to the config's SIP nodes and show a live text wallboard (one process, no API)")
  .requiredOption("--config <file>", "statd TOML config")
  .option("--instances <n>", "engine partitions (1..16)", _int("--instances", 1, 16), 1)
  .option("--interval <s>", "seconds between boards", _int("--interval", 1, 3600), 2)
  .option("--json", "print each board as one JSON line")
  .option(
    "--exit-after-events <n>",
    "print one board and exit after N events",
    _int("--exit-after-events", 1, 1e9),
  )
  .action(
    (o: {
      config: string;
      instances: number;
      interval: number;
      json?: boolean;
      exitAfterEvents?: number;
    }) => {
      const config = _config(o.config);
      const logger = pino(
        { name: "statd", level: process.env.STATD_LOG_LEVEL ?? "warn" },
        pino.destination(2),
      );
      let w: ReturnType<typeof startWatch>;
      try {
        w = startWatch({ config, instances: o.instances, logger });
      } catch (e) {
        _fail(1, (e as Error).message, e);
      }
      const show = (): void => {
        const { cluster, board } = w;
        if (cluster === null || board === null) {
          if (!o.json) process.stdout.write("waiting for the first event…\n");
          return;
        }
        const at = cluster.clock.now();
        if (o.json) {
          const links = w.client
            .stats()
            .map((l) => ({ node: l.nodeId, port: l.port, state: l.state, ...l.counters }));
          process.stdout.write(
            `${JSON.stringify({ at: new Date(at).toISOString(), events: w.counts.events, skipped: w.counts.skipped, links, rows: board.rows(at) })}\n`,
          );
        } else {
          process.stdout.write(
            `\n${new Date(at).toISOString()}  ${w.counts.events} events, ${cluster.engines.length} partition(s), sessions ${w.client.ready() ? "live" : "connecting"}\n${board.text(at)}`,
          );
        }
      };
      const stop = (code: number): never => {
        w.stop();
        process.exit(code);
      };
      process.on("SIGINT", () => stop(0));
      process.on("SIGTERM", () => stop(0));
      if (o.exitAfterEvents !== undefined) {
        const limit = o.exitAfterEvents;
        const timer = setInterval(() => {
          if (w.counts.events >= limit) {
            clearInterval(timer);
            show();
            stop(0);
          }
        }, 50);
      } else setInterval(show, o.interval * 1000);
    },
  );

program
  .command("start")
  .description("start the daemon: supervisor + N instance processes over the shm bus, API on [api].listen")
  .requiredOption("--config <file>", "statd TOML config")
  .option("--instances <n>", "instances (1..16; default [cluster].instances)", _int("--instances", 1, 16))
  .option("--demo", "also start the simulated SIP cluster that the config's [[sip.nodes]] point at")
  .option("--listen <host:port>", "API address of every instance (default [api].listen)")
  .action(async (o: { config: string; instances?: number; demo?: boolean; listen?: string }) => {
    const config = _config(o.config);
    const logger = pino({ name: "statd", level: process.env.STATD_LOG_LEVEL ?? "info" });
    let sup: Awaited<ReturnType<typeof startDaemon>>;
    try {
      sup = await startDaemon({
        configPath: o.config,
        config,
        ...(o.instances !== undefined ? { instances: o.instances } : {}),
        ...(o.demo ? { demo: true } : {}),
        ...(o.listen ? { listen: o.listen } : {}),
        logger,
      });
    } catch (e) {
      _fail(1, (e as Error).message, e);
    }
    const listen = o.listen ?? config.api.listen;
    process.stderr.write(
      `statd: cluster "${config.cluster.name}" up: ${sup.status().instances.length} instance(s); API http://${listen}/v1 (docs: /docs)\n`,
    );
    const stop = (): void => {
      void sup.stop().then(() => process.exit(0));
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0)
      process.exit(0);
    process.exit(2);
  }
  _fail(1, (e as Error).message, e);
}
