/**
 * The bus over a segment, whatever memory holds it: joins a member slot, owns the rings this
 * instance writes (one SPSC ring per other instance and its broadcast ring), reads the rings
 * addressed to it, heartbeats, evicts dead broadcast subscribers, and parks/wakes through a
 * {@link Parker}. The in-process bus and the shm bus are this class with different memory,
 * clock, liveness probe and parker.
 *
 * Wake-up handshake (Dekker style, seq-cst on both sides; docs/bus.md "Rules"):
 * subscriber: `sleepers++; rung = 0; d = doorbell; if nothing available: park(doorbell, d); sleepers--`;
 * publisher:  `store tail; if sleepers != 0 and CAS(rung, 0, 1): doorbell++; wake(doorbell)`.
 * `rung` makes it one wake-up (one futex syscall) per sleep, however many publications happen
 * before the sleeper runs again.
 *
 * @example
 * ```ts
 * const bus = new SegmentBus(seg, { self: 0, pid: 1, startTime: 0, now, liveness, parker });
 * bus.offer(1, bytes);
 * bus.flush();
 * ```
 * @module
 */
import { BROADCAST, type Bus } from "./bus.ts";
import { type IdleOptions, IdleStrategy } from "./idle.ts";
import { LINE } from "./layout.ts";
import { type Liveness, type MemberInfo, Membership } from "./membership.ts";
import type { Parker } from "./parker.ts";
import type { RecordBatch } from "./record_batch.ts";
import { type RecordHandler, RingReader, RingWriter, type WriterHooks } from "./ring.ts";
import type { Segment } from "./segment.ts";

/** Options of a {@link SegmentBus}. */
export interface SegmentBusOptions {
  /** Instance id (member slot) to join. */
  self: number;
  /** This process's pid and start time (stored in the slot, checked by others). */
  pid: number;
  startTime: number;
  /** Millisecond clock shared by every process on the segment. */
  now: () => number;
  /** Process liveness probe. */
  liveness: Liveness;
  /** How to park and wake. */
  parker: Parker;
  /** Heartbeat age that means dead (default 1000 ms). */
  staleMs?: number;
  /**
   * A broadcast subscriber whose process is gone is evicted as soon as it holds a ring full; one
   * whose process still runs but whose heartbeat is stale only after this long (default 3 x
   * staleMs): if it was merely stalled, it may be reading the records the publisher would then
   * overwrite.
   */
  evictAfterMs?: number;
  /** Heartbeat timer period (default 100 ms; 0 disables the timer). */
  heartbeatMs?: number;
  /** Records between lazy tail publications (default 64). */
  publishEvery?: number;
  /** Spin/yield/park tuning of `wait`. */
  idle?: IdleOptions;
}

type Timer = ReturnType<typeof setInterval>;

/**
 * One instance's endpoint over a segment. Implements {@link Bus}.
 *
 * @example
 * ```ts
 * const n = bus.poll((u8, off, len, from) => {}, 1024);
 * ```
 */
export class SegmentBus implements Bus {
  readonly self: number;
  readonly generation: number;
  readonly instances: number;
  readonly maxRecord: number;
  readonly buffer: Uint8Array;
  /** The member table (read-only use outside this class). */
  readonly membership: Membership;
  /** The idle strategy used by `wait` (its `phases` say how waits ended). */
  readonly idle: IdleStrategy;
  /** Writers indexed by destination id (own id: the broadcast writer). */
  private readonly _writers: RingWriter[] = [];
  private readonly _readers: RingReader[] = [];
  private readonly _now: () => number;
  private readonly _parker: Parker;
  private readonly _i32: Int32Array;
  private readonly _sleepers: number[] = [];
  private readonly _doorbell: number[] = [];
  private readonly _rung: number[] = [];
  private readonly _deadCache: Float64Array;
  private readonly _evictAfterMs: number;
  private readonly _deadAt: Float64Array;
  private _claimed: RingWriter | null = null;
  private _next = 0;
  private _polls = 0;
  private _timer: Timer | undefined;
  private _closed = false;

  constructor(seg: Segment, options: SegmentBusOptions) {
    this._now = options.now;
    this._parker = options.parker;
    this._i32 = seg.view.i32;
    const n = seg.layout.params.maxInstances;
    this.instances = n;
    this.maxRecord = seg.layout.params.maxRecord;
    this.buffer = seg.view.u8;
    this.self = options.self;
    this.membership = new Membership(seg, {
      now: options.now,
      liveness: options.liveness,
      staleMs: options.staleMs,
    });
    this.idle = new IdleStrategy(options.idle);
    this._evictAfterMs = options.evictAfterMs ?? 3 * this.membership.staleMs;
    this._deadCache = new Float64Array(n);
    this._deadAt = new Float64Array(n).fill(-1e18);
    for (let k = 0; k < n; k++) {
      this._sleepers.push(this.membership.wordIndex(k, "sleepers"));
      this._doorbell.push(this.membership.wordIndex(k, "doorbell"));
      this._rung.push(this.membership.wordIndex(k, "rung"));
    }
    // the readers attach while the slot is still `joining`: once others see it `alive`, every
    // broadcast they publish reaches it
    this.generation = this.membership.join(
      this.self,
      { pid: options.pid, startTime: options.startTime },
      (gen) => this._attachReaders(seg, gen),
    );
    const hooks: WriterHooks = {
      afterPublish: (w) => this._wakeReaders(w),
      isDead: (k) => this._isDead(k),
    };
    const publishEvery = options.publishEvery ?? 64;
    for (let s = 0; s < n; s++) {
      const g = s === this.self ? seg.layout.broadcast(s) : seg.layout.spsc(this.self, s);
      this._writers.push(new RingWriter(seg.view, g, this.maxRecord, { publishEvery, hooks }));
    }
    const hb = options.heartbeatMs ?? 100;
    if (hb > 0) {
      this._timer = setInterval(() => this.heartbeat(), hb);
      (this._timer as unknown as { unref?: () => void }).unref?.();
    }
  }

  private _attachReaders(seg: Segment, generation: number): void {
    for (let p = 0; p < this.instances; p++) {
      if (p === this.self) continue;
      const spsc = new RingReader(seg.view, seg.layout.spsc(p, this.self), 0, this.maxRecord);
      spsc.attach(generation);
      this._readers.push(spsc);
      const bc = new RingReader(seg.view, seg.layout.broadcast(p), this.self, this.maxRecord);
      bc.attach(generation);
      this._readers.push(bc);
    }
  }

  offer(to: number, src: Uint8Array, offset = 0, length: number = src.length - offset): boolean {
    const w = to !== this.self && to >= 0 && !this._closed ? this._writers[to] : undefined;
    return (w ?? this._writer(to)).offer(src, offset, length);
  }

  offerBatch(to: number, batch: RecordBatch): number {
    const w = to !== this.self && to >= 0 && !this._closed ? this._writers[to] : undefined;
    return (w ?? this._writer(to)).offerBatch(batch);
  }

  claim(to: number, length: number): number {
    const w = this._writer(to);
    const at = w.claim(length);
    this._claimed = at >= 0 ? w : null;
    return at;
  }

  commit(): void {
    this._checkOpen();
    const w = this._claimed;
    if (w === null) throw new Error("commit() without a successful claim()");
    this._claimed = null;
    w.commit();
  }

  flush(): void {
    if (this._closed) return;
    const ws = this._writers;
    for (let i = 0; i < ws.length; i++) if (ws[i].pending !== 0) ws[i].publish();
  }

  poll(handler: RecordHandler, max = 4096): number {
    this._checkOpen();
    // A process busy enough never to run its heartbeat timer still heartbeats from here.
    if (++this._polls >= 1024) {
      this._polls = 0;
      this.heartbeat();
    }
    const rs = this._readers;
    const m = rs.length;
    let n = 0;
    // Round-robin start so that one busy publisher cannot starve the others.
    const start = this._next;
    this._next = start + 1 >= m ? 0 : start + 1;
    for (let j = 0; j < m && n < max; j++) {
      const i = start + j < m ? start + j : start + j - m;
      n += rs[i].poll(handler, max - n);
    }
    return n;
  }

  available(): boolean {
    if (this._closed) return false;
    const rs = this._readers;
    for (let i = 0; i < rs.length; i++) if (rs[i].available()) return true;
    return false;
  }

  async wait(timeoutMs: number): Promise<boolean> {
    this._checkOpen();
    this.flush();
    const sl = this._sleepers[this.self];
    const db = this._doorbell[this.self];
    const rung = this._rung[this.self];
    const i32 = this._i32;
    // After close() nothing here may touch the segment (the shm adapter unmaps it): every step
    // checks _closed first, and a close ends the wait with false.
    const ready = await this.idle.idle(
      () => this._closed || this.available(),
      async (left) => {
        if (this._closed) return true;
        Atomics.add(i32, sl, 1);
        try {
          Atomics.store(i32, rung, 0);
          const d = Atomics.load(i32, db);
          if (this.available()) return true;
          await this._parker.park(db, d, left);
        } finally {
          if (!this._closed) Atomics.sub(i32, sl, 1);
        }
        return this._closed || this.available();
      },
      timeoutMs,
      this._now,
    );
    return ready && !this._closed;
  }

  heartbeat(): void {
    if (!this._closed) this.membership.heartbeat(this.self);
  }

  members(): MemberInfo[] {
    this._checkOpen();
    return this.membership.list();
  }

  /** The writer of the ring to `to` (for counters and fill). */
  writer(to: number): RingWriter {
    return this._writer(to);
  }

  close(): void {
    if (this._closed) return;
    this.flush();
    this._stop();
    for (const r of this._readers) if (r.geometry.kind === "broadcast") r.detach();
    this.membership.leave(this.self, this.generation);
    this._parker.close();
  }

  /**
   * Stops without leaving, the way a crash would (no flush, no detach, no more heartbeats): for
   * fault tests. The slot stays `alive` until others see the process gone or the heartbeat stale.
   */
  abandon(): void {
    if (this._closed) return;
    this._stop();
    this._parker.close();
  }

  private _stop(): void {
    this._closed = true;
    this._parker.wake(this._doorbell[this.self]); // end this endpoint's pending waits
    if (this._timer !== undefined) clearInterval(this._timer);
    this._timer = undefined;
  }

  private _checkOpen(): void {
    if (this._closed) throw new Error(`bus endpoint ${this.self} is closed`);
  }

  private _writer(to: number): RingWriter {
    if (this._closed) this._checkOpen();
    const idx = to === BROADCAST ? this.self : to;
    if (to === this.self || !(idx >= 0 && idx < this.instances && (idx | 0) === idx)) {
      throw new RangeError(
        `bad destination ${to}: use another instance id in 0..${this.instances - 1} or BROADCAST (-1)`,
      );
    }
    return this._writers[idx];
  }

  private _wakeReaders(w: RingWriter): void {
    const i32 = this._i32;
    const g = w.geometry;
    if (g.kind === "spsc") {
      if (Atomics.load(i32, this._sleepers[g.to]) !== 0) this._ring(g.to, w);
      return;
    }
    const line = LINE >> 2;
    for (let k = 0; k < this.instances; k++) {
      if (k === this.self) continue;
      if (Atomics.load(i32, this._sleepers[k]) === 0) continue;
      if (Atomics.load(i32, (g.cursorOff >> 2) + k * line + 1) === 0) continue;
      this._ring(k, w);
    }
  }

  private _ring(k: number, w: RingWriter): void {
    if (Atomics.compareExchange(this._i32, this._rung[k], 0, 1) !== 0) return; // already on its way
    Atomics.add(this._i32, this._doorbell[k], 1);
    this._parker.wake(this._doorbell[k]);
    w.wakes++;
  }

  private _isDead(k: number): boolean {
    // May subscriber k be evicted? Liveness costs a /proc read: check each at most every 20 ms.
    const now = this._now();
    if (now - this._deadAt[k] < 20) return this._deadCache[k] === 1;
    const m = this.membership.state(k);
    const dead =
      m.state === "dead" &&
      (m.reason === "process gone" ||
        m.heartbeatAgeMs > this._evictAfterMs ||
        m.reason.startsWith("corrupt"));
    this._deadAt[k] = now;
    this._deadCache[k] = dead ? 1 : 0;
    return dead;
  }
}
