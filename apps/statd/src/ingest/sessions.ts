/**
 * The SIP sessions one instance holds. The cluster's sessions (both ports of every
 * `[[sip.nodes]]`, in config order) are spread over the slots: session k is held by slot
 * k mod N, so every instance knows, from the config alone, who holds what (docs/architecture.md,
 * "Ingest"). The holder decodes and validates each event once (sip-client), puts its time
 * through the time gate, stamps it with its stream's key (`node/port`) and hands it on for
 * routing; it reports each stream's state changes in order with its events (the rules are in
 * `source_state.ts`).
 *
 * `resync()` re-registers every held session on a fresh stream (a reset and a snapshot): what
 * an instance that joined or restarted needs to rebuild current state.
 *
 * @example
 * ```ts
 * const h = new SessionHolder({ nodes, self: 0, slots: 2, factory, gate, onEvent, onSource });
 * h.start();
 * h.stats(); // [{ node: "node1", port: "interactionProxy", instance: 0, state: "live", ... }]
 * ```
 * @module
 */
import type { LinkStats, PortKind, SessionState, SipEvent, StateInfo } from "@statd/sip-client";
import type { TEvent, TimeGate } from "@statd/stat-core";
import type { SessionInfo } from "../api/service.ts";
import type { SourceOp } from "../wire/records.ts";
import { sourceOps } from "./source_state.ts";

/** One `[[sip.nodes]]` entry. */
export interface NodeDef {
  id: string;
  interactionProxy: string;
  tController: string;
}

/** A running session link (sip-client's SessionLink fits). */
export interface StreamLink {
  start(): void;
  stop(): void;
  stats(): LinkStats;
}

/** Creates one link; `fromStart` asks the node for its stream from the first event when it still has it. */
export type LinkFactory = (
  node: NodeDef,
  port: PortKind,
  fromStart: boolean,
  h: { deliver(ev: SipEvent): void; onState(state: SessionState | "connecting", info: StateInfo): void },
) => StreamLink;

/** One session of the cluster and its holder. */
export interface Assignment {
  node: NodeDef;
  port: PortKind;
  /** stream key: `node/port` */
  key: string;
  holder: number;
}

/** Every session of the cluster, with the slot that holds it. */
export function assignSessions(nodes: readonly NodeDef[], slots: number): Assignment[] {
  const out: Assignment[] = [];
  for (const node of nodes)
    for (const port of ["interactionProxy", "tController"] as const)
      out.push({ node, port, key: `${node.id}/${port}`, holder: out.length % slots });
  return out;
}

/** Options of {@link SessionHolder}. */
export interface SessionHolderOptions {
  nodes: readonly NodeDef[];
  self: number;
  slots: number;
  factory: LinkFactory;
  gate: TimeGate;
  /** an accepted event, `node` set to its stream key */
  onEvent(ev: TEvent): void;
  /** a stream's state, in order with its events */
  onSource(key: string, op: SourceOp): void;
}

interface _Held {
  a: Assignment;
  link: StreamLink;
  up: boolean;
  events: number;
  fromStart: boolean;
  /** this link is the session's current one (a stopped link's late callbacks are ignored) */
  current: boolean;
}

/** See the module doc. */
export class SessionHolder {
  readonly held: Assignment[];
  private _links: _Held[] = [];
  private _started = false;

  constructor(private readonly _o: SessionHolderOptions) {
    this.held = assignSessions(_o.nodes, _o.slots).filter((a) => a.holder === _o.self);
  }

  /**
   * Connect every held session; `fromStart`: ask the nodes for their streams from the first
   * event (when they still cache it), else a fresh stream with a snapshot.
   */
  start(fromStart = true): void {
    if (this._started) return;
    this._started = true;
    this._links = this.held.map((a) => this._make(a, fromStart));
  }

  /** Re-register every held session on a fresh stream (reset + snapshot). */
  resync(): void {
    if (!this._started) return;
    for (const h of this._links) this._stop(h);
    this._links = this.held.map((a) => this._make(a, false));
  }

  /**
   * A stream of the cluster came up: the held sessions waiting to reconnect try again now
   * instead of at the end of their backoff, so the streams of nodes that start together come up
   * together (their events are then merged in time order from the first one on).
   */
  nudge(): number {
    if (!this._started) return 0;
    let n = 0;
    this._links = this._links.map((h) => {
      const st = h.link.stats();
      if (h.up || st.reconnectInMs === undefined || st.reconnectInMs < 50) return h;
      n++;
      this._stop(h);
      return this._make(h.a, h.fromStart);
    });
    return n;
  }

  stop(): void {
    this._started = false;
    for (const h of this._links) this._stop(h);
    this._links = [];
  }

  /** Events accepted per held session. */
  get events(): number {
    let n = 0;
    for (const h of this._links) n += h.events;
    return n;
  }

  stats(): SessionInfo[] {
    return this._links.map((h) => {
      const s = h.link.stats();
      return {
        node: h.a.node.id,
        port: h.a.port,
        instance: this._o.self,
        state: s.state,
        lastSeq: s.lastSeq ?? 0,
        live: h.up && s.state === "live",
      };
    });
  }

  private _make(a: Assignment, fromStart: boolean): _Held {
    const o = this._o;
    const held: _Held = {
      a,
      link: null as unknown as StreamLink,
      up: false,
      events: 0,
      fromStart,
      current: true,
    };
    held.link = o.factory(a.node, a.port, fromStart, {
      deliver: (ev) => {
        if (!held.current) return;
        const r = o.gate.check(ev);
        if (typeof r === "string") return; // counted by the gate
        held.events++;
        const te = ev as TEvent;
        te.node = a.key;
        o.onEvent(te);
      },
      onState: (state, info) => {
        if (!held.current) return;
        const r = sourceOps(held.up, state, info);
        held.up = r.up;
        for (const op of r.ops) o.onSource(a.key, op);
      },
    });
    held.link.start();
    return held;
  }

  /** Stop a held session: a stream that was up goes down first; nothing it sends later counts. */
  private _stop(held: _Held): void {
    if (held.current && held.up) this._o.onSource(held.a.key, "down");
    held.current = false;
    held.up = false;
    held.link.stop();
  }
}
