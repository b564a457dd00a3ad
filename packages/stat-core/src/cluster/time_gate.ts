/**
 * The time gate: the one place that decides whether an event's time stamp may move the clock.
 * `statd replay`, `statd watch` and every instance of the daemon put each event through it
 * before the engine sees it (docs/semantics.md, "Event times and the clock").
 *
 * Rules:
 * - a time that is not a finite number of epoch seconds in 1970..9999 is refused (`bad-time`);
 * - a time more than `maxAheadOfWallMs` (default 1 day) after the wall clock is refused
 *   (`time-ahead-of-wall`): no recording and no live switch can come from the future, so a
 *   stamp like 1e12 (the year 33658) never reaches the clock;
 * - a time more than `maxAheadMs` (default 1 day) after the latest accepted time is refused
 *   (`time-ahead`): one event days ahead cannot drag every later one into the past;
 * - a time before the latest accepted one is accepted and counted `late` (streams interleave;
 *   the engine handles late events), unless it is more than `maxLateMs` (default 1 hour) late:
 *   refused (`time-late`); with a live `clock`, late is measured from the clock too. Snapshot events (`snapshot: true`) carry the time their state began
 *   and are never refused for being old.
 *
 * Only an accepted event moves {@link TimeGate.latest} (a snapshot event does not: its time is
 * when its state began).
 *
 * @example
 * ```ts
 * import { TimeGate } from "./time_gate.ts";
 * const g = new TimeGate();
 * g.check({ event: "EventAgentReady", time: 1.7e9 });  // 1700000000000 (accepted, epoch ms)
 * g.check({ event: "EventAgentReady", time: 1e300 });  // "bad-time"
 * g.refused;                                          // { "bad-time": 1 }
 * ```
 * @module
 */

/** Largest accepted time: 9999-12-31T23:59:59Z, in seconds. */
export const MAX_EVENT_TIME_SEC = 253_402_300_799;

/** Options of {@link TimeGate}. */
export interface TimeGateOptions {
  /** wall clock, epoch ms (default `Date.now`) */
  wallNow?: () => number;
  /** refuse stamps this far after the wall clock (default 1 day) */
  maxAheadOfWallMs?: number;
  /** refuse stamps this far after the latest accepted one (default 1 day) */
  maxAheadMs?: number;
  /** refuse non-snapshot stamps this far before the latest accepted one (default 1 hour) */
  maxLateMs?: number;
  /**
   * a live clock (the daemon's): "late" is then measured from the later of it and the latest
   * accepted time, so a source stamping far behind the clock is refused and counted instead of
   * counting nothing in statistics opened on the clock's time
   */
  clock?: () => number;
}

const _DAY = 86_400_000;

/** See the module doc. */
export class TimeGate {
  /** refused events by reason */
  readonly refused: Record<string, number> = {};
  /** accepted events stamped before the latest accepted one */
  late = 0;
  /** accepted events */
  accepted = 0;
  private _latest: number | null = null;
  private readonly _wall: () => number;
  private readonly _aheadWall: number;
  private readonly _ahead: number;
  private readonly _lateMax: number;
  private readonly _clock: (() => number) | null;

  constructor(opts: TimeGateOptions = {}) {
    this._wall = opts.wallNow ?? (() => Date.now());
    this._aheadWall = opts.maxAheadOfWallMs ?? _DAY;
    this._ahead = opts.maxAheadMs ?? _DAY;
    this._lateMax = opts.maxLateMs ?? 3_600_000;
    this._clock = opts.clock ?? null;
  }

  /** Latest accepted time (epoch ms), or null before the first. */
  get latest(): number | null {
    return this._latest;
  }

  /** Total refused. */
  get refusedTotal(): number {
    let n = 0;
    for (const k in this.refused) n += this.refused[k]!;
    return n;
  }

  /**
   * The event's time in epoch ms when accepted (and the latest time moves forward to it), or the
   * reason it is refused (counted in {@link TimeGate.refused}).
   */
  check(ev: { time?: unknown; snapshot?: unknown }): number | string {
    const r = this._check(ev);
    if (typeof r === "string") this.refused[r] = (this.refused[r] ?? 0) + 1;
    else {
      this.accepted++;
      // a snapshot event's time is when its state began, not a reading of the source's clock
      if (ev.snapshot !== true && (this._latest === null || r > this._latest)) this._latest = r;
    }
    return r;
  }

  private _check(ev: { time?: unknown; snapshot?: unknown }): number | string {
    const t = ev.time;
    if (typeof t !== "number" || !Number.isFinite(t) || t < 0 || t > MAX_EVENT_TIME_SEC) return "bad-time";
    const ms = Math.round(t * 1000);
    if (ms > this._wall() + this._aheadWall) return "time-ahead-of-wall";
    const latest = this._latest;
    const ref = this._clock === null ? latest : Math.max(latest ?? Number.NEGATIVE_INFINITY, this._clock());
    if (ref !== null && ms > ref + this._ahead) return "time-ahead";
    if (ref !== null && ms < ref) {
      if (ev.snapshot !== true && ms < ref - this._lateMax) return "time-late";
      if (latest !== null) this.late++;
    }
    return ms;
  }
}
