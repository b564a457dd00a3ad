import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type BusRecord, decodeRecord, encodeRecord, K, RecordError } from "./records.ts";

const roundTrip = (r: BusRecord): BusRecord => {
  const b = encodeRecord(r);
  // inside a larger buffer, at an offset, as the bus hands records over
  const big = new Uint8Array(b.length + 10);
  big.set(b, 7);
  return decodeRecord(big, 7, b.length);
};

describe("bus records", () => {
  test("an event keeps every attribute (property)", () => {
    fc.assert(
      fc.property(
        fc.record({
          event: fc.string(),
          time: fc.double({ noNaN: true }),
          thisDN: fc.string(),
          connId: fc.option(fc.string(), { nil: undefined }),
          userData: fc.option(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())), {
            nil: undefined,
          }),
          snapshot: fc.option(fc.boolean(), { nil: undefined }),
        }),
        (ev) => {
          const clean = JSON.parse(JSON.stringify(ev));
          expect(roundTrip({ k: K.event, ev: clean })).toEqual({ k: K.event, ev: clean });
        },
      ),
    );
  });

  test("every kind round-trips", () => {
    const recs: BusRecord[] = [
      { k: K.source, key: "node1/interactionProxy", op: "reset", t: 1.7e12 },
      { k: K.open, sid: "0.1.5", req: { object: { type: "Queue", id: "8001" }, statType: "X" } },
      { k: K.close, sid: "0.1.5" },
      { k: K.collect, round: 3, at: 1.7e12 },
      { k: K.partials, round: 3, at: 1.7e12, last: true, list: [["0.1.5", null]] },
      { k: K.req, id: 9, method: "peek", args: { sid: "0.1.5" } },
      { k: K.res, id: 9, ok: false, error: { status: 404, code: "unknown-statistic", message: "no" } },
      { k: K.notify, sid: "0.1.5", n: { value: null, valid: false, at: 1, reason: "validity" } },
    ];
    for (const r of recs) expect(roundTrip(r)).toEqual(r);
  });

  test("garbage is a RecordError, never anything else (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const r = decodeRecord(bytes, 0, bytes.length);
          expect(typeof r).toBe("object");
        } catch (e) {
          expect(e).toBeInstanceOf(RecordError);
        }
      }),
    );
  });
});
