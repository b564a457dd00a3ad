/**
 * A small seeded pseudo-random generator (sfc32 seeded through splitmix32) with the
 * distributions the traffic model needs. Deterministic for a seed: no `Math.random`, no clock.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * const talk = rng.exponential(180); // seconds
 * ```
 */
export class Rng {
  private _a: number;
  private _b: number;
  private _c: number;
  private _d: number;
  private _spare: number | undefined;

  /** Seed with an integer (any safe integer; negative and large values are folded) or a string. */
  constructor(seed: number | string) {
    let h = _seedHash(seed);
    const next = (): number => {
      // splitmix32
      h = (h + 0x9e3779b9) | 0;
      let z = h;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this._a = next();
    this._b = next();
    this._c = next();
    this._d = next();
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const a = this._a;
    const b = this._b;
    const c = this._c;
    const d = this._d;
    const t = (((a + b) | 0) + d) | 0;
    this._d = (d + 1) | 0;
    this._a = b ^ (b >>> 9);
    this._b = (c + (c << 3)) | 0;
    this._c = (c << 21) | (c >>> 11);
    this._c = (this._c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  /** A uniform float in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Exponentially distributed with the given mean (> 0). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Standard normal (Box–Muller, the second value kept for the next call). */
  normal(): number {
    if (this._spare !== undefined) {
      const s = this._spare;
      this._spare = undefined;
      return s;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this._spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given mean and standard deviation of the variable itself. */
  lognormal(mean: number, sd: number): number {
    const s2 = Math.log(1 + (sd * sd) / (mean * mean));
    const mu = Math.log(mean) - s2 / 2;
    return Math.exp(mu + Math.sqrt(s2) * this.normal());
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** An index chosen with probability proportional to `weights` (all ≥ 0, sum > 0). */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i] as number;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }
}

function _seedHash(seed: number | string): number {
  let h = 0x811c9dc5;
  const s = typeof seed === "number" ? `n:${seed}` : `s:${seed}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
