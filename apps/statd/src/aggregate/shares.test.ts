import { describe, expect, test } from "bun:test";
import { Engine } from "@statd/stat-core";
import { fixtureConfig, req, T0 } from "../../../../packages/stat-core/src/engine/testing.ts";
import { K } from "../wire/records.ts";
import { Shares } from "./shares.ts";

describe("Shares", () => {
  test("open, partials (invalid while a stream is down), close, and the chunked answer", () => {
    const shares = new Shares(new Engine({ config: fixtureConfig(), startMs: T0 }));
    expect(shares.open("1.1.s1", req("Queue", "8000", "Waiting"))).toEqual({
      cat: "CurrentNumber",
      tenant: "T1",
    });
    const bad = shares.open("1.1.s2", req("Queue", "8000", "NoSuchType"));
    expect(bad).toHaveProperty("status", 400);
    expect(shares.ownedBy(1)).toEqual(["1.1.s1"]);
    expect(shares.ownedBy(0)).toEqual([]);
    const [ok, missing] = shares.partials(["1.1.s1", "9.9.s9"], T0, true);
    expect(ok?.inv).toBe(0);
    expect(missing).toBeNull();
    expect(shares.partials(["1.1.s1"], T0, false)[0]?.inv).toBe(1);
    shares.close("1.1.s1");
    expect(shares.size).toBe(0);

    const sids = Array.from({ length: 130 }, (_, i) => `1.1.s${i}`);
    const recs = Shares.answer(
      7,
      T0,
      sids,
      sids.map(() => null),
    );
    expect(recs.map((r) => (r.k === K.partials ? [r.list.length, r.last] : null))).toEqual([
      [64, false],
      [64, false],
      [2, true],
    ]);
    expect(Shares.answer(7, T0, [], [])).toEqual([{ k: K.partials, round: 7, at: T0, last: true, list: [] }]);
  });
});
