/**
 * A segment: typed views over one buffer (an mmap view, an ArrayBuffer or a SharedArrayBuffer)
 * holding the layout of `layout.ts`, plus writing and checking its header.
 *
 * Accessors name their memory ordering: `loadAcquire`/`storeRelease` are `Atomics` (seq-cst, which
 * is at least acquire/release), `loadPlain`/`storePlain` are ordinary typed-array accesses.
 *
 * @example
 * ```ts
 * import { initSegment, openSegment } from "./segment.ts";
 * const buf = new SharedArrayBuffer(1 << 20);
 * const p = { maxInstances: 2, spscBytes: 65536, broadcastBytes: 65536, maxRecord: 1024 };
 * const seg = initSegment(new SharedArrayBuffer(new (await import("./layout.ts")).Layout(p).totalBytes), p);
 * openSegment(seg.buffer).layout.params.maxInstances; // 2
 * ```
 * @module
 */
import { H, HEADER_BYTES, Layout, type LayoutParams, MAGIC, MAX_INSTANCES, VERSION } from "./layout.ts";

/** Why a segment was refused. */
export type SegmentErrorCode = "BAD_MAGIC" | "BAD_VERSION" | "BAD_SIZE" | "BAD_HEADER" | "NOT_READY";

/** A segment that cannot be used: a clear reason and a stable code. */
export class SegmentError extends Error {
  override name = "SegmentError";
  /** Stable machine-readable reason. */
  readonly code: SegmentErrorCode;
  constructor(code: SegmentErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Who created a segment (written into its header). */
export interface Creator {
  pid: number;
  /** Process start time (Linux: /proc/PID/stat field 22), to tell a reused pid apart. */
  startTime: number;
  /** CLOCK_MONOTONIC at creation, in ns. */
  createdNs: number;
}

/**
 * Typed views of a segment. All share one buffer; no per-record views are ever created.
 *
 * @example
 * ```ts
 * const v = new SegmentView(new ArrayBuffer(4096));
 * v.storeRelease(1, 7); v.loadAcquire(1); // 7
 * ```
 */
export class SegmentView {
  /** The underlying buffer. */
  readonly buffer: ArrayBufferLike;
  /** Bytes. */
  readonly u8: Uint8Array;
  /** Int32 words (cursors, states, futex words). */
  readonly i32: Int32Array;
  /** Float64 words (timestamps, counters). */
  readonly f64: Float64Array;

  constructor(buffer: ArrayBufferLike) {
    this.buffer = buffer;
    this.u8 = new Uint8Array(buffer);
    this.i32 = new Int32Array(buffer, 0, buffer.byteLength >> 2);
    this.f64 = new Float64Array(buffer, 0, buffer.byteLength >> 3);
  }

  /** Atomic load of the int32 at word index `i` (seq-cst; acquire for what it publishes). */
  loadAcquire(i: number): number {
    return Atomics.load(this.i32, i);
  }
  /** Atomic store of the int32 at word index `i` (seq-cst; release for earlier plain writes). */
  storeRelease(i: number, v: number): void {
    Atomics.store(this.i32, i, v);
  }
  /** Atomic add; returns the previous value. */
  fetchAdd(i: number, v: number): number {
    return Atomics.add(this.i32, i, v);
  }
  /** Atomic compare-and-exchange; returns the previous value. */
  compareExchange(i: number, expected: number, v: number): number {
    return Atomics.compareExchange(this.i32, i, expected, v);
  }
  /** Plain (unordered) int32 load. */
  loadPlain(i: number): number {
    return this.i32[i];
  }
  /** Plain float64 load at float index `i` (single-writer fields: timestamps, counters). */
  loadF64Plain(i: number): number {
    return this.f64[i];
  }
  /** Plain float64 store at float index `i`. */
  storeF64Plain(i: number, v: number): void {
    this.f64[i] = v;
  }
}

/** FNV-1a over bytes [from, to) of `u8`. */
export function fnv1a(u8: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    h ^= u8[i];
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** An opened segment: its views and its layout. */
export interface Segment {
  readonly buffer: ArrayBufferLike;
  readonly view: SegmentView;
  readonly layout: Layout;
}

/**
 * Writes a fresh header into `buffer` (which must be zeroed and at least the layout's size) and
 * returns the segment. The version word is stored last, so an attacher never sees a half-written
 * header as valid.
 *
 * @example
 * ```ts
 * const p = { maxInstances: 1, spscBytes: 4096, broadcastBytes: 4096, maxRecord: 64 };
 * const seg = initSegment(new ArrayBuffer(new Layout(p).totalBytes), p);
 * ```
 */
export function initSegment(
  buffer: ArrayBufferLike,
  params: LayoutParams,
  creator: Creator = { pid: 0, startTime: 0, createdNs: 0 },
): Segment {
  const layout = new Layout(params);
  if (buffer.byteLength < layout.totalBytes) {
    throw new SegmentError(
      "BAD_SIZE",
      `buffer of ${buffer.byteLength} bytes is smaller than the layout (${layout.totalBytes} bytes)`,
    );
  }
  const view = new SegmentView(buffer);
  const { i32, f64 } = view;
  i32[H.magic >> 2] = MAGIC;
  i32[H.maxInstances >> 2] = params.maxInstances;
  i32[H.spscBytes >> 2] = params.spscBytes;
  i32[H.broadcastBytes >> 2] = params.broadcastBytes;
  i32[H.maxRecord >> 2] = params.maxRecord;
  i32[H.creatorPid >> 2] = creator.pid;
  i32[H.headerBytes >> 2] = HEADER_BYTES;
  f64[H.totalBytes >> 3] = layout.totalBytes;
  f64[H.creatorStart >> 3] = creator.startTime;
  f64[H.createdNs >> 3] = creator.createdNs;
  i32[H.membersOff >> 2] = layout.membersOff;
  i32[H.spscOff >> 2] = layout.spscOff;
  i32[H.broadcastOff >> 2] = layout.broadcastOff;
  i32[H.countersOff >> 2] = layout.countersOff;
  i32[H.checksum >> 2] = fnv1a(view.u8, 8, H.checksum);
  view.storeRelease(H.version >> 2, VERSION);
  return { buffer, view, layout };
}

/** What the header of a segment says (no validation beyond reading). */
export interface HeaderInfo {
  magic: number;
  version: number;
  params: LayoutParams;
  totalBytes: number;
  creatorPid: number;
  creatorStart: number;
  createdNs: number;
}

/** Reads the header fields as they are. */
export function readHeader(buffer: ArrayBufferLike): HeaderInfo {
  if (buffer.byteLength < HEADER_BYTES) {
    throw new SegmentError("BAD_SIZE", `segment of ${buffer.byteLength} bytes is smaller than a header`);
  }
  const i32 = new Int32Array(buffer, 0, HEADER_BYTES >> 2);
  const f64 = new Float64Array(buffer, 0, HEADER_BYTES >> 3);
  return {
    magic: i32[H.magic >> 2] >>> 0,
    version: Atomics.load(i32, H.version >> 2),
    params: {
      maxInstances: i32[H.maxInstances >> 2],
      spscBytes: i32[H.spscBytes >> 2],
      broadcastBytes: i32[H.broadcastBytes >> 2],
      maxRecord: i32[H.maxRecord >> 2],
    },
    totalBytes: f64[H.totalBytes >> 3],
    creatorPid: i32[H.creatorPid >> 2],
    creatorStart: f64[H.creatorStart >> 3],
    createdNs: f64[H.createdNs >> 3],
  };
}

const _hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, "0")}`;

/**
 * Checks a segment's header against its buffer and returns the segment; refuses (throws a
 * {@link SegmentError}) a wrong magic, version, size, region offset or checksum.
 *
 * @example
 * ```ts
 * try { openSegment(new ArrayBuffer(4096)); } catch (e) { (e as SegmentError).code; } // "BAD_MAGIC"
 * ```
 */
export function openSegment(buffer: ArrayBufferLike): Segment {
  const h = readHeader(buffer);
  if (h.magic !== MAGIC >>> 0) {
    if (h.magic === 0 && h.version === 0) {
      throw new SegmentError(
        "NOT_READY",
        "segment header is empty (creator not finished, or not a bus segment)",
      );
    }
    throw new SegmentError(
      "BAD_MAGIC",
      `not a statd bus segment: magic ${_hex(h.magic)}, expected ${_hex(MAGIC)}`,
    );
  }
  if (h.version === 0) throw new SegmentError("NOT_READY", "segment header not yet published by its creator");
  if (h.version !== VERSION) {
    throw new SegmentError(
      "BAD_VERSION",
      `segment layout version ${h.version}, this build understands ${VERSION}`,
    );
  }
  const u8 = new Uint8Array(buffer, 0, HEADER_BYTES);
  const i32 = new Int32Array(buffer, 0, HEADER_BYTES >> 2);
  const sum = fnv1a(u8, 8, H.checksum);
  if (sum !== i32[H.checksum >> 2]) {
    throw new SegmentError(
      "BAD_HEADER",
      `segment header checksum ${_hex(i32[H.checksum >> 2])} does not match its content (${_hex(sum)}): corrupted`,
    );
  }
  let layout: Layout;
  try {
    if (h.params.maxInstances > MAX_INSTANCES) throw new RangeError(`maxInstances ${h.params.maxInstances}`);
    layout = new Layout(h.params);
  } catch (e) {
    throw new SegmentError("BAD_HEADER", `segment header has impossible parameters: ${(e as Error).message}`);
  }
  if (h.totalBytes !== layout.totalBytes) {
    throw new SegmentError(
      "BAD_SIZE",
      `segment header says ${h.totalBytes} bytes, its parameters need ${layout.totalBytes}`,
    );
  }
  if (buffer.byteLength !== layout.totalBytes) {
    throw new SegmentError(
      "BAD_SIZE",
      `segment is ${buffer.byteLength} bytes, its header says ${layout.totalBytes} (truncated or foreign)`,
    );
  }
  const offs: [string, number, number][] = [
    ["membersOff", i32[H.membersOff >> 2], layout.membersOff],
    ["spscOff", i32[H.spscOff >> 2], layout.spscOff],
    ["broadcastOff", i32[H.broadcastOff >> 2], layout.broadcastOff],
    ["countersOff", i32[H.countersOff >> 2], layout.countersOff],
  ];
  for (const [k, got, want] of offs) {
    if (got !== want) throw new SegmentError("BAD_HEADER", `segment header ${k} is ${got}, expected ${want}`);
  }
  return { buffer, view: new SegmentView(buffer), layout };
}
