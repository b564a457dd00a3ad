/**
 * The per-stream event cache of a simulated node: a bounded ring of the last `capacity` events,
 * addressed by `seq`. A session resumes from it; a stream keeps caching with nobody connected.
 *
 * Sequence numbers must be consecutive (`head + 1`); only the first event after creation or
 * {@link EventRing.clear} (a node restart) may start anywhere.
 *
 * @example
 * ```ts
 * const r = new EventRing(3);
 * for (let s = 1; s <= 5; s++) r.push(s, { event: "EventOnHook", time: s, thisDN: "1" }, 0);
 * r.oldest; // 3
 * r.get(5)?.seq; // 5
 * ```
 * @module
 */

/** One cached event. `line` is the encoded wire line, filled lazily. */
export interface CachedEvent {
  seq: number;
  body: SimBody;
  /** publish time (ms, Date.now) — the delay fault counts from here */
  at: number;
  line: string | undefined;
}

/** What the simulation publishes as an event body: `{ event, time, ...attributes }`. */
export interface SimBody {
  readonly event: string;
  readonly time: number;
}

/** A bounded ring of events by seq; see the module doc. */
export class EventRing {
  private readonly _slots: (CachedEvent | undefined)[];
  private _head = 0;
  private _size = 0;
  private _fresh = true;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0))
      throw new RangeError("cache size must be an integer > 0");
    this._slots = new Array(capacity);
  }

  /** Seq of the newest event (0 before any). */
  get head(): number {
    return this._head;
  }
  /** Seq of the oldest cached event (`head + 1` when empty). */
  get oldest(): number {
    return this._head - this._size + 1;
  }
  /** Number of cached events. */
  get size(): number {
    return this._size;
  }
  /** True until the first event after creation or `clear`. */
  get fresh(): boolean {
    return this._fresh;
  }

  /** Add the next event. Throws a RangeError if `seq` is not `head + 1` (except when fresh). */
  push(seq: number, body: SimBody, at: number): CachedEvent {
    if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`seq ${seq} is not an integer >= 1`);
    if (!this._fresh && seq !== this._head + 1) {
      throw new RangeError(`seq ${seq} does not follow ${this._head} (a stream's seq goes up by 1)`);
    }
    if (this._fresh && seq !== this._head + 1) this._size = 0;
    this._fresh = false;
    const e: CachedEvent = { seq, body, at, line: undefined };
    this._slots[seq % this.capacity] = e;
    this._head = seq;
    if (this._size < this.capacity) this._size++;
    return e;
  }

  /** The cached event with this seq, if still cached. */
  get(seq: number): CachedEvent | undefined {
    if (seq > this._head || seq < this.oldest) return undefined;
    return this._slots[seq % this.capacity];
  }

  /** True if every event after `lastSeq` up to the head is cached (resume is possible). */
  covers(lastSeq: number): boolean {
    return lastSeq <= this._head && lastSeq + 1 >= this.oldest;
  }

  /** Forget everything (node restart); the next event may start at any seq. */
  clear(): void {
    this._slots.fill(undefined);
    this._head = 0;
    this._size = 0;
    this._fresh = true;
  }
}
