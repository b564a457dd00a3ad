/**
 * The in-process bus: a segment in a SharedArrayBuffer. Same layout and ring code as the shm bus,
 * so it also runs between Workers (post the SharedArrayBuffer; it is shared, not copied) and under
 * Deno. Endpoints in one thread park on promises; with `threads: "shared"` they park with
 * `Atomics.waitAsync` so that other Workers can wake them. Instances are endpoints of one
 * {@link MemoryCluster}; a crashed endpoint is declared dead at once.
 *
 * @example
 * ```ts
 * const cluster = new MemoryCluster({ maxInstances: 2, spscBytes: 65536, broadcastBytes: 65536, maxRecord: 1024 });
 * const a = cluster.join(0), b = cluster.join(1);
 * a.offer(1, new TextEncoder().encode("hi")); a.flush();
 * b.poll((u8, off, len) => console.log(len)); // 2
 * ```
 * @module
 */
import { inspectSegment, type SegmentSnapshot } from "./inspect.ts";
import { Layout, type LayoutParams } from "./layout.ts";
import { AtomicsParker, LocalParker, type Parker } from "./parker.ts";
import { initSegment, openSegment, type Segment } from "./segment.ts";
import { SegmentBus, type SegmentBusOptions } from "./segment_bus.ts";

/** Options of an in-process cluster. */
export interface MemoryClusterOptions extends LayoutParams {
  /** Millisecond clock (default `performance.now`). */
  now?: () => number;
  /** Heartbeat age that means dead (default 1000 ms). */
  staleMs?: number;
  /**
   * `single` (default): every endpoint lives in this thread; parking costs no CPU.
   * `shared`: endpoints also live in other Workers (`attach`); parking uses `Atomics.waitAsync`.
   */
  threads?: "single" | "shared";
}

/**
 * A bus segment in a SharedArrayBuffer and the endpoints joined to it.
 *
 * @example
 * ```ts
 * const c = MemoryCluster.attach(sharedBufferFromMainThread); // inside a Worker
 * ```
 */
export class MemoryCluster {
  /** The segment (its buffer is a SharedArrayBuffer). */
  readonly segment: Segment;
  private readonly _now: () => number;
  private readonly _staleMs: number | undefined;
  private readonly _crashed = new Set<number>();
  private readonly _local: LocalParker | null;

  constructor(
    options:
      | MemoryClusterOptions
      | { segment: Segment; now?: () => number; staleMs?: number; threads?: "single" | "shared" },
  ) {
    if ("segment" in options) {
      this.segment = options.segment;
    } else {
      const layout = new Layout(options);
      this.segment = initSegment(new SharedArrayBuffer(layout.totalBytes), options);
    }
    this._now = options.now ?? (() => performance.now());
    this._staleMs = options.staleMs;
    this._local = (options.threads ?? "single") === "single" ? new LocalParker(this.segment.view.i32) : null;
  }

  /** Opens (validates) a segment in a SharedArrayBuffer created elsewhere (another Worker). */
  static attach(
    buffer: SharedArrayBuffer,
    options: { now?: () => number; staleMs?: number } = {},
  ): MemoryCluster {
    return new MemoryCluster({ segment: openSegment(buffer), ...options });
  }

  /** Joins instance `id` (a fresh generation; a crashed id is revived). */
  join(
    id: number,
    options: Partial<Pick<SegmentBusOptions, "publishEvery" | "heartbeatMs" | "idle" | "evictAfterMs">> = {},
  ): SegmentBus {
    this._crashed.delete(id + 1);
    return new SegmentBus(this.segment, {
      self: id,
      pid: id + 1, // endpoints are told apart by a pseudo pid: id + 1
      startTime: 0,
      now: this._now,
      liveness: (pid) => !this._crashed.has(pid),
      parker: this._local ? this._sharedLocal(this._local) : new AtomicsParker(this.segment.view.i32),
      staleMs: this._staleMs,
      ...options,
    });
  }

  private _sharedLocal(hub: LocalParker): Parker {
    // One hub for all endpoints of this thread; an endpoint's close() must not close the hub.
    return { wake: (i) => hub.wake(i), park: (i, e, t) => hub.park(i, e, t), close: () => {} };
  }

  /** Simulates the crash of `bus`: it stops without leaving and its process counts as gone. */
  crash(bus: SegmentBus): void {
    bus.abandon();
    this._crashed.add(bus.self + 1);
  }

  /** Counters and member states. */
  inspect(): SegmentSnapshot {
    return inspectSegment(this.segment, { now: this._now, liveness: (pid) => !this._crashed.has(pid) });
  }
}
