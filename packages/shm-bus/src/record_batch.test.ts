import { describe, expect, test } from "bun:test";
import { RecordBatch } from "./record_batch.ts";
import { RecordTooLargeError } from "./ring.ts";

describe("RecordBatch", () => {
  test("frames records like a ring: [length][stamp][payload][pad to 8]", () => {
    const b = new RecordBatch(100, 256);
    expect(b.add(3)).toBe(8);
    expect(b.add(0)).toBe(24);
    expect(b.push(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), 2, 5)).toBe(true);
    expect(b.bytes.subarray(32, 37)).toEqual(new Uint8Array([3, 4, 5, 6, 7]));
    expect(b._i32[0]).toBe(3);
    expect(b._i32[4]).toBe(0);
    expect(b._i32[6]).toBe(5);
    expect(b.count).toBe(3);
    expect(b.byteLength).toBe(16 + 8 + 16);
    b.clear();
    expect(b.count).toBe(0);
    expect(b.add(1)).toBe(8);
  });

  test("refuses bad sizes with clear errors", () => {
    expect(() => new RecordBatch(1024, 1000)).toThrow(/multiple of 8/);
    expect(() => new RecordBatch(1024, 1024)).toThrow(/1032/);
    expect(() => new RecordBatch(-1)).toThrow(RangeError);
    const b = new RecordBatch(10, 64);
    expect(() => b.add(11)).toThrow(RecordTooLargeError);
    expect(() => b.add(11)).toThrow(/11 bytes.*0\.\.10/);
    expect(() => b.push(new Uint8Array(11))).toThrow(RecordTooLargeError);
    expect(b.count).toBe(0);
  });

  test("a batch compacts itself when its free space is at the front", () => {
    const b = new RecordBatch(100, 128);
    for (let i = 0; i < 3; i++) expect(b.push(new Uint8Array([i, i, i]))).toBe(true); // 3 x 16 B
    b._taken(32, 2, 6); // a ring took the first two
    expect(b.count).toBe(1);
    const at = b.add(80); // 88 B: 48 + 88 > 128, fits only with the front space
    expect(at).toBe(16 + 8);
    expect(b.bytes[8]).toBe(2); // the remaining record moved to the front, intact
    expect(b.byteLength).toBe(16 + 88);
    expect(b.add(20)).toBe(-1); // 32 B more do not fit
    expect(b.count).toBe(2);
  });
});
