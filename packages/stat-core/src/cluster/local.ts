/**
 * A cluster of engine partitions in one process: the ownership, routing, cross-partition message
 * exchange and merge of partials that the daemon does across instances over the bus, done with
 * plain calls. Used by `statd replay --instances N`, and by the tests that check that N partitions
 * give the values of one engine (docs/architecture.md "Invariants" 1 and 2).
 *
 * @example
 * ```ts
 * import { LocalCluster } from "./local.ts";
 * const c = new LocalCluster({ config, instances: 3, startMs });
 * const h = c.open({ object: { type: "Queue", id: "8001" }, statType: "CurrNumberWaitingCalls" });
 * for (const ev of events) c.ingest(ev);
 * if (!("error" in h)) c.value(h.handle);
 * ```
 * @module
 */
import type { EngineConfig, StatValue, TEvent } from "../definitions.ts";
import { type Clock, ReplayClock } from "../engine/clock.ts";
import { Engine } from "../engine/engine.ts";
import { mergeAll, type StatPartial, valueOfPartial } from "../engine/partial.ts";
import type { CrossMessage, EngineError, IngestResult, OpenRequest } from "../engine/types.ts";
import { eventKey, ownerOf } from "./route.ts";
import { isSampled, MergedSampler } from "./sampler.ts";

/** Options of {@link LocalCluster}. */
export interface LocalClusterOptions {
  config: EngineConfig;
  /** number of partitions (1..16) */
  instances: number;
  /** start of time (epoch ms); default: the first event's time is observed */
  startMs?: number;
  /** shared clock; default a {@link ReplayClock} driven by the events */
  clock?: Clock;
  /** owner of a key (`dn:ID`, `agent:ID`, `place:ID`); default rendezvous over 0..instances-1 */
  owner?: (key: string) => number;
}

interface _Open {
  req: OpenRequest;
  sampler: MergedSampler | null;
}

/** N engine partitions that behave as one engine. */
export class LocalCluster {
  /** the partitions, index = instance id */
  readonly engines: Engine[];
  readonly clock: Clock;
  private readonly _owner: (key: string) => number;
  private readonly _opens: _Open[] = [];
  private _messages = 0;

  constructor(opts: LocalClusterOptions) {
    const n = opts.instances;
    if (!Number.isInteger(n) || n < 1 || n > 16) throw new RangeError(`instances must be 1..16, got ${n}`);
    const ids = Array.from({ length: n }, (_, i) => i);
    this._owner = opts.owner ?? ((key) => ownerOf(key, ids));
    this.clock = opts.clock ?? new ReplayClock(opts.startMs ?? 0);
    const owner = this._owner;
    this.engines = ids.map(
      (i) =>
        new Engine({
          config: opts.config,
          clock: this.clock,
          ...(opts.startMs !== undefined ? { startMs: opts.startMs } : {}),
          ...(n > 1 ? { owns: (key: string) => owner(key) === i } : {}),
        }),
    );
  }

  /** Cross-partition messages exchanged so far. */
  get messages(): number {
    return this._messages;
  }

  /**
   * Route one event to the owner of its `thisDN` (an event about no DN goes to every partition),
   * then deliver cross-partition messages until none is left.
   */
  ingest(ev: TEvent): IngestResult {
    // the clock moves in the engine, once it has accepted the event's time (not here)
    let result: IngestResult = { ok: true };
    const key = eventKey(ev);
    if (key === null) {
      for (const e of this.engines) {
        const r = e.ingest(ev);
        if (!r.ok) result = r;
      }
    } else {
      result = this.engines[this._owner(key)]!.ingest(ev);
    }
    this._exchange();
    return result;
  }

  private _exchange(): void {
    if (this.engines.length === 1) return; // one engine loops its messages back itself
    for (let moved = true; moved; ) {
      moved = false;
      for (const from of this.engines) {
        for (const m of from.drainOutbox()) {
          moved = true;
          this._deliver(from, m);
        }
      }
    }
  }

  private _deliver(from: Engine, m: CrossMessage): void {
    this._messages++;
    const targets =
      m.to === "*" ? this.engines.filter((e) => e !== from) : [this.engines[this._owner(m.to)]!];
    for (const t of targets) {
      const r = t.deliver(m);
      if (!r.ok) throw new Error(`cross-partition message refused: ${r.reason}`);
    }
  }

  /** A stream (`node` key) is monitored or not, on every partition (see `Engine.setSourceValid`). */
  setSourceValid(node: string, valid: boolean, t: number = this.clock.now()): void {
    for (const e of this.engines) e.setSourceValid(node, valid, t);
    this._exchange();
  }

  /** A stream restarted: every partition drops what it built (see `Engine.resetSource`). */
  resetSource(node: string, t: number = this.clock.now()): void {
    for (const e of this.engines) e.resetSource(node, t);
    this._exchange();
  }

  /** Open a statistic on every partition. Returns a handle for {@link LocalCluster.value}. */
  open(req: OpenRequest): { handle: number } | EngineError {
    for (const e of this.engines) {
      const o = e.open(req);
      if ("error" in o) return o;
    }
    const cat = (this.engines[0]!.partial(req) as StatPartial).cat;
    this._opens.push({ req, sampler: isSampled(cat) ? new MergedSampler() : null });
    return { handle: this._opens.length - 1 };
  }

  private _merged(o: _Open, now: number): StatPartial {
    const parts = this.engines.map((e) => e.partial(o.req, now) as StatPartial);
    return mergeAll(parts[0]!.cat, now, parts);
  }

  /**
   * Advance every partition to `now` and sample the merged partials of MaxNumber/MinNumber
   * statistics (the aggregation owner samples the merged count, restarting at interval resets;
   * see {@link MergedSampler}).
   */
  tick(now: number = this.clock.now()): void {
    for (const e of this.engines) e.tick(now);
    this._exchange();
    for (const o of this._opens) {
      if (!o.sampler) continue;
      o.sampler.observe(this._merged(o, now), now);
    }
  }

  /** The merged value of an opened statistic at `now`. */
  value(handle: number, now: number = this.clock.now()): { value: StatValue; valid: boolean } {
    const o = this._opens[handle];
    if (!o) throw new RangeError(`no statistic with handle ${handle}`);
    const merged = this._merged(o, now);
    return { value: valueOfPartial(merged, o.sampler?.state), valid: merged.inv === 0 };
  }
}
