/**
 * Subscription table: the notification state of every open subscription in typed-array columns
 * indexed by subscription id (≈ 40 bytes each instead of an object per subscription).
 *
 * @example
 * ```ts
 * const t = new SubTable<object>();
 * const id = t.add(stat, MODE.time, 10_000, 5, 0, true, Date.now());
 * t.last(id); // 0
 * ```
 * @module
 */
import type { StatValue } from "../definitions.ts";

/** Notification modes as small integers. */
export const MODE = { changes: 0, time: 1, reset: 2, none: 3 } as const;

const F_SUSPENDED = 4;
const F_VALID = 8;
const F_NULL = 16;
const F_OBJ = 32;
const F_UNDEF = 64;

/** The table; `S` is the statistic type a subscription points to. */
export class SubTable<S> {
  /** id → statistic (undefined once closed); id 0 is never used */
  readonly st: (S | undefined)[] = [undefined];
  private _f = new Uint8Array(1024);
  private _freq = new Float64Array(1024);
  private _ins = new Float32Array(1024);
  private _next = new Float64Array(1024);
  private _num = new Float64Array(1024);
  private readonly _obj = new Map<number, StatValue>();
  private readonly _free: number[] = [];
  private _live = 0;

  private _grow(): void {
    const n = this._f.length * 2;
    const g = <T extends Float64Array | Float32Array | Uint8Array>(a: T, C: new (n: number) => T): T => {
      const b = new C(n);
      b.set(a);
      return b;
    };
    this._f = g(this._f, Uint8Array);
    this._freq = g(this._freq, Float64Array);
    this._ins = g(this._ins, Float32Array);
    this._next = g(this._next, Float64Array);
    this._num = g(this._num, Float64Array);
  }

  /** Add a subscription; returns its id. */
  add(
    st: S,
    mode: number,
    freqMs: number,
    ins: number,
    last: StatValue,
    valid: boolean,
    now: number,
  ): number {
    // ids of closed subscriptions are reused (like file descriptors), so churn does not grow the table
    let id = this._free.pop();
    if (id === undefined) {
      id = this.st.length;
      if (id >= this._f.length) this._grow();
      this.st.push(st);
    } else this.st[id] = st;
    this._f[id] = mode;
    this._freq[id] = freqMs;
    this._ins[id] = ins;
    this._next[id] = now + freqMs;
    this.setLast(id, last, valid);
    this._live++;
    return id;
  }

  /** Close; returns the statistic it pointed to. */
  remove(id: number): S | undefined {
    const s = this.st[id];
    if (s === undefined) return undefined;
    this.st[id] = undefined;
    this._obj.delete(id);
    this._live--;
    this._free.push(id);
    return s;
  }

  /** Number of open subscriptions. */
  get size(): number {
    return this._live;
  }

  mode(id: number): number {
    return this._f[id] & 3;
  }
  suspended(id: number): boolean {
    return (this._f[id] & F_SUSPENDED) !== 0;
  }
  setSuspended(id: number, v: boolean): void {
    this._f[id] = v ? this._f[id] | F_SUSPENDED : this._f[id] & ~F_SUSPENDED;
  }
  freqMs(id: number): number {
    return this._freq[id];
  }
  ins(id: number): number {
    return this._ins[id];
  }
  next(id: number): number {
    return this._next[id];
  }
  setNext(id: number, t: number): void {
    this._next[id] = t;
  }
  lastValid(id: number): boolean {
    return (this._f[id] & F_VALID) !== 0;
  }
  /** The last reported value. */
  last(id: number): StatValue | undefined {
    const f = this._f[id];
    if (f & F_UNDEF) return undefined;
    if (f & F_NULL) return null;
    if (f & F_OBJ) return this._obj.get(id) ?? null;
    return this._num[id];
  }
  /** Record the last reported value and validity. */
  setLast(id: number, v: StatValue | undefined, valid: boolean): void {
    let f = (this._f[id] & (3 | F_SUSPENDED)) | (valid ? F_VALID : 0);
    this._obj.delete(id);
    if (v === undefined) f |= F_UNDEF;
    else if (v === null) f |= F_NULL;
    else if (typeof v === "number") this._num[id] = v;
    else {
      f |= F_OBJ;
      this._obj.set(id, v);
    }
    this._f[id] = f;
  }
}
