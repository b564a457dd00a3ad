/**
 * Per-session counters (docs/protocol.md "Counters"). Plain numbers, cumulative over the life of
 * the session object (across reconnects), cheap to copy for `stats()`.
 *
 * @example
 * ```ts
 * const c = newCounters();
 * c.events++;
 * ```
 * @module
 */

/** Counters of one client session. */
export interface SessionCounters {
  /** TCP connections established */
  connects: number;
  /** connections lost or closed */
  disconnects: number;
  /** `registered` answers received */
  registrations: number;
  /** registrations that resumed the stream from `lastSeq` */
  resumes: number;
  /** registrations that did not resume although the client asked to (state reset) */
  resets: number;
  /** complete snapshots received */
  snapshots: number;
  /** snapshot events delivered */
  snapshotEvents: number;
  /** live events delivered (exactly once, in seq order) */
  events: number;
  /** bytes received */
  bytesIn: number;
  /** bytes sent (UTF-16 length of sent lines; all ops are ASCII) */
  bytesOut: number;
  /** complete lines received */
  linesIn: number;
  /** lines sent */
  linesOut: number;
  /** refused lines, all reasons (the sum of the five below) */
  badFrames: number;
  /** lines over the limit (discarded without buffering) */
  oversized: number;
  /** lines that were not valid UTF-8 */
  invalidUtf8: number;
  /** lines that were not JSON, or not an object */
  invalidJson: number;
  /** events or ops that failed validation, or arrived where they are not allowed */
  invalidMessages: number;
  /** valid events of a kind the port does not carry */
  wrongPort: number;
  /** unterminated tails dropped at disconnect */
  truncated: number;
  /** events with seq ≤ the last delivered one, or already buffered */
  duplicates: number;
  /** events that arrived ahead of a hole and were delivered after it filled */
  reordered: number;
  /** holes that did not fill within the window or the time limit */
  gaps: number;
  /** events ignored while a (re-)registration was pending */
  stale: number;
  /** `{"op":"error"}` lines received */
  serverErrors: number;
  /**
   * answers or numbering the node cannot legitimately send (an invalid `registered`, a resume that
   * does not continue from lastSeq, a seq far behind the position); each starts the stream over
   */
  protocolErrors: number;
  pingsSent: number;
  pongsReceived: number;
  acksSent: number;
  /** connections declared dead by the liveness rule (5 s without a complete line) or register timeout */
  livenessTimeouts: number;
}

/** Fresh all-zero counters. */
export function newCounters(): SessionCounters {
  return {
    connects: 0,
    disconnects: 0,
    registrations: 0,
    resumes: 0,
    resets: 0,
    snapshots: 0,
    snapshotEvents: 0,
    events: 0,
    bytesIn: 0,
    bytesOut: 0,
    linesIn: 0,
    linesOut: 0,
    badFrames: 0,
    oversized: 0,
    invalidUtf8: 0,
    invalidJson: 0,
    invalidMessages: 0,
    wrongPort: 0,
    truncated: 0,
    duplicates: 0,
    reordered: 0,
    gaps: 0,
    stale: 0,
    serverErrors: 0,
    protocolErrors: 0,
    pingsSent: 0,
    pongsReceived: 0,
    acksSent: 0,
    livenessTimeouts: 0,
  };
}
