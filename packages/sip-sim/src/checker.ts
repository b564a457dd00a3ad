/**
 * An independent checker of the event streams a SIP cluster sends: per (node, port) stream the
 * sequence numbers and clock; per call party (connId, DN) a valid T-Library state sequence; per
 * agent DN the login/ready/not-ready sequence; the cluster rules (a call's events only on the
 * stream of the node it is pinned to, agent state only on the owning node's T-Controller, a
 * distributed call only rings at a logged-in, Ready agent). Used by the tests and usable on any
 * recording. Portable TypeScript.
 */
import { agentDnOf, ownerNodeOf } from "./directory.ts";
import type { EventBody, SimEvent } from "./types.ts";

type PState = "queued" | "ringing" | "dialing" | "established" | "held";

interface OpenParty {
  connId: string;
  dn: string;
  state: PState;
  callType: string | undefined;
}

interface AgentDn {
  node: string;
  agentId: string | undefined;
  ready: boolean;
}

/** What the checker counted. */
export interface CheckerCounts {
  queued: number;
  diverted: number;
  abandonedInQueue: number;
  ringing: number;
  establishedAfterRinging: number;
  abandonedRinging: number;
  releasedRinging: number;
  partyChanged: number;
  events: number;
}

/**
 * Feed events in the order they were produced; read {@link SequenceChecker.errors}.
 *
 * @example
 * ```ts
 * const chk = new SequenceChecker({ ownerOf: (dn) => undefined });
 * for (const e of events) chk.feed(e);
 * chk.errors; // []
 * ```
 */
export class SequenceChecker {
  /** Problems found, in order (at most 1000 kept). */
  readonly errors: string[] = [];
  /** Counters for conservation checks. */
  readonly counts: CheckerCounts = {
    queued: 0,
    diverted: 0,
    abandonedInQueue: 0,
    ringing: 0,
    establishedAfterRinging: 0,
    abandonedRinging: 0,
    releasedRinging: 0,
    partyChanged: 0,
    events: 0,
  };
  private readonly _ownerOf: (dn: string) => string | undefined;
  private readonly _isQueue: (dn: string) => boolean;
  private readonly _lastSeq = new Map<string, number>();
  private readonly _lastTime = new Map<string, number>();
  /** connId → node it is pinned to (while it has open parties, and after). */
  private readonly _pin = new Map<string, string>();
  /** "connId dn" → open party. */
  private readonly _open = new Map<string, OpenParty>();
  private readonly _agents = new Map<string, AgentDn>();
  /** Streams allowed to start again at seq 1 (their node restarted). */
  private readonly _restarted = new Set<string>();

  /**
   * @param opts.ownerOf the node owning an agent DN (undefined: not an agent DN)
   * @param opts.isQueue whether a DN is a queue (default: 8xxx)
   */
  constructor(opts: { ownerOf: (dn: string) => string | undefined; isQueue?: (dn: string) => boolean }) {
    this._ownerOf = opts.ownerOf;
    this._isQueue = opts.isQueue ?? ((dn) => /^8\d{3}$/.test(dn));
  }

  /** Open parties (calls in progress) of a node, as "connId dn state". */
  openParties(node?: string): string[] {
    const out: string[] = [];
    for (const p of this._open.values()) {
      if (node === undefined || this._pin.get(p.connId) === node) out.push(`${p.connId} ${p.dn} ${p.state}`);
    }
    return out;
  }

  /** The node restarted: its calls are gone, its agents must re-register. */
  restart(node: string): void {
    this._restarted.add(`${node}/interactionProxy`);
    this._restarted.add(`${node}/tController`);
    for (const [key, p] of [...this._open]) if (this._pin.get(p.connId) === node) this._open.delete(key);
    for (const a of this._agents.values()) if (a.node === node) a.agentId = undefined;
  }

  /** Check one event. */
  feed(ev: SimEvent): void {
    this.counts.events++;
    const b = ev.body;
    const stream = `${ev.node}/${ev.port}`;
    const last = this._lastSeq.get(stream) ?? 0;
    if (ev.seq === 1 && last > 0) {
      // a stream starting again: its node restarted (announced, or seen here first)
      if (!this._restarted.has(stream)) this.restart(ev.node);
      this._restarted.delete(stream);
    } else if (ev.seq !== last + 1) this._err(ev, `seq ${ev.seq} after ${last}`);
    else this._restarted.delete(stream);
    this._lastSeq.set(stream, ev.seq);
    if (typeof b.time !== "number" || !Number.isFinite(b.time)) this._err(ev, "time is not a number");
    const lt = this._lastTime.get(stream);
    if (lt !== undefined && b.time < lt) this._err(ev, `time goes back ${lt} -> ${b.time}`);
    this._lastTime.set(stream, b.time);
    if (ev.port === "tController") this._feedTc(ev, b);
    else this._feedCall(ev, b);
  }

  private _feedTc(ev: SimEvent, b: EventBody): void {
    const dn = b.thisDN;
    if (!dn) {
      this._err(ev, "no thisDN");
      return;
    }
    const owner = this._ownerOf(dn);
    if (owner !== ev.node) this._err(ev, `DN ${dn} owned by ${owner} reported by ${ev.node}`);
    let a = this._agents.get(dn);
    if (!a) {
      a = { node: ev.node, agentId: undefined, ready: false };
      this._agents.set(dn, a);
    }
    switch (b.event) {
      case "EventAgentLogin":
        if (a.agentId !== undefined) this._err(ev, `login on ${dn} already logged in`);
        if (!b.agentId) this._err(ev, "login without agentId");
        a.agentId = b.agentId;
        a.ready = false;
        return;
      case "EventAgentLogout":
      case "EventAgentReady":
      case "EventAgentNotReady":
        if (a.agentId === undefined) {
          this._err(ev, `${b.event} on ${dn} not logged in`);
          return;
        }
        if (b.agentId !== a.agentId) this._err(ev, `agentId ${b.agentId} on ${dn} logged in as ${a.agentId}`);
        if (b.event === "EventAgentLogout") {
          a.agentId = undefined;
          for (const p of this._open.values()) {
            // legal in T-Library, but the model always finishes the call first
            if (p.dn === dn) this._err(ev, `logout on ${dn} with a call up (${p.connId})`);
          }
        } else if (b.event === "EventAgentReady") a.ready = true;
        else {
          a.ready = false;
          if (b.workMode !== "AfterCallWork" && !b.reasons?.ReasonCode)
            this._err(ev, "NotReady without a reason code");
        }
        return;
      case "EventDNBackInService":
      case "EventDNOutOfService":
      case "EventUserEvent":
        return;
      default:
        this._err(ev, `unexpected ${b.event} on the T-Controller`);
    }
  }

  private _feedCall(ev: SimEvent, b: EventBody): void {
    const connId = b.connId;
    const dn = b.thisDN;
    if (!connId || !dn) {
      this._err(ev, "call event without connId or thisDN");
      return;
    }
    const pinned = this._pin.get(connId);
    if (pinned === undefined) this._pin.set(connId, ev.node);
    else if (pinned !== ev.node) this._err(ev, `call ${connId} pinned to ${pinned} seen on ${ev.node}`);
    const key = `${connId} ${dn}`;
    const p = this._open.get(key);
    const isQ = this._isQueue(dn);
    const open = (state: PState) => {
      if (p) this._err(ev, `${b.event}: party ${key} already ${p.state}`);
      this._open.set(key, { connId, dn, state, callType: b.callType });
    };
    const expect = (...states: PState[]): OpenParty | undefined => {
      if (!p) {
        this._err(ev, `${b.event}: no open party ${key}`);
        return undefined;
      }
      if (!states.includes(p.state)) this._err(ev, `${b.event}: party ${key} is ${p.state}`);
      return p;
    };
    switch (b.event) {
      case "EventQueued":
        if (!isQ) this._err(ev, `EventQueued on non-queue ${dn}`);
        this.counts.queued++;
        open("queued");
        return;
      case "EventDiverted":
        if (expect("queued")) this._open.delete(key);
        if (!b.otherDN) this._err(ev, "EventDiverted without otherDN");
        this.counts.diverted++;
        return;
      case "EventRinging": {
        this.counts.ringing++;
        open("ringing");
        if (b.callType === "Inbound") {
          const a = this._agents.get(dn);
          if (!a?.agentId) this._err(ev, `inbound call rings at ${dn} with no agent logged in`);
          else if (!a.ready) this._err(ev, `inbound call rings at ${dn} whose agent is not Ready`);
          for (const o of this._open.values()) {
            if (o.dn === dn && o.connId !== connId)
              this._err(ev, `inbound call rings at busy ${dn} (${o.connId})`);
          }
        }
        return;
      }
      case "EventDialing":
        open("dialing");
        return;
      case "EventEstablished": {
        const q = expect("ringing", "dialing");
        if (q) {
          if (q.state === "ringing") this.counts.establishedAfterRinging++;
          q.state = "established";
        }
        return;
      }
      case "EventHeld": {
        const q = expect("established");
        if (q) q.state = "held";
        return;
      }
      case "EventRetrieved": {
        const q = expect("held");
        if (q) q.state = "established";
        return;
      }
      case "EventAbandoned": {
        const q = expect("queued", "ringing", "dialing");
        if (q) {
          if (q.state === "queued") this.counts.abandonedInQueue++;
          if (q.state === "ringing") this.counts.abandonedRinging++;
          this._open.delete(key);
        }
        return;
      }
      case "EventReleased": {
        const q = expect("ringing", "dialing", "established", "held");
        if (q) {
          if (q.state === "ringing") this.counts.releasedRinging++;
          if (q.state === "held" && b.callState !== "Transferred")
            this._err(ev, `released while held: ${key}`);
          this._open.delete(key);
        }
        return;
      }
      case "EventPartyChanged": {
        this.counts.partyChanged++;
        const prev = b.previousConnId;
        if (!prev) {
          this._err(ev, "EventPartyChanged without previousConnId");
          return;
        }
        const old = this._open.get(`${prev} ${dn}`);
        if (old?.state !== "established") {
          this._err(ev, `EventPartyChanged: no established party ${prev} ${dn}`);
          return;
        }
        this._open.delete(`${prev} ${dn}`);
        for (const o of this._open.values()) {
          if (o.connId === prev) this._err(ev, `EventPartyChanged: ${prev} still has party ${o.dn}`);
        }
        if (this._pin.get(prev) !== ev.node) this._err(ev, `EventPartyChanged across nodes (${prev})`);
        open("established");
        return;
      }
      case "EventAttachedDataChanged": {
        let any = false;
        for (const o of this._open.values()) if (o.connId === connId) any = true;
        if (!any) this._err(ev, `EventAttachedDataChanged on ended call ${connId}`);
        return;
      }
      default:
        this._err(ev, `unexpected ${b.event} on the Interaction Proxy`);
    }
  }

  private _err(ev: SimEvent, msg: string): void {
    if (this.errors.length < 1000)
      this.errors.push(`${ev.node}/${ev.port}#${ev.seq} ${ev.body.event}: ${msg}`);
  }
}

/**
 * A {@link SequenceChecker} that knows the simulator's directory: agent DNs and their owner nodes.
 *
 * @example
 * ```ts
 * const chk = checkerFor({ agents: 10, nodeIds: ["node1", "node2"] });
 * ```
 */
export function checkerFor(cfg: { agents: number; nodeIds: readonly string[] }): SequenceChecker {
  const owner = new Map<string, string>();
  for (let k = 1; k <= cfg.agents; k++) {
    owner.set(agentDnOf(k, cfg.agents), cfg.nodeIds[ownerNodeOf(k, cfg.nodeIds.length)] as string);
  }
  return new SequenceChecker({ ownerOf: (dn) => owner.get(dn) });
}
