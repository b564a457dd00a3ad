/**
 * @statd/shm-bus, portable part: the segment layout, single-writer rings of variable-length
 * records, membership, the `Bus` port and its in-process implementation, idle strategy and
 * inspection. Runs over any ArrayBuffer (Bun, Deno, Workers); no `bun:*`, `Bun.*` or `node:*`.
 * The shm implementation lives in `./bun/mod.ts`.
 *
 * @example
 * ```ts
 * import { BROADCAST, MemoryCluster } from "@statd/shm-bus";
 * const c = new MemoryCluster({ maxInstances: 2, spscBytes: 1 << 16, broadcastBytes: 1 << 16, maxRecord: 4096 });
 * const [a, b] = [c.join(0), c.join(1)];
 * a.offer(BROADCAST, new Uint8Array([42])); a.flush();
 * await b.wait(100);
 * b.poll((u8, off, len, from) => console.log(u8[off], from)); // 42 0
 * ```
 * @module
 */
export { BROADCAST, type Bus } from "./bus.ts";
export { type IdleOptions, IdleStrategy } from "./idle.ts";
export {
  type CursorSnapshot,
  inspectSegment,
  type RingSnapshot,
  type SegmentSnapshot,
} from "./inspect.ts";
export {
  align8,
  H,
  HEADER_BYTES,
  Layout,
  LayoutError,
  type LayoutParams,
  LINE,
  M,
  MAGIC,
  MAX_INSTANCES,
  MAX_SEGMENT_BYTES,
  MEMBER_BYTES,
  RECORD_HEADER,
  type RingGeometry,
  VERSION,
  validateParams,
} from "./layout.ts";
export {
  type Liveness,
  MemberBusyError,
  type MemberInfo,
  Membership,
  type MembershipOptions,
} from "./membership.ts";
export { MemoryCluster, type MemoryClusterOptions } from "./memory.ts";
export { AtomicsParker, LocalParker, type Parker } from "./parker.ts";
export { DEFAULT_BATCH_BYTES, RecordBatch } from "./record_batch.ts";
export {
  type RecordHandler,
  RecordTooLargeError,
  RingReader,
  RingWriter,
  recordSize,
  type WriterHooks,
} from "./ring.ts";
export {
  type Creator,
  fnv1a,
  type HeaderInfo,
  initSegment,
  openSegment,
  readHeader,
  type Segment,
  SegmentError,
  type SegmentErrorCode,
  SegmentView,
} from "./segment.ts";
export { SegmentBus, type SegmentBusOptions } from "./segment_bus.ts";
