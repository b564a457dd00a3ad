/**
 * A partition that died: what it reported of its DNs (an agent's or place's status on them) is
 * forgotten by the others (`Engine.forgetDns`); its restart reports the truth again from the
 * nodes' snapshots (docs/semantics.md §5).
 */
import { describe, expect, test } from "bun:test";
import { ReplayClock } from "./clock.ts";
import { Engine } from "./engine.ts";
import { fixtureConfig, T0 } from "./testing.ts";

const cfg = fixtureConfig();
const at = (s: number): number => (T0 + s * 1000) / 1000;

describe("a partition that died", () => {
  test("what it reported of its DNs is forgotten: the agent is no longer on that DN", () => {
    const clock = new ReplayClock(T0);
    const ownsDn = (k: string): boolean => k === "dn:1001";
    const dnOwner = new Engine({ config: cfg, clock, startMs: T0, owns: ownsDn });
    const agentOwner = new Engine({ config: cfg, clock, startMs: T0, owns: (k) => !ownsDn(k) });
    dnOwner.ingest({ event: "EventAgentLogin", time: at(1), thisDN: "1001", agentId: "l1" });
    dnOwner.ingest({ event: "EventAgentReady", time: at(1), thisDN: "1001", agentId: "l1" });
    for (const m of dnOwner.drainOutbox()) agentOwner.deliver(m);
    expect(agentOwner.objectStatus("Agent", "a1")?.status).toBe("WaitForNextCall");
    // the DN's owner dies: its reports end; its restart would report the truth again
    agentOwner.forgetDns(ownsDn, T0 + 5000);
    expect(agentOwner.objectStatus("Agent", "a1")?.status).toBe("LoggedOut");
  });
});
