import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { encodeEventLine, encodeLine, type FrameError, LineSplitter, utf8 } from "./codec.ts";

function collect(max?: number) {
  const lines: string[] = [];
  const bad: [FrameError, number][] = [];
  const sp = new LineSplitter({ line: (t) => lines.push(t), bad: (r, n) => bad.push([r, n]) }, max);
  return { sp, lines, bad };
}

describe("LineSplitter", () => {
  test("splits lines across arbitrary chunk boundaries, multi-byte UTF-8 included", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc
            .string({ unit: "grapheme", minLength: 1, maxLength: 30 })
            .filter((s) => !s.includes("\n") && !s.endsWith("\r")),
          {
            maxLength: 20,
          },
        ),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 10 }),
        (lines, cuts) => {
          const bytes = utf8(lines.map((l) => `${l}\n`).join(""));
          const c = collect();
          let off = 0;
          let i = 0;
          while (off < bytes.length) {
            const n = cuts[i++ % cuts.length]!;
            c.sp.push(bytes.subarray(off, off + n));
            off += n;
          }
          expect(c.lines).toEqual(lines.filter((l) => l.length > 0));
          expect(c.bad).toEqual([]);
          expect(c.sp.pendingBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("strips a trailing CR and ignores blank lines", () => {
    const c = collect();
    c.sp.push(utf8('{"a":1}\r\n\n\r\n{"b":2}\n'));
    expect(c.lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  test("a line at the limit passes; one byte over is refused", () => {
    const c = collect(10);
    c.sp.push(utf8(`${"a".repeat(10)}\n${"b".repeat(11)}\nok\n`));
    expect(c.lines).toEqual(["a".repeat(10), "ok"]);
    expect(c.bad).toEqual([["line-too-long", 11]]);
  });

  test("an oversized line is discarded without being buffered, in many chunks", () => {
    const c = collect(64 * 1024);
    c.sp.push(utf8('{"first":1}\n{"big":"'));
    const block = utf8("x".repeat(64 * 1024));
    let maxPending = 0;
    for (let i = 0; i < 160; i++) {
      // 10 MiB in 64 KiB chunks
      c.sp.push(block);
      maxPending = Math.max(maxPending, c.sp.pendingBytes);
    }
    expect(c.sp.discarding).toBe(true);
    c.sp.push(utf8('"}\n{"after":2}\n'));
    expect(maxPending).toBeLessThanOrEqual(64 * 1024);
    expect(c.lines).toEqual(['{"first":1}', '{"after":2}']);
    expect(c.bad.length).toBe(1);
    expect(c.bad[0]![0]).toBe("line-too-long");
    expect(c.bad[0]![1]).toBe(8 + 160 * 64 * 1024 + 2);
  });

  test("invalid UTF-8 is refused, the next line still parses", () => {
    const c = collect();
    c.sp.push(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d, 0x0a, 0x7b, 0x7d, 0x0a]));
    expect(c.bad).toEqual([["invalid-utf8", 4]]);
    expect(c.lines).toEqual(["{}"]);
  });

  test("end() reports an unterminated tail", () => {
    const c = collect();
    c.sp.push(utf8('{"a":1}\n{"b"'));
    expect(c.sp.end()).toBe(4);
    expect(c.sp.end()).toBe(0);
  });

  test("random bytes never throw and never hold more than the limit", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), (chunks) => {
        const c = collect(100);
        for (const ch of chunks) {
          c.sp.push(ch);
          expect(c.sp.pendingBytes).toBeLessThanOrEqual(100);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("encoding", () => {
  test("encodeLine and encodeEventLine put seq first", () => {
    expect(encodeLine({ op: "ping" })).toBe('{"op":"ping"}\n');
    const line = encodeEventLine(7, { event: "EventOnHook", time: 1, thisDN: "1001" });
    expect(line).toBe('{"seq":7,"event":"EventOnHook","time":1,"thisDN":"1001"}\n');
    expect(JSON.parse(line).seq).toBe(7);
    expect(encodeEventLine(1, {})).toBe('{"seq":1}\n');
  });
});
