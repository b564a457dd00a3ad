/**
 * The contract of the {@link Bus} port: ONE suite that every implementation runs (in-process in
 * `memory.test.ts`, shm in `bun/shm_bus.test.ts`), the way iceoryx2 tests each concept.
 *
 * @example
 * ```ts
 * // in a test file, `t` is the test runner's module (bun:test, or its Deno shim)
 * import { busContract } from "./bus_contract.ts";
 * busContract(t, "memory", (o) => memoryFixture(o));
 * ```
 * @module
 */
import { BROADCAST, type Bus } from "./bus.ts";
import { RecordBatch } from "./record_batch.ts";
import { RecordTooLargeError } from "./ring.ts";

/** What a fixture is built with. */
export interface FixtureOptions {
  instances: number;
  /** Bytes of each ring (SPSC and broadcast). */
  ringBytes: number;
  maxRecord: number;
}

/** A set of joined endpoints, one per instance, plus fault controls. */
export interface BusFixture {
  buses: Bus[];
  /** Crashes instance `id` (no leave, no more heartbeats); others must come to see it dead. */
  kill(id: number): void | Promise<void>;
  /** Joins `id` again after a crash (new generation) and returns its new endpoint. */
  restart(id: number): Bus | Promise<Bus>;
  /** Closes everything (and removes any shared resource). */
  close(): void | Promise<void>;
}

/** The matchers the suite uses (Bun's `expect` and Jest's `expect` both provide them). */
export interface Matchers {
  toBe(v: unknown): void;
  toEqual(v: unknown): void;
  toBeDefined(): void;
  toBeGreaterThan(n: number): void;
  toBeGreaterThanOrEqual(n: number): void;
  toBeLessThan(n: number): void;
  toThrow(e?: unknown): void;
}

/**
 * The test functions the suite registers with, passed in by the test file (`import * as t from
 * "bun:test"`), so this portable module imports no test runner itself.
 */
export interface TestApi {
  describe(name: string, body: () => void): void;
  test(name: string, fn: () => void | Promise<void>, timeout?: number): void;
  afterEach(fn: () => void | Promise<void>): void;
  expect(v: unknown): Matchers & { rejects: { toThrow(e?: unknown): unknown } };
}

/** Builds a fixture. */
export type MakeBus = (options: FixtureOptions) => BusFixture | Promise<BusFixture>;

/** Polls `cond` (and yields) until true, or throws after `ms`. */
export async function until(cond: () => boolean, ms = 10_000, what = "condition"): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** A record carrying (publisher, seq) and a checksum over a seeded body. */
export function makeRecord(out: Uint8Array, from: number, seq: number, len: number): Uint8Array {
  const dv = new DataView(out.buffer, out.byteOffset, len);
  if (len >= 12) {
    dv.setUint32(0, from, true);
    dv.setUint32(4, seq, true);
    let x = (seq * 2654435761 + from) >>> 0;
    let sum = 0;
    for (let i = 12; i < len; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      out[i] = x >>> 24;
      sum = (sum + out[i] * (i + 1)) >>> 0;
    }
    dv.setUint32(8, sum, true);
  }
  return out.subarray(0, len);
}

/** Checks a record built by {@link makeRecord}; returns [from, seq] or throws. */
export function checkRecord(u8: Uint8Array, off: number, len: number): [number, number] {
  const dv = new DataView(u8.buffer, u8.byteOffset + off, len);
  let sum = 0;
  for (let i = 12; i < len; i++) sum = (sum + u8[off + i] * (i + 1)) >>> 0;
  if (sum !== dv.getUint32(8, true)) throw new Error(`checksum mismatch at seq ${dv.getUint32(4, true)}`);
  return [dv.getUint32(0, true), dv.getUint32(4, true)];
}

/**
 * Registers the contract tests of the bus port for one implementation.
 *
 * @example
 * ```ts
 * busContract(t, "shm", shmFixture);
 * ```
 */
export function busContract(t: TestApi, name: string, makeBus: MakeBus): void {
  const { afterEach, describe, expect, test } = t;
  describe(`Bus contract: ${name}`, () => {
    let fx: BusFixture | undefined;
    const open = async (o: Partial<FixtureOptions> = {}) => {
      fx = await makeBus({ instances: 3, ringBytes: 1 << 16, maxRecord: 4096, ...o });
      return fx;
    };
    afterEach(async () => {
      await fx?.close();
      fx = undefined;
    });

    test("orders records per publisher (SPSC from two publishers, and broadcast)", async () => {
      const { buses } = await open();
      const [a, b, c] = buses;
      const N = 20_000;
      const next = [0, 0, 0];
      const bcast = [0, 0, 0];
      const scratch = new Uint8Array(256);
      let sa = 0;
      let sb = 0;
      let sbc = 0;
      const onC = (u8: Uint8Array, off: number, len: number, from: number) => {
        const [f, seq] = checkRecord(u8, off, len);
        expect(f).toBe(from);
        if (f === 2) throw new Error("self record");
        if (seq >= 1_000_000) {
          expect(seq - 1_000_000).toBe(bcast[f]++);
        } else {
          expect(seq).toBe(next[f]++);
        }
      };
      const onB = (u8: Uint8Array, off: number, len: number, from: number) => {
        const [f, seq] = checkRecord(u8, off, len);
        expect(f).toBe(0);
        expect(from).toBe(0);
        expect(seq - 1_000_000).toBe(bcast[1]++);
      };
      while (next[0] < N || next[1] < N || bcast[0] < N) {
        for (let i = 0; i < 64; i++) {
          if (sa < N && a.offer(2, makeRecord(scratch, 0, sa, 16 + (sa % 200)))) sa++;
          if (sb < N && b.offer(2, makeRecord(scratch, 1, sb, 16 + (sb % 100)))) sb++;
          if (sbc < N && a.offer(BROADCAST, makeRecord(scratch, 0, 1_000_000 + sbc, 20))) sbc++;
        }
        a.flush();
        b.flush();
        c.poll(onC, 1000);
        b.poll(onB, 1000);
        if (next[0] % 4096 === 0) await Promise.resolve();
      }
      expect(next[0]).toBe(N);
      expect(next[1]).toBe(N);
      expect(bcast[0]).toBe(N);
      expect(bcast[1]).toBe(N);
    });

    test("no loss while the ring has room; lazy publication shows records at flush", async () => {
      const { buses } = await open({ instances: 2 });
      const [a, b] = buses;
      const scratch = new Uint8Array(128);
      let got = 0;
      const h = (u8: Uint8Array, off: number, len: number) => {
        const [, seq] = checkRecord(u8, off, len);
        expect(seq).toBe(got++);
      };
      for (let i = 0; i < 10; i++) {
        const at = a.claim(1, 40);
        expect(at).toBeGreaterThanOrEqual(0);
        a.buffer.set(makeRecord(scratch, 0, i, 40), at);
        a.commit();
      }
      expect(b.poll(h)).toBe(0); // claimed and committed, not yet published
      a.flush();
      expect(b.poll(h)).toBe(10);
      for (let i = 10; i < 500; i++) expect(a.offer(1, makeRecord(scratch, 0, i, 100))).toBe(true);
      a.flush();
      while (b.poll(h) > 0) {}
      expect(got).toBe(500);
    });

    test("back-pressure: offer returns false when full and never overwrites unread data", async () => {
      const { buses } = await open({ instances: 2, ringBytes: 1 << 14, maxRecord: 1024 });
      const [a, b] = buses;
      const scratch = new Uint8Array(1024);
      let accepted = 0;
      while (a.offer(1, makeRecord(scratch, 0, accepted, 200))) accepted++;
      expect(accepted).toBeGreaterThan(10);
      expect(a.offer(1, makeRecord(scratch, 0, accepted, 200))).toBe(false);
      expect(a.claim(1, 200)).toBe(-1);
      a.flush();
      let got = 0;
      const h = (u8: Uint8Array, off: number, len: number) => {
        const [, seq] = checkRecord(u8, off, len);
        expect(seq).toBe(got++);
      };
      b.poll(h, 5);
      expect(got).toBe(5);
      // Room for a few more now; they come after the unread ones, which are intact.
      let more = 0;
      while (a.offer(1, makeRecord(scratch, 0, accepted + more, 100))) more++;
      a.flush();
      expect(more).toBeGreaterThan(0);
      while (b.poll(h) > 0) {}
      expect(got).toBe(accepted + more);
      expect(a.offer(1, makeRecord(scratch, 0, got, 100))).toBe(true);
    });

    test("a live slow broadcast subscriber holds the publisher back; a dead one is evicted", async () => {
      const f = await open({ instances: 3, ringBytes: 1 << 14, maxRecord: 512 });
      const [a, b, c] = f.buses;
      const scratch = new Uint8Array(512);
      let sent = 0;
      let gotB = 0;
      const hB = (u8: Uint8Array, off: number, len: number) => {
        const [, seq] = checkRecord(u8, off, len);
        expect(seq).toBe(gotB++);
      };
      // b keeps up, c never reads: the ring fills and offer says no (c is alive).
      while (a.offer(BROADCAST, makeRecord(scratch, 0, sent, 200))) {
        sent++;
        a.flush();
        b.poll(hB);
      }
      expect(sent).toBeGreaterThan(10);
      b.poll(hB);
      expect(gotB).toBe(sent);
      expect(a.offer(BROADCAST, makeRecord(scratch, 0, sent, 200))).toBe(false);
      await f.kill(2);
      await until(() => a.members()[2].state === "dead", 10_000, "instance 2 seen dead");
      // Now the publisher evicts c and goes on; b still gets everything, in order.
      await until(
        () => a.offer(BROADCAST, makeRecord(scratch, 0, sent, 200)),
        10_000,
        "offer after eviction",
      );
      sent++;
      for (let i = 0; i < 500; i++) {
        while (!a.offer(BROADCAST, makeRecord(scratch, 0, sent, 200))) {
          a.flush();
          b.poll(hB);
        }
        sent++;
      }
      a.flush();
      while (b.poll(hB) > 0) {}
      expect(gotB).toBe(sent);
      expect(c).toBeDefined();
    });

    test("offerBatch: order and no loss, SPSC and broadcast, mixed with offer, across many wraps", async () => {
      const { buses } = await open({ instances: 3, ringBytes: 1 << 14, maxRecord: 1024 });
      const [a, b, c] = buses;
      const N = 6000;
      const got = { spsc: 0, bcastB: 0, bcastC: 0 };
      const scratch = new Uint8Array(1024);
      const lenOf = (seq: number) => 12 + ((seq * 53) % 300);
      const onC = (u8: Uint8Array, off: number, len: number, from: number) => {
        const [f, seq] = checkRecord(u8, off, len);
        expect(from).toBe(0);
        expect(f).toBe(0);
        if (seq >= 1_000_000) expect(seq - 1_000_000).toBe(got.bcastC++);
        else {
          expect(len).toBe(lenOf(seq));
          expect(seq).toBe(got.spsc++);
        }
      };
      const onB = (u8: Uint8Array, off: number, len: number) => {
        const [, seq] = checkRecord(u8, off, len);
        expect(seq - 1_000_000).toBe(got.bcastB++);
      };
      const spsc = new RecordBatch(a.maxRecord, 4096);
      const bcast = new RecordBatch(a.maxRecord, 2048);
      let s = 0;
      let sb = 0;
      while (got.spsc < N || got.bcastB < N || got.bcastC < N) {
        // fill the batches (every 7th record goes through offer() instead, when the batch is empty)
        while (s < N) {
          if (s % 7 === 0 && spsc.count === 0) {
            if (!a.offer(2, makeRecord(scratch, 0, s, lenOf(s)))) break;
            s++;
            continue;
          }
          const at = spsc.add(lenOf(s));
          if (at < 0) break;
          makeRecord(spsc.bytes.subarray(at), 0, s++, lenOf(s - 1));
        }
        while (sb < N && bcast.push(makeRecord(scratch, 0, 1_000_000 + sb, 20))) sb++;
        a.offerBatch(2, spsc);
        a.offerBatch(BROADCAST, bcast);
        a.flush();
        c.poll(onC, 500);
        b.poll(onB, 500);
        await Promise.resolve();
      }
      expect([got.spsc, got.bcastB, got.bcastC]).toEqual([N, N, N]);
      expect(spsc.count + bcast.count).toBe(0);
    });

    test("offerBatch back-pressure: takes what fits, keeps the rest, never overwrites unread data", async () => {
      const { buses } = await open({ instances: 2, ringBytes: 1 << 14, maxRecord: 1024 });
      const [a, b] = buses;
      const batch = new RecordBatch(a.maxRecord, 1 << 16); // four times the ring
      let added = 0;
      for (let at = batch.add(200); at >= 0; at = batch.add(200)) {
        makeRecord(batch.bytes.subarray(at), 0, added++, 200);
      }
      const first = a.offerBatch(1, batch);
      expect(first).toBeGreaterThan(10);
      expect(first).toBeLessThan(added);
      expect(batch.count).toBe(added - first);
      expect(a.offerBatch(1, batch)).toBe(0); // full
      expect(a.offer(1, new Uint8Array(200))).toBe(false);
      a.flush();
      let got = 0;
      const h = (u8: Uint8Array, off: number, len: number) => {
        const [, seq] = checkRecord(u8, off, len);
        expect(seq).toBe(got++);
      };
      b.poll(h, 5);
      expect(got).toBe(5);
      const second = a.offerBatch(1, batch); // room for a few more, after the unread ones
      expect(second).toBeGreaterThan(0);
      expect(second).toBeLessThan(10);
      while (batch.count > 0) {
        a.offerBatch(1, batch);
        a.flush();
        b.poll(h, 7);
      }
      a.flush();
      while (b.poll(h) > 0) {}
      expect(got).toBe(added);
    });

    test("offerBatch: records of 0 and maxRecord bytes pass; larger ones are refused", async () => {
      const { buses } = await open({ instances: 2, ringBytes: 1 << 15, maxRecord: 8192 });
      const [a, b] = buses;
      const batch = new RecordBatch(a.maxRecord, 16400);
      expect(batch.add(0)).toBeGreaterThanOrEqual(0);
      const at = batch.add(8192);
      makeRecord(batch.bytes.subarray(at), 0, 1, 8192);
      expect(() => batch.add(8193)).toThrow(RecordTooLargeError);
      expect(() => batch.add(8193)).toThrow(/8193 bytes.*0\.\.8192/);
      expect(() => a.offerBatch(1, new RecordBatch(8200))).toThrow(RecordTooLargeError);
      expect(() => a.offerBatch(0, batch)).toThrow(/bad destination/);
      expect(a.offerBatch(1, batch)).toBe(2);
      a.flush();
      const lens: number[] = [];
      b.poll((u8, off, len) => {
        lens.push(len);
        if (len > 0) expect(checkRecord(u8, off, len)).toEqual([0, 1]);
      });
      expect(lens).toEqual([0, 8192]);
    });

    test("a parked subscriber is woken by a publication", async () => {
      const { buses } = await open({ instances: 2 });
      const [a, b] = buses;
      expect(await b.wait(20)).toBe(false); // nothing: times out
      for (let round = 0; round < 3; round++) {
        const woke = b.wait(60_000); // a lost wake-up would hang here until the test times out
        await new Promise((r) => setTimeout(r, 30));
        expect(a.offer(1, new Uint8Array([round]))).toBe(true);
        a.flush();
        expect(await woke).toBe(true);
        let v = -1;
        expect(b.poll((u8, off) => (v = u8[off]))).toBe(1);
        expect(v).toBe(round);
      }
    });

    test("several concurrent waits on one endpoint are all woken", async () => {
      const { buses } = await open({ instances: 2 });
      const [a, b] = buses;
      const waits = [b.wait(60_000), b.wait(60_000), b.wait(60_000)];
      await new Promise((r) => setTimeout(r, 20));
      a.offer(1, new Uint8Array([5]));
      a.flush();
      expect(await Promise.all(waits)).toEqual([true, true, true]);
    });

    test("close() during a wait ends it with false, and the endpoint refuses further use", async () => {
      const { buses } = await open({ instances: 2 });
      const b = buses[1];
      const w = b.wait(60_000);
      await new Promise((r) => setTimeout(r, 20));
      b.close();
      expect(await w).toBe(false);
      expect(b.available()).toBe(false);
      expect(() => b.poll(() => {})).toThrow(/closed/);
      expect(() => b.commit()).toThrow(/closed/);
      const batch = new RecordBatch(b.maxRecord);
      batch.push(new Uint8Array([1]));
      expect(() => b.offerBatch(0, batch)).toThrow(/closed/);
      expect(batch.count).toBe(1);
      await expect(b.wait(10)).rejects.toThrow(/closed/);
      b.flush(); // a no-op, not an error
    });

    test("wait() flushes the waiter's own lazily published records", async () => {
      const { buses } = await open({ instances: 2 });
      const [a, b] = buses;
      a.offer(1, new Uint8Array([7]));
      expect(b.available()).toBe(false);
      await a.wait(1);
      expect(b.available()).toBe(true);
    });

    test("records up to maxRecord pass intact; larger ones are refused with a clear error", async () => {
      const { buses } = await open({ instances: 2, ringBytes: 1 << 15, maxRecord: 8192 });
      const [a, b] = buses;
      const big = new Uint8Array(8192);
      makeRecord(big, 0, 1, 8192);
      const empty = new Uint8Array(0);
      expect(a.offer(1, empty)).toBe(true);
      expect(a.offer(1, big)).toBe(true);
      expect(() => a.offer(1, new Uint8Array(8193))).toThrow(RecordTooLargeError);
      expect(() => a.offer(1, new Uint8Array(8193))).toThrow(/8193 bytes.*0\.\.8192/);
      expect(() => a.claim(1, -1)).toThrow(RangeError);
      expect(() => a.claim(1, 1.5)).toThrow(RangeError);
      a.flush();
      const lens: number[] = [];
      b.poll((u8, off, len) => {
        lens.push(len);
        if (len > 0) expect(checkRecord(u8, off, len)).toEqual([0, 1]);
      });
      expect(lens).toEqual([0, 8192]);
    });

    test("refuses a send to itself or to an unknown instance", async () => {
      const { buses } = await open({ instances: 2 });
      expect(() => buses[0].offer(0, new Uint8Array(1))).toThrow(RangeError);
      expect(() => buses[0].offer(2, new Uint8Array(1))).toThrow(/bad destination/);
      expect(() => buses[0].offer(-2, new Uint8Array(1))).toThrow(RangeError);
    });

    test("membership: a crashed instance is seen dead, and takes its slot back with a new generation", async () => {
      const f = await open({ instances: 2 });
      const [a, b] = f.buses;
      expect(a.members().map((m) => m.state)).toEqual(["alive", "alive"]);
      const gen = b.generation;
      // Records sent to b before and after its crash wait in its SPSC ring for the next incarnation.
      expect(a.offer(1, new Uint8Array([1]))).toBe(true);
      a.flush();
      await f.kill(1);
      await until(() => a.members()[1].state === "dead", 10_000, "instance 1 seen dead");
      expect(a.offer(1, new Uint8Array([2]))).toBe(true);
      a.flush();
      const b2 = await f.restart(1);
      expect(b2.generation).toBe(gen + 1);
      expect(a.members()[1].state).toBe("alive");
      const got: number[] = [];
      b2.poll((u8, off) => got.push(u8[off]));
      expect(got).toEqual([1, 2]);
    });

    test("a clean leave marks the slot left", async () => {
      const f = await open({ instances: 2 });
      f.buses[1].close();
      expect(f.buses[0].members()[1].state).toBe("left");
      f.buses[1].close(); // idempotent
    });
  });
}
