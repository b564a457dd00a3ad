/**
 * Faults against the running cluster, as real processes (`statd start`, sipsim, Bun's fetch and
 * WebSocket): a SIP cluster that goes silent, a node restart, an instance killed, hostile input.
 * Every wait is a condition with a deadline; the harness removes processes by pid and the segment
 * by name (docs/semantics.md §8 for what validity means, docs/api.md for the wire).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { DaemonHarness, type StatReq, waitFor } from "./daemon-harness.ts";

let h: DaemonHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const Q = (id: string, statType: string): StatReq => ({ object: { type: "Queue", id }, statType });
const G = (id: string, statType: string): StatReq => ({ object: { type: "GroupAgents", id }, statType });

/** GET /v1/statistics/:id of every id: their validity. */
async function validities(d: DaemonHarness, ids: string[]): Promise<boolean[]> {
  return Promise.all(ids.map(async (id) => (await d.get(`/v1/statistics/${id}`)).valid as boolean));
}

async function readyz(d: DaemonHarness): Promise<{ status: number; reasons: string[] }> {
  const r = await fetch(`${d.url}/readyz`);
  const b = (await r.json()) as { reasons: string[] };
  return { status: r.status, reasons: b.reasons };
}

describe("statd start under faults", () => {
  test("a SIP cluster that goes silent makes statistics invalid, and valid again when it is back", async () => {
    const d = DaemonHarness.create({ instances: 2 });
    h = d;
    await d.startDaemon();
    const ids = await d.open([
      Q("8001", "CurrNumberWaitingCalls"),
      G("group1", "CurrAgentsLoggedIn"),
      { object: { type: "Tenant", id: "demo" }, statType: "TotalNumberCallsEntered" },
    ]);
    const ws = await d.stream();
    ws.send({
      op: "open",
      ref: "g2",
      object: { type: "GroupAgents", id: "group2" },
      statType: "CurrAgentsLoggedIn",
    });
    await ws.next("the WebSocket open", (f) => f.event === "opened" && f.ref === "g2");
    const sim = d.startSim(["--seed", "3", "--speed", "20", "--duration", "86400"]);
    await waitFor("every statistic valid", async () => (await validities(d, ids)).every((v) => v));
    await waitFor("ready", async () => (await readyz(d)).status === 200);
    await ws.next(
      "a valid info on the WebSocket",
      (f) => f.event === "info" && f.ref === "g2" && f.valid === true,
    );

    // the simulator stops answering: the links go silent and, after 5 s, are declared dead
    const mark = ws.frames.length;
    process.kill(sim.pid, "SIGSTOP");
    try {
      await waitFor(
        "every statistic invalid",
        async () => (await validities(d, ids)).every((v) => !v),
        20_000,
      );
      const notReady = await readyz(d);
      expect(notReady.status).toBe(503);
      expect(notReady.reasons.length).toBeGreaterThan(0);
      expect(notReady.reasons.join("\n")).toMatch(/node\d\/(interactionProxy|tController): not live/);
      await ws.next("{event:invalid} on the WebSocket", (f) => f.event === "invalid" && f.ref === "g2", mark);
    } finally {
      process.kill(sim.pid, "SIGCONT");
    }
    const back = ws.frames.length;
    await waitFor(
      "every statistic valid again",
      async () => (await validities(d, ids)).every((v) => v),
      30_000,
    );
    await waitFor("ready again", async () => (await readyz(d)).status === 200, 30_000);
    await ws.next("{event:valid} on the WebSocket", (f) => f.event === "valid" && f.ref === "g2", back);
    expect(sim.exitCode).toBeNull(); // the day goes on
  }, 90_000);
});
