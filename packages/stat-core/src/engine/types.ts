/**
 * Public record types of the engine API: open requests, results, notifications, cross-partition
 * messages, ingest results. Plain JSON-serialisable data.
 *
 * @example
 * ```ts
 * const req: OpenRequest = { object: { type: "Queue", id: "8000" }, statType: "CurrNumberWaitingCalls" };
 * ```
 * @module
 */
import type { NotificationDef, ObjectType, StatDefinition, StatValue } from "../definitions.ts";
import type { FilterInput } from "../filter/mod.ts";

/** Body of an open / get request (docs/api.md). */
export interface OpenRequest {
  object: { type: ObjectType; id: string; tenant?: string };
  statType?: string;
  definition?: StatDefinition;
  timeProfile?: string;
  timeRange?: string;
  timeRange2?: string;
  filter?: string;
  notification?: NotificationDef;
}

/** A request-level error; the engine stays up. */
export interface EngineError {
  error: { code: string; message: string };
}

/** A successful open. */
export interface Opened {
  statId: number;
  value: StatValue;
  valid: boolean;
}

/** A value (peek / get). */
export interface ValueReply {
  value: StatValue;
  valid: boolean;
  at: number;
}

/** One notification for one subscription. `at` is epoch ms. */
export interface Notification {
  subscriptionId: number;
  value: StatValue;
  valid: boolean;
  at: number;
  /** why it was sent */
  reason: "change" | "time" | "reset" | "validity";
}

/** Result of ingesting one event. */
export type IngestResult = { ok: true } | { ok: false; reason: string };

/** Attributes carried by an action (the filter input). */
export type Attrs = FilterInput;

/**
 * A message from one partition to the owner of a key (`dn:ID`, `agent:ID`, `place:ID`), or to
 * every partition (`to: "*"`: deliver to all others). With one engine, messages loop back
 * locally through the same code path as {@link Engine.deliver}.
 */
export type CrossMessage =
  | {
      kind: "agentDn";
      to: string;
      agent: string;
      dn: string;
      /** DN status priority, -1 when the agent left this DN */
      status: number;
      t: number;
      attrs: Attrs | null;
      queue: string | null;
      /** history floor: sent for a snapshot after a reset (historical statistics count from `h`) */
      h?: number;
    }
  | {
      kind: "placeDn";
      to: string;
      place: string;
      dn: string;
      status: number;
      loggedIn: boolean;
      t: number;
      attrs: Attrs | null;
      /** history floor (see `agentDn`) */
      h?: number;
    }
  | { kind: "reflect"; to: string; dn: string; action: string; connId: string; t: number; d: number | null }
  /** broadcast (`to: "*"`, every partition): an agent logged in; SinceLogin statistics restart */
  | { kind: "sinceLogin"; to: "*"; agent: string; t: number };
