/**
 * The pump: what every driver of the engine does with each event, written once. An event goes
 * through the {@link TimeGate} (a refused time changes nothing and is counted with its reason);
 * when its time enters a new tick slot (default one second), the target is ticked to the start of
 * that slot first (Growing resets, sliding steps, samplers, time notifications); then it is
 * ingested. Ticks only ever move forward: a late event never ticks the target backwards.
 * `statd replay`, `statd watch` and the daemon's instances all feed their partitions through it.
 *
 * @example
 * ```ts
 * import { Pump } from "./pump.ts";
 * const pump = new Pump((firstMs) => new LocalCluster({ config, instances: 2, startMs: firstMs }));
 * for (const ev of events) pump.push(ev);
 * pump.target?.value(handle);
 * ```
 * @module
 */
import type { TEvent } from "../definitions.ts";
import type { IngestResult } from "../engine/types.ts";
import { TimeGate } from "./time_gate.ts";

/** What a pump drives: a partition, a {@link LocalCluster}, or a daemon instance. */
export interface PumpTarget {
  ingest(ev: TEvent): IngestResult;
  tick(nowMs: number): void;
}

/** Options of {@link Pump}. */
export interface PumpOptions {
  gate?: TimeGate;
  /** tick slot, ms (default 1000) */
  tickMs?: number;
}

/** See the module doc. */
export class Pump<T extends PumpTarget = PumpTarget> {
  readonly gate: TimeGate;
  /** events the target applied */
  applied = 0;
  /** events the target skipped, by reason (the gate's refusals are in `gate.refused`) */
  readonly skipped: Record<string, number> = {};
  private _target: T | null;
  private readonly _make: ((firstMs: number) => T) | null;
  private readonly _tickMs: number;
  private _slot = Number.NEGATIVE_INFINITY;
  private _ticked = Number.NEGATIVE_INFINITY;

  /** @param target the target, or a factory called with the first accepted event's time */
  constructor(target: T | ((firstMs: number) => T), opts: PumpOptions = {}) {
    if (typeof target === "function") {
      this._target = null;
      this._make = target;
    } else {
      this._target = target;
      this._make = null;
    }
    this.gate = opts.gate ?? new TimeGate();
    this._tickMs = opts.tickMs ?? 1000;
  }

  /** The target (null until the first accepted event when built by a factory). */
  get target(): T | null {
    return this._target;
  }

  /** Latest time ticked or accepted (epoch ms), or null. */
  get latest(): number | null {
    return this.gate.latest;
  }

  /** Gate, tick and ingest one event. */
  push(ev: TEvent): IngestResult {
    const ms = this.gate.check(ev);
    if (typeof ms === "string") return { ok: false, reason: ms };
    let t = this._target;
    if (t === null) {
      t = this._make!(ms);
      this._target = t;
    }
    const slot = Math.floor(ms / this._tickMs);
    if (slot > this._slot) {
      if (this._slot !== Number.NEGATIVE_INFINITY) this.tick(slot * this._tickMs);
      this._slot = slot;
    }
    const r = t.ingest(ev);
    if (r.ok) this.applied++;
    else this.skipped[r.reason] = (this.skipped[r.reason] ?? 0) + 1;
    return r;
  }

  /** Tick the target to `nowMs`; ignored when earlier than a tick already done. */
  tick(nowMs: number): void {
    if (this._target === null || nowMs < this._ticked) return;
    this._ticked = nowMs;
    this._target.tick(nowMs);
  }
}
