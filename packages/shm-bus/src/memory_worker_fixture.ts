/**
 * Worker side of the Worker test in `memory.test.ts`: joins instance 0 of a MemoryCluster posted
 * as a SharedArrayBuffer and sends `n` records (seq, then `seq % 64` filler bytes) to instance 1.
 * @module
 */
import { MemoryCluster } from "./memory.ts";

declare const self: { onmessage: ((e: { data: { sab: SharedArrayBuffer; n: number } }) => void) | null };

self.onmessage = async (e) => {
  const c = MemoryCluster.attach(e.data.sab);
  const a = c.join(0, { heartbeatMs: 0 });
  const rec = new Uint8Array(8 + 64);
  const dv = new DataView(rec.buffer);
  for (let i = 0; i < e.data.n; i++) {
    dv.setUint32(0, i, true);
    while (!a.offer(1, rec, 0, 8 + (i % 64))) {
      a.flush();
      await new Promise((r) => setTimeout(r, 0));
    }
  }
  a.flush();
};
