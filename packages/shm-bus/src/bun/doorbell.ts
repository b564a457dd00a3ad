/**
 * Parking for a process that serves an event loop: a small Worker blocks in `futex_wait` on the
 * segment's doorbell word (through libshm; `Atomics.wait` refuses non-shared buffers) and rings
 * the main thread with `postMessage`. The main thread never blocks (docs/bus.md "Pitfalls": p50 ≈ 29 µs
 * here, event loop ticking). Not `Atomics.waitAsync` on a SharedArrayBuffer bell as in the lab:
 * in Bun 1.4.5 a pending waitAsync keeps a core busy (measured ≈ 100 %), which would make an
 * idle instance burn a core.
 *
 * The Worker gets the mapping's address (a number), never the buffer: posting a buffer copies it
 * (or detaches it). It touches the mapping only through futex calls, which fail with EFAULT,
 * never crash, if the mapping is gone.
 *
 * @example
 * ```ts
 * const p = new DoorbellParker(memory.ptr);
 * await p.park(wordIndex, expectedValue, 100);
 * p.close();
 * ```
 * @module
 */
import type { Pointer } from "bun:ffi";
import type { Parker } from "../parker.ts";
import { libshm } from "./libshm.ts";

/** Control words shared with the worker. */
export const CTL = { arm: 0, index: 1, expected: 2, timeoutMs: 3, bell: 4, stop: 5, state: 6 } as const;

/**
 * A {@link Parker} over a futex word of an mmap'ed segment, with a doorbell Worker.
 *
 * @example
 * ```ts
 * const bus = new SegmentBus(seg, { ...opts, parker: new DoorbellParker(memory.ptr) });
 * ```
 */
export class DoorbellParker implements Parker {
  private readonly _base: number;
  private readonly _ctl = new Int32Array(new SharedArrayBuffer(64));
  private _worker: Worker | undefined;
  private _closed = false;
  private readonly _waiting = new Set<() => void>();

  /** `base` is the address of word 0 of the Int32Array that `park`/`wake` indices refer to. */
  constructor(base: number) {
    this._base = base;
  }

  wake(index: number): void {
    libshm().shm_futex_wake((this._base + index * 4) as unknown as Pointer, 0x7fffffff);
  }

  async park(index: number, expected: number, timeoutMs: number): Promise<void> {
    if (this._closed) return;
    const ctl = this._ctl;
    this._start();
    ctl[CTL.index] = index;
    ctl[CTL.expected] = expected;
    ctl[CTL.timeoutMs] = Math.max(0, Math.ceil(timeoutMs));
    const rung = new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this._waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this._waiting.add(done);
    });
    Atomics.add(ctl, CTL.arm, 1);
    Atomics.notify(ctl, CTL.arm);
    await rung;
  }

  /** Stops the worker and waits (≤ 1 s) until it has left its futex wait. Idempotent. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    const w = this._worker;
    if (!w) return;
    const ctl = this._ctl;
    Atomics.store(ctl, CTL.stop, 1);
    Atomics.add(ctl, CTL.arm, 1);
    Atomics.notify(ctl, CTL.arm);
    const t0 = performance.now();
    while (Atomics.load(ctl, CTL.state) !== 2 && performance.now() - t0 < 1000) {
      this.wake(ctl[CTL.index]);
      Atomics.wait(ctl, CTL.state, Atomics.load(ctl, CTL.state), 2);
    }
    w.terminate();
    this._ring();
  }

  /** Resolves every pending park (a wake-up, or close). */
  private _ring(): void {
    for (const done of [...this._waiting]) done();
  }

  private _start(): void {
    if (this._worker) return;
    const w = new Worker(new URL("./doorbell_worker.ts", import.meta.url).href);
    w.onmessage = () => this._ring();
    w.postMessage({ ctl: this._ctl, base: this._base });
    (w as unknown as { unref?: () => void }).unref?.();
    this._worker = w;
  }
}
