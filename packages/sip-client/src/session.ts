/**
 * The client session state machine (docs/protocol.md "Session lifecycle"). Pure: it never touches
 * a socket or a timer. Inputs: {@link Session.connected}, {@link Session.chunk} (bytes received),
 * {@link Session.tick} (time passes, injected clock), {@link Session.disconnected}. Outputs, through
 * {@link SessionIO}: lines to send, events to deliver, state changes, a request to drop the
 * connection; plus {@link Session.counters}.
 *
 * It registers (with `sessionId`, `lastSeq`, `snapshot`, `udataKeys`), handles the snapshot,
 * delivers live events exactly once in `seq` order (duplicates dropped, events reordered within a
 * window put back in order), acks every N events or T ms, pings every second, declares the link
 * dead after 5 s without a complete valid line, resumes with `lastSeq` after a drop, and repairs a
 * gap by re-registering with `lastSeq` on the same connection (throttled by a backoff). Numbering
 * the node could not have produced (a resumed answer that does not continue, a seq far behind the
 * position) is a protocol error: counted, logged, and answered by a fresh registration (a reset).
 *
 * State changes are reported through {@link SessionIO.state} synchronously, in order with the
 * events passed to {@link SessionIO.deliver} (docs/protocol.md "Validity and ordering").
 *
 * @example
 * ```ts
 * const out: string[] = [];
 * const s = new Session(
 *   { client: "statd", nodeId: "n1", port: "tController" },
 *   { send: (l) => out.push(l), deliver: (ev) => console.log(ev.event), close: () => {} },
 * );
 * s.connected(0); // out[0] is the register line
 * s.chunk(new TextEncoder().encode('{"op":"registered","sessionId":"x","resumed":false,"eventsInCache":0}\n'), 1);
 * ```
 * @module
 */
import * as v from "valibot";
import { Backoff } from "./backoff.ts";
import { LineSplitter } from "./codec.ts";
import { newCounters, type SessionCounters } from "./counters.ts";
import { type Logger, silentLogger } from "./logger.ts";
import {
  issueText,
  MAX_LINE_BYTES,
  NodeOpSchema,
  type PortKind,
  portCarries,
  type RegisteredOp,
  type SipEvent,
} from "./protocol.ts";
import { RateLog } from "./ratelog.ts";
import { Sequencer } from "./sequencer.ts";
import type { SessionIO, SessionOptions, SessionState, StateInfo } from "./session-types.ts";
import { checkEvent } from "./validate.ts";

export type { SessionIO, SessionOptions, SessionState, StateInfo } from "./session-types.ts";

function _randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** The session state machine; see the module doc. */
export class Session {
  readonly counters: SessionCounters = newCounters();
  readonly nodeId: string;
  readonly port: PortKind;
  private _state: SessionState = "disconnected";
  private _sessionId: string;
  /** a fresh registration asked for a snapshot that has not ended: the next register omits lastSeq */
  private _snapshotIncomplete = false;
  /** `snapshot-begin` seen in the current `snapshot` state */
  private _snapshotBegun = false;
  /** the next register omits lastSeq (a protocol error, a resync) */
  private _forceFresh = false;
  /** report the next fresh registration as a reset whatever else holds (a resync) */
  private _resetRequested = false;
  /** the register in flight was overtaken by a resync: its answer is discarded */
  private _answerUntrusted = false;
  /** the register in flight carried lastSeq */
  private _askedResume = false;
  private _everRegistered = false;
  private readonly _seq: Sequencer<SipEvent>;
  private _unacked = 0;
  private _lastAckAt = 0;
  /** last complete valid line (liveness counts lines, not bytes) */
  private _lastHeard = 0;
  private _lastPing = 0;
  private _regSentAt = 0;
  private _now = 0;
  private _reregAt = 0;
  private _reregReason = "";
  private _lastReregAt: number | undefined;
  private readonly _rereg: Backoff;
  private readonly _splitter: LineSplitter;
  private readonly _udata: Set<string> | undefined;
  private readonly _o: Required<
    Omit<
      SessionOptions,
      "sessionId" | "lastSeq" | "udataKeys" | "logger" | "nodeId" | "port" | "reregisterBackoff"
    >
  >;
  private readonly _log: Logger;
  private readonly _warn: RateLog;

  constructor(
    readonly options: SessionOptions,
    private readonly io: SessionIO,
  ) {
    this.nodeId = options.nodeId;
    this.port = options.port;
    this._sessionId =
      options.sessionId ?? `${options.client}-${options.nodeId}-${options.port}-${_randomId()}`;
    this._udata = options.udataKeys ? new Set(options.udataKeys) : undefined;
    this._log = options.logger ?? silentLogger;
    this._rereg = new Backoff(options.reregisterBackoff);
    this._o = {
      client: options.client,
      snapshot: options.snapshot ?? true,
      ackEvery: options.ackEvery ?? 1000,
      ackIntervalMs: options.ackIntervalMs ?? 1000,
      pingIntervalMs: options.pingIntervalMs ?? 1000,
      deadAfterMs: options.deadAfterMs ?? 5000,
      registerTimeoutMs: options.registerTimeoutMs ?? 5000,
      reorderWindow: options.reorderWindow ?? 64,
      gapTimeoutMs: options.gapTimeoutMs ?? 1000,
      checkPort: options.checkPort ?? true,
      logBurst: options.logBurst ?? 10,
      maxLineBytes: options.maxLineBytes ?? MAX_LINE_BYTES,
    };
    this._seq = new Sequencer(this._o.reorderWindow);
    this._seq.reset(options.lastSeq);
    this._warn = new RateLog(
      this._log,
      { node: this.nodeId, port: this.port },
      this._o.logBurst,
      1000,
      () => ({
        badFrames: this.counters.badFrames,
        protocolErrors: this.counters.protocolErrors,
        gaps: this.counters.gaps,
      }),
    );
    this._splitter = new LineSplitter(
      {
        line: (text) => this._onLine(text),
        bad: (reason, bytes) => {
          if (reason === "line-too-long") {
            this.counters.oversized++;
            this._bad(`line too long (${bytes} bytes > ${this._o.maxLineBytes})`, "");
          } else {
            this.counters.invalidUtf8++;
            this._bad("invalid UTF-8", "");
          }
        },
      },
      this._o.maxLineBytes,
    );
  }

  /** Current state. */
  get state(): SessionState {
    return this._state;
  }
  /** The session id (the node's, once registered). */
  get sessionId(): string {
    return this._sessionId;
  }
  /** The last live seq delivered (undefined before the first). */
  get lastSeq(): number | undefined {
    return this._seq.lastSeq;
  }
  /** Events held ahead of a hole. */
  get buffered(): number {
    return this._seq.held;
  }

  /**
   * Whether the stream is usable at time `now`: state `live` (registered; for a fresh stream the
   * snapshot complete) and a complete valid line heard within `deadAfterMs`.
   */
  isLive(now: number): boolean {
    return this._state === "live" && now - this._lastHeard < this._o.deadAfterMs;
  }

  /** The connection is up: send `register`. */
  connected(now: number): void {
    this._now = now;
    this.counters.connects++;
    this._lastHeard = now;
    this._lastPing = now;
    this._lastAckAt = now;
    this._register("connected");
  }

  /** Bytes arrived. (Bytes alone do not keep the link alive; complete valid lines do.) */
  chunk(bytes: Uint8Array, now: number): void {
    this._now = now;
    this.counters.bytesIn += bytes.length;
    this._splitter.push(bytes);
  }

  /** One complete line arrived (for transports that frame themselves; `chunk` calls this). */
  line(text: string, now: number): void {
    this._now = now;
    this.counters.bytesIn += text.length + 1;
    this._onLine(text);
  }

  /**
   * Start the stream over: re-register on this connection without `lastSeq`, so the node sends a
   * fresh snapshot, and report that registration as a reset (like a node restart). While
   * disconnected, the next connection does it; while a registration is in flight, its answer is
   * discarded and the fresh one follows.
   */
  resync(now: number, reason = "resync requested"): void {
    this._now = now;
    this._forceFresh = true;
    this._resetRequested = true;
    if (this._state === "disconnected") return;
    if (this._state === "registering") {
      this._answerUntrusted = true;
      this._reregReason = reason;
      return;
    }
    this._register(reason);
  }

  /** Time passed: ping, ack, liveness, register timeout, gap timeout. Call every ~250 ms. */
  tick(now: number): void {
    this._now = now;
    if (this._state === "disconnected") return;
    const o = this._o;
    if (this._state === "registering" && now - this._regSentAt >= o.registerTimeoutMs) {
      this.counters.livenessTimeouts++;
      this.io.close(`no registered answer within ${o.registerTimeoutMs} ms`);
      return;
    }
    if (now - this._lastHeard >= o.deadAfterMs) {
      this.counters.livenessTimeouts++;
      this.io.close(`no complete line for ${now - this._lastHeard} ms`);
      return;
    }
    if (now - this._lastPing >= o.pingIntervalMs) {
      this._lastPing = now;
      this.counters.pingsSent++;
      this._send('{"op":"ping"}\n');
    }
    if (this._state === "reset-pending" && now >= this._reregAt) {
      this._lastReregAt = now;
      this._register(this._reregReason);
    }
    if (this._unacked > 0 && now - this._lastAckAt >= o.ackIntervalMs) this._ack();
    const hole = this._seq.holeOpenFor(now);
    if (this._state === "live" && hole > 0 && hole >= o.gapTimeoutMs) {
      this._gap(`seq ${this._seq.lastSeq! + 1} missing for ${hole} ms`);
    }
    this._warn.flush(now);
  }

  /** The connection is gone (closed by either side or failed). */
  disconnected(now: number, reason = "closed"): void {
    this._now = now;
    if (this._state === "disconnected") return;
    this.counters.disconnects++;
    if (this._splitter.end() > 0) this.counters.truncated++;
    this._seq.clearHeld();
    this._unacked = 0;
    this._snapshotBegun = false;
    this._answerUntrusted = false;
    this._setState("disconnected", { reason, lastSeq: this.lastSeq });
  }

  // -------------------------------------------------------------------------------------------

  private _setState(s: SessionState, info: StateInfo): void {
    this._state = s;
    this.io.state?.(s, info);
  }

  private _send(line: string): void {
    this.counters.linesOut++;
    this.counters.bytesOut += line.length;
    this.io.send(line);
  }

  /** A complete, valid line arrived: the link is alive. */
  private _heard(): void {
    this._lastHeard = this._now;
  }

  private _register(reason: string): void {
    const msg: Record<string, unknown> = {
      op: "register",
      client: this._o.client,
      sessionId: this._sessionId,
    };
    const fresh = this._forceFresh || this._snapshotIncomplete;
    if (this.lastSeq !== undefined && !fresh) msg.lastSeq = this.lastSeq;
    this._askedResume = msg.lastSeq !== undefined;
    msg.snapshot = this._o.snapshot;
    if (this._udata) msg.udataKeys = [...this._udata];
    this._seq.clearHeld();
    this._snapshotBegun = false;
    this._regSentAt = this._now;
    this._setState("registering", { reason, lastSeq: this.lastSeq });
    this._send(`${JSON.stringify(msg)}\n`);
  }

  /**
   * Re-establish the position on this connection (gap repair, protocol error): the first
   * re-registration after a quiet `maxMs` at once, later ones after the backoff, waiting in
   * `reset-pending`. `fresh`: without lastSeq (a reset follows).
   */
  private _reregister(why: string, fresh: boolean): void {
    if (fresh) this._forceFresh = true;
    if (this._state === "disconnected" || this._state === "reset-pending") return;
    const now = this._now;
    const b = this._rereg;
    const quiet = this._lastReregAt === undefined || now - this._lastReregAt >= b.maxMs;
    if (quiet) b.reset();
    const delay = quiet ? 0 : b.next();
    if (delay <= 0) {
      this._lastReregAt = now;
      this._register(why);
      return;
    }
    this._seq.clearHeld();
    this._reregAt = now + delay;
    this._reregReason = why;
    this._setState("reset-pending", { reason: why, lastSeq: this.lastSeq, retryInMs: delay });
  }

  private _ack(): void {
    this._unacked = 0;
    this._lastAckAt = this._now;
    this.counters.acksSent++;
    this._send(`{"op":"ack","seq":${this.lastSeq}}\n`);
  }

  private static _sample(text: string): string {
    return text.length > 160 ? `${text.slice(0, 160)}…` : text;
  }

  private _bad(reason: string, sample: string): void {
    this.counters.badFrames++;
    this._warn.warn(this._now, { reason, sample: Session._sample(sample) }, "bad frame skipped");
  }

  /** The node said something it cannot legitimately say: count, log, start the stream over. */
  private _protocolError(reason: string, sample: string): void {
    this.counters.protocolErrors++;
    this._warn.warn(
      this._now,
      { reason, lastSeq: this.lastSeq, sample: Session._sample(sample) },
      "protocol error",
    );
    this._reregister(`protocol error: ${reason}`, true);
  }

  private _onLine(text: string): void {
    this.counters.linesIn++;
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.counters.invalidJson++;
      this._bad("invalid JSON", text);
      return;
    }
    if (msg === null || typeof msg !== "object" || Array.isArray(msg)) {
      this.counters.invalidJson++;
      this._bad("not a JSON object", text);
      return;
    }
    if ((msg as { op?: unknown }).op !== undefined) {
      this._onOp(msg, text);
      return;
    }
    const ev = checkEvent(msg);
    if (typeof ev === "string") {
      this.counters.invalidMessages++;
      this._bad(ev, text);
      return;
    }
    this._onEvent(ev, text);
  }

  private _onOp(msg: object, text: string): void {
    const r = v.safeParse(NodeOpSchema, msg);
    if (!r.success) {
      this.counters.invalidMessages++;
      const why = issueText(r.issues);
      this._bad(why, text);
      if ((msg as { op?: unknown }).op === "registered" && this._state === "registering") {
        // the answer to our register is unusable: nothing it says can be trusted
        this._answerUntrusted = false;
        this._protocolError(`invalid registered answer: ${why}`, text);
      }
      return;
    }
    const op = r.output;
    switch (op.op) {
      case "ping":
        this._heard();
        this._send('{"op":"pong"}\n');
        return;
      case "pong":
        this._heard();
        this.counters.pongsReceived++;
        return;
      case "error":
        this._heard();
        this.counters.serverErrors++;
        this._warn.warn(this._now, { code: op.code, message: op.message }, "node error");
        return;
      case "registered":
        this._onRegistered(op, text);
        return;
      case "snapshot-begin":
        if (this._state !== "snapshot" || this._snapshotBegun) {
          this.counters.invalidMessages++;
          this._bad(`snapshot-begin in state ${this._state}`, text);
          return;
        }
        this._heard();
        this._snapshotBegun = true;
        return;
      case "snapshot-end":
        if (this._state !== "snapshot" || !this._snapshotBegun) {
          this.counters.invalidMessages++;
          this._bad(`snapshot-end in state ${this._state}`, text);
          return;
        }
        this._heard();
        this._snapshotIncomplete = false;
        this._snapshotBegun = false;
        this.counters.snapshots++;
        this._setState("live", { lastSeq: this.lastSeq });
        return;
    }
  }

  private _onRegistered(op: RegisteredOp, text: string): void {
    if (this._state !== "registering") {
      this.counters.invalidMessages++;
      this._bad(`registered in state ${this._state}`, text);
      return;
    }
    this._heard();
    this.counters.registrations++;
    if (this._answerUntrusted) {
      this._answerUntrusted = false;
      this._register(this._reregReason);
      return;
    }
    if (op.resumed) {
      const problem = this._resumeProblem(op);
      if (problem !== undefined) {
        this._protocolError(problem, text);
        return;
      }
      this._sessionId = op.sessionId;
      this._everRegistered = true;
      this.counters.resumes++;
      this._setState("live", { resumed: true, reset: false, lastSeq: this.lastSeq });
      return;
    }
    this._sessionId = op.sessionId;
    const reset = this._resetRequested || this._everRegistered || this.lastSeq !== undefined;
    this._everRegistered = true;
    this._forceFresh = false;
    this._resetRequested = false;
    if (reset) this.counters.resets++;
    this._seq.reset(op.nextSeq !== undefined ? op.nextSeq - 1 : undefined);
    this._snapshotIncomplete = this._o.snapshot;
    this._snapshotBegun = false;
    this._unacked = 0;
    this._log.info(
      {
        node: this.nodeId,
        port: this.port,
        sessionId: op.sessionId,
        eventsInCache: op.eventsInCache,
        nextSeq: op.nextSeq,
        reset,
      },
      "registered (fresh stream)",
    );
    this._setState(this._o.snapshot ? "snapshot" : "live", { resumed: false, reset, lastSeq: this.lastSeq });
  }

  /** Why a `registered{resumed:true}` cannot be right, or undefined. */
  private _resumeProblem(op: RegisteredOp): string | undefined {
    const expected = (this.lastSeq ?? 0) + 1;
    if (!this._askedResume) return "resumed although no lastSeq was sent";
    if (op.nextSeq !== undefined && op.nextSeq !== expected)
      return `resumed at nextSeq ${op.nextSeq}, expected ${expected}`;
    if (op.replay !== undefined && op.replay > op.eventsInCache)
      return `replay ${op.replay} > eventsInCache ${op.eventsInCache}`;
    return undefined;
  }

  private _onEvent(ev: SipEvent, text: string): void {
    if (this._o.checkPort && !portCarries(ev.event, this.port)) {
      this.counters.wrongPort++;
      this._bad(`${ev.event} is not carried on the ${this.port} port`, text);
      return;
    }
    const state = this._state;
    if (state === "registering" || state === "reset-pending") {
      this._heard();
      this.counters.stale++;
      return;
    }
    if (ev.snapshot === true) {
      if (state !== "snapshot" || !this._snapshotBegun) {
        this.counters.invalidMessages++;
        this._bad("snapshot event outside a snapshot", text);
        return;
      }
      this._heard();
      this.counters.snapshotEvents++;
      this._deliver(ev);
      return;
    }
    if (state === "snapshot") {
      this.counters.invalidMessages++;
      this._bad("live event inside a snapshot", text);
      return;
    }
    const seq = ev.seq;
    if (seq === undefined) {
      this.counters.invalidMessages++;
      this._bad("live event without seq", text);
      return;
    }
    this._heard();
    switch (this._seq.push(seq, ev, this._now, this._onInOrder)) {
      case "duplicate":
        this.counters.duplicates++;
        return;
      case "behind":
        // not a duplicate: the node numbers from somewhere else (a restart it did not announce, an
        // absurd nextSeq); taking it for a duplicate would drop every later event silently
        this._protocolError(`seq ${seq} is far behind the expected ${this.lastSeq! + 1}`, text);
        return;
      case "gap":
        this._gap(`seq jumped from ${this.lastSeq} to ${seq}`);
        return;
    }
  }

  private readonly _onInOrder = (ev: SipEvent, reordered: boolean): void => {
    if (reordered) this.counters.reordered++;
    this._deliverLive(ev);
  };

  private _deliverLive(ev: SipEvent): void {
    this.counters.events++;
    this._deliver(ev);
    if (++this._unacked >= this._o.ackEvery) this._ack();
  }

  private _deliver(ev: SipEvent): void {
    const keys = this._udata;
    if (keys !== undefined && ev.userData !== undefined) {
      const ud = ev.userData;
      for (const k of Object.keys(ud)) if (!keys.has(k)) delete ud[k];
    }
    this.io.deliver(ev);
  }

  private _gap(why: string): void {
    this.counters.gaps++;
    this._warn.warn(
      this._now,
      { lastSeq: this.lastSeq, why, gaps: this.counters.gaps },
      "gap: re-registering",
    );
    this._reregister(`gap: ${why}`, false);
  }
}
