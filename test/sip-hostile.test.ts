/**
 * sip-client against hand-written hostile nodes over real TCP: a node that accepts and never
 * answers, one that answers every re-registration with another seq jump, one that trickles bytes
 * without ever completing a line, and one that sends an absurd `nextSeq`. The client must keep at
 * most one connection, throttle itself, declare the link dead, and never drop events silently.
 */
import { describe, expect, test } from "bun:test";
import type { Socket } from "bun";
import { realTimers } from "../packages/sip-client/src/backoff.ts";
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
});
