/**
 * The doorbell Worker of {@link DoorbellParker}: waits for an arm request, blocks in
 * `futex_wait(base + index*4, expected, timeout)`, then rings the main thread (`postMessage`).
 * Exits when asked (`stop`).
 * @module
 */
import type { Pointer } from "bun:ffi";
import { CTL } from "./doorbell.ts";
import { libshm } from "./libshm.ts";

declare const self: {
  onmessage: ((e: { data: { ctl: SharedArrayBuffer | Int32Array; base: number } }) => void) | null;
  postMessage(m: number): void;
};

self.onmessage = (e) => {
  self.onmessage = null;
  const ctl = e.data.ctl instanceof Int32Array ? e.data.ctl : new Int32Array(e.data.ctl);
  const base = e.data.base;
  const L = libshm();
  let seen = 0;
  Atomics.store(ctl, CTL.state, 1);
  for (;;) {
    Atomics.wait(ctl, CTL.arm, seen);
    if (Atomics.load(ctl, CTL.stop) !== 0) break;
    seen = Atomics.load(ctl, CTL.arm);
    const index = ctl[CTL.index];
    const expected = ctl[CTL.expected];
    const ms = ctl[CTL.timeoutMs];
    L.shm_futex_wait((base + index * 4) as unknown as Pointer, expected, ms * 1e6);
    if (Atomics.load(ctl, CTL.stop) !== 0) break;
    self.postMessage(Atomics.add(ctl, CTL.bell, 1));
  }
  Atomics.store(ctl, CTL.state, 2);
  Atomics.notify(ctl, CTL.state);
};
