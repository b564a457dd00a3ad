/** The two monitoring ports of a SIP node (docs/protocol.md). */
export type PortKind = "interactionProxy" | "tController";

/** T-Library call types. */
export type CallType = "Inbound" | "Outbound" | "Internal" | "Consult" | "Unknown";

/**
 * One T-Library event as sent on the wire (without `seq`): the event name, the source time in
 * epoch seconds (simulated clock, millisecond precision) and camelCase attributes.
 *
 * @example
 * ```ts
 * const b: EventBody = { event: "EventAgentReady", time: 1767600000, thisDN: "7001", agentId: "agent001" };
 * ```
 */
export interface EventBody {
  event: string;
  time: number;
  connId?: string;
  previousConnId?: string;
  thisDN?: string;
  otherDN?: string;
  thirdPartyDN?: string;
  thisQueue?: string;
  agentId?: string;
  callType?: CallType;
  callState?: string;
  workMode?: string;
  reasons?: Record<string, string>;
  userData?: Record<string, string | number>;
  ani?: string;
  dnis?: string;
}

/**
 * One event produced by the model: which node and port stream carries it, its sequence number in
 * that stream (from 1, +1 per event; back to 1 when the node restarts) and the body.
 *
 * @example
 * ```ts
 * const e: SimEvent = { node: "node1", port: "tController", seq: 1, body: { event: "EventAgentLogin", time: 0 } };
 * ```
 */
export interface SimEvent {
  node: string;
  port: PortKind;
  seq: number;
  body: EventBody;
}

/** A fault switch, applied by the node servers (see `src/server/`). */
export type FaultAction =
  | { action: "dropConnections"; node?: string; port?: PortKind }
  | { action: "restartNode"; node: string }
  | { action: "setDelay"; ms: number }
  | { action: "setDuplicate"; prob: number }
  | { action: "setReorder"; bound: number }
  | { action: "sendMalformed"; node: string; port: PortKind; kind: string };

/**
 * A control item emitted by the model in order with its events: a fault to apply to the sockets
 * at this point of the simulated clock. For `restartNode` the model has already ended the node's
 * calls; the events that follow (sequence restarted at 1) are the node's new incarnation.
 */
export interface SimControl {
  time: number;
  fault: FaultAction;
}
