/**
 * Validity over real TCP against the simulated nodes' servers: what a consumer (the daemon) sees
 * through `onState` and `deliver`, in one ordered log, when a node restarts and when it asks for a
 * resync; and that `live` is true only once a fresh stream's snapshot is complete.
 */
import { describe, expect, test } from "bun:test";
import type { PortKind } from "../packages/sip-client/src/mod.ts";
import { sipHarness, waitFor } from "./sip-harness.ts";

const SNAPSHOT = [
  { event: "EventAgentLogin", time: 1, thisDN: "7001", agentId: "a1" },
  { event: "EventAgentLogin", time: 1, thisDN: "7002", agentId: "a2" },
];

/** A harness whose n1/tController callbacks go into one ordered log (with `live` at each state). */
async function logged() {
  const log: string[] = [];
  const box: { live?: (n: string, p: PortKind) => boolean } = {};
  const h = await sipHarness({
    nodes: ["n1"],
    server: { snapshot: (_n, port) => (port === "tController" ? SNAPSHOT : []) },
    client: {
      deliver: (n, p, ev) => {
        if (n === "n1" && p === "tController") log.push(ev.snapshot ? `snap:${ev.agentId}` : `ev:${ev.seq}`);
      },
      onState: (n, p, state, info) => {
        if (n !== "n1" || p !== "tController") return;
        const valid = box.live?.(n, p) ? " valid" : "";
        log.push(`${state}${info.reset ? "(reset)" : ""}${valid}`);
      },
    },
  });
  box.live = (n, p) => h.cluster.live(n, p);
  return { h, log };
}

describe("validity and ordering over TCP", () => {
  test("node restart: not live at once, reset reported before the snapshot, live after it", async () => {
    const { h, log } = await logged();
    await using _h = h;
    await h.waitLive();
    expect(log).toEqual(["connecting", "registering", "snapshot", "snap:a1", "snap:a2", "live valid"]);
    h.publish("n1", "tController", 3);
    await waitFor(() => log.at(-1) === "ev:3", "three live events");
    log.length = 0;
    h.srv.faults.restartNode("n1");
    h.seq.clear(); // the restarted node's streams number from 1 again
    await waitFor(() => log.at(-1) === "live valid", "live again after the restart");
    h.publish("n1", "tController", 2);
    await waitFor(() => log.at(-1) === "ev:2", "two events of the new incarnation");
    expect(log).toEqual([
      "disconnected",
      "connecting",
      "registering",
      "snapshot(reset)",
      "snap:a1",
      "snap:a2",
      "live valid",
      "ev:1",
      "ev:2",
    ]);
    expect(h.link("n1", "tController").session.counters.resets).toBe(1);
  }, 30_000);

  test("resync: a fresh snapshot on the same connection, reported as a reset; seq continues", async () => {
    const { h, log } = await logged();
    await using _h = h;
    await h.waitLive();
    h.publish("n1", "tController", 3);
    h.publish("n1", "interactionProxy", 3);
    const ip = h.link("n1", "interactionProxy").session.counters;
    await waitFor(() => log.at(-1) === "ev:3" && ip.events === 3, "events");
    log.length = 0;
    expect(h.cluster.resync("n1", "tController")).toBe(1);
    expect(h.cluster.live("n1", "tController")).toBe(false);
    expect(h.cluster.live("n1", "interactionProxy")).toBe(true);
    await waitFor(() => log.at(-1) === "live valid", "live again after the resync");
    h.publish("n1", "tController", 2);
    await waitFor(() => log.at(-1) === "ev:5", "the stream continues");
    expect(log).toEqual([
      "registering",
      "snapshot(reset)",
      "snap:a1",
      "snap:a2",
      "live valid",
      "ev:4",
      "ev:5",
    ]);
    const tc = h.link("n1", "tController").session.counters;
    expect(tc).toMatchObject({ connects: 1, registrations: 2, resets: 1, snapshots: 2, events: 5 });
    expect(h.link("n1", "interactionProxy").session.counters).toMatchObject({ registrations: 1, resets: 0 });
    const node = h.srv.stats().find((s) => s.port === "tController")!;
    expect(node).toMatchObject({ connections: 1, registrations: 2, snapshots: 2 });
    expect(() => h.cluster.resync("nope")).toThrow(RangeError);
    expect(h.cluster.resync("n1")).toBe(2);
    await waitFor(() => h.cluster.live(), "both streams live after resyncing the node");
    expect(h.link("n1", "interactionProxy").session.counters.resets).toBe(1);
  }, 30_000);
});
