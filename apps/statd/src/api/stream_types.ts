/**
 * The WebSocket stream protocol's public types (a connection as the hub sees it, the hub's
 * options, subscriptions handed between hubs) and its welcome tokens; `stream.ts` implements it.
 *
 * @example
 * ```ts
 * import { newToken, type StreamPeer } from "./stream_types.ts";
 * const peer: StreamPeer = { send: (t) => ws.send(t), close: (c, r) => ws.close(c, r), tenant: null };
 * newToken().length; // 32
 * ```
 * @module
 */
import type { Ref } from "./schemas.ts";
import type { StatService } from "./service.ts";

/** One connection as the hub sees it. */
export interface StreamPeer {
  /** send one text frame */
  send(text: string): void;
  close(code: number, reason: string): void;
  /** tenant scope of the caller (null: every tenant) */
  tenant: string | null;
}

/** Timer functions (injectable so tests control the grace period). */
export interface StreamTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link StreamHub}. */
export interface StreamHubOptions {
  service: StatService;
  /** how long a dropped connection's subscriptions wait for a reattach (default 60 000 ms) */
  graceMs?: number;
  timers?: StreamTimers;
  /** largest client frame handled, in bytes (default 64 KiB); larger ones are an error */
  maxFrameBytes?: number;
  /** most subscriptions on one connection (default 1000) */
  maxRefs?: number;
  /** client errors before the connection is closed with 1008 (default 50) */
  maxStrikes?: number;
  /** most client messages waiting to be handled on one connection (default 256) */
  maxQueued?: number;
  /** called with unexpected errors (service failures that are not a ServiceError) */
  onError?: (err: unknown) => void;
  /** prefix of this hub's welcome tokens (the daemon: `${slot}.`, so any instance knows whose it is) */
  tokenPrefix?: string;
  /**
   * Take over the subscriptions a dropped connection left on *another* hub (another instance of
   * the cluster: a reconnect can land on any of them): resolves with them, or null.
   */
  remote?: (token: string, tenant: string | null) => Promise<ExportedSubs | null>;
}

/** A dropped connection's subscriptions, handed from one hub to another (plain data). */
export interface ExportedSubs {
  tenant: string | null;
  subs: {
    ref: Ref;
    id: string;
    toldValid: boolean;
    last: { value: unknown; valid: boolean; at: number } | null;
    sentSeq: number;
    unsent: boolean;
  }[];
}

/**
 * A welcome token: 24 random bytes, base64url (32 characters).
 *
 * @example
 * ```ts
 * newToken().length; // 32
 * ```
 */
export function newToken(): string {
  const b = crypto.getRandomValues(new Uint8Array(24));
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_");
}
