/**
 * `statd watch`: the live path without the daemon — connect to every SIP node of the config
 * (both ports, resumable sessions), feed the events to a {@link LocalCluster} of engine partitions
 * on the events' clock, and show a text wallboard. A preview of the daemon's data path (SIP
 * sessions → ownership routing → engine partitions → merged values), in one process.
 *
 * @example
 * ```ts
 * const w = startWatch({ config, instances: 2 });
 * setInterval(() => process.stdout.write(w.board.text()), 2000);
 * ```
 * @module
 */
import type { StatdFileConfig } from "@statd/config";
import type { ClusterClient } from "@statd/sip-client";
import { connectCluster } from "@statd/sip-client/bun";
import { LocalCluster, type TEvent } from "@statd/stat-core";
import type { Logger } from "pino";
import { Board } from "./board.ts";

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
  /** events applied / skipped (reason → count) */
  counts: { events: number; skipped: Record<string, number> };
  stop(): void;
}

/** Connect and start feeding the engine. */
export function startWatch(opts: WatchOptions): Watch {
  const { config } = opts;
  if (config.sip.nodes.length === 0) throw new Error("watch: the config has no [[sip.nodes]]");
  const counts = { events: 0, skipped: {} as Record<string, number> };
  let lastTick = 0;
  const w: Watch = {
    cluster: null,
    board: null,
    counts,
    client: null as unknown as ClusterClient,
    stop: () => w.client.stop(),
  };
  // the statistics open when the first event arrives: the source's clock (real or simulated) is
  // the engine's clock, and a statistic accumulates from the moment it is opened
  w.client = connectCluster(config.sip.nodes, {
    client: `statd-watch-${process.pid}`,
    ...(opts.logger ? { logger: opts.logger } : {}),
    deliver: (_node, _port, ev) => {
      const ms = Math.round(ev.time * 1000);
      if (w.cluster === null) {
        w.cluster = new LocalCluster({ config: config.engine, instances: opts.instances ?? 1, startMs: ms });
        w.board = new Board(w.cluster, config.engine);
      }
      const cluster = w.cluster;
      // four streams interleave; snapshot events carry the time their state began (the engine's
      // replay clock never goes backwards; actions keep their source times)
      const r = cluster.ingest(ev as TEvent);
      if (r.ok) counts.events++;
      else counts.skipped[r.reason] = (counts.skipped[r.reason] ?? 0) + 1;
      if (ms - lastTick >= 1000) {
        lastTick = ms;
        cluster.tick(cluster.clock.now());
      }
    },
    onState: (node, port, state, info) => {
      opts.logger?.info({ node, port, state, reset: info.reset ?? false }, "sip session");
    },
  });
  return w;
}
