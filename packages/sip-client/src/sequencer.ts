/**
 * Live-event sequencing (docs/protocol.md §9): given the last delivered `seq`, decide for each
 * arriving event whether it is the next one (delivered, then any buffered successors), a
 * duplicate, one to hold for reordering, a gap, or numbering that is far behind the position
 * (which a node cannot legitimately send; the session treats it as a protocol error). Pure.
 *
 * @example
 * ```ts
 * import { Sequencer } from "./sequencer.ts";
 * const q = new Sequencer<{ seq: number }>(64);
 * q.reset(0);
 * const out: number[] = [];
 * q.push(2, { seq: 2 }, 0, (e) => out.push(e.seq)); // "held"
 * q.push(1, { seq: 1 }, 0, (e) => out.push(e.seq)); // "delivered": out is [1, 2]
 * ```
 * @module
 */

/** What happened to one pushed event. */
export type SeqVerdict = "delivered" | "duplicate" | "held" | "gap" | "behind";

/** The reorder buffer and position of one stream; see the module doc. */
export class Sequencer<E> {
  private _last: number | undefined;
  private readonly _buf = new Map<number, E>();
  private _holeSince = 0;

  /** @param window how far ahead of a hole events are held (and how far behind is a duplicate) */
  constructor(readonly window: number) {}

  /** The last delivered seq (undefined: the next event sets the baseline). */
  get lastSeq(): number | undefined {
    return this._last;
  }
  /** Events held ahead of a hole. */
  get held(): number {
    return this._buf.size;
  }
  /** How long the current hole has been open at `now` (0 when there is none). */
  holeOpenFor(now: number): number {
    return this._buf.size > 0 ? now - this._holeSince : 0;
  }

  /** Set the position (and forget held events). */
  reset(lastSeq: number | undefined): void {
    this._last = lastSeq;
    this._buf.clear();
  }

  /** Forget held events (the node will send them again). */
  clearHeld(): void {
    this._buf.clear();
  }

  /**
   * One live event with sequence number `seq`; `deliver` is called for each event now in order,
   * `reordered` true for those that come out of the buffer.
   */
  push(seq: number, ev: E, now: number, deliver: (ev: E, reordered: boolean) => void): SeqVerdict {
    const last = this._last;
    if (last === undefined || seq === last + 1) {
      this._last = seq;
      deliver(ev, false);
      if (this._buf.size > 0) this._drain(now, deliver);
      return "delivered";
    }
    if (seq <= last) return last + 1 - seq > this.window ? "behind" : "duplicate";
    if (this._buf.has(seq)) return "duplicate";
    if (seq - last > this.window) return "gap";
    if (this._buf.size === 0) this._holeSince = now;
    this._buf.set(seq, ev);
    return "held";
  }

  private _drain(now: number, deliver: (ev: E, reordered: boolean) => void): void {
    const buf = this._buf;
    let next = this._last! + 1;
    let ev = buf.get(next);
    while (ev !== undefined) {
      buf.delete(next);
      this._last = next;
      deliver(ev, true);
      next++;
      ev = buf.get(next);
    }
    if (buf.size > 0) this._holeSince = now;
  }
}
