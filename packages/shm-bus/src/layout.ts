/**
 * The segment layout of the shm bus, described once (mirrored in `libshm/shm.h`).
 *
 * ```
 *  offset 0  +--------------------------------------------------------------------+
 *            | HEADER (256 B)                                                      |
 *            |  0 magic "SHMB"   4 version (stored LAST, release)                  |
 *            |  8 maxInstances  12 spscBytes  16 broadcastBytes  20 maxRecord      |
 *            | 24 creatorPid    28 headerBytes                                     |
 *            | 32 totalBytes f64  40 creatorStart f64  48 createdNs f64            |
 *            | 56 membersOff  60 spscOff  64 broadcastOff  68 countersOff          |
 *            | 72 checksum (FNV-1a of bytes 8..71)                                 |
 *       256  +--------------------------------------------------------------------+
 *            | MEMBERS: maxInstances slots x 128 B (instance id = slot index)      |
 *            |  line 0 (owner writes): 0 state  4 generation  8 pid                |
 *            |                         16 startTime f64  24 heartbeatMs f64        |
 *            |                         32 joinedMs f64                             |
 *            |  line 1 (wait line):    64 doorbell (futex word)  68 sleepers        |
 *            |                         72 rung (1 = a wake-up is already on its way)|
 *            +--------------------------------------------------------------------+
 *            | SPSC RINGS: one per ordered pair p -> s (p != s),                   |
 *            |   index p*(n-1) + (s < p ? s : s-1); each ring:                     |
 *            |  line 0: tail (producer cursor, byte position, int32 wrapping)      |
 *            |  line 1: cursor 0: head | active                                    |
 *            |  data:   spscBytes (power of two)                                   |
 *            +--------------------------------------------------------------------+
 *            | BROADCAST RINGS: one per publisher p; each ring:                    |
 *            |  line 0: tail                                                       |
 *            |  lines 1..n: cursor k (k = subscriber id): head | active            |
 *            |  data:   broadcastBytes                                             |
 *            +--------------------------------------------------------------------+
 *            | COUNTERS (float64, each line written lazily by one owner):          |
 *            |  per ring: producer line (records, bytes, full, evictions, wakes)   |
 *            |            + one line per cursor (records, overruns, evicted)       |
 *     total  +--------------------------------------------------------------------+
 * ```
 *
 * Record framing inside a ring's data: `[int32 length][int32 stamp][payload][pad to 8]`, where
 * `stamp` is the record's cursor position (detects a record read from the wrong lap), and a
 * negative length marks padding up to the end of the ring (`-length` bytes). Cursors count bytes
 * and wrap at 2^32 (compare with `(a - b) | 0`).
 *
 * @example
 * ```ts
 * import { Layout } from "./layout.ts";
 * const l = new Layout({ maxInstances: 2, spscBytes: 65536, broadcastBytes: 65536, maxRecord: 4096 });
 * l.spsc(0, 1).capacity; // 65536
 * ```
 * @module
 */

/** "SHMB" as a little-endian int32: the first word of every segment. */
export const MAGIC = 0x424d4853;
/** Layout version; bumped on any incompatible change. Written last when a segment is created. */
export const VERSION = 1;
/** Cache line size used to keep cursors apart. */
export const LINE = 64;
/** Header size in bytes. */
export const HEADER_BYTES = 256;
/** Member slot size in bytes (two lines: owner line and wait line). */
export const MEMBER_BYTES = 128;
/** Record header: int32 length + int32 stamp. */
export const RECORD_HEADER = 8;
/** Largest segment this layout allows (int32 indices, one `toArrayBuffer` view). */
export const MAX_SEGMENT_BYTES = 1 << 30;
/** Largest number of instances (slots) in a segment. */
export const MAX_INSTANCES = 16;

/** Byte offsets of header fields. */
export const H = {
  magic: 0,
  version: 4,
  maxInstances: 8,
  spscBytes: 12,
  broadcastBytes: 16,
  maxRecord: 20,
  creatorPid: 24,
  headerBytes: 28,
  totalBytes: 32,
  creatorStart: 40,
  createdNs: 48,
  membersOff: 56,
  spscOff: 60,
  broadcastOff: 64,
  countersOff: 68,
  checksum: 72,
} as const;

/** Byte offsets inside a member slot. */
export const M = {
  state: 0,
  generation: 4,
  pid: 8,
  startTime: 16,
  heartbeatMs: 24,
  joinedMs: 32,
  doorbell: 64,
  sleepers: 68,
  rung: 72,
} as const;

/** Member slot states stored in shared memory (`dead` is derived by readers, never stored). */
export const MemberStateCode = { free: 0, joining: 1, alive: 2, left: 3 } as const;

/** Offsets inside a ring cursor line (relative to the line). */
export const C = { head: 0, active: 4 } as const;

/** Float64 slots in a ring's producer counters line. */
export const PC = { records: 0, bytes: 1, full: 2, evictions: 3, wakes: 4 } as const;
/** Float64 slots in a ring cursor's counters line. */
export const CC = { records: 0, overruns: 1, evicted: 2 } as const;

/** Parameters chosen by the segment's creator; every attacher reads them from the header. */
export interface LayoutParams {
  /** Instance slots (1..16). */
  maxInstances: number;
  /** Data bytes of each SPSC ring (power of two, 4 KiB..256 MiB). */
  spscBytes: number;
  /** Data bytes of each broadcast ring (power of two, 4 KiB..256 MiB). */
  broadcastBytes: number;
  /** Largest record payload in bytes (1..min(ring)/4). */
  maxRecord: number;
}

/** Where one ring lives (all offsets are bytes from the start of the segment). */
export interface RingGeometry {
  /** `spsc` (one subscriber) or `broadcast` (a cursor per instance). */
  readonly kind: "spsc" | "broadcast";
  /** Publishing instance. */
  readonly from: number;
  /** Subscriber for SPSC rings, -1 for broadcast. */
  readonly to: number;
  /** Byte offset of the tail line. */
  readonly tailOff: number;
  /** Byte offset of cursor line 0 (cursor k is at `cursorOff + k * LINE`). */
  readonly cursorOff: number;
  /** Number of cursor lines (1 for SPSC, maxInstances for broadcast). */
  readonly cursors: number;
  /** Byte offset of the data area. */
  readonly dataOff: number;
  /** Data bytes (power of two). */
  readonly capacity: number;
  /** Byte offset of the producer counters line (cursor counters follow, one line each). */
  readonly countersOff: number;
}

/** A layout error: a parameter out of range. */
export class LayoutError extends RangeError {
  override name = "LayoutError";
}

function _pow2(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** Checks parameters and throws a {@link LayoutError} naming the bad one. */
export function validateParams(p: LayoutParams): void {
  const { maxInstances, spscBytes, broadcastBytes, maxRecord } = p;
  if (!Number.isInteger(maxInstances) || maxInstances < 1 || maxInstances > MAX_INSTANCES) {
    throw new LayoutError(`maxInstances must be an integer in 1..${MAX_INSTANCES}, got ${maxInstances}`);
  }
  for (const [k, v] of [
    ["spscBytes", spscBytes],
    ["broadcastBytes", broadcastBytes],
  ] as const) {
    if (!_pow2(v) || v < 4096 || v > 1 << 28) {
      throw new LayoutError(`${k} must be a power of two in 4096..${1 << 28}, got ${v}`);
    }
  }
  const cap = Math.min(spscBytes, broadcastBytes) / 4;
  if (!Number.isInteger(maxRecord) || maxRecord < 1 || maxRecord > cap) {
    throw new LayoutError(
      `maxRecord must be an integer in 1..${cap} (a quarter of a ring), got ${maxRecord}`,
    );
  }
}

/** Rounds `n` up to a multiple of 8 (record alignment). */
export function align8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * The computed layout: region offsets, total size and ring geometry for given parameters.
 *
 * @example
 * ```ts
 * const l = new Layout({ maxInstances: 3, spscBytes: 1 << 20, broadcastBytes: 1 << 20, maxRecord: 65536 });
 * console.log(l.totalBytes, l.broadcast(2).cursors); // ..., 3
 * ```
 */
export class Layout {
  /** The parameters. */
  readonly params: Readonly<LayoutParams>;
  /** Byte offset of the member table. */
  readonly membersOff: number;
  /** Byte offset of the SPSC rings. */
  readonly spscOff: number;
  /** Byte offset of the broadcast rings. */
  readonly broadcastOff: number;
  /** Byte offset of the counters region. */
  readonly countersOff: number;
  /** Segment size in bytes. */
  readonly totalBytes: number;
  /** Every ring: SPSC rings first (by publisher, then subscriber), then broadcast rings. */
  readonly rings: readonly RingGeometry[];
  private readonly _spscIndex: Int32Array;

  constructor(params: LayoutParams) {
    validateParams(params);
    this.params = Object.freeze({ ...params });
    const n = params.maxInstances;
    this.membersOff = HEADER_BYTES;
    this.spscOff = this.membersOff + n * MEMBER_BYTES;
    const spscRing = 2 * LINE + params.spscBytes;
    const bcastRing = (1 + n) * LINE + params.broadcastBytes;
    this.broadcastOff = this.spscOff + n * (n - 1) * spscRing;
    this.countersOff = this.broadcastOff + n * bcastRing;
    const rings: RingGeometry[] = [];
    this._spscIndex = new Int32Array(n * n).fill(-1);
    let counters = this.countersOff;
    for (let p = 0; p < n; p++) {
      for (let s = 0; s < n; s++) {
        if (s === p) continue;
        const i = p * (n - 1) + (s < p ? s : s - 1);
        const base = this.spscOff + i * spscRing;
        this._spscIndex[p * n + s] = rings.length;
        rings.push(
          Object.freeze({
            kind: "spsc" as const,
            from: p,
            to: s,
            tailOff: base,
            cursorOff: base + LINE,
            cursors: 1,
            dataOff: base + 2 * LINE,
            capacity: params.spscBytes,
            countersOff: counters,
          }),
        );
        counters += 2 * LINE;
      }
    }
    for (let p = 0; p < n; p++) {
      const base = this.broadcastOff + p * bcastRing;
      rings.push(
        Object.freeze({
          kind: "broadcast" as const,
          from: p,
          to: -1,
          tailOff: base,
          cursorOff: base + LINE,
          cursors: n,
          dataOff: base + (1 + n) * LINE,
          capacity: params.broadcastBytes,
          countersOff: counters,
        }),
      );
      counters += (1 + n) * LINE;
    }
    this.totalBytes = counters;
    if (this.totalBytes > MAX_SEGMENT_BYTES) {
      throw new LayoutError(`segment would be ${this.totalBytes} bytes, more than ${MAX_SEGMENT_BYTES}`);
    }
    this.rings = Object.freeze(rings);
  }

  /** The SPSC ring from `from` to `to` (`from !== to`). */
  spsc(from: number, to: number): RingGeometry {
    const n = this.params.maxInstances;
    const i = from >= 0 && from < n && to >= 0 && to < n ? this._spscIndex[from * n + to] : -1;
    if (i < 0) throw new LayoutError(`no SPSC ring ${from} -> ${to} in a segment of ${n} instances`);
    return this.rings[i];
  }

  /** The broadcast ring of publisher `from`. */
  broadcast(from: number): RingGeometry {
    const n = this.params.maxInstances;
    if (!(from >= 0 && from < n)) throw new LayoutError(`no broadcast ring ${from} in ${n} instances`);
    return this.rings[n * (n - 1) + from];
  }

  /** Byte offset of member slot `id`. */
  member(id: number): number {
    return this.membersOff + id * MEMBER_BYTES;
  }
}
