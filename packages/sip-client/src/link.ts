/**
 * One monitoring session kept alive over a transport: connect, drive the {@link Session} machine,
 * tick it, and reconnect with capped exponential backoff and jitter when the connection drops.
 * Portable: the transport (sockets) and the timers are injected; `src/bun/` supplies real ones.
 *
 * @example
 * ```ts
 * const link = new SessionLink({
 *   client: "statd", nodeId: "n1", port: "tController", host: "127.0.0.1", portNumber: 7001,
 *   transport, timers: realTimers, deliver: (ev) => console.log(ev),
 * });
 * link.start();
 * ```
 * @module
 */
import { Backoff, type BackoffOptions, type Timers } from "./backoff.ts";
import type { SessionCounters } from "./counters.ts";
import type { SipEvent } from "./protocol.ts";
import { Session, type SessionOptions, type SessionState, type StateInfo } from "./session.ts";

/** An open connection, as a transport hands it over. */
export interface Connection {
  /** queue one line for sending (the transport handles back-pressure) */
  write(line: string): void;
  /** close; the transport then calls the `close` handler */
  close(): void;
}

/** Callbacks of one connection attempt: `open` then `data`… then `close`; or just `close`. */
export interface ConnectHandlers {
  open(conn: Connection): void;
  data(chunk: Uint8Array): void;
  close(reason: string): void;
}

/** Opens TCP (or other stream) connections. */
export interface Transport {
  connect(host: string, port: number, handlers: ConnectHandlers): void;
}

/** What a link reports to `onState`: the session's states, plus `connecting` (TCP connect under way). */
export type LinkState = SessionState | "connecting";

/** Options of one link: the session's, plus where and how to connect. */
export interface LinkOptions extends SessionOptions {
  host: string;
  portNumber: number;
  transport: Transport;
  timers: Timers;
  backoff?: BackoffOptions;
  /** how often the session is ticked while connected, ms (default 250) */
  tickMs?: number;
  deliver(ev: SipEvent): void;
  /**
   * every state change, synchronously and in order with `deliver` (docs/protocol.md "Validity and
   * ordering"): e.g. `snapshot` with `reset: true` comes before the first snapshot event
   */
  onState?(state: LinkState, info: StateInfo): void;
}

/** A snapshot of one session's position and counters. */
export interface LinkStats {
  nodeId: string;
  port: SessionOptions["port"];
  address: string;
  state: LinkState | "stopped";
  /** the stream is usable: `live`, and a complete line heard within `deadAfterMs` */
  live: boolean;
  sessionId: string;
  lastSeq: number | undefined;
  /** connection attempts (successful or not) */
  attempts: number;
  /** delay before the pending reconnect, ms (undefined when none is pending) */
  reconnectInMs: number | undefined;
  counters: SessionCounters;
}

/** A session kept alive over a transport; see the module doc. */
export class SessionLink {
  readonly session: Session;
  private readonly _backoff: Backoff;
  private _conn: Connection | undefined;
  private _gen = 0;
  private _stopped = true;
  private _connecting = false;
  private _tick: unknown;
  private _retry: unknown;
  private _retryAt: number | undefined;
  private _attempts = 0;
  private _dropReason: string | undefined;

  constructor(readonly options: LinkOptions) {
    this._backoff = new Backoff(options.backoff);
    // re-registrations on a connection are throttled like reconnects unless told otherwise
    const sessionOptions = { ...options, reregisterBackoff: options.reregisterBackoff ?? options.backoff };
    this.session = new Session(sessionOptions, {
      send: (line) => this._conn?.write(line),
      deliver: options.deliver,
      close: (reason) => this._drop(reason),
      state: (s, info) => {
        // a registration answer (resumed or fresh) is a successful registration
        if (info.resumed !== undefined) this._backoff.reset();
        options.onState?.(s, info);
      },
    });
  }

  /** Start connecting (idempotent). */
  start(): void {
    if (!this._stopped) return;
    this._stopped = false;
    this._connect();
  }

  /** Close and stop reconnecting. */
  stop(): void {
    this._stopped = true;
    const t = this.options.timers;
    if (this._retry !== undefined) t.clearTimeout(this._retry);
    this._retry = undefined;
    this._retryAt = undefined;
    this._drop("stopped");
  }

  /** Whether the stream is usable now (see {@link Session.isLive}); false while stopped. */
  get live(): boolean {
    return !this._stopped && !this._connecting && this.session.isLive(this.options.timers.now());
  }

  /**
   * Start this stream over with a fresh snapshot, reported to `onState` as a reset (like a node
   * restart): e.g. after whatever consumed the stream lost what it had built. See
   * {@link Session.resync}.
   */
  resync(reason = "resync requested"): void {
    this.session.resync(this.options.timers.now(), reason);
  }

  /** Position and counters. */
  stats(): LinkStats {
    const o = this.options;
    const now = o.timers.now();
    return {
      nodeId: o.nodeId,
      port: o.port,
      address: `${o.host}:${o.portNumber}`,
      state: this._stopped ? "stopped" : this._connecting ? "connecting" : this.session.state,
      live: this.live,
      sessionId: this.session.sessionId,
      lastSeq: this.session.lastSeq,
      attempts: this._attempts,
      reconnectInMs: this._retryAt === undefined ? undefined : Math.max(0, this._retryAt - now),
      counters: { ...this.session.counters },
    };
  }

  /**
   * Close the current connection ourselves. The transport calls the attempt's `close` handler
   * (now or later); `_closed` runs once per attempt whichever comes first, because both name the
   * attempt's generation, captured before closing (not the generation after `_closed` bumped it).
   */
  private _drop(reason: string): void {
    const c = this._conn;
    if (c) {
      const gen = this._gen;
      this._conn = undefined;
      this._dropReason = reason; // reported instead of the transport's "closed by client"
      c.close();
      this._closed(gen, reason);
    }
  }

  private _connect(): void {
    const o = this.options;
    const gen = ++this._gen;
    this._attempts++;
    this._connecting = true;
    o.onState?.("connecting", { lastSeq: this.session.lastSeq });
    o.transport.connect(o.host, o.portNumber, {
      open: (conn) => {
        if (gen !== this._gen || this._stopped) {
          conn.close();
          return;
        }
        this._connecting = false;
        // one connection per link: anything still held is closed, never left open unreferenced
        if (this._conn) this._conn.close();
        this._conn = conn;
        this.session.connected(o.timers.now());
        this._scheduleTick(gen);
      },
      data: (chunk) => {
        if (gen === this._gen && this._conn) this.session.chunk(chunk, o.timers.now());
      },
      close: (reason) => this._closed(gen, reason),
    });
  }

  private _scheduleTick(gen: number): void {
    const o = this.options;
    this._tick = o.timers.setTimeout(() => {
      if (gen !== this._gen || !this._conn) return;
      this.session.tick(o.timers.now());
      if (gen === this._gen && this._conn) this._scheduleTick(gen);
    }, o.tickMs ?? 250);
  }

  private _closed(gen: number, reason: string): void {
    if (gen !== this._gen) return;
    this._gen++; // ignore anything further from this attempt
    if (this._dropReason !== undefined) reason = this._dropReason;
    this._dropReason = undefined;
    const o = this.options;
    const t = o.timers;
    if (this._tick !== undefined) t.clearTimeout(this._tick);
    this._tick = undefined;
    this._conn = undefined;
    this._connecting = false;
    this.session.disconnected(t.now(), reason);
    if (this._stopped) return;
    const delay = this._backoff.next();
    this._retryAt = t.now() + delay;
    this._retry = t.setTimeout(() => {
      this._retry = undefined;
      this._retryAt = undefined;
      if (!this._stopped) this._connect();
    }, delay);
  }
}
