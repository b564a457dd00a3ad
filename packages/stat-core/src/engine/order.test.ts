/**
 * Streams interleave: a call's events (Interaction Proxy of the node the call is pinned to) can
 * reach the engine before the agent's login (T-Controller of the node that owns the DN), as after
 * a connect when both send snapshots. The agent must end up with the same status either way.
 * (Found with `statd watch` against sipsim: agents on a call at connect time stayed LoggedOut.)
 */
import { describe, expect, test } from "bun:test";
import type { TEvent } from "../definitions.ts";
import { Engine } from "./engine.ts";
import { fixtureConfig, req, T0 } from "./testing.ts";

const at = (sec: number): number => (T0 + sec * 1000) / 1000;
const call: TEvent = {
  event: "EventEstablished",
  time: at(30),
  connId: "c1",
  thisDN: "1001",
  otherDN: "+1555",
  thisQueue: "8000",
  agentId: "l1",
  callType: "Inbound",
  snapshot: true,
};
const login: TEvent = {
  event: "EventAgentLogin",
  time: at(0),
  thisDN: "1001",
  agentId: "l1",
  snapshot: true,
};
const ready: TEvent = {
  event: "EventAgentReady",
  time: at(1),
  thisDN: "1001",
  agentId: "l1",
  workMode: "ManualIn",
  snapshot: true,
};

function run(events: TEvent[]): { status: string | undefined; loggedIn: unknown; talking: unknown } {
  const eng = new Engine({ config: fixtureConfig(), startMs: T0 + 60_000 });
  const li = eng.open(req("GroupAgents", "G1", "LoggedInAgents"));
  const talking = eng.open(req("GroupAgents", "G1", "TalkingAgents"));
  for (const ev of events) expect(eng.ingest(ev)).toEqual({ ok: true });
  if ("error" in li || "error" in talking) throw new Error("open failed");
  return {
    status: eng.objectStatus("Agent", "a1")?.status,
    loggedIn: eng.peek(li.statId)?.value,
    talking: eng.peek(talking.statId)?.value,
  };
}

describe("order of streams", () => {
  test("a call before the login (and its ready) gives the status of login first", () => {
    const loginFirst = run([login, ready, call]);
    expect(loginFirst).toEqual({ status: "CallInbound", loggedIn: 1, talking: 1 });
    expect(run([call, login, ready])).toEqual(loginFirst);
    expect(run([login, call, ready])).toEqual(loginFirst);
  });
  test("a re-login on another DN moves the agent with the new DN's status", () => {
    const eng = new Engine({ config: fixtureConfig(), startMs: T0 });
    for (const ev of [
      { ...call, thisDN: "1002", agentId: undefined, snapshot: false },
      { ...login, time: at(40) },
      { ...login, time: at(50), thisDN: "1002" },
    ] as TEvent[])
      expect(eng.ingest(ev)).toEqual({ ok: true });
    expect(eng.objectStatus("Agent", "a1")?.status).toBe("CallInbound");
  });
});
