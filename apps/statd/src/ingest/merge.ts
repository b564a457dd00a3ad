/**
 * The time-ordered merge of a DN owner's input streams. A DN is fed by two streams of its node
 * (calls on the Interaction Proxy port, agent state on the T-Controller port), held by different
 * instances; their events reach the owner over different paths, so an agent's "not ready" can
 * overtake the release of the call before it. The engine accepts late events, but what it builds
 * from two streams depends on the order they interleave in (a talk status measured against an
 * agent state that came late), so the owner puts events back in time order before applying them:
 *
 * - each stream's holder reports its progress (a watermark: every later event of the stream has a
 *   time at or after it), and an event also advances its own stream's watermark;
 * - an event is released when its time is at or before the watermark of every *active* stream —
 *   a stream that is live and whose watermark advanced within `idleMs` (an idle or stopped
 *   stream holds nothing back) — or when it has waited `maxHoldMs`;
 * - ties keep arrival order (per stream, source order is kept), after a rank: the daemon ranks
 *   messages from other partitions after events of the same instant (a reflected answer comes
 *   after the queue's own events of that instant, as it does in one engine).
 *
 * With every stream active, the owner applies the same sequence `statd replay` applies to a
 * recording, so live and replayed values agree (docs/architecture.md, "Time-ordered merge").
 *
 * @example
 * ```ts
 * import { TimeMerge } from "./merge.ts";
 * const m = new TimeMerge<string>({ now: () => Date.now() });
 * m.setLive("n1/interactionProxy", true); m.setLive("n1/tController", true);
 * m.push("n1/interactionProxy", 2000, "released");   // held: the other stream is at 0
 * m.push("n1/tController", 2500, "not ready");       // releases "released" (2000 ≤ both)
 * m.drain((x) => apply(x));
 * ```
 * @module
 */

/** Options of {@link TimeMerge}. */
export interface TimeMergeOptions {
  /** wall clock, ms */
  now: () => number;
  /** a stream whose watermark did not move for this long holds nothing back (default 500 ms) */
  idleMs?: number;
  /** no event waits longer than this (default 5000 ms) */
  maxHoldMs?: number;
}

interface _Stream {
  live: boolean;
  wm: number;
  movedAt: number;
  /** expected to start until this wall time (it holds others back until then) */
  expectUntil: number;
}

interface _Item<T> {
  t: number;
  /** at equal times, lower ranks first */
  r: number;
  n: number;
  at: number;
  v: T;
}

/** See the module doc. */
export class TimeMerge<T> {
  private readonly _streams = new Map<string, _Stream>();
  private readonly _heap: _Item<T>[] = [];
  private _n = 0;
  private readonly _now: () => number;
  private readonly _idle: number;
  private readonly _maxHold: number;
  /** events released because they waited `maxHoldMs` */
  forced = 0;
  private _lastLook = Number.NEGATIVE_INFINITY;
  private _graceUntil = Number.NEGATIVE_INFINITY;

  constructor(o: TimeMergeOptions) {
    this._now = o.now;
    this._idle = o.idleMs ?? 500;
    this._maxHold = o.maxHoldMs ?? 5000;
  }

  /** Events held. */
  get size(): number {
    return this._heap.length;
  }

  private _s(key: string): _Stream {
    let s = this._streams.get(key);
    if (!s) {
      s = {
        live: false,
        wm: Number.NEGATIVE_INFINITY,
        movedAt: Number.NEGATIVE_INFINITY,
        expectUntil: Number.NEGATIVE_INFINITY,
      };
      this._streams.set(key, s);
    }
    return s;
  }

  /**
   * A stream is live (fed) or not (a stream that is not live holds nothing back). A stream that
   * turns live is active until it has been quiet for `idleMs`.
   */
  setLive(key: string, live: boolean): void {
    const s = this._s(key);
    if (live && !s.live) s.movedAt = this._now();
    s.live = live;
  }

  /**
   * A stream is about to start (the instance started, or the streams were asked to start
   * afresh): until it delivers, or `forMs` pass, it holds the others back, so that a stream that
   * comes up a moment later than its sibling does not find the sibling's events already applied.
   */
  expect(key: string, forMs = 2000): void {
    const s = this._s(key);
    if (s.wm === Number.NEGATIVE_INFINITY) s.expectUntil = this._now() + forMs;
  }

  /** Every later event of `key` has a time at or after `t` (ms). */
  watermark(key: string, t: number): void {
    const s = this._s(key);
    if (t > s.wm) {
      s.wm = t;
      s.movedAt = this._now();
    }
  }

  /**
   * An event of stream `key` at time `t` (ms). At equal times, items of a lower `rank` come
   * first, then arrival order.
   */
  push(key: string, t: number, v: T, rank = 0): void {
    this.watermark(key, t);
    const now = this._now();
    const it: _Item<T> = { t, r: rank, n: this._n++, at: now, v };
    const h = this._heap;
    h.push(it);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!_less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  /**
   * The owner looked at its input (polled the bus) just now. When it had not looked for a while
   * (its own process stalled: GC, a busy core), its streams' quiet time is not theirs: for
   * `idleMs` every live stream counts as active again, so records still unread are not overtaken.
   */
  looked(): void {
    const now = this._now();
    if (now - this._lastLook > this._idle / 2 && this._lastLook !== Number.NEGATIVE_INFINITY)
      this._graceUntil = now + this._idle;
    this._lastLook = now;
  }

  /** The time up to which every active stream is complete (+∞ when none is active). */
  horizon(): number {
    const now = this._now();
    const grace = now < this._graceUntil;
    let min = Number.POSITIVE_INFINITY;
    for (const s of this._streams.values()) {
      const expected = s.wm === Number.NEGATIVE_INFINITY && now < s.expectUntil;
      if (!expected && (!s.live || (!grace && now - s.movedAt > this._idle))) continue;
      if (s.wm < min) min = s.wm;
    }
    return min;
  }

  /** Release the events that are safe, in time order. */
  drain(emit: (v: T) => void): void {
    if (this._heap.length === 0) return;
    const horizon = this.horizon();
    const now = this._now();
    while (this._heap.length > 0) {
      const top = this._heap[0]!;
      if (top.t > horizon) {
        if (now - top.at < this._maxHold) return;
        this.forced++;
      }
      emit(this._pop().v);
    }
  }

  /** Release everything held, in time order (before a stream changes state). */
  flush(emit: (v: T) => void): void {
    while (this._heap.length > 0) emit(this._pop().v);
  }

  private _pop(): _Item<T> {
    const h = this._heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && _less(h[l]!, h[m]!)) m = l;
        if (r < h.length && _less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function _less<T>(a: _Item<T>, b: _Item<T>): boolean {
  return a.t < b.t || (a.t === b.t && (a.r < b.r || (a.r === b.r && a.n < b.n)));
}
