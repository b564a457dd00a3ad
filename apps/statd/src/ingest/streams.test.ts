import { describe, expect, test } from "bun:test";
import { assignSessions } from "./sessions.ts";
import { StreamView } from "./streams.ts";

const nodes = [
  { id: "n1", interactionProxy: "h:1", tController: "h:2" },
  { id: "n2", interactionProxy: "h:3", tController: "h:4" },
];

describe("StreamView", () => {
  test("live only when every stream is up and its holder alive; reasons name the stream", () => {
    const v = new StreamView(assignSessions(nodes, 2));
    const all = () => true;
    expect(v.live(all)).toBe(false);
    for (const k of v.holders.keys()) v.apply(k, "up", [0, 1]);
    expect(v.live(all)).toBe(true);
    expect(v.live((s) => s === 0)).toBe(false);
    expect(v.down((s) => s === 0)).toEqual([
      "n1/tController: held by instance 1, which is not alive",
      "n2/tController: held by instance 1, which is not alive",
    ]);
    expect(v.upHeldBy(1)).toEqual(["n1/tController", "n2/tController"]);
    v.apply("n1/interactionProxy", "down", [0, 1]);
    expect(v.down(all)).toEqual(["n1/interactionProxy: not live"]);
  });

  test("an outage is seen once by every owner, even if the stream is back already", () => {
    const v = new StreamView(assignSessions(nodes, 2));
    v.apply("n1/interactionProxy", "reset", [0, 1]);
    v.apply("n1/interactionProxy", "up", [0, 1]);
    expect(v.takeOutage(0)).toBe(true);
    expect(v.takeOutage(0)).toBe(false);
    expect(v.takeOutage(1)).toBe(true);
  });
});
