/**
 * The simulated node's side of the protocol, driven by a raw TCP client: hostile client input,
 * session take-over, cache overrun, the node's liveness rule, and the client noticing a node that
 * has gone silent.
 */
import { describe, expect, test } from "bun:test";
import type { Socket } from "bun";
import { realTimers } from "../packages/sip-client/src/backoff.ts";
import { bunTransport } from "../packages/sip-client/src/bun/transport.ts";
import { SocketWriter } from "../packages/sip-client/src/bun/writer.ts";
import { LineSplitter } from "../packages/sip-client/src/codec.ts";
import { SessionLink } from "../packages/sip-client/src/link.ts";
import { startNodeServers } from "../packages/sip-sim/src/server/mod.ts";
import { body, sipHarness, waitFor } from "./sip-harness.ts";

/** A raw line client: everything the node sends, parsed. */
async function raw(port: number) {
  const msgs: Record<string, unknown>[] = [];
  let closed = false;
  const sp = new LineSplitter({ line: (t) => msgs.push(JSON.parse(t)), bad: () => {} });
  let w: SocketWriter | undefined;
  const sock: Socket<undefined> = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data: (_s, d) => sp.push(d),
      drain: () => {
        w?.drain();
      },
      close: () => {
        closed = true;
      },
    },
  });
  w = new SocketWriter(sock);
  const writer = w;
  return {
    msgs,
    send: (s: string | Uint8Array) => writer.write(s),
    ops: (op: string) => msgs.filter((m) => m.op === op),
    events: () => msgs.filter((m) => m.event !== undefined),
    get closed() {
      return closed;
    },
    close: () => sock.terminate(),
  };
}

describe("node server", () => {
  test("a new session with lastSeq 0 gets the stream from its first event while the cache has it", async () => {
    const srv = await startNodeServers({
      basePort: 0,
      nodeIds: ["n1"],
      snapshot: () => [body("tController", 0)],
    });
    try {
      for (let seq = 1; seq <= 3; seq++)
        srv.publish({ node: "n1", port: "tController", seq, body: body("tController", seq) });
      const c = await raw(srv.ports[0]!.tController);
      c.send('{"op":"register","client":"raw","lastSeq":0,"snapshot":true}\n');
      await waitFor(() => c.events().length === 3, "the three cached events");
      expect(c.ops("registered")[0]).toMatchObject({ resumed: true, nextSeq: 1 });
      expect(c.ops("snapshot-begin")).toHaveLength(0);
      expect(c.events().map((e) => e.seq)).toEqual([1, 2, 3]);
      // without lastSeq: a fresh stream and a snapshot, as before
      const d = await raw(srv.ports[0]!.tController);
      d.send('{"op":"register","client":"raw2","snapshot":true}\n');
      await waitFor(() => d.ops("snapshot-end").length === 1, "a snapshot");
      expect(d.ops("registered")[0]).toMatchObject({ resumed: false, nextSeq: 4 });
      c.close();
      d.close();
    } finally {
      await srv.close();
    }
  });

  test("hostile client lines are answered with errors; the connection stays and works", async () => {
    const srv = await startNodeServers({ basePort: 0, nodeIds: ["n1"], snapshot: () => [] });
    try {
      const c = await raw(srv.ports[0]!.tController);
      c.send("{nope\n");
      c.send("[1,2]\n");
      c.send('{"op":"bogus"}\n');
      c.send('{"op":"register"}\n'); // no client
      c.send('{"op":"ack","seq":5}\n'); // before register
      c.send(new Uint8Array([0x7b, 0xff, 0x7d, 0x0a]));
      c.send(`{"op":"ping","pad":"${"x".repeat(100_000)}"}\n`);
      const huge = new Uint8Array(1024 * 1024).fill(0x61);
      for (let i = 0; i < 10; i++) c.send(huge); // 10 MiB without a newline …
      c.send("\n"); // … then its end
      c.send('{"op":"register","client":"raw","sessionId":"R1","snapshot":false}\n');
      await waitFor(() => c.ops("registered").length === 1, "registered after the garbage");
      const codes = c.ops("error").map((m) => m.code);
      expect(codes).toEqual([
        "bad-frame",
        "bad-frame",
        "bad-frame",
        "bad-frame",
        "not-registered",
        "bad-frame",
        "line-too-long",
        "line-too-long",
      ]);
      expect(srv.stats().find((s) => s.port === "tController")!.badFramesIn).toBe(8);
      srv.publish({ node: "n1", port: "tController", seq: 1, body: body("tController", 1) });
      await waitFor(() => c.events().length === 1, "an event");
      expect(c.events()[0]).toMatchObject({ seq: 1, event: "EventAgentReady" });
      expect(c.closed).toBe(false);
      c.close();
    } finally {
      await srv.close();
    }
  }, 30_000);

  test("a second connection registering the same session takes it over and resumes", async () => {
    const srv = await startNodeServers({ basePort: 0, nodeIds: ["n1"], snapshot: () => [] });
    try {
      const port = srv.ports[0]!.interactionProxy;
      const a = await raw(port);
      a.send('{"op":"register","client":"raw","sessionId":"S","snapshot":false}\n');
      await waitFor(() => a.ops("registered").length === 1, "a registered");
      for (let s = 1; s <= 5; s++)
        srv.publish({ node: "n1", port: "interactionProxy", seq: s, body: body("interactionProxy", s) });
      await waitFor(() => a.events().length === 5, "a got 5");
      const b = await raw(port);
      b.send('{"op":"register","client":"raw","sessionId":"S","lastSeq":3}\n');
      await waitFor(() => b.events().length === 2 && a.closed, "b resumed, a closed");
      expect(a.ops("error").at(-1)).toMatchObject({ code: "session-taken-over" });
      expect(b.ops("registered")[0]).toMatchObject({
        resumed: true,
        nextSeq: 4,
        replay: 2,
        eventsInCache: 5,
      });
      expect(b.events().map((e) => e.seq)).toEqual([4, 5]);
      b.close();
    } finally {
      await srv.close();
    }
  }, 30_000);

  test("resume outside the cache gets a fresh registration with a snapshot", async () => {
    const srv = await startNodeServers({
      basePort: 0,
      nodeIds: ["n1"],
      cacheSize: 10,
      snapshot: () => [{ event: "EventAgentLogin", time: 1, thisDN: "1", agentId: "a" }],
    });
    try {
      const port = srv.ports[0]!.tController;
      const a = await raw(port);
      a.send('{"op":"register","client":"raw","sessionId":"S"}\n');
      await waitFor(() => a.ops("snapshot-end").length === 1, "first snapshot");
      a.close();
      await waitFor(() => srv.stats()[1]!.connections === 0, "a gone");
      for (let s = 1; s <= 30; s++)
        srv.publish({ node: "n1", port: "tController", seq: s, body: body("tController", s) });
      const b = await raw(port);
      b.send('{"op":"register","client":"raw","sessionId":"S","lastSeq":5}\n');
      await waitFor(() => b.ops("snapshot-end").length === 1, "second snapshot");
      expect(b.ops("registered")[0]).toMatchObject({ resumed: false, nextSeq: 31, eventsInCache: 10 });
      expect(b.events()).toEqual([
        { event: "EventAgentLogin", time: 1, thisDN: "1", agentId: "a", snapshot: true },
      ]);
      b.close();
    } finally {
      await srv.close();
    }
  }, 30_000);

  test("a silent client is closed by the node's liveness rule; a silent node by the client's", async () => {
    const srv = await startNodeServers({
      basePort: 0,
      nodeIds: ["n1"],
      snapshot: () => [],
      pingIntervalMs: 20,
      deadAfterMs: 150,
    });
    try {
      const a = await raw(srv.ports[0]!.tController);
      await waitFor(() => a.ops("ping").length >= 2, "pings");
      await waitFor(() => a.closed, "closed for silence");
      expect(srv.stats()[1]!.livenessTimeouts).toBe(1);
    } finally {
      await srv.close();
    }
    // a node that accepts but never answers: the client gives up (register timeout) and retries
    const mute = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      await using h = await sipHarness({ nodes: ["n1"], client: { registerTimeoutMs: 100, tickMs: 10 } });
      const link = new SessionLink({
        client: "t",
        nodeId: "mute",
        port: "tController",
        host: "127.0.0.1",
        portNumber: mute.port,
        transport: bunTransport(),
        timers: realTimers,
        registerTimeoutMs: 100,
        tickMs: 10,
        backoff: { initialMs: 10, maxMs: 20 },
        deliver: () => {},
      });
      link.start();
      await waitFor(() => link.session.counters.livenessTimeouts >= 2, "two register timeouts");
      expect(link.session.counters.connects).toBeGreaterThanOrEqual(2);
      link.stop();
      await h.waitLive(); // the healthy cluster alongside is unaffected
    } finally {
      mute.stop(true);
    }
  }, 30_000);

  test("a client that falls out of the cache gets cache-overrun and comes back with a snapshot", async () => {
    await using h = await sipHarness({ nodes: ["n1"], server: { cacheSize: 50, maxQueuedBytes: 1 << 30 } });
    await h.waitLive();
    const link = h.link("n1", "interactionProxy");
    // hold events back with a delay while publishing past the cache, so the ring overtakes the
    // connection's cursor (what a client reading too slowly would cause)
    h.srv.faults.setDelay(200);
    h.publish("n1", "interactionProxy", 10);
    await Bun.sleep(10);
    h.publish("n1", "interactionProxy", 200);
    h.srv.faults.setDelay(0);
    await waitFor(() => link.session.counters.snapshots === 2, "fresh snapshot after the overrun");
    expect(h.srv.stats()[0]!.overruns).toBe(1);
    expect(link.session.counters).toMatchObject({ resets: 1, serverErrors: 1 });
    h.publish("n1", "interactionProxy", 3);
    await waitFor(() => h.seqs("n1", "interactionProxy").at(-1) === 213, "live again");
  }, 30_000);
  test("the node remembers at most maxSessions sessions; the least recently registered idle one goes", async () => {
    const srv = await startNodeServers({ basePort: 0, nodeIds: ["n1"], snapshot: () => [], maxSessions: 2 });
    try {
      const port = srv.ports[0]!.tController;
      for (const id of ["A", "B", "C"]) {
        const c = await raw(port);
        c.send(`{"op":"register","client":"raw","sessionId":"${id}","snapshot":false}\n`);
        await waitFor(() => c.ops("registered").length === 1, `${id} registered`);
        c.close();
        await waitFor(() => srv.stats()[1]!.connections === 0, `${id} gone`);
      }
      expect(srv.stats()[1]!.sessions.map((x) => x.sessionId)).toEqual(["B", "C"]);
      for (let seq = 1; seq <= 2; seq++)
        srv.publish({ node: "n1", port: "tController", seq, body: body("tController", seq) });
      const a = await raw(port);
      // (lastSeq 0 would ask for the stream from its start, which any new session gets)
      a.send('{"op":"register","client":"raw","sessionId":"A","lastSeq":1,"snapshot":false}\n');
      await waitFor(() => a.ops("registered").length === 1, "A again");
      expect(a.ops("registered")[0]).toMatchObject({ resumed: false });
      expect(srv.stats()[1]!.sessions.map((x) => x.sessionId)).toEqual(["C", "A"]);
      a.close();
    } finally {
      await srv.close();
    }
  }, 30_000);
});
