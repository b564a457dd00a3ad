/** One scheduled item of the {@link EventHeap}. */
export interface Scheduled<T> {
  /** Simulated time the item is due. */
  readonly time: number;
  /** Insertion order; breaks ties so equal times run first-in first-out. */
  readonly order: number;
  /** The payload. */
  readonly value: T;
  /** Set by {@link EventHeap.cancel}; a cancelled item is skipped when popped. */
  cancelled: boolean;
}

/**
 * A binary min-heap of future events ordered by (time, insertion order): stable, so the
 * simulation is deterministic when several things are due at the same instant.
 *
 * @example
 * ```ts
 * const h = new EventHeap<string>();
 * h.push(2, "b"); h.push(1, "a");
 * h.pop()?.value; // "a"
 * ```
 */
export class EventHeap<T> {
  private _items: Scheduled<T>[] = [];
  private _order = 0;
  private _live = 0;

  /** Number of items not cancelled. */
  get size(): number {
    return this._live;
  }

  /** Schedule `value` at `time`; returns a handle usable with {@link EventHeap.cancel}. */
  push(time: number, value: T): Scheduled<T> {
    const item: Scheduled<T> = { time, order: this._order++, value, cancelled: false };
    const a = this._items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!_less(item, a[p] as Scheduled<T>)) break;
      a[i] = a[p] as Scheduled<T>;
      i = p;
    }
    a[i] = item;
    this._live++;
    return item;
  }

  /** Cancel a scheduled item (no-op if already cancelled or popped). */
  cancel(item: Scheduled<T> | undefined): void {
    if (item && !item.cancelled) {
      item.cancelled = true;
      this._live--;
    }
  }

  /** Time of the earliest live item, or `undefined` when empty. */
  peekTime(): number | undefined {
    this._dropCancelled();
    return this._items[0]?.time;
  }

  /** Remove and return the earliest live item. */
  pop(): Scheduled<T> | undefined {
    this._dropCancelled();
    const top = this._popRaw();
    if (top) {
      top.cancelled = true; // a popped item can no longer be cancelled
      this._live--;
    }
    return top;
  }

  private _dropCancelled(): void {
    while (this._items.length > 0 && (this._items[0] as Scheduled<T>).cancelled) this._popRaw();
  }

  private _popRaw(): Scheduled<T> | undefined {
    const a = this._items;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    let i = 0;
    const n = a.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && _less(a[r] as Scheduled<T>, a[l] as Scheduled<T>) ? r : l;
      if (!_less(a[c] as Scheduled<T>, last)) break;
      a[i] = a[c] as Scheduled<T>;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

function _less<T>(x: Scheduled<T>, y: Scheduled<T>): boolean {
  return x.time < y.time || (x.time === y.time && x.order < y.order);
}
