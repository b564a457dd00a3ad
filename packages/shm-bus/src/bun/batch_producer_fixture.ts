/**
 * Child process of `shm_batch.test.ts`: joins instance `id` of an existing segment and sends
 * `count` checksummed records to each destination with `offerBatch` (batches of 1..`maxBatch`
 * records, lengths `minLen..maxLen`), backing off when a ring is full; prints one JSON line.
 *
 * Record: u32 seq | u32 destination + 1 | u32 FNV-1a of the rest | body.
 *
 * @example
 * ```sh
 * bun batch_producer_fixture.ts '{"name":"statd-test-1","id":0,"to":[1,-1],"count":1000,"minLen":12,"maxLen":300,"maxBatch":64}'
 * ```
 * @module
 */
import { RecordBatch } from "../record_batch.ts";
import { napSync } from "./libshm.ts";
import { ShmSegment } from "./shm_bus.ts";

interface Args {
  name: string;
  id: number;
  to: number[];
  count: number;
  minLen: number;
  maxLen: number;
  maxBatch: number;
}

/** Fills `u8[off .. off+len)` with record `seq` for destination `to` (see the module header). */
export function fillRecord(u8: Uint8Array, off: number, len: number, seq: number, to: number): void {
  const dv = new DataView(u8.buffer, u8.byteOffset + off, len);
  dv.setUint32(0, seq, true);
  dv.setUint32(4, to + 1, true);
  let x = (Math.imul(seq, 2654435761) ^ (to << 20)) >>> 0;
  for (let i = 12; i < len; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    u8[off + i] = x >>> 24;
  }
  dv.setUint32(8, recordSum(u8, off, len), true);
}

/** FNV-1a over a record without its checksum word. */
export function recordSum(u8: Uint8Array, off: number, len: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < 8; i++) h = Math.imul(h ^ u8[off + i], 0x01000193);
  for (let i = 12; i < len; i++) h = Math.imul(h ^ u8[off + i], 0x01000193);
  return h >>> 0;
}

if (import.meta.main) {
  const a: Args = JSON.parse(process.argv[2]);
  const seg = ShmSegment.attach(a.name);
  const bus = seg.join(a.id);
  const batches = a.to.map(() => new RecordBatch(bus.maxRecord, 16384));
  const next = a.to.map(() => 0);
  let rnd = 12345;
  const rand = (n: number) => {
    rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0;
    return (rnd >>> 8) % n;
  };
  let full = 0;
  while (a.to.some((_, i) => next[i] < a.count || batches[i].count > 0)) {
    let moved = 0;
    for (let i = 0; i < a.to.length; i++) {
      const b = batches[i];
      const want = 1 + rand(a.maxBatch);
      while (b.count < want && next[i] < a.count) {
        const len = a.minLen + rand(a.maxLen - a.minLen + 1);
        const at = b.add(len);
        if (at < 0) break;
        fillRecord(b.bytes, at, len, next[i]++, a.to[i]);
      }
      moved += bus.offerBatch(a.to[i], b);
    }
    if (moved === 0) {
      full++;
      bus.flush();
      napSync(20);
    }
  }
  bus.flush();
  console.log(JSON.stringify({ sent: next, full }));
  seg.close();
  process.exit(0);
}
