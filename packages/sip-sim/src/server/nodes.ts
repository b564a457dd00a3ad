/**
 * The simulated SIP nodes' monitoring servers: per node an Interaction Proxy and a T-Controller
 * TCP server speaking the protocol of `docs/protocol.md`, each port one *stream* with its own
 * event cache (a ring of the last `cacheSize` events), sessions that resume from it, snapshots of
 * current state, ping/pong and liveness, and fault switches for tests.
 *
 * Node i listens on `basePort + 2i` (Interaction Proxy) and `basePort + 2i + 1` (T-Controller);
 * `basePort: 0` gives ephemeral ports. The simulation calls {@link NodeServers.publish} with events
 * whose `seq` it assigned (per stream, from 1, +1 per event); the servers cache and fan them out.
 *
 * @example
 * ```ts
 * const srv = await startNodeServers({ basePort: 0, nodeIds: ["n1"], snapshot: () => [] });
 * srv.publish({ node: "n1", port: "tController", seq: 1, body: { event: "EventOnHook", time: 1, thisDN: "1001" } });
 * console.log(srv.ports);
 * await srv.close();
 * ```
 * @module
 */
import {
  ClientOpSchema,
  encodeEventLine,
  encodeLine,
  issueText,
  LineSplitter,
  type Logger,
  MAX_LINE_BYTES,
  type PortKind,
  type RegisterOp,
  silentLogger,
} from "@statd/sip-client";
import { SocketWriter } from "@statd/sip-client/bun";
import type { Socket, TCPSocketListener } from "bun";
import * as v from "valibot";
import { type CachedEvent, EventRing, type SimBody } from "./ring.ts";

/** One event from the simulation: which stream, its seq in that stream, and the body. */
export interface SimEvent {
  node: string;
  port: PortKind;
  seq: number;
  body: SimBody;
}

/** Kinds of malformed line {@link NodeFaults.sendMalformed} can send. */
export const MALFORMED_KINDS = [
  "invalid-json",
  "not-object",
  "unknown-event",
  "bad-attribute",
  "wrong-port",
  "no-seq",
  "unknown-op",
  "invalid-utf8",
  "oversized",
  "huge",
] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

/** Options of {@link startNodeServers}. */
export interface NodeServersOptions {
  /** listen address (default 127.0.0.1) */
  host?: string;
  /** first port; node i gets basePort + 2i and basePort + 2i + 1; 0 = ephemeral ports */
  basePort: number;
  nodeIds: string[];
  /** current state of a stream as events without seq (sent as the snapshot) */
  snapshot(nodeId: string, port: PortKind): SimBody[];
  /** events cached per stream (default 100 000) */
  cacheSize?: number;
  logger?: Logger;
  /** ping every this many ms (default 1000) */
  pingIntervalMs?: number;
  /** close a connection silent for this long, ms (default 5000) */
  deadAfterMs?: number;
  /** close a connection whose unsent output passes this many bytes (default 16 MiB) */
  maxQueuedBytes?: number;
  /** sessions remembered per stream; beyond it the longest-disconnected one is forgotten (default 1000) */
  maxSessions?: number;
  /** seed of the fault randomness (duplicate, reorder) */
  seed?: number;
}

/** The fault switches (for tests and `--scenario`). */
export interface NodeFaults {
  /** abruptly close connections (all, one node's, or one port's); sessions stay resumable */
  dropConnections(nodeId?: string, port?: PortKind): number;
  /** close the node's connections and forget its sessions and caches (the model restarts its streams) */
  restartNode(nodeId: string): void;
  /** hold every event this long after publish before sending it (0 = off) */
  setDelay(ms: number): void;
  /** send each event a second time with this probability (0 = off) */
  setDuplicate(prob: number): void;
  /** shuffle events within runs of this many (≤ 1 = off); an event moves by less than `bound` */
  setReorder(bound: number): void;
  /** write one malformed line to every connection of a stream; returns connections written */
  sendMalformed(nodeId: string, port: PortKind, kind: MalformedKind | string): number;
}

/** Counters of one session as the node sees it. */
export interface NodeSessionStats {
  sessionId: string;
  client: string;
  connected: boolean;
  /** next seq this session will be sent */
  cursor: number | undefined;
  ackedSeq: number;
  /** head − ackedSeq */
  lag: number;
}

/** Counters of one stream (one port of one node). */
export interface StreamStats {
  node: string;
  port: PortKind;
  listen: number;
  head: number;
  oldest: number;
  cached: number;
  connections: number;
  published: number;
  linesOut: number;
  bytesOut: number;
  registrations: number;
  resumes: number;
  snapshots: number;
  badFramesIn: number;
  livenessTimeouts: number;
  overruns: number;
  sessions: NodeSessionStats[];
}

/** The running servers. */
export interface NodeServers {
  ports: { nodeId: string; interactionProxy: number; tController: number }[];
  publish(ev: SimEvent): void;
  faults: NodeFaults;
  stats(): StreamStats[];
  close(): Promise<void>;
}

interface _SessionRec {
  id: string;
  client: string;
  ackedSeq: number;
  conn: _Conn | undefined;
}

interface _Conn {
  socket: Socket<_Conn>;
  stream: _Stream;
  writer: SocketWriter;
  splitter: LineSplitter;
  session: _SessionRec | undefined;
  udata: Set<string> | undefined;
  /** next seq to send (meaningful once registered) */
  cursor: number;
  lastRecv: number;
  closed: boolean;
  delayTimer: ReturnType<typeof setTimeout> | undefined;
}

interface _Stream {
  node: string;
  port: PortKind;
  listen: number;
  ring: EventRing;
  sessions: Map<string, _SessionRec>;
  conns: Set<_Conn>;
  published: number;
  linesOut: number;
  bytesOut: number;
  registrations: number;
  resumes: number;
  snapshots: number;
  badFramesIn: number;
  livenessTimeouts: number;
  overruns: number;
}

const _BATCH = 512;
const _HIGH_WATER = 256 * 1024;

/** mulberry32: small seeded PRNG for the fault switches. */
function _prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function _malformedLine(kind: string, port: PortKind): string | Uint8Array {
  switch (kind) {
    case "invalid-json":
      return '{"seq":1,"event":"EventRinging",\n';
    case "not-object":
      return "[1,2,3]\n";
    case "unknown-event":
      return '{"event":"EventBogus","time":1}\n';
    case "bad-attribute":
      return '{"event":"EventOnHook","time":1,"thisDN":"","callType":"Sideways"}\n';
    case "wrong-port":
      return port === "tController"
        ? '{"seq":1,"event":"EventRinging","time":1,"connId":"c","thisDN":"1"}\n'
        : '{"seq":1,"event":"EventAgentReady","time":1,"thisDN":"1"}\n';
    case "no-seq":
      return '{"event":"EventUserEvent","time":1,"thisDN":"1"}\n';
    case "unknown-op":
      return '{"op":"bogus"}\n';
    case "invalid-utf8":
      return new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]);
    case "oversized":
      return `{"event":"EventUserEvent","time":1,"thisDN":"1","pad":"${"x".repeat(MAX_LINE_BYTES)}"}\n`;
    case "huge":
      return `{"pad":"${"y".repeat(10 * 1024 * 1024)}"}\n`;
    default:
      throw new RangeError(`unknown malformed kind "${kind}" (${MALFORMED_KINDS.join(", ")})`);
  }
}

function _shuffle<T>(a: T[], from: number, to: number, rnd: () => number): void {
  for (let i = to - 1; i > from; i--) {
    const j = from + Math.floor(rnd() * (i - from + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/**
 * Start the servers of every node. Resolves once all ports listen.
 *
 * @example
 * ```ts
 * const srv = await startNodeServers({ basePort: 7000, nodeIds: ["n1", "n2"], snapshot: (n, p) => model.snapshot(n, p) });
 * ```
 */
export async function startNodeServers(opts: NodeServersOptions): Promise<NodeServers> {
  const host = opts.host ?? "127.0.0.1";
  const log = opts.logger ?? silentLogger;
  const cacheSize = opts.cacheSize ?? 100_000;
  const pingMs = opts.pingIntervalMs ?? 1000;
  const deadMs = opts.deadAfterMs ?? 5000;
  const maxQueued = opts.maxQueuedBytes ?? 16 * 1024 * 1024;
  const maxSessions = Math.max(1, opts.maxSessions ?? 1000);
  const rnd = _prng(opts.seed ?? 1);
  if (new Set(opts.nodeIds).size !== opts.nodeIds.length) throw new RangeError("node ids must be unique");
  let delayMs = 0;
  let dupProb = 0;
  let reorderBound = 1;
  let sessionCounter = 0;

  const streams = new Map<string, _Stream>(); // key `${node}/${port}`
  const listeners: TCPSocketListener<_Conn>[] = [];
  const dirty = new Set<_Stream>();
  let flushScheduled = false;

  const key = (node: string, port: PortKind) => `${node}/${port}`;

  function send(c: _Conn, data: string | Uint8Array): void {
    if (c.closed) return;
    const before = c.writer.bytesOut;
    const q = c.writer.write(data);
    c.stream.bytesOut += c.writer.bytesOut - before;
    if (q > maxQueued) {
      log.warn({ node: c.stream.node, port: c.stream.port, queued: q }, "slow consumer: closing connection");
      c.writer.clear();
      c.writer.write(
        encodeLine({ op: "error", code: "slow-consumer", message: `more than ${maxQueued} bytes unsent` }),
      );
      closeConn(c);
    }
  }

  function closeConn(c: _Conn): void {
    if (c.closed) return;
    detach(c);
    c.socket.terminate();
  }

  function detach(c: _Conn): void {
    c.closed = true;
    if (c.delayTimer) clearTimeout(c.delayTimer);
    c.stream.conns.delete(c);
    if (c.session && c.session.conn === c) c.session.conn = undefined;
  }

  function lineFor(e: CachedEvent, c: _Conn): string {
    if (c.udata === undefined) {
      e.line ??= encodeEventLine(e.seq, e.body);
      return e.line;
    }
    return encodeEventLine(e.seq, _filterUdata(e.body, c.udata));
  }

  function _filterUdata(body: SimBody, keys: Set<string>): SimBody {
    const ud = (body as { userData?: Record<string, unknown> }).userData;
    if (ud === undefined) return body;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(ud)) if (keys.has(k)) out[k] = ud[k];
    return { ...body, userData: out } as SimBody;
  }

  function pump(c: _Conn): void {
    if (c.closed || !c.session) return;
    const ring = c.stream.ring;
    for (let rounds = 0; rounds < 64; rounds++) {
      if (c.writer.queued > _HIGH_WATER) return; // drain() resumes
      if (c.cursor > ring.head) return;
      if (c.cursor < ring.oldest) {
        c.stream.overruns++;
        log.warn(
          { node: c.stream.node, port: c.stream.port, cursor: c.cursor, oldest: ring.oldest },
          "cache overrun",
        );
        send(
          c,
          encodeLine({
            op: "error",
            code: "cache-overrun",
            message: `events from seq ${c.cursor} are no longer cached`,
          }),
        );
        closeConn(c);
        return;
      }
      const now = Date.now();
      const parts: string[] = [];
      while (c.cursor <= ring.head && parts.length < _BATCH) {
        const e = ring.get(c.cursor)!;
        if (delayMs > 0 && e.at + delayMs > now) {
          if (!c.delayTimer) {
            c.delayTimer = setTimeout(
              () => {
                c.delayTimer = undefined;
                pump(c);
              },
              e.at + delayMs - now,
            );
          }
          break;
        }
        parts.push(lineFor(e, c));
        c.cursor++;
      }
      if (parts.length === 0) return;
      let out = parts;
      if (dupProb > 0) {
        out = [];
        for (const p of parts) {
          out.push(p);
          if (rnd() < dupProb) out.push(p);
        }
      }
      if (reorderBound > 1) {
        for (let i = 0; i < out.length; i += reorderBound)
          _shuffle(out, i, Math.min(out.length, i + reorderBound), rnd);
      }
      c.stream.linesOut += out.length;
      send(c, out.join(""));
    }
    // a long replay: yield to the event loop, then continue
    setImmediate(() => pump(c));
  }

  function flush(): void {
    flushScheduled = false;
    for (const s of dirty) for (const c of s.conns) pump(c);
    dirty.clear();
  }

  function onRegister(c: _Conn, op: RegisterOp): void {
    const s = c.stream;
    const ring = s.ring;
    s.registrations++;
    if (c.session && c.session.conn === c) c.session.conn = undefined;
    let rec = op.sessionId !== undefined ? s.sessions.get(op.sessionId) : undefined;
    if (rec?.conn && rec.conn !== c) {
      const old = rec.conn;
      send(
        old,
        encodeLine({
          op: "error",
          code: "session-taken-over",
          message: "another connection registered this session",
        }),
      );
      closeConn(old);
    }
    // a known session resumes from lastSeq; a new one with lastSeq 0 asks for the stream from its
    // first event, which it gets while the cache still holds seq 1 (docs/protocol.md, rule 1b)
    const resume =
      op.lastSeq !== undefined && ring.covers(op.lastSeq) && (rec !== undefined || op.lastSeq === 0);
    if (rec) {
      s.sessions.delete(rec.id); // keep the map in least-recently-registered order
      s.sessions.set(rec.id, rec);
    } else {
      rec = {
        id: op.sessionId ?? `${s.node}-${s.port}-${++sessionCounter}`,
        client: op.client,
        ackedSeq: 0,
        conn: c,
      };
      s.sessions.set(rec.id, rec);
      if (s.sessions.size > maxSessions) {
        // Map order is registration order: forget the oldest session that is not connected
        for (const [id, r] of s.sessions) {
          if (!r.conn) {
            s.sessions.delete(id);
            break;
          }
        }
      }
    }
    rec.conn = c;
    rec.client = op.client;
    c.session = rec;
    c.udata = op.udataKeys ? new Set(op.udataKeys) : undefined;
    if (c.delayTimer) {
      clearTimeout(c.delayTimer);
      c.delayTimer = undefined;
    }
    const base = { op: "registered", sessionId: rec.id, node: s.node, port: s.port };
    if (resume) {
      s.resumes++;
      const lastSeq = op.lastSeq!;
      c.cursor = lastSeq + 1;
      send(
        c,
        encodeLine({
          ...base,
          resumed: true,
          eventsInCache: ring.size,
          nextSeq: lastSeq + 1,
          replay: ring.head - lastSeq,
        }),
      );
      log.info(
        { node: s.node, port: s.port, sessionId: rec.id, lastSeq, replay: ring.head - lastSeq },
        "session resumed",
      );
    } else {
      c.cursor = ring.head + 1;
      send(c, encodeLine({ ...base, resumed: false, eventsInCache: ring.size, nextSeq: ring.head + 1 }));
      if (op.snapshot !== false) {
        s.snapshots++;
        let events: SimBody[];
        try {
          events = opts.snapshot(s.node, s.port);
        } catch (err) {
          log.error(
            { node: s.node, port: s.port, err: String(err) },
            "snapshot failed; sending an empty one",
          );
          events = [];
        }
        const parts = [encodeLine({ op: "snapshot-begin", count: events.length })];
        for (const b of events) {
          const body = c.udata ? _filterUdata(b, c.udata) : b;
          parts.push(encodeLine({ ...body, snapshot: true }));
        }
        parts.push('{"op":"snapshot-end"}\n');
        s.linesOut += parts.length;
        send(c, parts.join(""));
      }
      log.info({ node: s.node, port: s.port, sessionId: rec.id, client: op.client }, "session registered");
    }
    pump(c);
  }

  function onLine(c: _Conn, text: string): void {
    const s = c.stream;
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      badIn(c, "bad-frame", "invalid JSON");
      return;
    }
    const r = v.safeParse(ClientOpSchema, msg);
    if (!r.success) {
      badIn(c, "bad-frame", issueText(r.issues));
      return;
    }
    const op = r.output;
    switch (op.op) {
      case "ping":
        send(c, '{"op":"pong"}\n');
        return;
      case "pong":
        return;
      case "ack":
        if (!c.session) {
          badIn(c, "not-registered", "ack before register");
          return;
        }
        if (op.seq > c.session.ackedSeq && op.seq <= s.ring.head) c.session.ackedSeq = op.seq;
        return;
      case "register":
        onRegister(c, op);
        return;
    }
  }

  function badIn(c: _Conn, code: string, message: string): void {
    c.stream.badFramesIn++;
    log.warn({ node: c.stream.node, port: c.stream.port, code, message }, "bad line from client");
    send(c, encodeLine({ op: "error", code, message }));
  }

  async function listen(stream: _Stream, port: number): Promise<number> {
    const l = Bun.listen<_Conn>({
      hostname: host,
      port,
      socket: {
        open(socket) {
          const c: _Conn = {
            socket,
            stream,
            writer: new SocketWriter(socket),
            splitter: undefined as unknown as LineSplitter,
            session: undefined,
            udata: undefined,
            cursor: 0,
            lastRecv: Date.now(),
            closed: false,
            delayTimer: undefined,
          };
          c.splitter = new LineSplitter({
            line: (t) => onLine(c, t),
            bad: (why, n) =>
              badIn(c, why === "line-too-long" ? "line-too-long" : "bad-frame", `${why} (${n} bytes)`),
          });
          socket.data = c;
          stream.conns.add(c);
        },
        data(socket, chunk) {
          const c = socket.data;
          if (!c || c.closed) return;
          c.lastRecv = Date.now();
          c.splitter.push(chunk);
        },
        drain(socket) {
          const c = socket.data;
          if (!c || c.closed) return;
          if (c.writer.drain()) pump(c);
        },
        close(socket) {
          if (socket.data) detach(socket.data);
        },
        error(socket, err) {
          log.debug({ node: stream.node, port: stream.port, err: err.message }, "socket error");
          if (socket.data) detach(socket.data);
        },
      },
    });
    listeners.push(l);
    return l.port;
  }

  const ports: NodeServers["ports"] = [];
  for (let i = 0; i < opts.nodeIds.length; i++) {
    const node = opts.nodeIds[i]!;
    const entry = { nodeId: node, interactionProxy: 0, tController: 0 };
    for (const [j, port] of (["interactionProxy", "tController"] as const).entries()) {
      const s: _Stream = {
        node,
        port,
        listen: 0,
        ring: new EventRing(cacheSize),
        sessions: new Map(),
        conns: new Set(),
        published: 0,
        linesOut: 0,
        bytesOut: 0,
        registrations: 0,
        resumes: 0,
        snapshots: 0,
        badFramesIn: 0,
        livenessTimeouts: 0,
        overruns: 0,
      };
      try {
        s.listen = await listen(s, opts.basePort === 0 ? 0 : opts.basePort + 2 * i + j);
      } catch (err) {
        for (const l of listeners) l.stop(true);
        throw err;
      }
      entry[port] = s.listen;
      streams.set(key(node, port), s);
    }
    ports.push(entry);
  }

  const pinger = setInterval(() => {
    const now = Date.now();
    for (const s of streams.values()) {
      for (const c of s.conns) {
        if (now - c.lastRecv >= deadMs) {
          s.livenessTimeouts++;
          log.warn({ node: s.node, port: s.port, silentMs: now - c.lastRecv }, "client silent: closing");
          closeConn(c);
          continue;
        }
        send(c, '{"op":"ping"}\n');
      }
    }
  }, pingMs);

  function streamOf(node: string, port: PortKind): _Stream {
    const s = streams.get(key(node, port));
    if (!s) throw new RangeError(`unknown stream ${node}/${port}`);
    return s;
  }

  return {
    ports,
    publish(ev: SimEvent): void {
      const s = streamOf(ev.node, ev.port);
      const wasFresh = s.ring.fresh;
      const oldNext = s.ring.head + 1;
      s.ring.push(ev.seq, ev.body, Date.now());
      s.published++;
      if (wasFresh && ev.seq !== oldNext)
        for (const c of s.conns) if (c.cursor === oldNext) c.cursor = ev.seq;
      if (s.conns.size === 0) return;
      dirty.add(s);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    },
    faults: {
      dropConnections(nodeId?: string, port?: PortKind): number {
        let n = 0;
        for (const s of streams.values()) {
          if ((nodeId !== undefined && s.node !== nodeId) || (port !== undefined && s.port !== port))
            continue;
          for (const c of [...s.conns]) {
            closeConn(c);
            n++;
          }
        }
        log.info({ node: nodeId ?? "*", port: port ?? "*", connections: n }, "fault: connections dropped");
        return n;
      },
      restartNode(nodeId: string): void {
        for (const port of ["interactionProxy", "tController"] as const) {
          const s = streamOf(nodeId, port);
          for (const c of [...s.conns]) closeConn(c);
          s.sessions.clear();
          s.ring.clear();
        }
        log.info({ node: nodeId }, "fault: node restarted (sessions and caches forgotten)");
      },
      setDelay(ms: number): void {
        delayMs = Math.max(0, ms);
        if (delayMs === 0) for (const s of streams.values()) for (const c of s.conns) pump(c);
      },
      setDuplicate(prob: number): void {
        dupProb = Math.min(1, Math.max(0, prob));
      },
      setReorder(bound: number): void {
        reorderBound = Math.max(1, Math.floor(bound));
      },
      sendMalformed(nodeId: string, port: PortKind, kind: MalformedKind | string): number {
        const s = streamOf(nodeId, port);
        const line = _malformedLine(kind, port);
        let n = 0;
        for (const c of s.conns) {
          if (c.closed) continue;
          send(c, line);
          n++;
        }
        return n;
      },
    },
    stats(): StreamStats[] {
      return [...streams.values()].map((s) => ({
        node: s.node,
        port: s.port,
        listen: s.listen,
        head: s.ring.head,
        oldest: s.ring.oldest,
        cached: s.ring.size,
        connections: s.conns.size,
        published: s.published,
        linesOut: s.linesOut,
        bytesOut: s.bytesOut,
        registrations: s.registrations,
        resumes: s.resumes,
        snapshots: s.snapshots,
        badFramesIn: s.badFramesIn,
        livenessTimeouts: s.livenessTimeouts,
        overruns: s.overruns,
        sessions: [...s.sessions.values()].map((r) => ({
          sessionId: r.id,
          client: r.client,
          connected: r.conn !== undefined,
          cursor: r.conn?.cursor,
          ackedSeq: r.ackedSeq,
          lag: Math.max(0, s.ring.head - r.ackedSeq),
        })),
      }));
    },
    async close(): Promise<void> {
      clearInterval(pinger);
      // the day's last events reach every registered client before the sockets close (up to 2 s):
      // events published just before close would otherwise still wait for the deferred flush
      flush();
      const deadline = Date.now() + 2000;
      const pending = (): boolean => {
        for (const s of streams.values())
          for (const c of s.conns)
            if (!c.closed && c.session && (c.cursor <= s.ring.head || c.writer.queued > 0)) return true;
        return false;
      };
      while (pending() && Date.now() < deadline) {
        for (const s of streams.values()) for (const c of s.conns) pump(c);
        await new Promise((r) => setTimeout(r, 5));
      }
      for (const s of streams.values()) for (const c of [...s.conns]) closeConn(c);
      for (const l of listeners) l.stop(true);
    },
  };
}
