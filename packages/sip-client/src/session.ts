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
 * dead after 5 s of silence, resumes with `lastSeq` after a drop, and repairs a gap by
 * re-registering with `lastSeq` on the same connection.
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
import { checkEvent } from "./validate.ts";

/** Where the session is. */
export type SessionState = "disconnected" | "registering" | "snapshot" | "live";

/** Details of a state change. */
export interface StateInfo {
  /** why (on `disconnected`, and on a re-registration) */
  reason?: string;
  /** on `live`/`snapshot` right after `registered`: whether the stream resumed */
  resumed?: boolean;
  /**
   * true when the stream did NOT continue from where this session was: everything derived from
   * this stream before is stale; the snapshot (if asked for) that follows describes current state.
   */
  reset?: boolean;
  /** last delivered seq */
  lastSeq?: number;
}

/** The outputs of the machine. */
export interface SessionIO {
  /** write one line (already terminated with `\n`) to the connection */
  send(line: string): void;
  /** an event, validated; live events exactly once in seq order, snapshot events flagged */
  deliver(ev: SipEvent): void;
  /** drop the connection (the adapter then calls `disconnected`) */
  close(reason: string): void;
  /** the state changed */
  state?(state: SessionState, info: StateInfo): void;
}

/** Session options; every timing has the documented default. */
export interface SessionOptions {
  /** client name sent in `register` */
  client: string;
  /** node id (for logs and counters) */
  nodeId: string;
  /** which port this session talks to (events the port does not carry are refused) */
  port: PortKind;
  /** the session id; default a random one. Reuse it (with `lastSeq`) to resume after a restart. */
  sessionId?: string;
  /** resume position to start from (e.g. a checkpoint); default none (fresh start with snapshot) */
  lastSeq?: number;
  /** ask for a snapshot when the stream does not resume (default true) */
  snapshot?: boolean;
  /** pass only these userData keys (empty: strip all); default all */
  udataKeys?: readonly string[];
  /** ack after this many delivered events (default 1000) */
  ackEvery?: number;
  /** ack at least this often while events arrive, ms (default 1000) */
  ackIntervalMs?: number;
  /** ping interval, ms (default 1000) */
  pingIntervalMs?: number;
  /** silence that means the link is dead, ms (default 5000) */
  deadAfterMs?: number;
  /** how long to wait for `registered`, ms (default 5000) */
  registerTimeoutMs?: number;
  /** how far ahead of a hole events are held for reordering (default 64) */
  reorderWindow?: number;
  /** how long a hole may stay open before it is a gap, ms (default 1000) */
  gapTimeoutMs?: number;
  /** refuse events the port does not carry (default true) */
  checkPort?: boolean;
  /** bad frames logged per second at most; the rest are counted and summarised (default 10) */
  logBurst?: number;
  logger?: Logger;
  /** line limit in bytes (default 64 KiB) */
  maxLineBytes?: number;
}

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
  private _lastSeq: number | undefined;
  private _snapshotIncomplete = false;
  private _everRegistered = false;
  private readonly _buf = new Map<number, SipEvent>();
  private _holeSince = 0;
  private _unacked = 0;
  private _lastAckAt = 0;
  private _lastRecv = 0;
  private _lastPing = 0;
  private _regSentAt = 0;
  private _now = 0;
  private _logWindowStart = 0;
  private _logged = 0;
  private _suppressed = 0;
  private readonly _splitter: LineSplitter;
  private readonly _udata: Set<string> | undefined;
  private readonly _o: Required<
    Omit<SessionOptions, "sessionId" | "lastSeq" | "udataKeys" | "logger" | "nodeId" | "port">
  >;
  private readonly _log: Logger;

  constructor(
    readonly options: SessionOptions,
    private readonly io: SessionIO,
  ) {
    this.nodeId = options.nodeId;
    this.port = options.port;
    this._sessionId =
      options.sessionId ?? `${options.client}-${options.nodeId}-${options.port}-${_randomId()}`;
    this._lastSeq = options.lastSeq;
    this._udata = options.udataKeys ? new Set(options.udataKeys) : undefined;
    this._log = options.logger ?? silentLogger;
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
    return this._lastSeq;
  }
  /** Events held ahead of a hole. */
  get buffered(): number {
    return this._buf.size;
  }

  /** The connection is up: send `register`. */
  connected(now: number): void {
    this._now = now;
    this.counters.connects++;
    this._lastRecv = now;
    this._lastPing = now;
    this._lastAckAt = now;
    this._register("connected");
  }

  /** Bytes arrived. */
  chunk(bytes: Uint8Array, now: number): void {
    this._now = now;
    this._lastRecv = now;
    this.counters.bytesIn += bytes.length;
    this._splitter.push(bytes);
  }

  /** One complete line arrived (for transports that frame themselves; `chunk` calls this). */
  line(text: string, now: number): void {
    this._now = now;
    this._lastRecv = now;
    this.counters.bytesIn += text.length + 1;
    this._onLine(text);
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
    if (now - this._lastRecv >= o.deadAfterMs) {
      this.counters.livenessTimeouts++;
      this.io.close(`no data for ${now - this._lastRecv} ms`);
      return;
    }
    if (now - this._lastPing >= o.pingIntervalMs) {
      this._lastPing = now;
      this.counters.pingsSent++;
      this._send('{"op":"ping"}\n');
    }
    if (this._unacked > 0 && now - this._lastAckAt >= o.ackIntervalMs) this._ack();
    if (this._buf.size > 0 && now - this._holeSince >= o.gapTimeoutMs) {
      this._gap(`seq ${this._lastSeq! + 1} missing for ${now - this._holeSince} ms`);
    }
    this._flushLogSummary();
  }

  /** The connection is gone (closed by either side or failed). */
  disconnected(now: number, reason = "closed"): void {
    this._now = now;
    if (this._state === "disconnected") return;
    this.counters.disconnects++;
    if (this._splitter.end() > 0) this.counters.truncated++;
    this._buf.clear();
    if (this._unacked > 0) this._unacked = 0;
    this._setState("disconnected", { reason, lastSeq: this._lastSeq });
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

  private _register(reason: string): void {
    const msg: Record<string, unknown> = {
      op: "register",
      client: this._o.client,
      sessionId: this._sessionId,
    };
    if (this._lastSeq !== undefined && !this._snapshotIncomplete) msg.lastSeq = this._lastSeq;
    msg.snapshot = this._o.snapshot;
    if (this._udata) msg.udataKeys = [...this._udata];
    this._buf.clear();
    this._regSentAt = this._now;
    this._setState("registering", { reason, lastSeq: this._lastSeq });
    this._send(`${JSON.stringify(msg)}\n`);
  }

  private _ack(): void {
    this._unacked = 0;
    this._lastAckAt = this._now;
    this.counters.acksSent++;
    this._send(`{"op":"ack","seq":${this._lastSeq}}\n`);
  }

  private _bad(reason: string, sample: string): void {
    this.counters.badFrames++;
    const now = this._now;
    if (now - this._logWindowStart >= 1000) this._flushLogSummary(true);
    if (this._logged < this._o.logBurst) {
      this._logged++;
      this._log.warn(
        {
          node: this.nodeId,
          port: this.port,
          reason,
          sample: sample.length > 160 ? `${sample.slice(0, 160)}…` : sample,
        },
        "bad frame skipped",
      );
    } else {
      this._suppressed++;
    }
  }

  private _flushLogSummary(force = false): void {
    if (!force && this._now - this._logWindowStart < 1000) return;
    if (this._suppressed > 0) {
      this._log.warn(
        {
          node: this.nodeId,
          port: this.port,
          suppressed: this._suppressed,
          badFrames: this.counters.badFrames,
        },
        "more bad frames skipped (not logged one by one)",
      );
    }
    this._suppressed = 0;
    this._logged = 0;
    this._logWindowStart = this._now;
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
      this._bad(issueText(r.issues), text);
      return;
    }
    const op = r.output;
    switch (op.op) {
      case "ping":
        this._send('{"op":"pong"}\n');
        return;
      case "pong":
        this.counters.pongsReceived++;
        return;
      case "error":
        this.counters.serverErrors++;
        this._log.warn(
          { node: this.nodeId, port: this.port, code: op.code, message: op.message },
          "node error",
        );
        return;
      case "registered":
        this._onRegistered(op, text);
        return;
      case "snapshot-begin":
        if (this._state !== "live" || !this._snapshotIncomplete) {
          this.counters.invalidMessages++;
          this._bad(`snapshot-begin in state ${this._state}`, text);
          return;
        }
        this._setState("snapshot", { lastSeq: this._lastSeq });
        return;
      case "snapshot-end":
        if (this._state !== "snapshot") {
          this.counters.invalidMessages++;
          this._bad(`snapshot-end in state ${this._state}`, text);
          return;
        }
        this._snapshotIncomplete = false;
        this.counters.snapshots++;
        this._setState("live", { lastSeq: this._lastSeq });
        return;
    }
  }

  private _onRegistered(op: RegisteredOp, text: string): void {
    if (this._state !== "registering") {
      this.counters.invalidMessages++;
      this._bad(`registered in state ${this._state}`, text);
      return;
    }
    this.counters.registrations++;
    this._sessionId = op.sessionId;
    const asked = this._lastSeq !== undefined && !this._snapshotIncomplete;
    const first = !this._everRegistered;
    this._everRegistered = true;
    if (op.resumed) {
      if (asked) this.counters.resumes++;
      this._setState("live", { resumed: true, reset: false, lastSeq: this._lastSeq });
      return;
    }
    const reset = !first || this._lastSeq !== undefined;
    if (reset) this.counters.resets++;
    this._lastSeq = op.nextSeq !== undefined ? op.nextSeq - 1 : undefined;
    this._snapshotIncomplete = this._o.snapshot;
    this._unacked = 0;
    this._log.info(
      { node: this.nodeId, port: this.port, sessionId: op.sessionId, eventsInCache: op.eventsInCache, reset },
      "registered (fresh stream)",
    );
    this._setState("live", { resumed: false, reset, lastSeq: this._lastSeq });
  }

  private _onEvent(ev: SipEvent, text: string): void {
    if (this._o.checkPort && !portCarries(ev.event, this.port)) {
      this.counters.wrongPort++;
      this._bad(`${ev.event} is not carried on the ${this.port} port`, text);
      return;
    }
    const state = this._state;
    if (state === "registering") {
      this.counters.stale++;
      return;
    }
    if (ev.snapshot === true) {
      if (state !== "snapshot") {
        this.counters.invalidMessages++;
        this._bad("snapshot event outside a snapshot", text);
        return;
      }
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
    const last = this._lastSeq;
    if (last === undefined || seq === last + 1) {
      this._lastSeq = seq;
      this._deliverLive(ev);
      if (this._buf.size > 0) this._drain();
      return;
    }
    if (seq <= last || this._buf.has(seq)) {
      this.counters.duplicates++;
      return;
    }
    if (seq - last > this._o.reorderWindow) {
      this._gap(`seq jumped from ${last} to ${seq}`);
      return;
    }
    if (this._buf.size === 0) this._holeSince = this._now;
    this._buf.set(seq, ev);
  }

  private _drain(): void {
    const buf = this._buf;
    let next = this._lastSeq! + 1;
    let ev = buf.get(next);
    while (ev !== undefined) {
      buf.delete(next);
      this.counters.reordered++;
      this._lastSeq = next;
      this._deliverLive(ev);
      next++;
      ev = buf.get(next);
    }
    if (buf.size > 0) this._holeSince = this._now;
  }

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
    this._log.warn(
      { node: this.nodeId, port: this.port, lastSeq: this._lastSeq, why },
      "gap: re-registering",
    );
    this._register(`gap: ${why}`);
  }
}
