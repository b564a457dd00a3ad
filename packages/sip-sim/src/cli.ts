#!/usr/bin/env bun
/**
 * `sipsim`: a simulated SIP cluster (docs/commands.md). Runs the traffic model against the clock,
 * serves every node's Interaction Proxy and T-Controller port, records, and applies faults.
 * Usage: `bun packages/sip-sim/src/cli.ts --help`; docs/sipsim.md has the details.
 *
 * Exit codes: 0 done (duration reached, SIGINT/SIGTERM, --help), 1 failure, 2 bad usage.
 *
 * @example
 * ```sh
 * bun packages/sip-sim/src/cli.ts --listen 127.0.0.1:7100 --nodes 2 --agents 20 --queues 2 \
 *   --arrival-rate 0.05 --aht 180 --seed 1 --speed 10
 * ```
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import pino from "pino";
import pretty from "pino-pretty";
import { type CliOptions, HelpShown, parseCliArgs, UsageError } from "./args.ts";
import { parseCommand } from "./commands.ts";
import { type ModelConfig, resolveConfig } from "./config.ts";
import { directoryToml } from "./directory.ts";
import { Simulation } from "./model.ts";
import { RecordFile } from "./recorder.ts";
import { runSimulation } from "./runner.ts";
import { parseScenario, type Scenario, ScenarioError } from "./scenario.ts";
import { type NodeServers, startNodeServers } from "./server/mod.ts";
import type { FaultAction, SimControl, SimEvent } from "./types.ts";

type Log = pino.Logger;

function _logger(): Log {
  const level = process.env.SIPSIM_LOG_LEVEL ?? "info";
  if (process.stdout.isTTY)
    return pino({ level, base: { name: "sipsim" } }, pretty({ destination: 2, sync: true }));
  return pino({ level, base: { name: "sipsim" } }, pino.destination({ dest: 2, sync: true }));
}

function _fail(code: number, msg: string, e?: unknown, debug = false): never {
  process.stderr.write(`sipsim: ${msg}\n`);
  if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(code);
}

function _loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ScenarioError(
      `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  try {
    return parseScenario(text);
  } catch (e) {
    throw new ScenarioError(`${path}: ${(e as Error).message}`);
  }
}

function _applyFault(servers: NodeServers | undefined, f: FaultAction, log: Log): void {
  if (!servers) {
    log.info({ fault: f }, "fault (no servers: --no-listen)");
    return;
  }
  const x = servers.faults;
  switch (f.action) {
    case "dropConnections":
      x.dropConnections(f.node, f.port);
      return;
    case "restartNode":
      x.restartNode(f.node);
      return;
    case "setDelay":
      x.setDelay(f.ms);
      break;
    case "setDuplicate":
      x.setDuplicate(f.prob);
      break;
    case "setReorder":
      x.setReorder(f.bound);
      break;
    case "sendMalformed":
      x.sendMalformed(f.node, f.port, f.kind);
      break;
  }
  log.info({ fault: f }, "fault applied");
}

/** Run the command; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseCliArgs(argv);
  } catch (e) {
    if (e instanceof HelpShown) return 0;
    if (e instanceof UsageError) _fail(2, e.message);
    throw e;
  }
  const debug = opts.debug;
  let scenario: Scenario | undefined;
  let cfg: ModelConfig;
  try {
    scenario = opts.scenario ? _loadScenario(opts.scenario) : undefined;
    if (opts.start !== undefined) {
      // "now": the wall clock at launch, whole seconds (at --speed 1 the simulated clock then follows it)
      const start =
        opts.start === "now" ? new Date(Math.floor(Date.now() / 1000) * 1000).toISOString() : opts.start;
      scenario = { ...scenario, start };
    }
    cfg = resolveConfig({ ...opts, model: opts.model, scenario });
  } catch (e) {
    if (e instanceof ScenarioError || e instanceof RangeError)
      _fail(2, `scenario: ${e.message}`.replace("scenario: scenario: ", "scenario: "), e, debug);
    throw e;
  }

  if (opts.emitDirectory !== undefined) {
    const toml = directoryToml({
      agents: cfg.agents,
      queues: cfg.queues,
      skills: (k) => cfg.skills[k - 1] ?? [1],
    });
    if (opts.emitDirectory === "-") process.stdout.write(toml);
    else {
      try {
        writeFileSync(opts.emitDirectory, toml);
      } catch (e) {
        _fail(
          1,
          `cannot write ${opts.emitDirectory}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
          e,
          debug,
        );
      }
    }
    return 0;
  }

  const log = _logger();
  let record: RecordFile | undefined;
  if (opts.record) {
    try {
      record = new RecordFile(opts.record);
    } catch (e) {
      _fail(
        1,
        `cannot write ${opts.record}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        e,
        debug,
      );
    }
  }

  let servers: NodeServers | undefined;
  const sim = new Simulation(cfg, {
    event(ev: SimEvent) {
      record?.write(ev);
      servers?.publish(ev);
    },
    control(c: SimControl) {
      record?.flush();
      _applyFault(servers, c.fault, log);
    },
  });

  if (opts.listen) {
    try {
      servers = await startNodeServers({
        host: opts.host,
        basePort: opts.port,
        nodeIds: cfg.nodeIds,
        snapshot: (node, port) => sim.snapshot(node, port),
        cacheSize: opts.cacheSize,
        logger: log,
        seed: typeof cfg.seed === "number" ? cfg.seed : 1,
      });
    } catch (e) {
      record?.close();
      _fail(
        1,
        `cannot listen on ${opts.host}:${opts.port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        e,
        debug,
      );
    }
    for (const p of servers.ports) {
      process.stdout.write(
        `${p.nodeId} interactionProxy=${opts.host}:${p.interactionProxy} tController=${opts.host}:${p.tController}\n`,
      );
    }
  }
  log.info(
    {
      model: cfg.mmc ? "mmc" : "contact-center",
      nodes: cfg.nodeIds,
      agents: cfg.agents,
      queues: cfg.queues,
      arrivalRate: cfg.arrivalRate,
      aht: cfg.aht,
      seed: cfg.seed,
      speed: opts.speed,
      duration: opts.duration ?? null,
      start: new Date(cfg.startEpoch * 1000).toISOString(),
      ports: servers?.ports ?? null,
      record: opts.record ?? null,
    },
    "sipsim started",
  );

  if (cfg.mmc && argv.includes("--queues") && opts.queues !== 1)
    log.warn({ queues: opts.queues }, "--model mmc has one queue: --queues ignored");
  const run = runSimulation(sim, { speed: opts.speed, duration: opts.duration });
  const progress = setInterval(() => {
    log.info(
      { simTime: new Date(sim.epochNow * 1000).toISOString(), activeCalls: sim.activeCalls, ...sim.stats },
      "progress",
    );
  }, 10_000);

  // keep the recording current for `tail -f` (a flush is one write of what is buffered)
  const flusher = setInterval(() => record?.flush(), 1000);

  const stop = (why: string) => {
    log.info({ signal: why }, "stopping");
    run.stop();
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGUSR1", () => _applyFault(servers, { action: "dropConnections" }, log));

  let rl: ReturnType<typeof createInterface> | undefined;
  if (opts.stdinCommands) {
    rl = createInterface({ input: process.stdin });
    rl.on("line", (line) => {
      if (line.trim() === "") return;
      try {
        const cmd = parseCommand(line, cfg.nodeIds);
        if (cmd.action === "stats")
          log.info({ simTime: sim.epochNow, ...sim.stats, servers: servers?.stats() }, "stats");
        else if (cmd.action === "restartNode") sim.restartNode(cmd.node);
        else _applyFault(servers, cmd, log);
      } catch (e) {
        log.warn({ line, error: (e as Error).message }, "bad command");
      }
    });
  }

  let code = 0;
  try {
    const why = await run.done;
    log.info(
      { reason: why, simTime: new Date(sim.epochNow * 1000).toISOString(), ...sim.stats },
      "sipsim done",
    );
  } catch (e) {
    log.error({ error: (e as Error).message, stack: (e as Error).stack }, "simulation failed");
    code = 1;
  }
  clearInterval(progress);
  clearInterval(flusher);
  rl?.close();
  record?.close();
  await servers?.close();
  return code;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => _fail(1, (e as Error).message, e, process.argv.includes("--debug")),
  );
}
