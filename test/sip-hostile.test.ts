/**
 * sip-client against hand-written hostile nodes over real TCP: a node that accepts and never
 * answers, one that answers every re-registration with another seq jump, one that trickles bytes
 * without ever completing a line, and one that sends an absurd `nextSeq`. The client must keep at
 * most one connection, throttle itself, declare the link dead, and never drop events silently.
 */
import { describe, expect, test } from "bun:test";
import type { Socket } from "bun";
import { FakeTimers, realTimers } from "../packages/sip-client/src/backoff.ts";
import { bunTransport } from "../packages/sip-client/src/bun/transport.ts";
import { LineSplitter } from "../packages/sip-client/src/codec.ts";
import { type LinkOptions, SessionLink } from "../packages/sip-client/src/link.ts";
import type { Logger } from "../packages/sip-client/src/logger.ts";
import { waitFor } from "./sip-harness.ts";

interface HostileConn {
  socket: Socket<HostileConn>;
  /** lines the client sent, parsed */
  got: Record<string, unknown>[];
  send(line: object | string): void;
  open: boolean;
  timer?: ReturnType<typeof setInterval>;
}

/** A TCP server that calls `onLine` for every line a client sends; counts open connections. */
function hostileNode(
  onLine: (c: HostileConn, msg: Record<string, unknown>) => void,
  onOpen: (c: HostileConn) => void = () => {},
) {
  const conns: HostileConn[] = [];
  const server = Bun.listen<HostileConn>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(s) {
        const c: HostileConn = {
          socket: s,
          got: [],
          open: true,
          send: (l) => {
            if (c.open) s.write(typeof l === "string" ? l : `${JSON.stringify(l)}\n`);
          },
        };
        s.data = c;
        const sp = new LineSplitter({
          line: (t) => {
            const m = JSON.parse(t) as Record<string, unknown>;
            c.got.push(m);
            onLine(c, m);
          },
          bad: () => {},
        });
        (c as HostileConn & { sp: LineSplitter }).sp = sp;
        conns.push(c);
        onOpen(c);
      },
      data(s, d) {
        (s.data as HostileConn & { sp: LineSplitter }).sp.push(d);
      },
      close(s) {
        s.data.open = false;
        if (s.data.timer) clearInterval(s.data.timer);
      },
    },
  });
  return {
    port: server.port,
    conns,
    open: () => conns.filter((c) => c.open).length,
    stop: () => {
      for (const c of conns) if (c.timer) clearInterval(c.timer);
      server.stop(true);
    },
  };
}

const ringing = (seq: number) => ({ seq, event: "EventRinging", time: 1, connId: `c${seq}`, thisDN: "1" });

function capture(): { log: Logger; lines: [Record<string, unknown>, string][] } {
  const lines: [Record<string, unknown>, string][] = [];
  const w = (o: Record<string, unknown>, m: string) => lines.push([o, m]);
  return { log: { debug: w, info: w, warn: w, error: w }, lines };
}

function clientOf(port: number, o: Partial<LinkOptions> = {}): SessionLink {
  return new SessionLink({
    client: "t",
    nodeId: "n1",
    port: "interactionProxy",
    host: "127.0.0.1",
    portNumber: port,
    transport: bunTransport(),
    timers: realTimers,
    tickMs: 10,
    backoff: { initialMs: 5, maxMs: 20 },
    deliver: () => {},
    ...o,
  });
}

describe("sip-client against hostile nodes", () => {
  test("a node that accepts and never answers: no connection is leaked over many reconnects", async () => {
    const node = hostileNode(() => {});
    const link = clientOf(node.port, { registerTimeoutMs: 50 });
    try {
      link.start();
      await waitFor(() => node.conns.length >= 8, "8 connection attempts");
      // every earlier connection was closed by the client; at most the current one is open
      await waitFor(() => node.open() <= 1, "at most one open connection");
      expect(link.session.counters.livenessTimeouts).toBeGreaterThanOrEqual(7);
    } finally {
      link.stop();
    }
    await waitFor(() => node.open() === 0, "every connection closed after stop");
    node.stop();
  }, 30_000);

  test("a node that answers every re-registration with another seq jump: one re-registration per backoff step", async () => {
    // the client answers the node's ping after handling the jump before it, so when a pong
    // arrives everything the jump made the client send has arrived too (one TCP stream, in order)
    let pongs = 0;
    const node = hostileNode((c, m) => {
      if (m.op === "pong") pongs++;
      if (m.op !== "register") return;
      const last = m.lastSeq as number | undefined;
      const next = (last ?? 0) + 1;
      c.send({
        op: "registered",
        sessionId: "S",
        resumed: last !== undefined,
        eventsInCache: 5,
        nextSeq: next,
      });
      c.send(ringing(next + 1000));
      c.send({ op: "ping" });
    });
    const timers = new FakeTimers(0);
    const { log, lines } = capture();
    const link = clientOf(node.port, {
      timers,
      snapshot: false,
      logger: log,
      backoff: { initialMs: 100, maxMs: 1000, random: () => 1 },
    });
    const registers = () => node.conns.flatMap((c) => c.got).filter((m) => m.op === "register").length;
    try {
      link.start();
      // the first gap is repaired at once
      await waitFor(() => pongs >= 2, "two pongs"); // the first two come one right after the other
      expect(pongs).toBe(2);
      expect(registers()).toBe(2);
      const delays: number[] = [];
      for (let k = 3; k <= 7; k++) {
        expect(link.stats().state).toBe("reset-pending");
        expect(registers()).toBe(k - 1); // nothing more went out while the clock stood still
        expect(link.session.counters.gaps).toBe(k - 1);
        let advanced = 0;
        while (registers() < k) {
          timers.advance(10); // the link's tick runs on this clock (tickMs 10)
          advanced += 10;
          await Bun.sleep(0);
          if (advanced > 2000) throw new Error(`no re-registration ${k} within 2 s of the fake clock`);
        }
        delays.push(advanced);
        await waitFor(() => pongs >= k, `pong ${k}`);
        expect(pongs).toBe(k);
      }
      // 100·2ⁿ capped at 1000; each measured to the tick (10 ms) on which it went out
      expect(delays).toEqual([100, 200, 400, 800, 1000]);
      expect(lines.filter(([, m]) => m.startsWith("gap")).length).toBe(link.session.counters.gaps);
      expect(link.session.counters.stale).toBe(0);
      expect(node.conns.length).toBe(1); // all on one connection
    } finally {
      link.stop();
      node.stop();
    }
  }, 30_000);

  test("a node that trickles bytes and never completes a line is dead; the link reconnects", async () => {
    const node = hostileNode(
      (c, m) => {
        if (m.op !== "register") return;
        c.send({ op: "registered", sessionId: "S", resumed: false, eventsInCache: 0, nextSeq: 1 });
        c.timer = setInterval(() => c.send("x"), 5);
      },
      () => {},
    );
    const states: string[] = [];
    const link = clientOf(node.port, {
      snapshot: false,
      deadAfterMs: 150,
      onState: (s, info) => states.push(`${s}${info.reason ? `: ${info.reason}` : ""}`),
    });
    try {
      link.start();
      await waitFor(() => link.session.counters.livenessTimeouts >= 2, "two liveness timeouts");
      await waitFor(() => node.conns.length >= 3, "a third connection");
      expect(link.session.counters.bytesIn).toBeGreaterThan(0);
      expect(link.session.counters.linesIn).toBe(link.session.counters.registrations);
      expect(states.some((s) => s.startsWith("disconnected") && s.includes("no complete line"))).toBe(true);
      await waitFor(() => node.open() <= 1, "old connections closed");
    } finally {
      link.stop();
    }
    await waitFor(() => node.open() === 0, "every connection closed after stop");
    node.stop();
  }, 30_000);

  test("an absurd nextSeq, then plausible numbering: a counted protocol error and a reset, not silence", async () => {
    let registrations = 0;
    const node = hostileNode((c, m) => {
      if (m.op !== "register") return;
      registrations++;
      const nextSeq = registrations === 1 ? Number.MAX_SAFE_INTEGER : registrations === 2 ? 1e300 : 1;
      c.send({ op: "registered", sessionId: "S", resumed: false, eventsInCache: 3, nextSeq });
      for (let s = 1; s <= 3; s++) c.send(ringing(s));
    });
    const got: number[] = [];
    const resets: boolean[] = [];
    const { log, lines } = capture();
    const link = clientOf(node.port, {
      snapshot: false,
      logger: log,
      deliver: (ev) => got.push(ev.seq!),
      onState: (_s, info) => {
        if (info.resumed === false) resets.push(info.reset === true);
      },
    });
    try {
      link.start();
      await waitFor(() => got.length === 3, "the three events of the third registration");
      expect(got).toEqual([1, 2, 3]);
      const c = link.session.counters;
      expect(c.protocolErrors).toBe(2); // seq 1 far behind MAX_SAFE_INTEGER; nextSeq 1e300 invalid
      expect(c.duplicates).toBe(0);
      expect(c.livenessTimeouts).toBe(0); // the invalid answer did not wait for the register timeout
      expect(resets).toEqual([false, true]); // the answer with 1e300 never became a registration
      expect(lines.filter(([, m]) => m === "protocol error").length).toBe(2);
      expect(node.conns.length).toBe(1);
      expect(link.live).toBe(true);
    } finally {
      link.stop();
      node.stop();
    }
  }, 30_000);
});
