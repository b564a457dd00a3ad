/**
 * Parking: how a waiting subscriber sleeps on a 32-bit word of the segment, and how a publisher
 * wakes it. The shm bus parks with a futex in a Worker (`bun/doorbell.ts`); over a
 * SharedArrayBuffer, `Atomics.waitAsync`/`Atomics.notify` do (they throw, or silently return 0,
 * on a plain ArrayBuffer such as an mmap view: shm-lab.md §5.2).
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

type WaitAsync = (
  a: Int32Array,
  index: number,
  value: number,
  timeout?: number,
) => { async: boolean; value: Promise<string> | string };

/**
 * A parker over a SharedArrayBuffer, with `Atomics.waitAsync` (the event loop stays free).
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
