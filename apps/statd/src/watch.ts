/**
 * `statd watch`: the live path without the daemon — connect to every SIP node of the config
 * (both ports, resumable sessions), feed the events to a {@link LocalCluster} of engine partitions
 * on the events' clock, and show a text wallboard. It drives the engine with the same pieces as
 * the daemon and `statd replay`: the pump (time gate, ticks), and the session-state rules
 * (`ingest/source_state.ts`: a stream not live makes its statistics invalid; a fresh stream drops
 * what it built before its snapshot).
 *
 * @example
 * ```ts
 * const w = startWatch({ config, instances: 2 });
 * setInterval(() => process.stdout.write(w.board?.text() ?? ""), 2000);
 * ```
 * @module
 */
import type { StatdFileConfig } from "@statd/config";
import type { ClusterClient } from "@statd/sip-client";
import { connectCluster } from "@statd/sip-client/bun";
import { LocalCluster, Pump, type TEvent } from "@statd/stat-core";
import type { Logger } from "pino";
import { Board } from "./board.ts";
import { sourceOps } from "./ingest/source_state.ts";
import type { SourceOp } from "./wire/records.ts";

/** Options of {@link startWatch}. */
export interface WatchOptions {
  config: StatdFileConfig;
  instances?: number;
  logger?: Logger;
}

/** A running watch. `cluster` and `board` exist from the first event on (its time starts the clock). */
export interface Watch {
  cluster: LocalCluster | null;
  board: Board | null;
  client: ClusterClient;
  /** events applied / skipped (reason → count); refused times are in `pump.gate.refused` */
  counts: { events: number; skipped: Record<string, number> };
  pump: Pump<LocalCluster>;
  stop(): void;
}

/** Connect and start feeding the engine. */
export function startWatch(opts: WatchOptions): Watch {
  const { config } = opts;
  if (config.sip.nodes.length === 0) throw new Error("watch: the config has no [[sip.nodes]]");
  // the statistics open when the first event arrives: the source's clock (real or simulated) is
  // the engine's clock, and a statistic accumulates from the moment it is opened
  const pump = new Pump((ms) => {
    const c = new LocalCluster({ config: config.engine, instances: opts.instances ?? 1, startMs: ms });
    w.board = new Board(c, config.engine);
    w.cluster = c;
    return c;
  });
  const up = new Map<string, boolean>();
  // stream changes before the first event have nothing to act on
  const source = (key: string, op: SourceOp): void => {
    const c = pump.target;
    if (!c) return;
    if (op === "reset") c.resetSource(key);
    else c.setSourceValid(key, op === "up");
  };
  const w: Watch = {
    cluster: null,
    board: null,
    pump,
    counts: { events: 0, skipped: pump.skipped },
    client: null as unknown as ClusterClient,
    stop: () => w.client.stop(),
  };
  w.client = connectCluster(config.sip.nodes, {
    client: `statd-watch-${process.pid}`,
    ...(opts.logger ? { logger: opts.logger } : {}),
    deliver: (node, port, ev) => {
      const e = ev as TEvent;
      e.node = `${node}/${port}`;
      if (pump.push(e).ok) w.counts.events++;
    },
    onState: (node, port, state, info) => {
      const key = `${node}/${port}`;
      const r = sourceOps(up.get(key) === true, state, info);
      up.set(key, r.up);
      for (const op of r.ops) source(key, op);
      opts.logger?.info({ node, port, state, reset: info.reset ?? false }, "sip session");
    },
  });
  return w;
}
