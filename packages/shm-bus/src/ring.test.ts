import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Layout } from "./layout.ts";
import { RecordBatch } from "./record_batch.ts";
import { RecordTooLargeError, RingReader, RingWriter, recordSize } from "./ring.ts";
import { initSegment } from "./segment.ts";

const P = { maxInstances: 3, spscBytes: 4096, broadcastBytes: 4096, maxRecord: 1024 };
const mk = () => initSegment(new ArrayBuffer(new Layout(P).totalBytes), P);
const rec = (seq: number, len: number) => {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (seq * 31 + i) & 0xff;
  return b;
};
const isRec = (u8: Uint8Array, off: number, len: number, seq: number) => {
  for (let i = 0; i < len; i++) if (u8[off + i] !== ((seq * 31 + i) & 0xff)) return false;
  return true;
};

describe("SPSC ring", () => {
  test("matches a FIFO model for any interleaving of offers, polls and flushes (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant("offer" as const), len: fc.integer({ min: 0, max: 1024 }) }),
            fc.record({ op: fc.constant("poll" as const), max: fc.integer({ min: 1, max: 20 }) }),
            fc.record({ op: fc.constant("flush" as const) }),
            fc.record({
              op: fc.constant("batch" as const),
              lens: fc.array(fc.integer({ min: 0, max: 1024 }), { maxLength: 12 }),
            }),
          ),
          { maxLength: 300 },
        ),
        (publishEvery, ops) => {
          const seg = mk();
          const g = seg.layout.spsc(0, 1);
          const w = new RingWriter(seg.view, g, 1024, { publishEvery });
          const r = new RingReader(seg.view, g, 0, 1024);
          // a batch larger than the ring, kept across ops: what a ring does not take stays in it
          const batch = new RecordBatch(1024, 8192);
          const inBatch: [number, number][] = [];
          const queue: [number, number][] = []; // committed: [seq, len]
          let published = 0; // how many of the queue are published
          let seq = 0;
          const deliver = (max: number) => {
            let n = 0;
            r.poll((u8, off, len, from) => {
              const [s, l] = queue.shift()!;
              published--;
              expect(from).toBe(0);
              expect(len).toBe(l);
              expect(isRec(u8, off, len, s)).toBe(true);
              n++;
            }, max);
            return n;
          };
          for (const o of ops) {
            if (o.op === "offer") {
              const ok = w.offer(rec(seq, o.len));
              if (ok) {
                queue.push([seq, o.len]);
                if (w.pending === 0) published = queue.length;
              } else {
                // refused only when it cannot fit: unread records + at most two paddings (< one
                // max-size record each) + this record exceed the capacity
                const held = queue.reduce((a, [, l]) => a + recordSize(l), 0);
                expect(held + recordSize(o.len) + 2 * recordSize(1024)).toBeGreaterThan(4096);
              }
              seq++;
            } else if (o.op === "batch") {
              for (const len of o.lens) {
                const at = batch.add(len);
                if (at < 0) continue; // scratch full
                batch.bytes.set(rec(seq, len), at);
                inBatch.push([seq++, len]);
              }
              const n = w.offerBatch(batch);
              expect(batch.count).toBe(inBatch.length - n);
              queue.push(...inBatch.splice(0, n));
              if (n > 0 && w.pending === 0) published = queue.length;
              if (inBatch.length > 0) {
                // the first record left could not fit (same bound as for offer)
                const held = queue.reduce((a, [, l]) => a + recordSize(l), 0);
                expect(held + recordSize(inBatch[0][1]) + 2 * recordSize(1024)).toBeGreaterThan(4096);
              }
            } else if (o.op === "flush") {
              w.publish();
              published = queue.length;
            } else {
              const before = published;
              expect(deliver(o.max)).toBe(Math.min(o.max, before));
            }
            expect(w.fill()).toBeLessThanOrEqual(4096);
          }
          w.publish();
          while (deliver(1000) > 0) {}
          while (inBatch.length > 0) {
            const n = w.offerBatch(batch);
            queue.push(...inBatch.splice(0, n));
            w.publish();
            while (deliver(1000) > 0) {}
          }
          expect(batch.count).toBe(0);
          expect(queue.length).toBe(0);
          expect(r.overruns).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("offerBatch: cursors wrap at 2^31 and 2^32; records ending exactly at the ring's end", () => {
    for (const start of [0x7fffffff - 5000, -5000]) {
      for (const fixed of [0, 56]) {
        // fixed 56-byte payloads are 64-byte records: 4096 / 64, the last one ends at the end
        const seg = mk();
        const g = seg.layout.spsc(0, 1);
        const aligned = start & ~7;
        seg.view.i32[g.tailOff >> 2] = aligned;
        seg.view.i32[g.cursorOff >> 2] = aligned;
        const w = new RingWriter(seg.view, g, 1024, { publishEvery: 3 });
        const r = new RingReader(seg.view, g, 0, 1024);
        const lenOf = (i: number) => (fixed > 0 ? fixed : 1 + ((i * 37) % 300));
        const batch = new RecordBatch(1024, 2048);
        let sent = 0;
        let got = 0;
        while (got < 400) {
          for (let at = batch.add(lenOf(sent)); at >= 0; at = batch.add(lenOf(sent))) {
            batch.bytes.set(rec(sent++, lenOf(sent - 1)), at);
          }
          w.offerBatch(batch);
          w.publish();
          r.poll((u8, off, len) => {
            expect(len).toBe(lenOf(got));
            expect(isRec(u8, off, len, got++)).toBe(true);
          }, 7);
        }
        expect(r.overruns).toBe(0);
        expect(w.records).toBe(sent - batch.count);
      }
    }
  });

  test("offerBatch refuses a batch built for larger records; add() refuses oversize records", () => {
    const seg = mk();
    const w = new RingWriter(seg.view, seg.layout.spsc(0, 1), 1024);
    const big = new RecordBatch(2048, 4096);
    big.add(10);
    expect(() => w.offerBatch(big)).toThrow(RecordTooLargeError);
    expect(big.count).toBe(1);
    const b = new RecordBatch(1024, 2048);
    expect(() => b.add(1025)).toThrow(RecordTooLargeError);
    expect(() => b.add(-1)).toThrow(RangeError);
    expect(() => b.add(2.5)).toThrow(RangeError);
    expect(() => new RecordBatch(1024, 1000)).toThrow(/multiple of 8/);
    expect(w.offerBatch(b)).toBe(0); // empty
    expect(b.push(new Uint8Array(1024))).toBe(true);
    expect(b.push(new Uint8Array(1020))).toBe(false); // scratch full: 2048 < 2 x 1032
    expect(w.offerBatch(b)).toBe(1);
    expect(b.count).toBe(0);
    expect(b.byteLength).toBe(0);
  });

  test("claim/commit: nothing visible before publication; padding at the wrap is invisible", () => {
    const seg = mk();
    const g = seg.layout.spsc(0, 1);
    const w = new RingWriter(seg.view, g, 1024, { publishEvery: 1000 });
    const r = new RingReader(seg.view, g, 0, 1024);
    let seq = 0;
    let got = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 3; i++) {
        const len = 300 + ((round * 7 + i) % 50);
        const at = w.claim(len);
        expect(at).toBeGreaterThan(0);
        seg.view.u8.set(rec(seq++, len), at);
        w.commit();
      }
      expect(r.available()).toBe(false);
      w.publish();
      r.poll((u8, off, len) => {
        expect(isRec(u8, off, len, got++)).toBe(true);
      }, 100);
    }
    expect(got).toBe(150);
    expect(w.records).toBe(150);
  });

  test("cursors wrap at 2^31 and 2^32 without a glitch", () => {
    for (const start of [0x7fffffff - 5000, -5000]) {
      const seg = mk();
      const g = seg.layout.spsc(0, 1);
      const aligned = start & ~7;
      seg.view.i32[g.tailOff >> 2] = aligned;
      seg.view.i32[g.cursorOff >> 2] = aligned;
      const w = new RingWriter(seg.view, g, 1024, { publishEvery: 3 });
      const r = new RingReader(seg.view, g, 0, 1024);
      let sent = 0;
      let got = 0;
      while (got < 200) {
        while (w.offer(rec(sent, 1 + ((sent * 37) % 300)))) sent++;
        w.publish();
        r.poll((u8, off, len) => {
          expect(len).toBe(1 + ((got * 37) % 300));
          expect(isRec(u8, off, len, got++)).toBe(true);
        }, 7);
      }
      expect(r.overruns).toBe(0);
    }
  });

  test("refuses records above maxRecord, negative or fractional lengths", () => {
    const seg = mk();
    const w = new RingWriter(seg.view, seg.layout.spsc(0, 1), 1024);
    expect(() => w.claim(1025)).toThrow(RecordTooLargeError);
    expect(() => w.claim(-1)).toThrow(/0\.\.1024/);
    expect(() => w.claim(Number.NaN)).toThrow(RangeError);
    expect(() => w.commit()).toThrow(/without a matching claim/);
  });

  test("a corrupted record is counted as an overrun and never delivered; the reader skips to the tail", () => {
    const seg = mk();
    const g = seg.layout.spsc(0, 1);
    const w = new RingWriter(seg.view, g, 1024, { publishEvery: 1 });
    const r = new RingReader(seg.view, g, 0, 1024);
    for (let i = 0; i < 5; i++) w.offer(rec(i, 40));
    seg.view.i32[(g.dataOff >> 2) + 1] ^= 0x40; // stamp of the first record
    let n = 0;
    expect(r.poll(() => n++, 100)).toBe(0);
    expect(n).toBe(0);
    expect(r.overruns).toBe(1);
    expect(r.available()).toBe(false);
    w.offer(rec(9, 40));
    r.poll((u8, off, len) => expect(isRec(u8, off, len, 9)).toBe(true), 100);
    // a length beyond maxRecord is corruption too
    const at = w.claim(40);
    seg.view.i32[(at - 8) >> 2] = 5000;
    w.commit();
    w.publish();
    expect(r.poll(() => n++, 100)).toBe(0);
    expect(r.overruns).toBe(2);
    expect(n).toBe(0);
  });

  test("a handler that throws consumes its record (no poison loop)", () => {
    const seg = mk();
    const g = seg.layout.spsc(0, 1);
    const w = new RingWriter(seg.view, g, 1024, { publishEvery: 1 });
    const r = new RingReader(seg.view, g, 0, 1024);
    for (let i = 0; i < 3; i++) w.offer(rec(i, 8));
    const seen: number[] = [];
    expect(() =>
      r.poll((u8, off) => {
        seen.push(u8[off]);
        if (seen.length === 2) throw new Error("boom");
      }, 10),
    ).toThrow("boom");
    r.poll((u8, off) => seen.push(u8[off]), 10);
    expect(seen).toEqual([0, 31, 62]);
  });

  test("a new writer and reader (restarted instance) resume from the published cursors", () => {
    const seg = mk();
    const g = seg.layout.spsc(0, 1);
    const w1 = new RingWriter(seg.view, g, 1024, { publishEvery: 1 });
    const r1 = new RingReader(seg.view, g, 0, 1024);
    for (let i = 0; i < 10; i++) w1.offer(rec(i, 100));
    r1.poll(() => {}, 4);
    w1.offer(rec(10, 100)); // published
    const unpublished = new RingWriter(seg.view, g, 1024, { publishEvery: 100 });
    unpublished.offer(rec(99, 100)); // dies before publishing: invisible
    const w2 = new RingWriter(seg.view, g, 1024, { publishEvery: 1 });
    expect(w2.records).toBe(11);
    w2.offer(rec(11, 100));
    const r2 = new RingReader(seg.view, g, 0, 1024);
    const got: number[] = [];
    let s = 4;
    r2.poll((u8, off, len) => {
      expect(isRec(u8, off, len, s)).toBe(true);
      got.push(s++);
    }, 100);
    expect(got).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
  });
});

describe("broadcast ring", () => {
  test("a subscriber joins at the tail; with nobody listening the writer never blocks", () => {
    const seg = mk();
    const g = seg.layout.broadcast(0);
    const w = new RingWriter(seg.view, g, 1024, { publishEvery: 64 });
    for (let i = 0; i < 1000; i++) expect(w.offer(rec(i, 100))).toBe(true);
    const r1 = new RingReader(seg.view, g, 1, 1024);
    expect(r1.attach(7)).toBe(false); // new cursor: starts at the tail
    expect(r1.available()).toBe(false);
    w.offer(rec(1000, 100));
    w.publish();
    const got: number[] = [];
    r1.poll((u8, off, len) => got.push(isRec(u8, off, len, 1000) ? 1000 : -1), 10);
    expect(got).toEqual([1000]);
  });

  test("offerBatch with nobody listening never blocks, and a subscriber joining mid-way is never lapped", () => {
    const seg = mk();
    const g = seg.layout.broadcast(0);
    const w = new RingWriter(seg.view, g, 1024, { publishEvery: 64 });
    const batch = new RecordBatch(1024, 16384); // 4 x the ring: goes round several times
    let seq = 0;
    for (let round = 0; round < 5; round++) {
      while (batch.push(rec(seq, 100))) seq++;
      const c = batch.count;
      expect(w.offerBatch(batch)).toBe(c); // all taken at once
      expect(batch.count).toBe(0);
    }
    const r1 = new RingReader(seg.view, g, 1, 1024);
    expect(r1.attach(7)).toBe(false); // starts at the (published) tail
    expect(r1.available()).toBe(false);
    const first = seq;
    while (batch.push(rec(seq, 100))) seq++;
    const n = w.offerBatch(batch); // now the reader holds the writer back
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(seq - first);
    w.publish();
    let got = first;
    r1.poll((u8, off, len) => expect(isRec(u8, off, len, got++)).toBe(true), 1000);
    expect(got).toBe(first + n);
    expect(r1.overruns).toBe(0);
  });

  test("the slowest live subscriber holds the writer; a dead one is evicted and finds out", () => {
    const seg = mk();
    const g = seg.layout.broadcast(0);
    const dead = new Set<number>();
    const w = new RingWriter(seg.view, g, 1024, {
      publishEvery: 1,
      hooks: { afterPublish: () => {}, isDead: (k) => dead.has(k) },
    });
    const r1 = new RingReader(seg.view, g, 1, 1024);
    const r2 = new RingReader(seg.view, g, 2, 1024);
    r1.attach(1);
    r2.attach(1);
    let sent = 0;
    while (w.offer(rec(sent, 200))) {
      sent++;
      r1.poll(() => {}, 100);
    }
    expect(sent).toBeGreaterThan(5);
    expect(w.full).toBe(1);
    dead.add(2);
    expect(w.offer(rec(sent++, 200))).toBe(true);
    expect(w.evictions).toBe(1);
    // r2 comes back (it was only slow): it learns it was evicted, counts it, and rejoins at the tail.
    let n = 0;
    expect(r2.poll(() => n++, 100)).toBe(0);
    expect(r2.overruns).toBe(1);
    expect(n).toBe(0);
    w.offer(rec(sent, 200));
    r2.poll((u8, off, len) => expect(isRec(u8, off, len, sent)).toBe(true), 100);
    expect(r2.records).toBe(1);
  });

  test("a restarted subscriber whose cursor was not evicted resumes without loss", () => {
    const seg = mk();
    const g = seg.layout.broadcast(0);
    const w = new RingWriter(seg.view, g, 1024, { publishEvery: 1 });
    const r = new RingReader(seg.view, g, 1, 1024);
    r.attach(1);
    for (let i = 0; i < 3; i++) w.offer(rec(i, 10));
    const again = new RingReader(seg.view, g, 1, 1024);
    expect(again.attach(2)).toBe(true);
    expect(again.poll(() => {}, 10)).toBe(3);
    r.detach();
    expect(w.fill()).toBe(0);
  });
});
