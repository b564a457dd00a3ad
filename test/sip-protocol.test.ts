/**
 * The SIP monitoring protocol over real TCP sockets: sip-client against the simulated nodes'
 * servers (packages/sip-sim/src/server). Events are hand-made SimEvents published directly.
 */
import { describe, expect, test } from "bun:test";
import { connectCluster } from "../packages/sip-client/src/bun/mod.ts";
import { type SipEvent, silentLogger } from "../packages/sip-client/src/mod.ts";
import { MALFORMED_KINDS } from "../packages/sip-sim/src/server/mod.ts";
import { body, range, sipHarness, waitFor } from "./sip-harness.ts";

describe("sip protocol over TCP", () => {
  test("register, snapshot, live events on both ports of two nodes", async () => {
    await using h = await sipHarness({
      nodes: ["n1", "n2"],
      server: {
        snapshot: (node, port) =>
          port === "tController"
            ? [{ event: "EventAgentLogin", time: 1, thisDN: "7001", agentId: `a-${node}`, thisQueue: "q1" }]
            : [],
      },
    });
    await h.waitLive();
    for (const n of ["n1", "n2"])
      for (const p of ["interactionProxy", "tController"] as const) h.publish(n, p, 200);
    await waitFor(() => h.got.filter((d) => !d.ev.snapshot).length === 800, "800 live events");
    for (const n of ["n1", "n2"]) {
      for (const p of ["interactionProxy", "tController"] as const) expect(h.seqs(n, p)).toEqual(range(200));
      const snap = h.got.filter((d) => d.node === n && d.ev.snapshot);
      expect(snap.map((d) => [d.port, d.ev.event, d.ev.agentId, d.ev.node])).toEqual([
        ["tController", "EventAgentLogin", `a-${n}`, n],
      ]);
      // the snapshot comes before every live event of its stream
      const all = h.got.filter((d) => d.node === n && d.port === "tController");
      expect(all[0]!.ev.snapshot).toBe(true);
    }
    expect(h.live("n1", "interactionProxy")[0]!.ev).toMatchObject({
      ...body("interactionProxy", 1),
      seq: 1,
      node: "n1",
    });
    for (const s of h.cluster.stats()) {
      expect(s.counters).toMatchObject({ connects: 1, snapshots: 1, badFrames: 0, gaps: 0, duplicates: 0 });
    }
    for (const s of h.srv.stats()) {
      expect(s).toMatchObject({
        published: 200,
        head: 200,
        cached: 200,
        connections: 1,
        registrations: 1,
        snapshots: 1,
      });
      expect(s.bytesOut).toBeGreaterThan(200 * 50);
      expect(s.sessions.map((x) => [x.client, x.connected, x.cursor])).toEqual([["test", true, 201]]);
    }
  }, 30_000);

  test("connections killed mid-stream: resume delivers every event exactly once, in order", async () => {
    await using h = await sipHarness({ nodes: ["n1"], client: { ackEvery: 100 } });
    await h.waitLive();
    const N = 20_000;
    let drops = 0;
    for (let i = 0; i < N / 500; i++) {
      h.publish("n1", "interactionProxy", 500);
      h.publish("n1", "tController", 250);
      if (i % 5 === 2) {
        drops += h.srv.faults.dropConnections("n1");
        await Bun.sleep(1);
      }
      await Bun.sleep(0);
    }
    expect(drops).toBeGreaterThan(0);
    await waitFor(
      () => h.live("n1", "interactionProxy").length >= N && h.live("n1", "tController").length >= N / 2,
      "all events",
    );
    await Bun.sleep(20);
    expect(h.seqs("n1", "interactionProxy")).toEqual(range(N));
    expect(h.seqs("n1", "tController")).toEqual(range(N / 2));
    for (const s of h.cluster.stats()) {
      expect(s.counters.resumes).toBeGreaterThan(0);
      expect(s.counters.resets).toBe(0);
      expect(s.counters.snapshots).toBe(1); // only the first registration
      expect(s.counters.badFrames).toBe(0);
    }
    const st = h.srv.stats().find((s) => s.port === "interactionProxy")!;
    expect(st.resumes).toBeGreaterThan(0);
    await waitFor(() => h.srv.stats()[0]!.sessions[0]!.ackedSeq === N, "acks reach the node");
  }, 30_000);

  test("node restart: sessions reset, snapshot again, the new incarnation's seq from 1", async () => {
    let incarnation = 1;
    await using h = await sipHarness({
      nodes: ["n1", "n2"],
      server: {
        snapshot: (node, port) =>
          port === "tController"
            ? [
                {
                  event: "EventAgentLogin",
                  time: incarnation,
                  thisDN: "7001",
                  agentId: `${node}-${incarnation}`,
                },
              ]
            : [],
      },
    });
    await h.waitLive();
    h.publish("n1", "interactionProxy", 30);
    h.publish("n1", "tController", 10);
    h.publish("n2", "tController", 10);
    await waitFor(() => h.got.filter((d) => !d.ev.snapshot).length === 50, "first events");
    incarnation = 2;
    h.srv.faults.restartNode("n1");
    h.seq.delete("n1/interactionProxy");
    h.seq.delete("n1/tController");
    h.publish("n1", "interactionProxy", 5); // cached in the fresh ring while nobody is connected
    await waitFor(() => h.link("n1", "tController").session.counters.snapshots === 2, "n1 snapshot again");
    await waitFor(
      () => h.link("n1", "interactionProxy").session.counters.snapshots === 2,
      "n1 IP snapshot again",
    );
    h.publish("n1", "interactionProxy", 5);
    h.publish("n1", "tController", 3);
    h.publish("n2", "tController", 1);
    await waitFor(
      () => h.seqs("n1", "tController").length === 13 && h.seqs("n2", "tController").length === 11,
      "after restart",
    );
    await waitFor(() => h.seqs("n1", "interactionProxy").at(-1) === 10, "n1 IP after restart");
    expect(h.seqs("n1", "tController")).toEqual([...range(10), ...range(3)]);
    // events published before the client re-registered are covered by the new snapshot, not replayed
    const ip = h.seqs("n1", "interactionProxy");
    expect(ip.slice(0, 30)).toEqual(range(30));
    expect(ip.slice(30)).toEqual(range(ip.length - 30, 11 - (ip.length - 30)));
    const n1 = h.link("n1", "tController").session.counters;
    expect(n1).toMatchObject({ resets: 1, resumes: 0, snapshots: 2 });
    expect(h.got.filter((d) => d.node === "n1" && d.ev.snapshot).map((d) => d.ev.agentId)).toEqual([
      "n1-1",
      "n1-2",
    ]);
    expect(h.link("n2", "tController").session.counters).toMatchObject({ connects: 1, resets: 0 });
    expect(h.seqs("n2", "tController")).toEqual(range(11));
  }, 30_000);

  test("a flood of malformed and oversized lines (a 10 MiB one too) is counted; the session stays up", async () => {
    // (the node closes a connection with more than maxQueuedBytes unsent: raise it for this flood)
    await using h = await sipHarness({ nodes: ["n1"], server: { maxQueuedBytes: 256 * 1024 * 1024 } });
    await h.waitLive();
    const f = h.srv.faults;
    // every kind the node can send, R times each; the 10 MiB "huge" one twice, below
    const kinds = MALFORMED_KINDS.filter((k) => k !== "huge");
    const R = 50;
    h.publish("n1", "interactionProxy", 10);
    for (let r = 0; r < R; r++) for (const k of kinds) f.sendMalformed("n1", "interactionProxy", k);
    f.sendMalformed("n1", "interactionProxy", "huge");
    f.sendMalformed("n1", "interactionProxy", "huge");
    h.publish("n1", "interactionProxy", 10);
    await waitFor(() => h.live("n1", "interactionProxy").length === 20, "events after the flood", 20_000);
    const c = h.link("n1", "interactionProxy").session.counters;
    expect(c).toMatchObject({
      connects: 1,
      disconnects: 0,
      badFrames: kinds.length * R + 2,
      invalidJson: 2 * R,
      invalidMessages: 4 * R,
      wrongPort: R,
      invalidUtf8: R,
      oversized: R + 2,
      events: 20,
    });
    expect(h.seqs("n1", "interactionProxy")).toEqual(range(20));
    expect(h.link("n1", "interactionProxy").session.state).toBe("live");
  }, 30_000);

  test("duplicates and reordering within the window: exactly once, in order, no gap", async () => {
    await using h = await sipHarness({ nodes: ["n1"], server: { seed: 7 }, client: { reorderWindow: 64 } });
    await h.waitLive();
    h.srv.faults.setDuplicate(0.2);
    h.srv.faults.setReorder(16);
    for (let i = 0; i < 20; i++) {
      h.publish("n1", "interactionProxy", 250);
      await Bun.sleep(0);
    }
    await waitFor(() => h.live("n1", "interactionProxy").length >= 5000, "5000 events");
    await Bun.sleep(20);
    expect(h.seqs("n1", "interactionProxy")).toEqual(range(5000));
    const c = h.link("n1", "interactionProxy").session.counters;
    expect(c.duplicates).toBeGreaterThan(500);
    expect(c.reordered).toBeGreaterThan(500);
    expect(c.gaps).toBe(0);
  }, 30_000);

  test("reordering wider than the window: gaps repaired by re-registering with lastSeq", async () => {
    await using h = await sipHarness({ nodes: ["n1"], server: { seed: 3 }, client: { reorderWindow: 4 } });
    await h.waitLive();
    h.srv.faults.setReorder(40);
    h.publish("n1", "interactionProxy", 400);
    await Bun.sleep(30);
    h.srv.faults.setReorder(1); // let the repair converge
    await waitFor(() => h.live("n1", "interactionProxy").length >= 400, "400 events");
    expect(h.seqs("n1", "interactionProxy")).toEqual(range(400));
    const c = h.link("n1", "interactionProxy").session.counters;
    expect(c.gaps).toBeGreaterThan(0);
    expect(c.connects).toBe(1); // repaired on the same connection
    expect(h.srv.stats()[0]!.resumes).toBeGreaterThan(0);
  }, 30_000);

  test("delayed delivery still arrives in order", async () => {
    await using h = await sipHarness({ nodes: ["n1"] });
    await h.waitLive();
    h.srv.faults.setDelay(30);
    const t0 = Date.now();
    h.publish("n1", "tController", 50);
    await waitFor(() => h.live("n1", "tController").length === 50, "50 delayed events");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    expect(h.seqs("n1", "tController")).toEqual(range(50));
  }, 30_000);

  test("udataKeys: the node passes only the listed userData keys", async () => {
    await using h = await sipHarness({ nodes: ["n1"], client: { udataKeys: [] } });
    await h.waitLive();
    h.publish("n1", "interactionProxy", 3);
    await waitFor(() => h.live("n1", "interactionProxy").length === 3, "3 events");
    expect(h.live("n1", "interactionProxy").map((d) => d.ev.userData)).toEqual([{}, {}, {}]);
  }, 30_000);
  test("a restarted client resumes from a checkpoint (sessionId + lastSeq) with no snapshot", async () => {
    await using h = await sipHarness({ nodes: ["n1"] });
    await h.waitLive();
    h.publish("n1", "tController", 100);
    await waitFor(() => h.live("n1", "tController").length === 100, "100 events");
    const checkpoint = { sessionId: h.link("n1", "tController").session.sessionId, lastSeq: 60 };
    h.cluster.stop(); // the "process" ends having applied only up to 60
    h.publish("n1", "tController", 20); // the day goes on meanwhile
    const p = h.srv.ports[0]!;
    const got: SipEvent[] = [];
    const again = connectCluster(
      [
        {
          id: "n1",
          interactionProxy: `127.0.0.1:${p.interactionProxy}`,
          tController: `127.0.0.1:${p.tController}`,
        },
      ],
      {
        client: "test",
        logger: silentLogger,
        resume: { "n1/tController": checkpoint },
        deliver: (_n, port, ev) => port === "tController" && got.push(ev),
      },
    );
    try {
      await waitFor(() => got.length === 60, "61..120");
      expect(got.map((e) => e.seq)).toEqual(range(60, 61));
      expect(got.some((e) => e.snapshot)).toBe(false);
      expect(again.link("n1", "tController")!.session.counters).toMatchObject({
        resumes: 1,
        resets: 0,
        snapshots: 0,
      });
    } finally {
      again.stop();
    }
  }, 30_000);
});
