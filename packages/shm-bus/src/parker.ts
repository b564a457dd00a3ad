/**
 * Parking: how a waiting subscriber sleeps on a 32-bit word of the segment, and how a publisher
 * wakes it. The shm bus parks with a futex in a Worker (`bun/doorbell.ts`). In one process:
 * {@link LocalParker} (endpoints in one thread: promises, no CPU) or {@link AtomicsParker}
 * (endpoints in several Workers over a SharedArrayBuffer: `Atomics.waitAsync`/`Atomics.notify`,
 * which throw, or silently return 0, on a plain ArrayBuffer such as an mmap view: docs/bus.md "Pitfalls").
 *
 * Seen here: Bun 1.4.5's `Atomics.waitAsync` keeps a core busy while it waits (≈100 % CPU for a
 * pending 1.5 s wait; Deno's does not), so the shm bus never uses it and AtomicsParker is only for
 * the multi-Worker in-process case.
 *
 * @example
 * ```ts
 * const p = new AtomicsParker(new Int32Array(new SharedArrayBuffer(64)));
 * setTimeout(() => { Atomics.add(p.i32, 0, 1); p.wake(0); }, 10);
 * await p.park(0, 0, 1000);
 * ```
 * @module
 */

/** Sleep/wake on a word of the segment (word index into its Int32Array). */
export interface Parker {
  /** Wakes every waiter parked on word `index`. */
  wake(index: number): void;
  /** Resolves when word `index` differs from `expected`, after a wake, or after `timeoutMs`. */
  park(index: number, expected: number, timeoutMs: number): Promise<void>;
  /** Releases resources (threads). */
  close(): void;
}

/**
 * A parker for endpoints that all live in one thread: `park` awaits a promise (plus a timer),
 * `wake` resolves it. No CPU while parked.
 *
 * @example
 * ```ts
 * const hub = new LocalParker();
 * setTimeout(() => hub.wake(3), 10);
 * await hub.park(3, 0, 1000);
 * ```
 */
export class LocalParker implements Parker {
  private readonly _waiters = new Map<number, Set<() => void>>();
  /** `i32` (optional) lets `park` return at once when the word already differs. */
  constructor(private readonly _i32?: Int32Array) {}
  wake(index: number): void {
    const ws = this._waiters.get(index);
    if (!ws) return;
    this._waiters.delete(index);
    for (const w of ws) w();
  }
  park(index: number, expected: number, timeoutMs: number): Promise<void> {
    if (this._i32 && Atomics.load(this._i32, index) !== expected) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let set = this._waiters.get(index);
      if (!set) {
        set = new Set();
        this._waiters.set(index, set);
      }
      const done = () => {
        clearTimeout(timer);
        this._waiters.get(index)?.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      set.add(done);
    });
  }
  close(): void {
    for (const [, ws] of this._waiters) for (const w of ws) w();
    this._waiters.clear();
  }
}

type WaitAsync = (
  a: Int32Array,
  index: number,
  value: number,
  timeout?: number,
) => { async: boolean; value: Promise<string> | string };

/**
 * A parker over a SharedArrayBuffer, with `Atomics.waitAsync` (the event loop stays free; in Bun
 * 1.4.5 a core spins while it waits, see above), for endpoints in several Workers.
 *
 * @example
 * ```ts
 * new AtomicsParker(seg.view.i32);
 * ```
 */
export class AtomicsParker implements Parker {
  /** The words. */
  readonly i32: Int32Array;
  constructor(i32: Int32Array) {
    if (!(typeof SharedArrayBuffer !== "undefined" && i32.buffer instanceof SharedArrayBuffer)) {
      throw new TypeError("AtomicsParker needs an Int32Array over a SharedArrayBuffer");
    }
    this.i32 = i32;
  }
  wake(index: number): void {
    Atomics.notify(this.i32, index);
  }
  async park(index: number, expected: number, timeoutMs: number): Promise<void> {
    const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
    const ms = Math.max(0, timeoutMs);
    const r = waitAsync(this.i32, index, expected, ms);
    if (!r.async) return;
    // A timer races the wait: Deno does not count a pending waitAsync as keeping its event loop
    // alive, and the timer also bounds the wait if the runtime's own timeout were late.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([r.value, new Promise<void>((res) => (timer = setTimeout(res, ms + 1)))]);
    clearTimeout(timer);
  }
  close(): void {}
}
