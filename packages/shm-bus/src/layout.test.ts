import { describe, expect, test } from "bun:test";
import { HEADER_BYTES, Layout, LayoutError, LINE, MEMBER_BYTES } from "./layout.ts";

const P = { maxInstances: 4, spscBytes: 1 << 16, broadcastBytes: 1 << 15, maxRecord: 4096 };

describe("Layout", () => {
  test("regions follow each other, 64-byte aligned, without overlap", () => {
    const l = new Layout(P);
    expect(l.membersOff).toBe(HEADER_BYTES);
    expect(l.spscOff).toBe(HEADER_BYTES + 4 * MEMBER_BYTES);
    const spans: [number, number][] = [];
    for (const g of l.rings) {
      for (const off of [g.tailOff, g.cursorOff, g.dataOff, g.countersOff]) expect(off % LINE).toBe(0);
      spans.push([g.tailOff, g.dataOff + g.capacity]);
      spans.push([g.countersOff, g.countersOff + (1 + g.cursors) * LINE]);
      expect(g.dataOff).toBe(g.cursorOff + g.cursors * LINE);
    }
    spans.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
    expect(spans[spans.length - 1][1]).toBe(l.totalBytes);
    expect(spans[0][0]).toBe(l.spscOff);
  });

  test("one SPSC ring per ordered pair and one broadcast ring per instance", () => {
    const l = new Layout(P);
    expect(l.rings.length).toBe(4 * 3 + 4);
    const seen = new Set<string>();
    for (let p = 0; p < 4; p++) {
      for (let s = 0; s < 4; s++) {
        if (p === s) {
          expect(() => l.spsc(p, s)).toThrow(LayoutError);
          continue;
        }
        const g = l.spsc(p, s);
        expect([g.kind, g.from, g.to, g.cursors, g.capacity]).toEqual(["spsc", p, s, 1, 1 << 16]);
        seen.add(`${g.tailOff}`);
      }
      const b = l.broadcast(p);
      expect([b.kind, b.from, b.to, b.cursors, b.capacity]).toEqual(["broadcast", p, -1, 4, 1 << 15]);
    }
    expect(seen.size).toBe(12);
    expect(() => l.spsc(0, 4)).toThrow(LayoutError);
    expect(() => l.broadcast(-1)).toThrow(LayoutError);
  });

  test("rejects bad parameters, naming them", () => {
    const bad: [Partial<typeof P>, RegExp][] = [
      [{ maxInstances: 0 }, /maxInstances/],
      [{ maxInstances: 17 }, /maxInstances/],
      [{ maxInstances: 1.5 }, /maxInstances/],
      [{ spscBytes: 5000 }, /spscBytes/],
      [{ spscBytes: 2048 }, /spscBytes/],
      [{ broadcastBytes: 1 << 29 }, /broadcastBytes/],
      [{ maxRecord: 0 }, /maxRecord/],
      [{ maxRecord: (1 << 15) / 4 + 1 }, /maxRecord/],
      [{ maxInstances: 16, spscBytes: 1 << 24 }, /more than/],
    ];
    for (const [patch, re] of bad) expect(() => new Layout({ ...P, ...patch })).toThrow(re);
  });
});
