import { describe, expect, test } from "bun:test";
import { FakeTimers } from "./backoff.ts";
import { ClusterClient, parseAddress } from "./cluster.ts";
import { utf8 } from "./codec.ts";
import type { ConnectHandlers, Transport } from "./link.ts";
import type { PortKind, SipEvent } from "./protocol.ts";

/** An in-memory transport: the test plays the node; `refuse` fails the next connects to an address. */
function memTransport() {
  const conns = new Map<string, { h: ConnectHandlers; sent: Record<string, unknown>[]; open: boolean }>();
  const refuse = new Map<string, number>();
  let attempts = 0;
  const transport: Transport = {
    connect(host, port, h) {
      attempts++;
      const addr = `${host}:${port}`;
      const r = refuse.get(addr) ?? 0;
      if (r > 0) {
        refuse.set(addr, r - 1);
        queueMicrotask(() => h.close("connect failed: refused"));
        return;
      }
      const c = { h, sent: [] as Record<string, unknown>[], open: true };
      conns.set(addr, c);
      h.open({
        write: (line) => c.sent.push(JSON.parse(line)),
        close: () => {
          c.open = false;
        },
      });
    },
  };
  const conn = (addr: string) => conns.get(addr)!;
  const push = (addr: string, ...msgs: object[]) =>
    conn(addr).h.data(utf8(msgs.map((m) => `${JSON.stringify(m)}\n`).join("")));
  return { transport, conn, push, refuse, attempts: () => attempts };
}

const NODES = [
  { id: "n1", interactionProxy: "h:1", tController: "h:2" },
  { id: "n2", interactionProxy: "h:3", tController: "h:4" },
];

describe("ClusterClient", () => {
  test("two sessions per node, one delivery callback, node set on events, per-session stats", async () => {
    const m = memTransport();
    const timers = new FakeTimers();
    const got: [string, PortKind, SipEvent][] = [];
    const c = new ClusterClient(NODES, {
      client: "t",
      transport: m.transport,
      timers,
      snapshot: false,
      deliver: (n, p, ev) => got.push([n, p, ev]),
    }).start();
    expect(c.links.length).toBe(4);
    expect(c.ready()).toBe(false);
    for (const addr of ["h:1", "h:2", "h:3", "h:4"]) {
      const reg = m.conn(addr).sent[0]!;
      expect(reg).toMatchObject({ op: "register", client: "t", snapshot: false });
      m.push(addr, {
        op: "registered",
        sessionId: reg.sessionId,
        resumed: false,
        eventsInCache: 0,
        nextSeq: 1,
      });
    }
    expect(c.ready()).toBe(true);
    m.push("h:3", { seq: 1, event: "EventRinging", time: 1, connId: "c", thisDN: "1" });
    m.push("h:2", { seq: 1, event: "EventAgentReady", time: 1, thisDN: "1" });
    expect(got.map(([n, p, ev]) => [n, p, ev.event, ev.node])).toEqual([
      ["n2", "interactionProxy", "EventRinging", "n2"],
      ["n1", "tController", "EventAgentReady", "n1"],
    ]);
    const st = c.stats();
    expect(st.map((s) => [s.nodeId, s.port, s.state, s.address])).toEqual([
      ["n1", "interactionProxy", "live", "h:1"],
      ["n1", "tController", "live", "h:2"],
      ["n2", "interactionProxy", "live", "h:3"],
      ["n2", "tController", "live", "h:4"],
    ]);
    expect(st[2]!.counters.events).toBe(1);
    c.stop();
    expect(c.stats().every((s) => s.state === "stopped")).toBe(true);
  });

  test("refused connects back off, silence kills the link, it resumes; stop ends retries", async () => {
    const m = memTransport();
    const timers = new FakeTimers();
    m.refuse.set("h:1", 3);
    const c = new ClusterClient([NODES[0]!], {
      client: "t",
      transport: m.transport,
      timers,
      snapshot: false,
      backoff: { initialMs: 100, maxMs: 1000, random: () => 0.9999999 },
      deliver: () => {},
    }).start();
    const link = c.link("n1", "interactionProxy")!;
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      await Promise.resolve();
      delays.push(link.stats().reconnectInMs!);
      timers.advance(link.stats().reconnectInMs!);
    }
    expect(delays).toEqual([100, 200, 400]);
    expect(link.stats().state).toBe("registering");
    const reg = m.conn("h:1").sent[0]!;
    m.push("h:1", {
      op: "registered",
      sessionId: reg.sessionId,
      resumed: false,
      eventsInCache: 0,
      nextSeq: 1,
    });
    m.push("h:1", { seq: 1, event: "EventRinging", time: 1, connId: "c", thisDN: "1" });
    // 5 s of silence: dead, reconnect after a reset backoff, register with lastSeq
    timers.advance(5000);
    expect(link.session.counters.livenessTimeouts).toBe(1);
    expect(m.conn("h:1").open).toBe(false);
    expect(link.stats().reconnectInMs).toBe(100);
    timers.advance(100);
    expect(m.conn("h:1").sent[0]).toMatchObject({ op: "register", sessionId: reg.sessionId, lastSeq: 1 });
    c.stop();
    const before = m.attempts();
    timers.advance(60_000);
    expect(m.attempts()).toBe(before);
  });

  test("parseAddress", () => {
    expect(parseAddress("127.0.0.1:7000")).toEqual({ host: "127.0.0.1", port: 7000 });
    expect(parseAddress("[::1]:7001")).toEqual({ host: "::1", port: 7001 });
    for (const bad of ["nohost", ":7000", "h:99999", "h:x"])
      expect(() => parseAddress(bad)).toThrow(RangeError);
    expect(
      () =>
        new ClusterClient([NODES[0]!, NODES[0]!], {
          client: "t",
          transport: memTransport().transport,
          deliver: () => {},
        }),
    ).toThrow("duplicate node id");
  });
});
