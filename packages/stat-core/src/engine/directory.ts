/**
 * The object graph read from `[directory]`: statistic objects (with their attached statistic
 * instances) and the static relations used for propagation (DN → place, agent → groups,
 * place → groups, mediation DN → queue groups, everything → tenant).
 *
 * @example
 * ```ts
 * const d = new Directory(config.directory);
 * d.obj("Agent", "a1"); // ObjNode | undefined
 * ```
 * @module
 */
import type { AgentDef, DirectoryDef, DnDef, ObjectType } from "../definitions.ts";
import type { Stat } from "./stat.ts";

/** A statistic object and the statistic instances opened on it. */
export interface ObjNode {
  type: ObjectType;
  id: string;
  tenant: string;
  stats: Stat[];
  /** dispatch index: (subject kind × 1024 + action id) → positions in `stats`; shared, rebuilt lazily */
  idx: Map<number, Int32Array> | null;
}

const _MEDIATION = new Set(["ACDQueue", "RoutingPoint", "VirtualQueue", "RoutingQueue", "ServiceNumber"]);
const _RP = new Set(["RoutingPoint", "ServiceNumber"]);

function _push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

/** The resolved directory. */
export class Directory {
  readonly objs = new Map<string, ObjNode>();
  readonly dns = new Map<string, DnDef>();
  readonly agents = new Map<string, AgentDef>();
  readonly agentByLogin = new Map<string, AgentDef>();
  readonly groupsOfAgent = new Map<string, string[]>();
  readonly groupsOfPlace = new Map<string, string[]>();
  readonly groupsOfQueue = new Map<string, string[]>();
  readonly dnsOfPlace = new Map<string, string[]>();
  readonly origQueuesOfAgent = new Map<string, string[]>();
  readonly membersOfAgentGroup = new Map<string, string[]>();
  readonly membersOfPlaceGroup = new Map<string, string[]>();
  readonly dnsOfQueueGroup = new Map<string, string[]>();
  readonly dnsOfTenant = new Map<string, string[]>();
  readonly agentsOfTenant = new Map<string, string[]>();
  readonly placesOfTenant = new Map<string, string[]>();

  constructor(d: DirectoryDef) {
    for (const t of d.tenants) {
      // a tenant statistic follows its stat type's side: "Tenant:ID" sees everything,
      // the agent-side node only regular-DN/agent/place episodes, the queue-side node only
      // mediation-DN ones (CallAnswered happens on both sides and must not count twice)
      this._add("Tenant", t.id, t.id);
      this.objs.set(`Tenant@agent:${t.id}`, { type: "Tenant", id: t.id, tenant: t.id, stats: [], idx: null });
      this.objs.set(`Tenant@queue:${t.id}`, { type: "Tenant", id: t.id, tenant: t.id, stats: [], idx: null });
    }
    for (const dn of d.dns) {
      this.dns.set(dn.id, dn);
      this._add(this.dnObjectType(dn), dn.id, dn.tenant);
      _push(this.dnsOfTenant, dn.tenant, dn.id);
      if (dn.place) _push(this.dnsOfPlace, dn.place, dn.id);
    }
    for (const p of d.places) {
      this._add("Place", p.id, p.tenant);
      _push(this.placesOfTenant, p.tenant, p.id);
    }
    for (const a of d.agents) {
      this._add("Agent", a.id, a.tenant);
      this.agents.set(a.id, a);
      _push(this.agentsOfTenant, a.tenant, a.id);
      for (const l of a.loginIds.length ? a.loginIds : [a.id]) this.agentByLogin.set(l, a);
      if (!this.agentByLogin.has(a.id)) this.agentByLogin.set(a.id, a);
    }
    for (const g of d.agentGroups) {
      this._add("GroupAgents", g.id, g.tenant);
      this.membersOfAgentGroup.set(g.id, g.agents);
      for (const a of g.agents) {
        _push(this.groupsOfAgent, a, g.id);
        for (const q of g.originationDns) _push(this.origQueuesOfAgent, a, this.canonDn(q));
      }
    }
    for (const g of d.placeGroups) {
      this._add("GroupPlaces", g.id, g.tenant);
      this.membersOfPlaceGroup.set(g.id, g.places);
      for (const p of g.places) _push(this.groupsOfPlace, p, g.id);
    }
    for (const g of d.queueGroups) {
      this._add("GroupQueues", g.id, g.tenant);
      this.dnsOfQueueGroup.set(g.id, g.dns);
      for (const q of g.dns) _push(this.groupsOfQueue, q, g.id);
    }
  }

  private _add(type: ObjectType, id: string, tenant: string): void {
    this.objs.set(`${type}:${id}`, { type, id, tenant, stats: [], idx: null });
  }

  /**
   * The directory's own string for a DN id (`id` itself when the DN is unknown). A DN id taken
   * from an event is a fresh string; kept in long-lived state (an agent's login queue), the
   * canonical one makes every later map lookup with it compare by identity instead of reading
   * a cold string's characters.
   */
  canonDn(id: string): string {
    return this.dns.get(id)?.id ?? id;
  }

  /** RegDN, Queue or RoutePoint for a DN definition. */
  dnObjectType(dn: DnDef): ObjectType {
    return _RP.has(dn.type) ? "RoutePoint" : _MEDIATION.has(dn.type) ? "Queue" : "RegDN";
  }

  /** Whether a DN is a mediation DN (queue, routing point). */
  isMediation(dn: DnDef): boolean {
    return _MEDIATION.has(dn.type);
  }

  /** The object node, or undefined. */
  obj(type: ObjectType, id: string): ObjNode | undefined {
    return this.objs.get(`${type}:${id}`);
  }

  /** Object node of a DN. */
  dnObj(dn: DnDef): ObjNode {
    return this.objs.get(`${this.dnObjectType(dn)}:${dn.id}`)!;
  }

  /** The tenant nodes a side reaches: the side's own node and the all-sides node. */
  tenantNodes(tenant: string, side: "agent" | "queue"): ObjNode[] {
    const out: ObjNode[] = [];
    const s = this.objs.get(`Tenant@${side}:${tenant}`);
    const t = this.objs.get(`Tenant:${tenant}`);
    if (s) out.push(s);
    if (t) out.push(t);
    return out;
  }

  /** The tenant node a statistic attaches to, by its stat type's side. */
  tenantFor(tenant: string, side: "agent" | "queue" | "any"): ObjNode | undefined {
    return this.objs.get(side === "any" ? `Tenant:${tenant}` : `Tenant@${side}:${tenant}`);
  }

  /** Objects an agent-level episode propagates to: agent, its groups, its tenant. */
  agentPath(agentId: string): ObjNode[] {
    const a = this.agents.get(agentId);
    if (!a) return [];
    const out: ObjNode[] = [this.obj("Agent", agentId)!];
    for (const g of this.groupsOfAgent.get(agentId) ?? []) out.push(this.obj("GroupAgents", g)!);
    out.push(...this.tenantNodes(a.tenant, "agent"));
    return out;
  }

  /** Objects a place-level episode propagates to: place, its groups, its tenant. */
  placePath(placeId: string): ObjNode[] {
    const p = this.obj("Place", placeId);
    if (!p) return [];
    const out: ObjNode[] = [p];
    for (const g of this.groupsOfPlace.get(placeId) ?? []) out.push(this.obj("GroupPlaces", g)!);
    out.push(...this.tenantNodes(p.tenant, "agent"));
    return out;
  }

  /** Objects a DN action/status propagates to, given the agent bound to the DN (if any). */
  dnPath(dn: DnDef, agentId: string | null): ObjNode[] {
    const out: ObjNode[] = [this.dnObj(dn)];
    if (this.isMediation(dn)) {
      for (const g of this.groupsOfQueue.get(dn.id) ?? []) out.push(this.obj("GroupQueues", g)!);
    } else {
      if (agentId) {
        const p = this.agentPath(agentId);
        for (const o of p) if (o.type !== "Tenant") out.push(o);
      }
      if (dn.place) {
        for (const o of this.placePath(dn.place)) if (o.type !== "Tenant") out.push(o);
      }
    }
    out.push(...this.tenantNodes(dn.tenant, this.isMediation(dn) ? "queue" : "agent"));
    return out;
  }

  /** Objects a queue pseudo-action (AgentLogin/AgentReady) on mediation DN `q` propagates to (cached). */
  queuePath(q: string): ObjNode[] {
    const hit = this._queuePaths.get(q);
    if (hit) return hit;
    const dn = this.dns.get(q);
    const out: ObjNode[] = [];
    if (dn) {
      out.push(this.dnObj(dn));
      for (const g of this.groupsOfQueue.get(q) ?? []) out.push(this.obj("GroupQueues", g)!);
    }
    this._queuePaths.set(q, out);
    return out;
  }
  private readonly _queuePaths = new Map<string, ObjNode[]>();
}
