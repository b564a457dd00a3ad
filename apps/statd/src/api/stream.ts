/**
 * The WebSocket stream protocol (`GET /v1/stream`, docs/api.md), independent of any runtime: a
 * {@link StreamHub} per instance creates a {@link StreamSession} per connection from a
 * {@link StreamPeer} (send a text frame, close, the caller's tenant scope); the adapter hands it
 * every incoming frame ({@link StreamSession.receive}) and tells it when the connection ends
 * ({@link StreamSession.disconnected}).
 *
 * Rules:
 * - The server speaks first: `{event:"welcome",token,seq:1}`. Every server message carries
 *   `seq`, 1, 2, 3, … on this connection. One JSON message per text frame.
 * - Client messages are handled one after the other, in arrival order, so the replies come in
 *   that order too.
 * - A bad frame (not text, too large, not JSON, unknown op, bad fields, unknown or duplicate ref)
 *   is answered with `{event:"error",ref?,code,message}` and the connection stays up; after
 *   `maxStrikes` such errors the connection is closed with 1008.
 * - When the connection ends, its subscriptions stay open for `graceMs`: a new connection that
 *   sends `{op:"reattach",token,lastSeq}` (the old welcome token, the last seq it saw) before any
 *   `open` gets them back with `{event:"reattached",refs}`, then for every statistic that changed
 *   since `lastSeq` one `info` with its latest value. After `graceMs` they are closed and
 *   `reattach` answers `{event:"error",code:"reattach-expired"}`.
 *
 * @example
 * ```ts
 * const hub = new StreamHub({ service });
 * const s = hub.connect({ send: (t) => ws.send(t), close: (c, r) => ws.close(c, r), tenant: null });
 * ws.onmessage = (e) => s.receive(e.data);
 * ws.onclose = () => s.disconnected();
 * ```
 * @module
 */
import * as v from "valibot";
import { objectInScope } from "./auth.ts";
import { ClientMessage, issueDetails, type Ref, toOpenRequest } from "./schemas.ts";
import { type NotificationOut, ServiceError, type StatService } from "./service.ts";
import {
  type ExportedSubs,
  newToken,
  type StreamHubOptions,
  type StreamPeer,
  type StreamTimers,
} from "./stream_types.ts";

export { type ExportedSubs, newToken, type StreamHubOptions, type StreamPeer, type StreamTimers };

interface _Sub {
  ref: Ref;
  /** statistic id; null while its open is in flight */
  id: string | null;
  owner: StreamSession | null;
  /** validity last told the client (a statistic starts valid) */
  toldValid: boolean;
  /** last value known (sent, or waiting while detached) */
  last: { value: unknown; valid: boolean; at: number } | null;
  /** seq of the last info sent for it on its current connection, 0 = none */
  sentSeq: number;
  /** a notification arrived that the client has not been sent (detached, or open in flight) */
  unsent: boolean;
  /** closed by the grace timer while its open was in flight */
  dead: boolean;
  /** the listener registered with the service (removed when another hub takes the sub over) */
  sink?: (n: NotificationOut) => void;
  /** removes a listener added by `service.listen` (a sub taken over from another hub) */
  unlisten?: () => void;
}

interface _Detached {
  tenant: string | null;
  subs: Map<string, _Sub>;
  timer: unknown;
}

const _defaultTimers: StreamTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

const _OPS = new Set(["open", "close", "peek", "suspend", "resume", "peekAll", "reattach"]);

/** Map key of a ref (`1` and `"1"` are different refs). */
const _key = (ref: Ref): string => `${typeof ref}:${ref}`;

/** The stream protocol of one instance: its connections and the dropped ones in their grace period. */
export class StreamHub {
  readonly service: StatService;
  readonly graceMs: number;
  readonly timers: StreamTimers;
  readonly maxFrameBytes: number;
  readonly maxRefs: number;
  readonly maxStrikes: number;
  readonly maxQueued: number;
  readonly onError: (err: unknown) => void;
  readonly tokenPrefix: string;
  readonly remote: StreamHubOptions["remote"];
  private readonly _live = new Set<StreamSession>();
  private readonly _detached = new Map<string, _Detached>();

  constructor(opts: StreamHubOptions) {
    this.service = opts.service;
    this.graceMs = opts.graceMs ?? 60_000;
    this.timers = opts.timers ?? _defaultTimers;
    this.maxFrameBytes = opts.maxFrameBytes ?? 64 * 1024;
    this.maxRefs = opts.maxRefs ?? 1000;
    this.maxStrikes = opts.maxStrikes ?? 50;
    this.maxQueued = opts.maxQueued ?? 256;
    this.onError = opts.onError ?? (() => {});
    this.tokenPrefix = opts.tokenPrefix ?? "";
    this.remote = opts.remote;
  }

  /**
   * Hand a dropped connection's subscriptions to another hub (its client reconnected there):
   * they stop notifying here and are returned as data, or null when none wait under `token`.
   */
  export(token: string, tenant: string | null): ExportedSubs | null {
    const d = this._claim(token);
    if (d === null) return null;
    if (d.tenant !== tenant) {
      this._unclaim(token, d);
      return null;
    }
    const subs: ExportedSubs["subs"] = [];
    for (const sub of d.subs.values()) {
      if (sub.id === null) continue;
      sub.dead = true;
      if (sub.sink) this.service.detach?.(sub.id, sub.sink);
      sub.unlisten?.();
      subs.push({
        ref: sub.ref,
        id: sub.id,
        toldValid: sub.toldValid,
        last: sub.last,
        sentSeq: sub.sentSeq,
        unsent: sub.unsent,
      });
    }
    return { tenant: d.tenant, subs };
  }

  /** A new connection: sends the welcome and returns the session to feed. */
  connect(peer: StreamPeer): StreamSession {
    const s = new StreamSession(this, peer);
    this._live.add(s);
    s._welcome();
    return s;
  }

  /** Connections now, and dropped ones waiting for a reattach. */
  get counts(): { live: number; detached: number } {
    return { live: this._live.size, detached: this._detached.size };
  }

  /** Close every subscription (live and detached) and forget them; for shutdown. */
  async shutdown(): Promise<void> {
    const subs: _Sub[] = [];
    for (const s of this._live) subs.push(...s._subs.values());
    for (const d of this._detached.values()) {
      this.timers.clearTimeout(d.timer);
      subs.push(...d.subs.values());
    }
    this._detached.clear();
    for (const s of this._live) s._subs.clear();
    await Promise.all(subs.map((x) => this._closeQuietly(x)));
  }

  /** @internal a session's connection ended */
  _drop(s: StreamSession): void {
    this._live.delete(s);
    if (s._subs.size === 0) return;
    for (const sub of s._subs.values()) sub.owner = null;
    this._wait(s.token, { tenant: s.tenant, subs: s._subs, timer: null });
  }

  /** Keep subscriptions under `token` for the grace period, then close them. */
  private _wait(token: string, d: _Detached): void {
    this._detached.set(token, d);
    d.timer = this.timers.setTimeout(() => {
      if (this._detached.get(token) !== d) return;
      this._detached.delete(token);
      for (const sub of d.subs.values()) {
        sub.dead = true;
        void this._closeQuietly(sub);
      }
    }, this.graceMs);
  }

  /** @internal take a dropped connection's subscriptions (null: unknown token or expired) */
  _claim(token: string): _Detached | null {
    const d = this._detached.get(token);
    if (!d) return null;
    this._detached.delete(token);
    this.timers.clearTimeout(d.timer);
    return d;
  }

  /** @internal put them back (a refused claim) */
  _unclaim(token: string, d: _Detached): void {
    this._wait(token, d);
  }

  /** @internal */
  async _closeQuietly(sub: _Sub): Promise<void> {
    if (sub.id === null) return; // closed when its open returns (sub.dead)
    const id = sub.id;
    sub.id = null;
    try {
      await this.service.close(id);
    } catch (e) {
      if (!(e instanceof ServiceError)) this.onError(e);
    }
  }
}

/** One connection of the stream protocol; see the module doc. */
export class StreamSession {
  /** the welcome token (what a later `reattach` names) */
  readonly token: string;
  /** @internal subscriptions by ref key */
  _subs = new Map<string, _Sub>();
  private _seq = 0;
  private _strikes = 0;
  private _queued = 0;
  private _chain: Promise<void> = Promise.resolve();
  private _gone = false;

  constructor(
    private readonly _hub: StreamHub,
    private readonly _peer: StreamPeer,
  ) {
    this.token = _hub.tokenPrefix + newToken();
  }

  /** tenant scope of the caller */
  get tenant(): string | null {
    return this._peer.tenant;
  }

  /** Messages sent so far on this connection (the last `seq`). */
  get seq(): number {
    return this._seq;
  }

  /** @internal */
  _welcome(): void {
    this._send({ event: "welcome", token: this.token });
  }

  private _send(msg: Record<string, unknown>): number {
    if (this._gone) return 0;
    const seq = ++this._seq;
    try {
      this._peer.send(JSON.stringify({ ...msg, seq }));
    } catch (e) {
      this._hub.onError(e);
    }
    return seq;
  }

  private _error(code: string, message: string, ref?: Ref, strike = false): void {
    this._send(
      ref === undefined ? { event: "error", code, message } : { event: "error", ref, code, message },
    );
    if (strike && ++this._strikes >= this._hub.maxStrikes && !this._gone) {
      this._send({ event: "error", code: "too-many-errors", message: "too many bad messages; closing" });
      this._peer.close(1008, "too many bad messages");
      this.disconnected();
    }
  }

  /**
   * Handle one incoming frame (text; binary frames are refused). Returns when it and every
   * message before it have been handled (tests await it; adapters need not).
   */
  receive(data: unknown): Promise<void> {
    if (this._gone) return this._chain;
    if (typeof data !== "string") {
      this._error("binary-frame", "send JSON in text frames", undefined, true);
      return this._chain;
    }
    const max = this._hub.maxFrameBytes;
    if (data.length > max || (data.length * 3 > max && new TextEncoder().encode(data).length > max)) {
      this._error("frame-too-large", `a frame may hold at most ${max} bytes`, undefined, true);
      return this._chain;
    }
    if (this._queued >= this._hub.maxQueued) {
      this._error("busy", "too many messages waiting; slow down", undefined, true);
      return this._chain;
    }
    this._queued++;
    this._chain = this._chain.then(async () => {
      try {
        await this._handle(data);
      } catch (e) {
        this._hub.onError(e);
        this._error("internal", "internal error");
      } finally {
        this._queued--;
      }
    });
    return this._chain;
  }

  /** The connection ended (or was closed): subscriptions wait `graceMs` for a reattach. */
  disconnected(): void {
    if (this._gone) return;
    this._gone = true;
    this._hub._drop(this);
  }

  private async _handle(text: string): Promise<void> {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this._error("bad-json", "the frame is not valid JSON", undefined, true);
      return;
    }
    const op = (raw as { op?: unknown } | null)?.op;
    const rawRef = (raw as { ref?: unknown } | null)?.ref;
    const echo =
      v.is(v.union([v.string(), v.number()]), rawRef) && String(rawRef).length <= 128 ? rawRef : undefined;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      this._error("bad-message", "a message is a JSON object with an op", undefined, true);
      return;
    }
    if (typeof op !== "string" || !_OPS.has(op)) {
      this._error("unknown-op", `unknown op ${JSON.stringify(op)?.slice(0, 64)}`, echo, true);
      return;
    }
    const r = v.safeParse(ClientMessage, raw);
    if (!r.success) {
      const d = issueDetails(r.issues);
      this._error(
        "bad-message",
        d.map((x) => (x.path ? `${x.path}: ${x.message}` : x.message)).join("; "),
        echo,
        true,
      );
      return;
    }
    const m = r.output;
    switch (m.op) {
      case "open":
        return this._open(m);
      case "close":
      case "peek":
      case "suspend":
      case "resume":
        return this._onRef(m.op, m.ref);
      case "peekAll":
        for (const sub of [...this._subs.values()]) if (sub.id !== null) await this._peek(sub);
        return;
      case "reattach":
        return this._reattach(m.token, m.lastSeq);
    }
  }

  private _serviceError(e: unknown, ref?: Ref): void {
    if (e instanceof ServiceError) this._error(e.code, e.message, ref);
    else {
      this._hub.onError(e);
      this._error("internal", "internal error", ref);
    }
  }

  private async _open(m: Extract<ClientMessage, { op: "open" }>): Promise<void> {
    const key = _key(m.ref);
    if (this._subs.has(key)) return this._error("duplicate-ref", "this ref is already open", m.ref, true);
    if (this._subs.size >= this._hub.maxRefs)
      return this._error(
        "too-many-refs",
        `at most ${this._hub.maxRefs} subscriptions per connection`,
        m.ref,
        true,
      );
    const req = toOpenRequest(m);
    const svc = this._hub.service;
    if (!objectInScope(this.tenant, req.object, (o) => svc.tenantOf(o)))
      return this._error("forbidden", "this object belongs to another tenant", m.ref, true);
    const sub: _Sub = {
      ref: m.ref,
      id: null,
      owner: this,
      toldValid: true,
      last: null,
      sentSeq: 0,
      unsent: false,
      dead: false,
    };
    this._subs.set(key, sub);
    let info: Awaited<ReturnType<StatService["open"]>>;
    try {
      sub.sink = (n) => StreamSession._notify(sub, n);
      info = await svc.open(req, sub.sink);
    } catch (e) {
      // (a detached or reattached connection holds this same map)
      if (this._subs.get(key) === sub) this._subs.delete(key);
      sub.owner?._serviceError(e, m.ref);
      return;
    }
    if (sub.dead) {
      // the connection dropped and its grace period ended while the open was in flight
      await svc.close(info.id).catch(() => {});
      return;
    }
    sub.id = info.id;
    if (this.tenant !== null && info.tenant !== this.tenant) {
      this._subs.delete(key);
      await this._hub._closeQuietly(sub);
      return this._error("forbidden", "this object belongs to another tenant", m.ref);
    }
    // a notification that came while the open was in flight is newer than the open's value
    if (sub.last === null || sub.last.at < info.at)
      sub.last = { value: info.value, valid: info.valid, at: info.at };
    sub.unsent = false;
    const owner = sub.owner;
    if (owner === null) return; // detached meanwhile: a reattach sends the value
    owner._send({ event: "opened", ref: sub.ref, id: info.id });
    owner._info(sub);
  }

  /** @internal a statistic's notification: to its connection, or kept while it has none */
  static _notify(sub: _Sub, n: NotificationOut): void {
    sub.last = { value: n.value, valid: n.valid, at: n.at };
    const owner = sub.owner;
    if (owner === null || sub.id === null) {
      sub.unsent = true;
      return;
    }
    owner._info(sub);
  }

  private _info(sub: _Sub): void {
    const last = sub.last;
    if (last === null) return;
    if (last.valid !== sub.toldValid) {
      this._send({ event: last.valid ? "valid" : "invalid", ref: sub.ref });
      sub.toldValid = last.valid;
    }
    sub.sentSeq = this._send({
      event: "info",
      ref: sub.ref,
      value: last.value,
      valid: last.valid,
      at: last.at,
    });
    sub.unsent = false;
  }

  private async _onRef(op: "close" | "peek" | "suspend" | "resume", ref: Ref): Promise<void> {
    const key = _key(ref);
    const sub = this._subs.get(key);
    if (!sub) return this._error("unknown-ref", "no subscription with this ref", ref, true);
    if (sub.id === null) return this._error("pending", "this ref's open has not finished", ref, true);
    const svc = this._hub.service;
    if (op === "peek") return this._peek(sub);
    if (op === "close") {
      this._subs.delete(key);
      const id = sub.id;
      sub.id = null;
      sub.owner = null;
      try {
        await svc.close(id);
      } catch (e) {
        if (!(e instanceof ServiceError && e.status === 404)) return this._serviceError(e, ref);
      }
      this._send({ event: "closed", ref });
      return;
    }
    try {
      await (op === "suspend" ? svc.suspend(sub.id) : svc.resume(sub.id));
    } catch (e) {
      return this._serviceError(e, ref);
    }
    this._send({ event: op === "suspend" ? "suspended" : "resumed", ref });
  }

  private async _peek(sub: _Sub): Promise<void> {
    try {
      const info = await this._hub.service.peek(sub.id!);
      sub.last = { value: info.value, valid: info.valid, at: info.at };
    } catch (e) {
      return this._serviceError(e, sub.ref);
    }
    if (sub.owner === this) this._info(sub);
  }

  /** Subscriptions handed over by another hub, listening here from now on. */
  private _import(ex: ExportedSubs): _Detached {
    const subs = new Map<string, _Sub>();
    for (const x of ex.subs) {
      const sub: _Sub = { ...x, owner: null, dead: false };
      sub.sink = (n) => StreamSession._notify(sub, n);
      sub.unlisten = this._hub.service.listen(x.id, sub.sink);
      subs.set(_key(x.ref), sub);
    }
    return { tenant: ex.tenant, subs, timer: null };
  }

  private async _reattach(token: string, lastSeq: number): Promise<void> {
    if (token === this.token)
      return this._error("bad-reattach", "this is the current connection's token", undefined, true);
    if (this._subs.size > 0)
      return this._error(
        "bad-reattach",
        "reattach must come before any open on the connection",
        undefined,
        true,
      );
    let d = this._hub._claim(token);
    if (d === null && this._hub.remote && !token.startsWith(this._hub.tokenPrefix || "\u0000")) {
      // the token is another instance's: its subscriptions come over to this one
      let ex: ExportedSubs | null = null;
      try {
        ex = await this._hub.remote(token, this.tenant);
      } catch (e) {
        if (!(e instanceof ServiceError)) this._hub.onError(e);
      }
      if (ex) d = this._import(ex);
    }
    if (d === null)
      return this._error(
        "reattach-expired",
        "no subscriptions wait under this token (unknown or expired); open again",
      );
    if (d.tenant !== this.tenant) {
      this._hub._unclaim(token, d);
      return this._error(
        "forbidden",
        "this token's subscriptions belong to another tenant scope",
        undefined,
        true,
      );
    }
    this._subs = d.subs;
    const missed: _Sub[] = [];
    for (const sub of d.subs.values()) {
      // changed since lastSeq: a notification came while detached, or the last info sent (on
      // the old connection) is one the client did not see
      if (sub.unsent || sub.sentSeq > lastSeq) missed.push(sub);
      sub.sentSeq = 0; // seqs of the old connection mean nothing on this one
      sub.owner = this;
    }
    this._send({ event: "reattached", refs: [...d.subs.values()].map((s) => s.ref) });
    for (const sub of missed) if (sub.id !== null) this._info(sub);
  }
}
