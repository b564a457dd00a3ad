import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { H, Layout, MAGIC, VERSION } from "./layout.ts";
import { initSegment, openSegment, SegmentError } from "./segment.ts";

const P = { maxInstances: 2, spscBytes: 4096, broadcastBytes: 4096, maxRecord: 256 };
const fresh = () => {
  const buf = new ArrayBuffer(new Layout(P).totalBytes);
  initSegment(buf, P, { pid: 42, startTime: 7, createdNs: 1e9 });
  return buf;
};
const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof SegmentError) return e.code;
    throw e;
  }
  return "OK";
};

describe("segment header", () => {
  test("a fresh segment opens with its parameters and creator", () => {
    const seg = openSegment(fresh());
    expect(seg.layout.params).toEqual(P);
    const i32 = new Int32Array(seg.buffer);
    expect(i32[H.magic >> 2]).toBe(MAGIC);
    expect(i32[H.version >> 2]).toBe(VERSION);
    expect(i32[H.creatorPid >> 2]).toBe(42);
  });

  test("refuses wrong magic, version, size, offsets and checksum, each with its code", () => {
    const poke = (word: number, v: number) => (b: ArrayBuffer) => {
      new Int32Array(b)[word] = v;
      return b;
    };
    const cases: [string, (b: ArrayBuffer) => ArrayBuffer][] = [
      ["BAD_MAGIC", poke(0, 0x12345678)],
      ["BAD_VERSION", poke(1, VERSION + 1)],
      ["NOT_READY", poke(1, 0)],
      ["BAD_HEADER", poke(H.maxRecord >> 2, 128)],
      ["BAD_SIZE", (b) => b.slice(0, b.byteLength - 64)],
      ["BAD_SIZE", (b) => b.slice(0, 100)],
      ["NOT_READY", () => new ArrayBuffer(8192)],
    ];
    for (const [want, corrupt] of cases) expect(code(() => openSegment(corrupt(fresh())))).toBe(want);
    const bigger = new Uint8Array(fresh().byteLength + 4096);
    bigger.set(new Uint8Array(fresh()));
    expect(code(() => openSegment(bigger.buffer))).toBe("BAD_SIZE");
  });

  test("error messages say what is wrong", () => {
    const b = fresh();
    new Int32Array(b)[1] = 9;
    expect(() => openSegment(b)).toThrow(/layout version 9, this build understands 1/);
    const c = fresh();
    new Int32Array(c)[0] = 0x11;
    expect(() => openSegment(c)).toThrow(/not a statd bus segment: magic 0x00000011/);
  });

  test("any corruption of the first 76 header bytes is refused (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: H.checksum + 3 }), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const b = fresh();
        new Uint8Array(b)[at] ^= x;
        expect(code(() => openSegment(b))).not.toBe("OK");
      }),
      { numRuns: 300 },
    );
  });

  test("initSegment refuses a buffer smaller than the layout", () => {
    expect(() => initSegment(new ArrayBuffer(1024), P)).toThrow(SegmentError);
  });
});
