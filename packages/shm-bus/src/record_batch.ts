/**
 * A batch of records built in private memory, already framed the way a ring frames them
 * (`[int32 length][int32 stamp][payload][pad to 8]`), so that `offerBatch` moves many records into
 * a ring with one `set` (two at the ring's wrap) instead of one per record, and updates the
 * tail, the counters and the capacity check once per batch. The records stay in the batch until
 * a ring takes them: on back-pressure nothing has to be encoded again.
 *
 * Measured here: `TypedArray.set` costs ≈ 15 ns per call whatever the size up to 256 B, about
 * half of what `offer` costs per record; a batch pays it once.
 *
 * @example
 * ```ts
 * const batch = new RecordBatch(bus.maxRecord);          // 64 KiB of scratch by default
 * const at = batch.add(12);                              // room for a 12-byte record
 * if (at >= 0) new DataView(batch.bytes.buffer).setUint32(at, 42, true); // encode in place
 * batch.push(otherRecord);                               // or copy one in
 * while (batch.count > 0) if (bus.offerBatch(1, batch) === 0) await later(); // back-pressure
 * ```
 * @module
 */
import { RECORD_HEADER } from "./layout.ts";
import { RecordTooLargeError } from "./ring.ts";

/** Default scratch size of a {@link RecordBatch}. */
export const DEFAULT_BATCH_BYTES = 65536;

/**
 * Records waiting to be offered, in ring framing. Not shared between threads; reusable (it
 * empties itself when a ring took everything).
 *
 * @example
 * ```ts
 * const b = new RecordBatch(4096, 16384);
 * b.push(new Uint8Array([1, 2, 3])); // true
 * b.count; // 1
 * ```
 */
export class RecordBatch {
  /** The scratch bytes; payloads go at the offsets `add` returns. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Largest payload a record may have (rings with a smaller maximum refuse the batch). */
  readonly maxRecord: number;
  /** Internal (read by the ring writer): the scratch as int32 words. */
  readonly _i32: Int32Array<ArrayBuffer>;
  /** Internal: byte offset of the first record not yet taken by a ring. */
  _start = 0;
  /** Internal: byte offset just past the last record added. */
  _end = 0;
  /** Internal: records not yet taken. */
  _count = 0;
  /** Internal: payload bytes of the records not yet taken. */
  _payload = 0;

  /**
   * `maxRecord`: the largest record `add`/`push` accept (use the bus's `maxRecord`).
   * `capacityBytes`: scratch size, a multiple of 8 that holds at least one largest record.
   */
  constructor(maxRecord: number, capacityBytes = DEFAULT_BATCH_BYTES) {
    if (!(maxRecord >= 0 && (maxRecord | 0) === maxRecord))
      throw new RangeError(`bad maxRecord ${maxRecord}`);
    const need = (maxRecord + RECORD_HEADER + 7) & ~7;
    if (!((capacityBytes | 0) === capacityBytes && capacityBytes % 8 === 0 && capacityBytes >= need))
      throw new RangeError(
        `batch capacity ${capacityBytes} must be a multiple of 8 holding one record of ${maxRecord} bytes (${need})`,
      );
    this.maxRecord = maxRecord;
    const buf = new ArrayBuffer(capacityBytes);
    this.bytes = new Uint8Array(buf);
    this._i32 = new Int32Array(buf);
  }

  /** Records in the batch (added and not yet taken by a ring). */
  get count(): number {
    return this._count;
  }

  /** Bytes the waiting records take in a ring (headers and padding included, no wrap padding). */
  get byteLength(): number {
    return this._end - this._start;
  }

  /**
   * Appends a record of `length` bytes and returns the offset in {@link bytes} where its payload
   * goes (write it before the batch is offered), or -1 when the scratch is full (offer the batch
   * first). Throws {@link RecordTooLargeError} above `maxRecord`.
   */
  add(length: number): number {
    if (!(length >= 0 && length <= this.maxRecord && (length | 0) === length)) this._tooLarge(length);
    const size = (length + 15) & ~7;
    let e = this._end;
    if (e + size > this.bytes.length) {
      if (this._start === 0 || e - this._start + size > this.bytes.length) return -1;
      this._compact();
      e = this._end;
    }
    this._i32[e >> 2] = length;
    this._end = e + size;
    this._count++;
    this._payload += length;
    return e + RECORD_HEADER;
  }

  /** Copies `src[offset .. offset+length)` in as one record; false when the scratch is full. */
  push(src: Uint8Array, offset = 0, length: number = src.length - offset): boolean {
    const at = this.add(length);
    if (at < 0) return false;
    this.bytes.set(length === src.length && offset === 0 ? src : src.subarray(offset, offset + length), at);
    return true;
  }

  /** Drops every record not yet taken. */
  clear(): void {
    this._start = 0;
    this._end = 0;
    this._count = 0;
    this._payload = 0;
  }

  /** Internal (ring writer): `n` records (`bytes` of payload) up to byte `to` were taken. */
  _taken(to: number, n: number, bytes: number): void {
    this._count -= n;
    this._payload -= bytes;
    if (this._count === 0) this.clear();
    else this._start = to;
  }

  private _compact(): void {
    this.bytes.copyWithin(0, this._start, this._end);
    this._end -= this._start;
    this._start = 0;
  }

  private _tooLarge(length: number): never {
    throw new RecordTooLargeError(
      `record of ${length} bytes: records must be 0..${this.maxRecord} bytes (the batch's maxRecord)`,
    );
  }
}
