import { describe, expect, test } from "bun:test";
import { FakeTimers } from "./backoff.ts";
import { utf8 } from "./codec.ts";
import { type ConnectHandlers, SessionLink, type Transport } from "./link.ts";

/**
 * An in-memory transport that behaves like the Bun one: `close()` calls the attempt's `close`
 * handler synchronously, exactly once. The test plays a node that accepts and never answers
 * (unless it pushes lines itself); `open` counts connections the client has not closed.
 */
function silentNode() {
  const conns: { h: ConnectHandlers; open: boolean; sent: string[] }[] = [];
  const transport: Transport = {
    connect(_host, _port, h) {
      const c = { h, open: true, sent: [] as string[] };
      conns.push(c);
      h.open({
        write: (line) => c.sent.push(line),
        close: () => {
          if (!c.open) return;
          c.open = false;
          h.close("closed by client");
        },
      });
    },
  };
  return {
    transport,
    conns,
    open: () => conns.filter((c) => c.open).length,
    push: (line: string) => conns.at(-1)!.h.data(utf8(line)),
  };
}

function link(node: ReturnType<typeof silentNode>, timers: FakeTimers) {
  return new SessionLink({
    client: "t",
    nodeId: "n1",
    port: "tController",
    host: "h",
    portNumber: 1,
    transport: node.transport,
    timers,
    registerTimeoutMs: 1000,
    tickMs: 100,
    backoff: { initialMs: 100, maxMs: 400, random: () => 0.5 },
    deliver: () => {},
  });
}

describe("SessionLink", () => {
  test("a node that never answers: every self-initiated close frees its connection, one retry pending", () => {
    const node = silentNode();
    const timers = new FakeTimers();
    const l = link(node, timers);
    l.start();
    for (let i = 0; i < 40; i++) {
      timers.advance(250);
      expect(node.open()).toBeLessThanOrEqual(1);
      // never more than the tick or the retry: no second reconnect chain
      expect(timers.pending().length).toBeLessThanOrEqual(1);
    }
    expect(node.conns.length).toBeGreaterThanOrEqual(5);
    expect(l.session.counters.livenessTimeouts).toBe(node.conns.length - node.open());
    l.stop();
    expect(node.open()).toBe(0);
    expect(timers.pending()).toEqual([]);
  });

  test("stop while a retry is pending cancels it; start again connects once", () => {
    const node = silentNode();
    const timers = new FakeTimers();
    const l = link(node, timers);
    l.start();
    timers.advance(1000); // register timeout: closed, retry pending
    expect(node.open()).toBe(0);
    expect(l.stats().reconnectInMs).toBeDefined();
    l.stop();
    timers.advance(10_000);
    expect(node.conns.length).toBe(1);
    l.start();
    expect(node.conns.length).toBe(2);
    expect(node.open()).toBe(1);
    l.stop();
    expect(node.open()).toBe(0);
  });

  test("the reason the session closed the connection is the one reported, not the transport's", () => {
    const node = silentNode();
    const timers = new FakeTimers();
    const reasons: string[] = [];
    const l = new SessionLink({
      ...link(node, timers).options,
      onState: (s, info) => {
        if (s === "disconnected") reasons.push(info.reason ?? "");
      },
    });
    l.start();
    timers.advance(1000);
    expect(reasons).toEqual(["no registered answer within 1000 ms"]);
    l.stop();
  });
});
