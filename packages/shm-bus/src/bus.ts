/**
 * The bus port: what an instance of statd uses to exchange opaque records with the others. Two
 * implementations share one contract suite (`bus_contract.ts`): the in-process bus
 * (`memory.ts`, a segment in a SharedArrayBuffer) and the shm bus (`bun/shm_bus.ts`, a segment in
 * POSIX shared memory).
 *
 * @example
 * ```ts
 * import { BROADCAST, type Bus } from "./bus.ts";
 * function send(bus: Bus, to: number, rec: Uint8Array): boolean {
 *   return bus.offer(to, rec); // false: the ring is full, keep the record and retry later
 * }
 * bus.poll((u8, off, len, from) => handle(u8.subarray(off, off + len), from), 1024);
 * await bus.wait(100); // flushes, then spins, yields and parks until something arrives
 * ```
 * @module
 */
import type { MemberInfo } from "./membership.ts";
import type { RecordBatch } from "./record_batch.ts";
import type { RecordHandler } from "./ring.ts";

/** Address of a record for every other instance (the publisher's broadcast ring). */
export const BROADCAST = -1;

/** One instance's endpoint on the bus. */
export interface Bus {
  /** This instance's id. */
  readonly self: number;
  /** Generation of this incarnation (increases each time the id is joined). */
  readonly generation: number;
  /** Number of instance slots. */
  readonly instances: number;
  /** Largest record payload, in bytes. */
  readonly maxRecord: number;
  /** The bytes that `claim` offsets point into. */
  readonly buffer: Uint8Array;
  /**
   * Copies one record to instance `to` (or {@link BROADCAST}). False when the ring is full: nothing
   * was written and nothing unread was overwritten (back-pressure). Throws a RangeError for a
   * record above `maxRecord` or an unknown/self address.
   */
  offer(to: number, src: Uint8Array, offset?: number, length?: number): boolean;
  /**
   * Moves the leading records of `batch` (built with `new RecordBatch(maxRecord)`) to `to` (or
   * {@link BROADCAST}), in order, as many as the ring has room for, and returns how many: 0 when
   * the ring is full (back-pressure; nothing unread is overwritten). Records not taken stay in
   * the batch for the next call; a batch fully taken is empty again. One copy per batch (two at
   * the ring's wrap) instead of one per record; lazy publication as for `offer`.
   */
  offerBatch(to: number, batch: RecordBatch): number;
  /** Reserves a record of `length` bytes for `to`; returns its offset in `buffer`, or -1 when full. */
  claim(to: number, length: number): number;
  /** Commits the record last claimed (visible after the next publication). */
  commit(): void;
  /** Publishes every ring's pending records now (lazy publication otherwise). */
  flush(): void;
  /** Delivers up to `max` records addressed to this instance; returns how many. */
  poll(handler: RecordHandler, max?: number): number;
  /** True when a published record is waiting for this instance. */
  available(): boolean;
  /**
   * Flushes, then resolves true as soon as a record is available, or false after `timeoutMs`
   * (spin, then yield, then park without blocking the event loop).
   */
  wait(timeoutMs: number): Promise<boolean>;
  /** Refreshes this instance's heartbeat (also done by a timer). */
  heartbeat(): void;
  /** Every member slot as seen now. */
  members(): MemberInfo[];
  /** Flushes and leaves cleanly (publishers stop waiting for this instance). Idempotent. */
  close(): void;
}
