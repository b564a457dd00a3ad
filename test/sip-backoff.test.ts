/**
 * Reconnect timing with a fake clock over real sockets: a SessionLink on the Bun transport keeps
 * failing to connect to a closed port; the delays it schedules follow the capped exponential
 * backoff; once a node listens it connects, registers, and the backoff starts over.
 */
import { expect, test } from "bun:test";
import { FakeTimers } from "../packages/sip-client/src/backoff.ts";
import { bunTransport } from "../packages/sip-client/src/bun/transport.ts";
import { SessionLink } from "../packages/sip-client/src/link.ts";
import { startNodeServers } from "../packages/sip-sim/src/server/mod.ts";
import { waitFor } from "./sip-harness.ts";

async function freeBasePort(): Promise<number> {
  for (;;) {
    const a = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const p = a.port;
    a.stop(true);
    try {
      const b = Bun.listen({ hostname: "127.0.0.1", port: p + 1, socket: { data() {} } });
      b.stop(true);
      return p;
    } catch {
      // p + 1 busy: try another
    }
  }
}

test("reconnect delays follow capped exponential backoff (fake clock, real sockets)", async () => {
  const base = await freeBasePort();
  const timers = new FakeTimers(0);
  const link = new SessionLink({
    client: "t",
    nodeId: "n1",
    port: "interactionProxy",
    host: "127.0.0.1",
    portNumber: base,
    transport: bunTransport(),
    timers,
    backoff: { initialMs: 100, maxMs: 1000, jitter: 0.5, random: () => 0.5 },
    deliver: () => {},
  });
  link.start();
  const seen: number[] = [];
  for (let i = 0; i < 6; i++) {
    await waitFor(() => link.stats().reconnectInMs !== undefined, `failed attempt ${i + 1}`);
    const d = link.stats().reconnectInMs!;
    seen.push(d);
    timers.advance(d - 1);
    expect(link.stats().attempts).toBe(i + 1); // not yet
    timers.advance(1);
    expect(link.stats().attempts).toBe(i + 2);
  }
  // base 100·2^n capped at 1000, times (1 - 0.5 + 0.5·0.5) = 0.75
  expect(seen).toEqual([75, 150, 300, 600, 750, 750]);

  const srv = await startNodeServers({ basePort: base, nodeIds: ["n1"], snapshot: () => [] });
  try {
    await waitFor(() => link.stats().reconnectInMs !== undefined, "one more failure before the node listens");
    timers.advance(link.stats().reconnectInMs!);
    await waitFor(() => link.session.counters.snapshots === 1, "registered, snapshot received");
    srv.faults.dropConnections();
    await waitFor(() => link.stats().reconnectInMs !== undefined, "drop noticed");
    expect(link.stats().reconnectInMs).toBe(75); // backoff reset by the registration
    timers.advance(75);
    await waitFor(() => link.session.state === "live" && link.session.counters.resumes === 1, "resumed");
  } finally {
    link.stop();
    await srv.close();
  }
}, 30_000);
