/**
 * `statd replay`: feed a recorded event log (NDJSON in the protocol's event format, e.g. from
 * `sipsim --record`) through the engine on the events' own clock, and report every statistic of
 * the config's `[[replay.statistics]]`. With `instances > 1` the log is split over that many
 * engine partitions by DN ownership and the partials are merged, as the clustered daemon does;
 * the output must not depend on the number of instances (docs/architecture.md "Invariants" 1).
 *
 * @example
 * ```ts
 * const r = await replay({ config, lines: readLines("day.ndjson"), instances: 2 });
 * for (const row of r.rows) console.log(JSON.stringify(row));
 * ```
 * @module
 */
import type { StatdFileConfig } from "@statd/config";
import { checkEvent, LineSplitter } from "@statd/sip-client";
import { LocalCluster, type ObjectType, Pump, type StatValue, type TEvent } from "@statd/stat-core";

/** One output row: a statistic of `[[replay.statistics]]` and its value at the end. */
export interface ReplayRow {
  object: { type: ObjectType; id: string; tenant?: string };
  statType: string;
  timeProfile: string;
  timeRange?: string;
  timeRange2?: string;
  filter?: string;
  value: StatValue;
  valid: boolean;
}

/** What was read and what was skipped, with reasons. */
export interface ReplayCounters {
  lines: number;
  events: number;
  /** lines that were not a valid event (reason → count) */
  badLines: Record<string, number>;
  /** valid events the engine skipped (reason → count) */
  skipped: Record<string, number>;
  /** events whose time was refused (bad, days ahead, too late; reason → count) */
  refused: Record<string, number>;
  /** accepted events stamped before an earlier one (out of time order) */
  late: number;
  /** events after `--at`, not applied */
  afterAt: number;
  /** cross-partition messages exchanged (0 with one instance) */
  messages: number;
  /** epoch ms at which the values were taken */
  at: number | null;
}

/** Options of {@link replay}. */
export interface ReplayOptions {
  config: StatdFileConfig;
  /** the log as byte chunks (any chunking) */
  chunks: AsyncIterable<Uint8Array>;
  instances?: number;
  /** stop at this instant (epoch ms): later events are not applied; values are taken at it */
  atMs?: number;
}

const _bump = (m: Record<string, number>, k: string): void => {
  m[k] = (m[k] ?? 0) + 1;
};

/** Replay a log; see the module doc. The partitions start at the first event's time. */
export async function replay(opts: ReplayOptions): Promise<{ rows: ReplayRow[]; counters: ReplayCounters }> {
  const stats = opts.config.replay.statistics;
  const counters: ReplayCounters = {
    lines: 0,
    events: 0,
    badLines: {},
    skipped: {},
    refused: {},
    late: 0,
    afterAt: 0,
    messages: 0,
    at: null,
  };
  let handles: number[] = [];

  const start = (ms: number): LocalCluster => {
    const c = new LocalCluster({ config: opts.config.engine, instances: opts.instances ?? 1, startMs: ms });
    handles = stats.map((s, i) => {
      const o = c.open({ ...s, notification: { mode: "none" } });
      if ("error" in o) throw new ReplayError(`replay.statistics[${i}]: ${o.error.message}`);
      return o.handle;
    });
    return c;
  };
  // (the config loader already checked every [[replay.statistics]] against the stat types and
  // the directory; an open that still fails stops the replay with a ReplayError)
  const pump = new Pump(start);

  const onLine = (text: string): void => {
    if (text.trim() === "") return;
    counters.lines++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      _bump(counters.badLines, "not JSON");
      return;
    }
    const ev = checkEvent(parsed);
    if (typeof ev === "string") {
      _bump(counters.badLines, ev);
      return;
    }
    if (opts.atMs !== undefined && ev.time * 1000 > opts.atMs) {
      counters.afterAt++;
      return;
    }
    // the time gate, the ticks and the ingest: the same pump as the daemon's
    pump.push(ev as TEvent);
  };
  const splitter = new LineSplitter({
    line: onLine,
    bad: (reason) => {
      counters.lines++;
      _bump(counters.badLines, reason);
    },
  });
  for await (const chunk of opts.chunks) splitter.push(chunk);
  splitter.push(new Uint8Array([10])); // a last line without its newline

  const at = opts.atMs ?? pump.latest;
  counters.at = at;
  counters.events = pump.applied;
  Object.assign(counters.skipped, pump.skipped);
  Object.assign(counters.refused, pump.gate.refused);
  counters.late = pump.gate.late;
  const c = pump.target;
  const rows: ReplayRow[] = stats.map((s, i) => {
    const row: ReplayRow = {
      object: s.object,
      statType: s.statType,
      timeProfile: s.timeProfile ?? "Default",
      ...(s.timeRange ? { timeRange: s.timeRange } : {}),
      ...(s.timeRange2 ? { timeRange2: s.timeRange2 } : {}),
      ...(s.filter ? { filter: s.filter } : {}),
      value: null,
      valid: true,
    };
    if (c && at !== null) {
      pump.tick(at);
      const v = c.value(handles[i]!, at);
      row.value = v.value;
      row.valid = v.valid;
    }
    return row;
  });
  counters.messages = c?.messages ?? 0;
  return { rows, counters };
}

/** A replay that cannot run (bad statistic in the config); the message is one line. */
export class ReplayError extends Error {
  override name = "ReplayError";
}
