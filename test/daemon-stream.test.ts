/**
 * The WebSocket stream across instances: every instance listens on the same port, so a client
 * that reconnects may land on another instance than before. Its `reattach` there takes the
 * subscriptions over from the instance it left (docs/api.md, "Reattach"). Real processes and
 * sockets; the welcome token's prefix says which instance a connection reached.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { DaemonHarness, waitFor } from "./daemon-harness.ts";

let h: DaemonHarness | null = null;
afterAll(async () => {
  await h?.close();
});

type Msg = Record<string, unknown>;

/** A WebSocket client that keeps every message. */
async function connect(url: string): Promise<{ ws: WebSocket; msgs: Msg[]; token: string }> {
  const msgs: Msg[] = [];
  const ws = new WebSocket(url);
  ws.onmessage = (m) => msgs.push(JSON.parse(String(m.data)) as Msg);
  await waitFor("welcome", () => msgs.find((m) => m.event === "welcome"), 10_000, 10);
  return { ws, msgs, token: msgs[0]!.token as string };
}

/** Connect until the connection lands on instance `slot` (the kernel spreads connections). */
async function connectTo(url: string, slot: number): Promise<{ ws: WebSocket; msgs: Msg[]; token: string }> {
  for (let i = 0; i < 200; i++) {
    const c = await connect(url);
    if (c.token.startsWith(`${slot}.`)) return c;
    c.ws.close();
  }
  throw new Error(`no connection reached instance ${slot}`);
}

describe("WebSocket reattach across instances", () => {
  test("subscriptions left on one instance come back on another; values keep flowing", async () => {
    h = DaemonHarness.create({ instances: 2 });
    await h.startDaemon();
    h.startSim(["--arrival-rate", "1", "--aht", "60", "--seed", "4", "--speed", "20", "--duration", "3600"]);
    const url = `ws://127.0.0.1:${h.apiPort}/v1/stream`;
    const a = await connectTo(url, 0);
    a.ws.send(
      JSON.stringify({
        op: "open",
        ref: "e",
        object: { type: "Tenant", id: "demo" },
        statType: "TotalNumberCallsEntered",
      }),
    );
    await waitFor("opened", () => a.msgs.find((m) => m.event === "opened"));
    const seen = (a.msgs.at(-1)!.seq as number) ?? 0;
    a.ws.close();
    const b = await connectTo(url, 1);
    b.ws.send(JSON.stringify({ op: "reattach", token: a.token, lastSeq: seen }));
    await waitFor("reattached", () => b.msgs.find((m) => m.event === "reattached"));
    expect(b.msgs.find((m) => m.event === "reattached")!.refs).toEqual(["e"]);
    // the statistic keeps notifying on the new connection, with values that only grow
    await waitFor(
      "two infos on the new connection",
      () => b.msgs.filter((m) => m.event === "info" && m.ref === "e").length >= 2,
      30_000,
    );
    const values = b.msgs.filter((m) => m.event === "info").map((m) => m.value as number);
    expect(values).toEqual([...values].sort((x, y) => x - y));
    // the old token is spent everywhere
    const c = await connect(url);
    c.ws.send(JSON.stringify({ op: "reattach", token: a.token, lastSeq: seen }));
    await waitFor("expired", () => c.msgs.find((m) => m.event === "error"));
    expect(c.msgs.find((m) => m.event === "error")!.code).toBe("reattach-expired");
    b.ws.close();
    c.ws.close();
  }, 90_000);
});
