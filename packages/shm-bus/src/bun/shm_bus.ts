/**
 * The shm bus: a bus segment in POSIX shared memory, created or attached by name, with
 * membership checked against real processes (`/proc`), timestamps from CLOCK_MONOTONIC, parking
 * through a futex doorbell Worker, and cleanup at exit.
 *
 * Ownership: the creator (`ShmSegment.create`, the supervisor) owns the name and unlinks it when it
 * closes; attachers (`ShmSegment.attach`) only unmap. Each `ShmSegment` owns its mapping and unmaps
 * it in `close()` after closing every endpoint joined through it.
 *
 * @example
 * ```ts
 * const seg = ShmSegment.create("statd-demo", { maxInstances: 2, spscBytes: 1 << 20, broadcastBytes: 1 << 20, maxRecord: 65536 });
 * const bus = seg.join(0);
 * bus.offer(1, bytes); bus.flush();
 * seg.close(); // leaves, unmaps, unlinks (creator)
 * ```
 * @module
 */
import { inspectSegment, type SegmentSnapshot } from "../inspect.ts";
import { Layout, type LayoutParams } from "../layout.ts";
import { initSegment, openSegment, readHeader, type Segment, SegmentError } from "../segment.ts";
import { SegmentBus, type SegmentBusOptions } from "../segment_bus.ts";
import { registerCleanup } from "./cleanup.ts";
import { DoorbellParker } from "./doorbell.ts";
import { libshm, monotonicMs } from "./libshm.ts";
import { isProcessAlive, processStartTime } from "./liveness.ts";
import { SharedMemory, ShmError, unlinkSegment, validateName } from "./shm.ts";

/** Endpoint options a caller may set when joining. */
export type JoinOptions = Partial<
  Pick<SegmentBusOptions, "publishEvery" | "heartbeatMs" | "idle" | "staleMs" | "evictAfterMs" | "now">
>;

/** A bus endpoint over shared memory (a {@link SegmentBus}). */
export type ShmBus = SegmentBus;

/**
 * A mapped bus segment.
 *
 * @example
 * ```ts
 * const seg = ShmSegment.attach("statd-demo", { readOnly: true });
 * console.table(seg.inspect().members);
 * seg.close();
 * ```
 */
export class ShmSegment {
  /** Segment name. */
  readonly name: string;
  /** The mapping. */
  readonly memory: SharedMemory;
  /** Layout and views. */
  readonly segment: Segment;
  /** This object created the name and will unlink it on close. */
  readonly owner: boolean;
  private readonly _buses = new Set<SegmentBus>();
  private readonly _unregister: () => void;
  private _closed = false;

  /** Attached for inspection only (cannot join). */
  readonly readOnly: boolean;

  private constructor(
    name: string,
    memory: SharedMemory,
    segment: Segment,
    owner: boolean,
    readOnly = false,
  ) {
    this.readOnly = readOnly;
    this.name = name;
    this.memory = memory;
    this.segment = segment;
    this.owner = owner;
    this._unregister = registerCleanup({ cleanup: () => this._exitCleanup() });
  }

  /**
   * Creates segment `name` (O_EXCL: fails with EEXIST if it exists) sized for `params`, writes its
   * header (version last) and maps it.
   */
  static create(name: string, params: LayoutParams, options: { mode?: number } = {}): ShmSegment {
    validateName(name);
    const layout = new Layout(params);
    const mem = SharedMemory.create(name, layout.totalBytes, options);
    try {
      const seg = initSegment(mem.buffer, params, {
        pid: process.pid,
        startTime: processStartTime(process.pid),
        createdNs: libshm().shm_now_ns(),
      });
      return new ShmSegment(name, mem, seg, true);
    } catch (e) {
      mem.close();
      unlinkSegment(name);
      throw e;
    }
  }

  /**
   * Attaches to an existing segment and checks its header (magic, version, sizes, checksum); a
   * foreign, truncated or corrupted segment is refused with a {@link SegmentError}. A header that
   * its creator has not finished yet is retried for up to `waitMs` (default 1000).
   * `readOnly` (inspection: `statctl bus`) attaches without the right to join. The mapping itself
   * stays read-write: JIT-compiled `Atomics.load` on a PROT_READ mapping is a SIGSEGV in Bun 1.4.5
   * (seen here; see docs/bus.md), and inspection only ever loads.
   */
  static attach(name: string, options: { readOnly?: boolean; waitMs?: number } = {}): ShmSegment {
    validateName(name);
    const deadline = performance.now() + (options.waitMs ?? 1000);
    for (;;) {
      const mem = SharedMemory.open(name, { writable: true });
      try {
        const seg = openSegment(mem.buffer);
        return new ShmSegment(name, mem, seg, false, options.readOnly === true);
      } catch (e) {
        mem.close();
        if (!(e instanceof SegmentError && e.code === "NOT_READY") || performance.now() > deadline) {
          if (e instanceof SegmentError) {
            throw new SegmentError(e.code, `shm segment "${name}" refused: ${e.message}`);
          }
          throw e;
        }
      }
      Bun.sleepSync(5);
    }
  }

  /**
   * Creates `name`, or, if it exists but is stale (its creator and every member process are gone,
   * e.g. after a SIGKILL that skipped cleanup), removes it and creates it afresh. A segment still
   * used by a live process, or one whose header is not a valid bus header, is never removed: that
   * throws, naming the pid or the reason.
   */
  static createOrReclaim(name: string, params: LayoutParams, options: { mode?: number } = {}): ShmSegment {
    try {
      return ShmSegment.create(name, params, options);
    } catch (e) {
      if (!(e instanceof ShmError && e.code === "EEXIST")) throw e;
    }
    const holder = ShmSegment.holder(name);
    if (holder !== null) {
      throw new Error(
        `shm segment "${name}" exists and is in use by live pid ${holder}; refusing to replace it`,
      );
    }
    unlinkSegment(name);
    return ShmSegment.create(name, params, options);
  }

  /**
   * The pid of a live process using segment `name` (its creator or a member), or null when the
   * segment is stale. Throws a {@link SegmentError} for a segment that is not a valid bus segment.
   */
  static holder(name: string): number | null {
    const seg = ShmSegment.attach(name, { readOnly: true, waitMs: 0 });
    try {
      const h = readHeader(seg.memory.buffer);
      if (isProcessAlive(h.creatorPid, h.creatorStart)) return h.creatorPid;
      for (const m of seg.inspect().members) {
        if (
          (m.state === "alive" || m.state === "joining" || m.reason.startsWith("heartbeat")) &&
          isProcessAlive(m.pid, m.startTime)
        ) {
          return m.pid;
        }
      }
      return null;
    } finally {
      seg.close();
    }
  }

  /** Joins instance `id` as this process (taking the slot back if its previous holder is dead). */
  join(id: number, options: JoinOptions = {}): ShmBus {
    this._checkOpen();
    if (this.readOnly) throw new Error(`segment "${this.name}" is attached read-only: cannot join`);
    const base = this.memory.ptr;
    const bus = new SegmentBus(this.segment, {
      self: id,
      pid: process.pid,
      startTime: processStartTime(process.pid),
      now: monotonicMs,
      liveness: isProcessAlive,
      parker: new DoorbellParker(base),
      ...options,
    });
    this._buses.add(bus);
    return bus;
  }

  /** Member states and ring counters, read directly from shared memory. */
  inspect(): SegmentSnapshot {
    this._checkOpen();
    return inspectSegment(this.segment, { now: monotonicMs, liveness: isProcessAlive });
  }

  /**
   * Closes every endpoint joined here (flush, leave), unmaps, and (creator only, unless
   * `unlink: false`) removes the name. Views of the segment must not be used afterwards.
   */
  close(options: { unlink?: boolean } = {}): void {
    if (this._closed) return;
    this._closed = true;
    this._unregister();
    for (const b of this._buses) b.close();
    this._buses.clear();
    this.memory.close();
    if (this.owner && options.unlink !== false) unlinkSegment(this.name);
  }

  private _exitCleanup(): void {
    // At exit: leave cleanly and remove the name if ours; the OS unmaps.
    if (this._closed) return;
    this._closed = true;
    for (const b of this._buses) b.close();
    if (this.owner) unlinkSegment(this.name);
  }

  private _checkOpen(): void {
    if (this._closed) throw new Error(`shm segment "${this.name}" is closed`);
  }
}
