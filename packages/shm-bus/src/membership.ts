/**
 * The membership table: one slot per instance (instance id = slot index) with pid, process start
 * time, generation, state and heartbeat. An instance is *dead* when its process is gone (the
 * liveness probe says so: on Linux `/proc/PID/stat` plus start time, because `kill(pid, 0)` calls a
 * zombie alive and pids are reused) or its heartbeat is older than `staleMs`. A restarted
 * instance takes its slot back with generation + 1.
 *
 * @example
 * ```ts
 * const m = new Membership(seg, { now: () => performance.now(), liveness: () => true });
 * const gen = m.join(0, { pid: 1234, startTime: 5678 });
 * m.heartbeat(0);
 * m.state(0).state; // "alive"
 * ```
 * @module
 */
import { M, MemberStateCode } from "./layout.ts";
import type { Segment } from "./segment.ts";

/** Is process `pid` with start time `startTime` still running (and not a zombie)? */
export type Liveness = (pid: number, startTime: number) => boolean;

/** What a member slot says, as seen by a reader at one moment. */
export interface MemberInfo {
  /** Instance id (slot index). */
  id: number;
  /** `free` (never used), `joining`, `alive`, `left` (clean leave), `dead` (derived). */
  state: "free" | "joining" | "alive" | "left" | "dead";
  /** Why it is dead (`process gone` or `heartbeat stale`), else "". */
  reason: string;
  pid: number;
  startTime: number;
  generation: number;
  /** Milliseconds since the last heartbeat (NaN for a free slot). */
  heartbeatAgeMs: number;
}

/** The slot is held by a live process. */
export class MemberBusyError extends Error {
  override name = "MemberBusyError";
}

/** Options of a membership view. */
export interface MembershipOptions {
  /** Milliseconds on a clock shared by all processes (CLOCK_MONOTONIC through libshm). */
  now: () => number;
  /** Process liveness probe. */
  liveness: Liveness;
  /** A heartbeat older than this means dead (default 1000 ms). */
  staleMs?: number;
}

const S = MemberStateCode;
const _names = ["free", "joining", "alive", "left"] as const;

/**
 * Reads and writes the member table of a segment.
 *
 * @example
 * ```ts
 * m.list().filter((x) => x.state === "dead");
 * ```
 */
export class Membership {
  /** Heartbeat age that means dead. */
  readonly staleMs: number;
  private readonly _seg: Segment;
  private readonly _now: () => number;
  private readonly _liveness: Liveness;

  constructor(seg: Segment, options: MembershipOptions) {
    this._seg = seg;
    this._now = options.now;
    this._liveness = options.liveness;
    this.staleMs = options.staleMs ?? 1000;
  }

  /** Number of slots. */
  get size(): number {
    return this._seg.layout.params.maxInstances;
  }

  /** Int32 word index of a member field. */
  wordIndex(id: number, field: keyof typeof M): number {
    return (this._seg.layout.member(this._check(id)) + M[field]) >> 2;
  }

  /**
   * Takes slot `id` for process `pid`: free, left or dead slots are taken (generation + 1); a slot
   * held by another live process throws {@link MemberBusyError}. Returns the new generation.
   * `beforeAlive(generation)` runs while the slot is still `joining` (the bus attaches its
   * broadcast cursors there, so that an instance others see `alive` receives every broadcast
   * published from then on).
   */
  join(
    id: number,
    who: { pid: number; startTime: number },
    beforeAlive?: (generation: number) => void,
  ): number {
    const v = this._seg.view;
    const st = this.wordIndex(id, "state");
    for (let attempt = 0; attempt < 100; attempt++) {
      const cur = v.loadAcquire(st);
      if (cur === S.alive || cur === S.joining) {
        const info = this.state(id);
        const mine = info.pid === who.pid && info.startTime === who.startTime;
        if (info.state !== "dead" && !mine) {
          throw new MemberBusyError(
            `instance ${id} is held by live pid ${info.pid} (generation ${info.generation}); refusing to take it`,
          );
        }
      }
      if (v.compareExchange(st, cur, S.joining) !== cur) continue;
      const base = this._seg.layout.member(id);
      v.i32[(base + M.pid) >> 2] = who.pid;
      v.f64[(base + M.startTime) >> 3] = who.startTime;
      const now = this._now();
      v.f64[(base + M.heartbeatMs) >> 3] = now;
      v.f64[(base + M.joinedMs) >> 3] = now;
      // A previous holder killed while parked left its sleepers count up: nobody else parks here.
      v.storeRelease((base + M.sleepers) >> 2, 0);
      v.storeRelease((base + M.rung) >> 2, 0);
      const gen = (v.fetchAdd((base + M.generation) >> 2, 1) + 1) | 0;
      if (gen === 0) continue; // generation 0 means "none": take the next one
      beforeAlive?.(gen);
      v.storeRelease(st, S.alive);
      return gen;
    }
    throw new MemberBusyError(`instance ${id}: slot kept changing while joining`);
  }

  /** Records a heartbeat for `id` (plain f64 store; only the owner writes it). */
  heartbeat(id: number): void {
    const v = this._seg.view;
    v.f64[(this._seg.layout.member(this._check(id)) + M.heartbeatMs) >> 3] = this._now();
  }

  /** Marks `id` as left (a clean leave: nobody waits for it, its slot is free to take). */
  leave(id: number, generation?: number): void {
    const v = this._seg.view;
    if (generation !== undefined && this.state(id).generation !== generation) return;
    v.storeRelease(this.wordIndex(id, "state"), S.left);
  }

  /** The state of slot `id` now (dead derived from liveness and heartbeat age). */
  state(id: number): MemberInfo {
    const v = this._seg.view;
    const base = this._seg.layout.member(this._check(id));
    const code = v.loadAcquire((base + M.state) >> 2);
    const pid = v.i32[(base + M.pid) >> 2];
    const startTime = v.f64[(base + M.startTime) >> 3];
    const generation = v.loadAcquire((base + M.generation) >> 2);
    const hb = v.f64[(base + M.heartbeatMs) >> 3];
    const age = code === S.free ? Number.NaN : this._now() - hb;
    let state: MemberInfo["state"] = _names[code] ?? "dead";
    let reason = code > S.left || code < 0 ? `corrupt state ${code}` : "";
    if (code === S.alive || code === S.joining) {
      if (!this._liveness(pid, startTime)) {
        state = "dead";
        reason = "process gone";
      } else if (age > this.staleMs) {
        state = "dead";
        reason = `heartbeat stale (${Math.round(age)} ms)`;
      }
    }
    return { id, state, reason, pid, startTime, generation, heartbeatAgeMs: age };
  }

  /** True when `id` was joined and is now dead. */
  isDead(id: number): boolean {
    return this.state(id).state === "dead";
  }

  /** True when `id` is alive (joined, process running, heartbeat fresh). */
  isAlive(id: number): boolean {
    return this.state(id).state === "alive";
  }

  /** Every slot. */
  list(): MemberInfo[] {
    const out: MemberInfo[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.state(i));
    return out;
  }

  private _check(id: number): number {
    if (!(Number.isInteger(id) && id >= 0 && id < this.size)) {
      throw new RangeError(`instance id ${id} out of 0..${this.size - 1}`);
    }
    return id;
  }
}
