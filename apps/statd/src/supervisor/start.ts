/**
 * `statd start`: the daemon as one command. The supervisor creates the cluster's segment, starts
 * the demo's simulated SIP cluster when asked (`--demo`), spawns one instance process per slot
 * (`instance/main.ts`), waits until every slot is alive, and stops everything on SIGINT/SIGTERM
 * (docs/architecture.md, "Processes").
 *
 * @example
 * ```ts
 * const d = await startDaemon({ configPath: "config/demo.toml", config, instances: 2, demo: true, logger });
 * await d.stop();
 * ```
 * @module
 */
import { join } from "node:path";
import type { StatdFileConfig } from "@statd/config";
import { parseAddress } from "@statd/sip-client";
import type { Logger } from "pino";
import { type CompanionSpec, Supervisor } from "./mod.ts";

const INSTANCE_MAIN = join(import.meta.dir, "../instance/main.ts");
const SIPSIM = join(import.meta.dir, "../../../../packages/sip-sim/src/cli.ts");

/** Options of {@link startDaemon}. */
export interface DaemonOptions {
  configPath: string;
  config: StatdFileConfig;
  /** default `[cluster].instances` */
  instances?: number;
  /** start the simulated SIP cluster the config's `[[sip.nodes]]` point at */
  demo?: boolean;
  /** API address for every instance (default `[api].listen`) */
  listen?: string;
  logger: Logger;
  /** extra sipsim flags for the demo (e.g. `--speed max --record FILE`) */
  demoArgs?: string[];
}

/** The command line of the demo's simulator for a config: its nodes, agents and queues. */
export function demoCommand(config: StatdFileConfig, extra: string[] = []): string[] {
  const nodes = config.sip.nodes;
  if (nodes.length === 0) throw new Error("--demo: the config has no [[sip.nodes]] to simulate");
  const first = parseAddress(nodes[0]!.interactionProxy);
  const d = config.engine.directory;
  const queues = d.dns.filter((x) => x.type === "ACDQueue").length;
  const args = [
    "--listen",
    `${first.host}:${first.port}`,
    "--nodes",
    String(nodes.length),
    "--agents",
    String(Math.max(1, d.agents.length)),
    "--queues",
    String(Math.max(1, queues)),
    "--arrival-rate",
    "0.25",
    "--aht",
    "120",
    "--seed",
    "1",
    "--speed",
    "10",
    // the daemon's clock is live: the simulated day starts now
    "--start",
    "now",
    ...extra,
  ];
  return [process.execPath, SIPSIM, ...args];
}

/** Start the daemon; resolves when every instance has joined its slot. */
export async function startDaemon(o: DaemonOptions): Promise<Supervisor> {
  const instances = o.instances ?? o.config.cluster.instances;
  const companions: CompanionSpec[] = o.demo
    ? [{ name: "sipsim", cmd: demoCommand(o.config, o.demoArgs) }]
    : [];
  const sup = await Supervisor.start({
    cluster: o.config.cluster.name,
    instances,
    instanceCommand: (slot, segment) => [
      process.execPath,
      INSTANCE_MAIN,
      "--config",
      o.configPath,
      "--segment",
      segment,
      "--slot",
      String(slot),
      ...(o.listen ? ["--listen", o.listen] : []),
    ],
    companions,
    logger: o.logger,
  });
  try {
    await sup.ready(30_000);
  } catch (e) {
    await sup.stop();
    throw e;
  }
  return sup;
}
