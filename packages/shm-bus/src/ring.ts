/**
 * Single-writer rings of variable-length records over a {@link SegmentView}: the hot path.
 *
 * Rules (docs/bus.md "Rules" and "Pitfalls"):
 * - `Atomics` on the cursors only; the payload goes in with plain stores (one `set`) and is made
 *   visible by the seq-cst tail store. Cursors are read with `Atomics.load`.
 * - The writer keeps its tail locally and publishes it lazily: every `publishEvery` records or on
 *   `publish()` (the bus calls it on `flush()` and before waiting).
 * - The writer caches the slowest reader's position and only re-reads reader cursors when the
 *   ring looks full. It never overwrites unread data: a full ring makes `claim` return -1.
 * - A reader hands `(bytes, offset, length)` of the segment itself to its handler: nothing is
 *   allocated per record. It stores its head once per batch.
 * - Every record carries its own cursor position as a stamp; a record whose stamp or length does
 *   not fit is an overrun/corruption: counted, never delivered, and the reader skips to the tail.
 *
 * @example
 * ```ts
 * const w = new RingWriter(seg.view, seg.layout.spsc(0, 1), 1024);
 * const r = new RingReader(seg.view, seg.layout.spsc(0, 1), 0, 1024);
 * w.offer(new Uint8Array([1, 2, 3]), 0, 3); w.publish();
 * r.poll((u8, off, len) => console.log(u8[off], len), 100); // 1 3
 * ```
 * @module
 */
import { C, CC, LINE, PC, RECORD_HEADER, type RingGeometry } from "./layout.ts";
import type { RecordBatch } from "./record_batch.ts";
import type { SegmentView } from "./segment.ts";

/**
 * Handler of one record: the bytes are `bytes[offset .. offset + length)`, valid only during the
 * call (copy what you keep). `from` is the publishing instance.
 */
export type RecordHandler = (bytes: Uint8Array, offset: number, length: number, from: number) => void;

/** Thrown for a record larger than the segment's maximum. */
export class RecordTooLargeError extends RangeError {
  override name = "RecordTooLargeError";
}

/** Callbacks a writer needs from the bus around it. */
export interface WriterHooks {
  /** Called after each tail publication (wake sleepers here). */
  afterPublish(writer: RingWriter): void;
  /** Broadcast only: may reader `k` be evicted (its instance is dead)? Called only when full. */
  isDead(k: number): boolean;
}

const _noHooks: WriterHooks = { afterPublish: () => {}, isDead: () => false };

/** Size a record of `length` payload bytes takes in a ring (header + pad to 8). */
export function recordSize(length: number): number {
  return (length + RECORD_HEADER + 7) & ~7;
}

/**
 * The single writer of one ring.
 *
 * @example
 * ```ts
 * const at = w.claim(5); if (at >= 0) { seg.view.u8.set(bytes, at); w.commit(); }
 * w.publish();
 * ```
 */
export class RingWriter {
  /** Where the ring lives. */
  readonly geometry: RingGeometry;
  /** Records committed before the tail is published automatically. */
  publishEvery: number;
  /** Records committed (since this writer started). */
  records = 0;
  /** Payload bytes committed. */
  bytes = 0;
  /** Claims refused because the ring was full. */
  full = 0;
  /** Dead readers evicted (broadcast). */
  evictions = 0;
  /** Wake-ups sent (counted by the bus hook). */
  wakes = 0;

  private readonly _u8: Uint8Array;
  private readonly _i32: Int32Array;
  private readonly _f64: Float64Array;
  private readonly _tailIdx: number;
  private readonly _dataOff: number;
  private readonly _dataI32: number;
  private readonly _cap: number;
  private readonly _mask: number;
  private readonly _maxRecord: number;
  private readonly _bcast: boolean;
  private readonly _cursorIdx: number;
  private readonly _cursors: number;
  private readonly _ctr: number;
  private readonly _hooks: WriterHooks;
  private _tail: number;
  private _published: number;
  private _limit: number;
  private _pending = 0;
  private _claimSize = 0;
  private _claimLen = 0;
  private _noReaders = false;

  constructor(
    view: SegmentView,
    geometry: RingGeometry,
    maxRecord: number,
    options: { publishEvery?: number; hooks?: WriterHooks } = {},
  ) {
    this.geometry = geometry;
    this._u8 = view.u8;
    this._i32 = view.i32;
    this._f64 = view.f64;
    this._tailIdx = geometry.tailOff >> 2;
    this._dataOff = geometry.dataOff;
    this._dataI32 = geometry.dataOff >> 2;
    this._cap = geometry.capacity;
    this._mask = geometry.capacity - 1;
    this._maxRecord = maxRecord;
    this._bcast = geometry.kind === "broadcast";
    this._cursorIdx = geometry.cursorOff >> 2;
    this._cursors = geometry.cursors;
    this._ctr = geometry.countersOff >> 3;
    this._hooks = options.hooks ?? _noHooks;
    this.publishEvery = Math.max(1, options.publishEvery ?? 64);
    // Resume where the previous writer of this ring (a restarted instance) published.
    this._tail = Atomics.load(this._i32, this._tailIdx);
    this._published = this._tail;
    this._limit = this._tail;
    const f = this._f64;
    this.records = f[this._ctr + PC.records];
    this.bytes = f[this._ctr + PC.bytes];
    this.full = f[this._ctr + PC.full];
    this.evictions = f[this._ctr + PC.evictions];
    this.wakes = f[this._ctr + PC.wakes];
  }

  /** The byte array claims point into (the whole segment). */
  get buffer(): Uint8Array {
    return this._u8;
  }

  /** Records committed but not yet published. */
  get pending(): number {
    return this._pending;
  }

  /**
   * Reserves room for a record of `length` bytes and returns the offset in {@link buffer} where
   * its payload goes, or -1 when the ring is full (nothing is overwritten). Follow with
   * {@link commit}. Throws {@link RecordTooLargeError} above the segment's maximum.
   */
  claim(length: number): number {
    if (!(length >= 0 && length <= this._maxRecord && (length | 0) === length)) this._tooLarge(length);
    const size = (length + 15) & ~7;
    let t = this._tail;
    let idx = t & this._mask;
    const pad = idx + size > this._cap ? this._cap - idx : 0;
    const need = pad + size;
    if (((t + need - this._limit) | 0) > 0 || this._noReaders) {
      this._refreshLimit(need);
      if (((t + need - this._limit) | 0) > 0) {
        this.full++;
        return -1;
      }
    }
    const i32 = this._i32;
    if (pad !== 0) {
      const w = this._dataI32 + (idx >> 2);
      i32[w] = -pad;
      i32[w + 1] = t;
      t = (t + pad) | 0;
      this._tail = t;
      idx = 0;
    }
    const w = this._dataI32 + (idx >> 2);
    i32[w] = length;
    i32[w + 1] = t;
    this._claimSize = size;
    this._claimLen = length;
    return this._dataOff + idx + RECORD_HEADER;
  }

  /** Commits the record last claimed; publishes the tail every `publishEvery` records. */
  commit(): void {
    const size = this._claimSize;
    if (size === 0) throw new Error("commit() without a matching claim()");
    this._claimSize = 0;
    this._tail = (this._tail + size) | 0;
    this.records++;
    this.bytes += this._claimLen;
    if (++this._pending >= this.publishEvery || this._noReaders) this.publish();
  }

  /**
   * Copies `src[offset .. offset+length)` in as one record (one `set`). False when the ring is
   * full: the caller keeps the record and retries later (back-pressure).
   */
  offer(src: Uint8Array, offset = 0, length: number = src.length - offset): boolean {
    // claim() + set + commit() fused: this is the hot path of every publisher.
    if (!(length >= 0 && length <= this._maxRecord && (length | 0) === length)) return this._tooLarge(length);
    const size = (length + 15) & ~7;
    let t = this._tail;
    let idx = t & this._mask;
    const pad = idx + size > this._cap ? this._cap - idx : 0;
    if (((t + pad + size - this._limit) | 0) > 0 || this._noReaders) {
      this._refreshLimit(pad + size);
      if (((t + pad + size - this._limit) | 0) > 0) {
        this.full++;
        return false;
      }
    }
    const i32 = this._i32;
    if (pad !== 0) {
      const w = this._dataI32 + (idx >> 2);
      i32[w] = -pad;
      i32[w + 1] = t;
      t = (t + pad) | 0;
      idx = 0;
    }
    const w = this._dataI32 + (idx >> 2);
    i32[w] = length;
    i32[w + 1] = t;
    this._u8.set(
      length === src.length && offset === 0 ? src : src.subarray(offset, offset + length),
      this._dataOff + idx + 8,
    );
    this._tail = (t + size) | 0;
    this._claimSize = 0;
    this.records++;
    this.bytes += length;
    if (++this._pending >= this.publishEvery || this._noReaders) this.publish();
    return true;
  }

  /**
   * Moves the leading records of `batch` into the ring, in order, as many as fit, and returns how
   * many (0 when full: back-pressure, nothing overwritten). The batch is already framed: one
   * `set` copies it (two at the ring's wrap); the stamps, the tail, the counters and the capacity
   * check are done once per record in a tight loop or once per batch. What is not taken stays in
   * the batch. Throws a RangeError for a batch built with a larger `maxRecord` than the ring's.
   */
  offerBatch(batch: RecordBatch): number {
    if (batch.maxRecord > this._maxRecord) {
      throw new RecordTooLargeError(
        `batch built for records up to ${batch.maxRecord} bytes: this ring takes 0..${this._maxRecord}`,
      );
    }
    const s = batch._start;
    const e = batch._end;
    if (s === e) return 0;
    const b32 = batch._i32;
    const src = batch.bytes;
    const i32 = this._i32;
    const cap = this._cap;
    let noReaders = this._noReaders;
    let t = this._tail;
    let idx = t & this._mask;
    let limit = this._limit;
    const span = e - s;
    if (!noReaders && idx + span <= cap && ((t + span - limit) | 0) <= 0) {
      // Fast path (the usual case): the whole batch fits before the ring's end and under the
      // cached limit: stamp every record (its cursor position), one copy, done.
      const base = (t - s) | 0;
      for (let p = s; p !== e; ) {
        const w = p >> 2;
        b32[w + 1] = (base + p) | 0;
        p += (b32[w] + 15) & ~7;
      }
      this._u8.set(span === src.length ? src : src.subarray(s, e), this._dataOff + idx);
      const n = batch._count;
      this._tail = (t + span) | 0;
      this._claimSize = 0; // a pending claim()'s header was overwritten
      this.records += n;
      this.bytes += batch._payload;
      batch.clear();
      this._pending += n;
      if (this._pending >= this.publishEvery) this.publish();
      return n;
    }
    let chunk = s; // first scratch byte not yet copied
    let dst = idx; // where it goes in the ring
    let p = s;
    let n = 0;
    let bytes = 0;
    while (p !== e) {
      const w = p >> 2;
      const len = b32[w];
      const size = (len + 15) & ~7;
      const pad = idx + size > cap ? cap - idx : 0;
      if (((t + pad + size - limit) | 0) > 0 || noReaders) {
        this._tail = t; // the limit is computed from the tail
        this._refreshLimit(pad + size);
        limit = this._limit;
        noReaders = this._noReaders;
        if (((t + pad + size - limit) | 0) > 0) {
          this.full++;
          break;
        }
      }
      if (pad !== 0) {
        // copy what goes before the end, pad the rest of the ring, go on at 0
        if (p !== chunk) this._u8.set(src.subarray(chunk, p), this._dataOff + dst);
        const pw = this._dataI32 + (idx >> 2);
        i32[pw] = -pad;
        i32[pw + 1] = t;
        t = (t + pad) | 0;
        idx = 0;
        chunk = p;
        dst = 0;
      }
      b32[w + 1] = t;
      t = (t + size) | 0;
      idx += size;
      p += size;
      n++;
      bytes += len;
      if (idx === cap) {
        // ends exactly at the end of the ring: the next record starts at 0
        this._u8.set(src.subarray(chunk, p), this._dataOff + dst);
        idx = 0;
        chunk = p;
        dst = 0;
      }
    }
    if (p !== chunk) this._u8.set(src.subarray(chunk, p), this._dataOff + dst);
    this._tail = t;
    if (n === 0) return 0;
    this._claimSize = 0; // a pending claim()'s header was overwritten
    batch._taken(p, n, bytes);
    this.records += n;
    this.bytes += bytes;
    this._pending += n;
    if (this._pending >= this.publishEvery || this._noReaders) this.publish();
    return n;
  }

  private _tooLarge(length: number): never {
    throw new RecordTooLargeError(
      `record of ${length} bytes: records must be 0..${this._maxRecord} bytes (the segment's maxRecord)`,
    );
  }

  /** Publishes the tail (seq-cst store: release for the payloads) and the counters. */
  publish(): void {
    this._pending = 0;
    if (this._tail === this._published) return;
    this._published = this._tail;
    Atomics.store(this._i32, this._tailIdx, this._tail);
    const f = this._f64;
    const c = this._ctr;
    f[c + PC.records] = this.records;
    f[c + PC.bytes] = this.bytes;
    f[c + PC.full] = this.full;
    f[c + PC.evictions] = this.evictions;
    this._hooks.afterPublish(this);
    f[c + PC.wakes] = this.wakes;
  }

  /** Bytes written but not yet read by the slowest active reader. */
  fill(): number {
    const t = Atomics.load(this._i32, this._tailIdx);
    let lag = 0;
    for (let k = 0; k < this._cursors; k++) {
      const ci = this._cursorIdx + k * (LINE >> 2);
      if (this._bcast && Atomics.load(this._i32, ci + (C.active >> 2)) === 0) continue;
      lag = Math.max(lag, (t - Atomics.load(this._i32, ci + (C.head >> 2))) | 0);
    }
    return lag;
  }

  private _refreshLimit(need: number): void {
    const i32 = this._i32;
    const t = this._tail;
    if (!this._bcast) {
      this._limit = (Atomics.load(i32, this._cursorIdx + (C.head >> 2)) + this._cap) | 0;
      return;
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      let maxLag = -1;
      let blocker = -1;
      for (let k = 0; k < this._cursors; k++) {
        const ci = this._cursorIdx + k * (LINE >> 2);
        if (Atomics.load(i32, ci + (C.active >> 2)) === 0) continue;
        const lag = (t - Atomics.load(i32, ci + (C.head >> 2))) | 0;
        if (lag > maxLag) {
          maxLag = lag;
          blocker = k;
        }
      }
      if (blocker < 0) {
        // Nobody listens: records go nowhere, but publish each one so that a subscriber joining
        // at the published tail is never lapped by unpublished writes.
        this._noReaders = true;
        this._limit = (t + need) | 0;
        return;
      }
      this._noReaders = false;
      this._limit = (t - maxLag + this._cap) | 0;
      if (((t + need - this._limit) | 0) <= 0 || attempt > 0) return;
      // Full: evict every dead reader that holds the ring back, then look again.
      let evicted = false;
      for (let k = 0; k < this._cursors; k++) {
        const ci = this._cursorIdx + k * (LINE >> 2);
        const token = Atomics.load(i32, ci + (C.active >> 2));
        if (token === 0) continue;
        const lag = (t - Atomics.load(i32, ci + (C.head >> 2))) | 0;
        if (lag + need <= this._cap || !this._hooks.isDead(k)) continue;
        if (Atomics.compareExchange(i32, ci + (C.active >> 2), token, 0) === token) {
          this.evictions++;
          this._f64[this._ctr + (1 + k) * (LINE >> 3) + CC.evicted]++;
          evicted = true;
        }
      }
      if (!evicted) return;
    }
  }
}

/**
 * One reader of one ring (cursor `k`: 0 for SPSC, the subscriber's id for broadcast).
 *
 * @example
 * ```ts
 * const r = new RingReader(seg.view, seg.layout.broadcast(0), 1, 1024);
 * r.attach(1);
 * r.poll((u8, off, len, from) => {}, 256);
 * ```
 */
export class RingReader {
  /** Where the ring lives. */
  readonly geometry: RingGeometry;
  /** Records delivered. */
  records = 0;
  /** Overruns detected (eviction, corrupt or lapped records), never delivered. */
  overruns = 0;

  private readonly _u8: Uint8Array;
  private readonly _i32: Int32Array;
  private readonly _f64: Float64Array;
  private readonly _tailIdx: number;
  private readonly _headIdx: number;
  private readonly _activeIdx: number;
  private readonly _dataOff: number;
  private readonly _dataI32: number;
  private readonly _cap: number;
  private readonly _mask: number;
  private readonly _maxRecord: number;
  private readonly _bcast: boolean;
  private readonly _ctr: number;
  private readonly _from: number;
  private _head: number;
  private _token = 1;

  constructor(view: SegmentView, geometry: RingGeometry, k: number, maxRecord: number) {
    if (!(k >= 0 && k < geometry.cursors))
      throw new RangeError(`cursor ${k} out of 0..${geometry.cursors - 1}`);
    this.geometry = geometry;
    this._u8 = view.u8;
    this._i32 = view.i32;
    this._f64 = view.f64;
    this._tailIdx = geometry.tailOff >> 2;
    const line = (geometry.cursorOff + k * LINE) >> 2;
    this._headIdx = line + (C.head >> 2);
    this._activeIdx = line + (C.active >> 2);
    this._dataOff = geometry.dataOff;
    this._dataI32 = geometry.dataOff >> 2;
    this._cap = geometry.capacity;
    this._mask = geometry.capacity - 1;
    this._maxRecord = maxRecord;
    this._bcast = geometry.kind === "broadcast";
    this._ctr = (geometry.countersOff + (1 + k) * LINE) >> 3;
    this._from = geometry.from;
    this._head = Atomics.load(this._i32, this._headIdx);
    this.records = this._f64[this._ctr + CC.records];
    this.overruns = this._f64[this._ctr + CC.overruns];
  }

  /**
   * Broadcast: starts reading with `token` (a non-zero generation). A cursor still active from a
   * previous life of this instance is resumed where it stopped (nothing lost); an evicted or new
   * one starts at the published tail. Returns true when resumed. SPSC cursors always resume.
   */
  attach(token: number): boolean {
    if (token === 0 || (token | 0) !== token) throw new RangeError("token must be a non-zero int32");
    this._token = token;
    if (!this._bcast) return true;
    const i32 = this._i32;
    const old = Atomics.load(i32, this._activeIdx);
    if (old !== 0 && Atomics.compareExchange(i32, this._activeIdx, old, token) === old) {
      this._head = Atomics.load(i32, this._headIdx);
      return true;
    }
    this._join();
    return false;
  }

  /** Broadcast: stops reading (the writer no longer waits for this cursor). */
  detach(): void {
    if (this._bcast) Atomics.store(this._i32, this._activeIdx, 0);
  }

  /** True when a published record is waiting. */
  available(): boolean {
    return Atomics.load(this._i32, this._tailIdx) !== this._head;
  }

  /** Published bytes not yet read. */
  lag(): number {
    return (Atomics.load(this._i32, this._tailIdx) - this._head) | 0;
  }

  /**
   * Delivers up to `max` published records to `handler`, in order, and returns how many. The
   * head is stored once at the end (also when the handler throws: the record that threw counts
   * as consumed, so a poison record cannot loop).
   */
  poll(handler: RecordHandler, max: number): number {
    const i32 = this._i32;
    if (this._bcast && Atomics.load(i32, this._activeIdx) !== this._token) return this._evicted();
    const t = Atomics.load(i32, this._tailIdx);
    let head = this._head;
    if (head === t) return 0;
    const u8 = this._u8;
    const base = this._dataI32;
    const mask = this._mask;
    const off = this._dataOff;
    const from = this._from;
    let n = 0;
    try {
      while (head !== t && n < max) {
        const idx = head & mask;
        const w = base + (idx >> 2);
        const len = i32[w];
        if (i32[w + 1] !== head) {
          head = this._corrupt(t);
          break;
        }
        if (len < 0) {
          if (-len !== this._cap - idx) {
            head = this._corrupt(t);
            break;
          }
          head = (head - len) | 0;
          continue;
        }
        if (len > this._maxRecord || idx + RECORD_HEADER + len > this._cap) {
          head = this._corrupt(t);
          break;
        }
        head = (head + ((len + 15) & ~7)) | 0;
        n++;
        handler(u8, off + idx + RECORD_HEADER, len, from);
      }
    } finally {
      this._head = head;
      Atomics.store(i32, this._headIdx, head);
      this.records += n;
      this._f64[this._ctr + CC.records] = this.records;
      // Evicted while delivering (only possible when declared dead while alive): count it.
      if (this._bcast && Atomics.load(i32, this._activeIdx) !== this._token) this._evicted();
    }
    return n;
  }

  private _corrupt(t: number): number {
    this.overruns++;
    this._f64[this._ctr + CC.overruns] = this.overruns;
    return t;
  }

  private _evicted(): number {
    this.overruns++;
    this._f64[this._ctr + CC.overruns] = this.overruns;
    this._join();
    return 0;
  }

  private _join(): void {
    // Join at the published tail: head first, then active, then the tail again (a writer that
    // saw the cursor with the older head only backs off; it never laps the newer one).
    const i32 = this._i32;
    Atomics.store(i32, this._headIdx, Atomics.load(i32, this._tailIdx));
    Atomics.store(i32, this._activeIdx, this._token);
    this._head = Atomics.load(i32, this._tailIdx);
    Atomics.store(i32, this._headIdx, this._head);
  }
}
