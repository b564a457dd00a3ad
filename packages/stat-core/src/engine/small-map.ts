/**
 * An insertion-ordered map for the handful of entries a DN or call leg holds (its running
 * actions, its calls): the first two entries live in fields of the map object itself, further
 * ones in two arrays. A `Map` is two heap cells (the map and its table); for a random DN of
 * 100k both are likely cache misses on every event, and a new `Map` per call leg is a costly
 * allocation (docs/bench-engine.md). Same semantics as `Map` for the operations it has:
 * iteration order is insertion order, a deleted key that is set again goes to the end.
 *
 * @example
 * ```ts
 * const m = new SmallMap<number, string>();
 * m.set(3, "a");
 * m.set(1, "b");
 * m.keyAt(0); // 3
 * m.delete(3);
 * m.valAt(0); // "b"
 * ```
 * @module
 */
export class SmallMap<K, V> {
  /** number of entries */
  size = 0;
  private _k0: K | undefined = undefined;
  private _v0: V | undefined = undefined;
  private _k1: K | undefined = undefined;
  private _v1: V | undefined = undefined;
  /** entries from the third on */
  private _ks: K[] | null = null;
  private _vs: V[] | null = null;

  /** Position of `k` in insertion order, or -1. */
  indexOf(k: K): number {
    const n = this.size;
    if (n === 0) return -1;
    if (this._k0 === k) return 0;
    if (n === 1) return -1;
    if (this._k1 === k) return 1;
    if (n === 2) return -1;
    const i = this._ks!.indexOf(k);
    return i < 0 ? -1 : i + 2;
  }

  get(k: K): V | undefined {
    const i = this.indexOf(k);
    return i < 0 ? undefined : this.valAt(i);
  }

  has(k: K): boolean {
    return this.indexOf(k) >= 0;
  }

  /** Set `k` (at the end when new). */
  set(k: K, v: V): this {
    const i = this.indexOf(k);
    if (i >= 0) {
      this._put(i, k, v);
      return this;
    }
    this._put(this.size, k, v);
    this.size++;
    return this;
  }

  /** Remove `k`; later entries move up one place. Returns whether it was there. */
  delete(k: K): boolean {
    const i = this.indexOf(k);
    if (i < 0) return false;
    const n = this.size;
    for (let j = i; j < n - 1; j++) this._put(j, this.keyAt(j + 1), this.valAt(j + 1));
    if (n - 1 >= 2) {
      this._ks!.pop();
      this._vs!.pop();
    } else if (n - 1 === 1) {
      this._k1 = undefined;
      this._v1 = undefined;
    } else {
      this._k0 = undefined;
      this._v0 = undefined;
    }
    this.size--;
    return true;
  }

  /** The key at position `i` (0 ≤ i < size) in insertion order. */
  keyAt(i: number): K {
    return (i === 0 ? this._k0 : i === 1 ? this._k1 : this._ks![i - 2]) as K;
  }

  /** The value at position `i` (0 ≤ i < size) in insertion order. */
  valAt(i: number): V {
    return (i === 0 ? this._v0 : i === 1 ? this._v1 : this._vs![i - 2]) as V;
  }

  /** The keys in insertion order (a copy: the map may change while it is walked). */
  keys(): K[] {
    const out: K[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.keyAt(i));
    return out;
  }

  /** The values in insertion order (a copy). */
  values(): V[] {
    const out: V[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.valAt(i));
    return out;
  }

  private _put(i: number, k: K, v: V): void {
    if (i === 0) {
      this._k0 = k;
      this._v0 = v;
    } else if (i === 1) {
      this._k1 = k;
      this._v1 = v;
    } else {
      if (this._ks === null || this._vs === null) {
        this._ks = [];
        this._vs = [];
      }
      this._ks[i - 2] = k;
      this._vs[i - 2] = v;
    }
  }
}
