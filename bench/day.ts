/**
 * The engine benchmarks' generated contact-center day (bench/engine.ts, bench/v2-kernel.ts): the
 * directory, the statistics opened and the event stream, shared so that both replay exactly the same events.
 */
import type { EngineConfig, StatTypeDef, TEvent } from "../packages/stat-core/src/definitions.ts";
import { FIXTURE_STAT_TYPES, fixtureConfig } from "../packages/stat-core/src/engine/testing.ts";
import type { OpenRequest } from "../packages/stat-core/src/engine/types.ts";

export const QUEUES = 200;
export const GROUP_SIZE = 100;
export const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

/** The bench directory: `nAgents` agents, each on its own Extension DN and place; agent groups of
 * 100 fed by one queue each; 200 ACD queues in queue groups of 10; one tenant. */
export function dayConfig(nAgents: number): EngineConfig {
  const base = fixtureConfig();
  const dns: EngineConfig["directory"]["dns"] = [];
  const places: EngineConfig["directory"]["places"] = [];
  const agents: EngineConfig["directory"]["agents"] = [];
  for (let i = 0; i < nAgents; i++) {
    dns.push({ id: `d${i}`, tenant: "T1", type: "Extension", place: `p${i}` });
    places.push({ id: `p${i}`, tenant: "T1" });
    agents.push({ id: `a${i}`, tenant: "T1", loginIds: [`l${i}`] });
  }
  for (let q = 0; q < QUEUES; q++) dns.push({ id: `q${q}`, tenant: "T1", type: "ACDQueue" });
  const agentGroups: EngineConfig["directory"]["agentGroups"] = [];
  for (let g = 0; g * GROUP_SIZE < nAgents; g++) {
    agentGroups.push({
      id: `g${g}`,
      tenant: "T1",
      agents: agents.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE).map((a) => a.id),
      originationDns: [`q${g % QUEUES}`],
    });
  }
  const queueGroups = Array.from({ length: QUEUES / 10 }, (_, i) => ({
    id: `qg${i}`,
    tenant: "T1",
    dns: Array.from({ length: 10 }, (_, j) => `q${i * 10 + j}`),
  }));
  return {
    ...base,
    directory: { tenants: [{ id: "T1" }], dns, places, agents, agentGroups, placeGroups: [], queueGroups },
  };
}

/** The stat types of the mix (bench/v2-kernel.ts keys its counter forms by them). */
export const PER_AGENT = [
  "ReadyTime",
  "NotReadyTime",
  "TalkTime",
  "ACWTime",
  "InboundCalls",
  "TimeInState",
  "LoginTime",
  "HoldTime",
  "ASA",
  "HoldCount",
] as const;
export const PER_GROUP = [
  "ReadyAgents",
  "LoggedInAgents",
  "TalkingAgents",
  "TalkTime",
  "InboundCalls",
  "ACWTime",
  "NotReadyTime",
  "LoginTime",
  "ASA",
] as const;
export const PER_QUEUE = [
  "Waiting",
  "OldestWait",
  "Entered",
  "Answered",
  "Abandoned",
  "Distributed",
  "ASA",
  "SL",
  "AnsweredInRange",
  "EWT",
  "AgentsReadyQ",
  "AgentsLoginQ",
  "AvgAbandonWait",
  "AbandonPct",
  "AvgWaiting",
] as const;
/** the tenant's: queue-side ones in the first 3 variants, then agent-side ones in Default */
export const TENANT_QUEUE = ["Waiting", "Entered", "Answered", "Abandoned", "SL", "ASA"] as const;
export const TENANT_AGENT = ["ReadyAgents", "LoggedInAgents", "TalkingAgents"] as const;
/** the variants of a group's and a queue's statistics */
export const VARIANTS: readonly Partial<OpenRequest>[] = [
  {},
  { timeProfile: "Quarter" },
  { timeProfile: "LastHour" },
  { filter: "Gold" },
  { timeProfile: "Quarter", filter: "Gold" },
];

/** The open mix: 10 per agent, 45 per agent group, 75 per queue, 21 on the tenant. */
export function requests(cfg: EngineConfig): OpenRequest[] {
  const types = new Map<string, StatTypeDef>(FIXTURE_STAT_TYPES.map((s) => [s.name, s]));
  const out: OpenRequest[] = [];
  const note = { notification: { mode: "time" as const, frequency: 10 } };
  for (let i = 0; i < cfg.directory.agents.length; i++)
    for (const s of PER_AGENT) out.push({ object: { type: "Agent", id: `a${i}` }, statType: s, ...note });
  for (const g of cfg.directory.agentGroups)
    for (const s of PER_GROUP)
      for (const p of VARIANTS)
        out.push({ object: { type: "GroupAgents", id: g.id }, statType: s, ...p, ...note });
  for (let q = 0; q < QUEUES; q++)
    for (const s of PER_QUEUE)
      for (const p of VARIANTS) {
        if (!types.get(s)!.objects.includes("Queue")) continue;
        out.push({ object: { type: "Queue", id: `q${q}` }, statType: s, ...p, ...note });
      }
  for (const s of TENANT_QUEUE)
    for (const p of VARIANTS.slice(0, 3))
      out.push({ object: { type: "Tenant", id: "T1" }, statType: s, ...p, ...note });
  for (const s of TENANT_AGENT) out.push({ object: { type: "Tenant", id: "T1" }, statType: s, ...note });
  return out;
}

/**
 * A generated day: waves of calls over all agents; 8–10 events per call plus agent state; 5 % of
 * the calls are abandoned while waiting and 2 % while ringing at the agent. The
 * waves take the agents in turn (blocks of one fixed permutation) and are spaced so that an
 * agent's next call starts after its previous one ended (its last event is 230 s after its wave
 * starts): every DN and agent sees its events in time order, as a switch reports them.
 */
export class Day {
  t = T0;
  constructor(private readonly nAgents: number) {}
  private seq = 0;
  /** position of the next wave's first agent in the permutation k ↦ k × 7919 mod nAgents */
  private pos = 0;
  private rnd = 12345;
  private rand(): number {
    this.rnd = (this.rnd * 1103515245 + 12345) & 0x7fffffff;
    return this.rnd / 0x7fffffff;
  }
  login(): TEvent[] {
    const out: TEvent[] = [];
    for (let i = 0; i < this.nAgents; i++) {
      out.push({
        event: "EventAgentLogin",
        time: this.t / 1000,
        thisDN: `d${i}`,
        agentId: `l${i}`,
        thisQueue: `q${i % QUEUES}`,
      });
      out.push({ event: "EventAgentReady", time: this.t / 1000, thisDN: `d${i}`, agentId: `l${i}` });
    }
    return out;
  }
  /** One wave: `n` calls handled by `n` agents, in time order by phase. */
  wave(n: number): TEvent[] {
    const out: TEvent[] = [];
    const start = this.t;
    const calls: {
      c: string;
      q: string;
      dn: string;
      ag: string;
      hold: boolean;
      gold: boolean;
      /** 5 % abandoned while waiting, 2 % while ringing at the agent */
      fate: "answered" | "abandoned" | "ringAbandoned";
      /** distributed (and ringing) this many seconds into the wave: answers after ~9–34 s of wait */
      dv: number;
    }[] = [];
    for (let k = 0; k < n; k++) {
      const a = ((this.pos + k) * 7919) % this.nAgents;
      calls.push({
        c: `c${++this.seq}`,
        q: `q${a % QUEUES}`,
        dn: `d${a}`,
        ag: `l${a}`,
        hold: this.rand() < 0.1,
        gold: this.rand() < 0.3,
        fate: ((r) => (r < 0.05 ? "abandoned" : r < 0.07 ? "ringAbandoned" : "answered"))(this.rand()),
        dv: 10 + this.rand() * 20,
      });
    }
    // a call's attached data travels with it: every event of the call carries it, as T-Server's do
    const ud = (x: { gold: boolean }): Record<string, string> => ({ Segment: x.gold ? "Gold" : "Silver" });
    const at = (s: number): number => (start + s * 1000) / 1000;
    for (const x of calls)
      out.push({
        event: "EventQueued",
        time: at(this.rand() * 5),
        thisDN: x.q,
        connId: x.c,
        callType: "Inbound",
        ani: "5551234",
        userData: ud(x),
      });
    for (const x of calls)
      if (x.fate === "abandoned")
        out.push({ event: "EventAbandoned", time: at(7), thisDN: x.q, connId: x.c, userData: ud(x) });
    const routed = calls.filter((x) => x.fate !== "abandoned");
    for (const x of routed) {
      out.push({
        event: "EventDiverted",
        time: at(x.dv),
        thisDN: x.q,
        connId: x.c,
        otherDN: x.dn,
        userData: ud(x),
      });
      out.push({
        event: "EventRinging",
        time: at(x.dv),
        thisDN: x.dn,
        connId: x.c,
        thisQueue: x.q,
        callType: "Inbound",
        userData: ud(x),
      });
    }
    for (const x of routed)
      if (x.fate === "ringAbandoned")
        out.push({ event: "EventReleased", time: at(x.dv + 2), thisDN: x.dn, connId: x.c, userData: ud(x) });
    const answered = routed.filter((x) => x.fate === "answered");
    for (const x of answered)
      out.push({
        event: "EventEstablished",
        time: at(x.dv + 4),
        thisDN: x.dn,
        connId: x.c,
        thisQueue: x.q,
        userData: ud(x),
      });
    for (const x of answered)
      if (x.hold) out.push({ event: "EventHeld", time: at(60), thisDN: x.dn, connId: x.c, userData: ud(x) });
    for (const x of answered)
      if (x.hold)
        out.push({ event: "EventRetrieved", time: at(90), thisDN: x.dn, connId: x.c, userData: ud(x) });
    for (const x of answered)
      out.push({ event: "EventReleased", time: at(200), thisDN: x.dn, connId: x.c, userData: ud(x) });
    for (const x of answered)
      out.push({
        event: "EventAgentNotReady",
        time: at(200),
        thisDN: x.dn,
        agentId: x.ag,
        workMode: "AfterCallWork",
      });
    for (const x of answered)
      out.push({ event: "EventAgentReady", time: at(230), thisDN: x.dn, agentId: x.ag });
    this.pos = (this.pos + n) % this.nAgents;
    // an agent comes back after ⌊nAgents / n⌋ − 1 waves at the least
    this.t = start + Math.max(20_000, Math.ceil(240_000 / Math.max(1, Math.floor(this.nAgents / n) - 1)));
    return out;
  }
}
