import { describe, expect, test } from "bun:test";
import { loadStatdConfig } from "@statd/config";
import { newToken, StreamHub, type StreamPeer, type StreamSession, type StreamTimers } from "./stream.ts";
import { LocalStatService, queued, T0, TWO_TENANT_TOML } from "./testing.ts";

const config = loadStatdConfig(TWO_TENANT_TOML);

/** Timers the test fires by hand. */
class ManualTimers implements StreamTimers {
  pending = new Map<number, () => void>();
  private _n = 0;
  setTimeout(fn: () => void, _ms: number): unknown {
    const h = ++this._n;
    this.pending.set(h, fn);
    return h;
  }
  clearTimeout(h: unknown): void {
    this.pending.delete(h as number);
  }
  fireAll(): void {
    const fns = [...this.pending.values()];
    this.pending.clear();
    for (const f of fns) f();
  }
}

type Msg = Record<string, unknown>;

class Client {
  msgs: Msg[] = [];
  closed: { code: number; reason: string } | null = null;
  session: StreamSession;
  constructor(hub: StreamHub, tenant: string | null = null) {
    const peer: StreamPeer = {
      send: (t) => this.msgs.push(JSON.parse(t) as Msg),
      close: (code, reason) => {
        this.closed = { code, reason };
      },
      tenant,
    };
    this.session = hub.connect(peer);
  }
  send(m: unknown): Promise<void> {
    return this.session.receive(typeof m === "string" ? m : JSON.stringify(m));
  }
  /** messages after index `from`, without seq */
  since(from: number): Msg[] {
    return this.msgs.slice(from).map(({ seq: _s, ...rest }) => rest);
  }
  get last(): Msg {
    return this.msgs[this.msgs.length - 1]!;
  }
}

function setup(opts: { graceMs?: number; maxStrikes?: number } = {}) {
  const svc = new LocalStatService({ config, startMs: T0 });
  const timers = new ManualTimers();
  const hub = new StreamHub({ service: svc, timers, ...opts });
  return { svc, timers, hub };
}

const openWaiting = (ref: string | number, id = "8001") => ({
  op: "open",
  ref,
  object: { type: "Queue", id },
  statType: "CurrNumberWaitingCalls",
});

describe("StreamSession", () => {
  test("welcome first; open → opened then info; changes → info; seq +1 per message", async () => {
    const { svc, hub } = setup();
    const c = new Client(hub);
    expect(c.msgs[0]).toEqual({ event: "welcome", token: c.session.token, seq: 1 });
    await c.send(openWaiting("q"));
    expect(c.since(1)).toEqual([
      { event: "opened", ref: "q", id: "s1" },
      { event: "info", ref: "q", value: 0, valid: true, at: T0 },
    ]);
    svc.ingest(queued("8001", "c1", T0 + 1000));
    svc.tick(T0 + 1000);
    expect(c.last).toEqual({ event: "info", ref: "q", value: 1, valid: true, at: T0 + 1000, seq: 4 });
    expect(c.msgs.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  test("tokens are distinct and unguessable-looking (32 base64url characters)", () => {
    const seen = new Set(Array.from({ length: 200 }, () => newToken()));
    expect(seen.size).toBe(200);
    for (const t of seen) expect(t).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  test("numeric refs are echoed as numbers; 1 and '1' are different refs", async () => {
    const { hub } = setup();
    const c = new Client(hub);
    await c.send(openWaiting(1));
    await c.send(openWaiting("1"));
    expect(c.since(1).filter((m) => m.event === "opened")).toEqual([
      { event: "opened", ref: 1, id: "s1" },
      { event: "opened", ref: "1", id: "s2" },
    ]);
  });

  test("duplicate ref → error, the first stays open and the connection works", async () => {
    const { svc, hub } = setup();
    const c = new Client(hub);
    await c.send(openWaiting("q"));
    await c.send(openWaiting("q"));
    expect(c.last).toMatchObject({ event: "error", ref: "q", code: "duplicate-ref" });
    expect(svc.openCount).toBe(1);
    await c.send({ op: "peek", ref: "q" });
    expect(c.last).toMatchObject({ event: "info", ref: "q", value: 0 });
  });

  test("close → closed, the statistic is closed and sends nothing more", async () => {
    const { svc, hub } = setup();
    const c = new Client(hub);
    await c.send(openWaiting("q"));
    await c.send({ op: "close", ref: "q" });
    expect(c.last).toMatchObject({ event: "closed", ref: "q" });
    expect(svc.openCount).toBe(0);
    const n = c.msgs.length;
    svc.ingest(queued("8001", "c1", T0 + 1000));
    svc.tick(T0 + 1000);
    expect(c.msgs.length).toBe(n);
    await c.send({ op: "close", ref: "q" });
    expect(c.last).toMatchObject({ event: "error", ref: "q", code: "unknown-ref" });
  });

  test("peekAll sends an info for every ref, in open order", async () => {
    const { svc, hub } = setup();
    const c = new Client(hub);
    await c.send(openWaiting("a"));
    await c.send(openWaiting("b", "9001"));
    svc.ingest(queued("9001", "c1", T0 + 500));
    const n = c.msgs.length;
    await c.send({ op: "peekAll" });
    expect(c.since(n)).toEqual([
      { event: "info", ref: "a", value: 0, valid: true, at: T0 + 500 },
      { event: "info", ref: "b", value: 1, valid: true, at: T0 + 500 },
    ]);
  });

  test("suspend stops notifications, resume restarts them", async () => {
    const { svc, hub } = setup();
    const c = new Client(hub);
    await c.send(openWaiting("q"));
    await c.send({ op: "suspend", ref: "q" });
    expect(c.last).toMatchObject({ event: "suspended", ref: "q" });
    svc.ingest(queued("8001", "c1", T0 + 1000));
    svc.tick(T0 + 1000);
    expect(c.last.event).toBe("suspended");
    await c.send({ op: "resume", ref: "q" });
    expect(c.last).toMatchObject({ event: "resumed", ref: "q" });
    svc.tick(T0 + 2000);
    expect(c.last).toMatchObject({ event: "info", ref: "q", value: 1 });
  });

  test("validity flips are told before the info", async () => {
    const { svc, hub } = setup();
    const c = new Client(hub);
    svc.ingest(queued("8001", "c1", T0 + 100, "n1"));
    await c.send(openWaiting("q"));
    const n = c.msgs.length;
    svc.setSourceValid("n1", false);
    svc.tick(T0 + 1000);
    expect(c.since(n)[0]).toEqual({ event: "invalid", ref: "q" });
    expect(c.since(n)[1]).toMatchObject({ event: "info", ref: "q", valid: false });
    svc.setSourceValid("n1", true);
    svc.tick(T0 + 2000);
    expect(c.since(n + 2)[0]).toEqual({ event: "valid", ref: "q" });
    expect(c.since(n + 2)[1]).toMatchObject({ event: "info", ref: "q", valid: true });
  });

  test("service errors come back with their code and the ref; the ref is free again", async () => {
    const { hub } = setup();
    const c = new Client(hub);
    await c.send({ op: "open", ref: "x", object: { type: "Queue", id: "8001" }, statType: "NoSuchType" });
    expect(c.last).toMatchObject({ event: "error", ref: "x" });
    expect(typeof c.last.code).toBe("string");
    await c.send({
      op: "open",
      ref: "x",
      object: { type: "Queue", id: "nope" },
      statType: "CurrNumberWaitingCalls",
    });
    expect(c.last).toMatchObject({ event: "error", ref: "x", code: "unknown-object" });
    await c.send(openWaiting("x"));
    expect(c.since(c.msgs.length - 2)[0]).toMatchObject({ event: "opened", ref: "x" });
  });

  test("a scoped connection cannot open another tenant's object", async () => {
    const { svc, hub } = setup();
    const c = new Client(hub, "acme");
    await c.send(openWaiting("g", "9001"));
    expect(c.last).toMatchObject({ event: "error", ref: "g", code: "forbidden" });
    await c.send({ ...openWaiting("h"), object: { type: "Queue", id: "8001", tenant: "globex" } });
    expect(c.last).toMatchObject({ event: "error", ref: "h", code: "forbidden" });
    await c.send(openWaiting("a", "8001"));
    expect(c.since(c.msgs.length - 2)[0]).toMatchObject({ event: "opened", ref: "a" });
    expect(svc.openCount).toBe(1);
  });
});

describe("StreamSession: hostile frames", () => {
  const bad: [string, string | ArrayBuffer, string][] = [
    ["not JSON", "{op:", "bad-json"],
    ["an array", "[1,2]", "bad-message"],
    ["a number", "42", "bad-message"],
    ["null", "null", "bad-message"],
    ["no op", '{"ref":"x"}', "unknown-op"],
    ["an unknown op", '{"op":"drop","ref":"x"}', "unknown-op"],
    [
      "a wrong type",
      '{"op":"open","ref":"x","object":{"type":"Planet","id":"1"},"statType":"S"}',
      "bad-message",
    ],
    ["an unknown key", '{"op":"peek","ref":"x","extra":1}', "bad-message"],
    [
      "both statType and definition",
      '{"op":"open","ref":"x","object":{"type":"Queue","id":"8001"},"statType":"S","definition":{"category":"CurrentNumber","subject":"DNAction","mainMask":"CallWait"}}',
      "bad-message",
    ],
    [
      "a bad mask",
      '{"op":"open","ref":"x","object":{"type":"Queue","id":"8001"},"definition":{"category":"CurrentNumber","subject":"DNAction","mainMask":"Call-Wait"}}',
      "bad-message",
    ],
    ["an object ref", '{"op":"peek","ref":{"a":1}}', "bad-message"],
    ["a long ref", JSON.stringify({ op: "peek", ref: "r".repeat(200) }), "bad-message"],
    ["an unknown ref", '{"op":"peek","ref":"nobody"}', "unknown-ref"],
    ["a negative lastSeq", '{"op":"reattach","token":"t","lastSeq":-1}', "bad-message"],
    [
      "deep nesting",
      `{"op":"open","ref":"x","object":${"[".repeat(5000)}${"]".repeat(5000)}}`,
      "bad-message",
    ],
    ["a binary frame", new Uint8Array([1, 2, 3]).buffer, "binary-frame"],
    [
      "a frame over the cap",
      JSON.stringify({ op: "peek", ref: "x", pad: "y".repeat(70_000) }),
      "frame-too-large",
    ],
    [
      "multibyte text over the cap",
      JSON.stringify({ op: "peek", ref: "€".repeat(30_000) }),
      "frame-too-large",
    ],
  ];
  for (const [what, frame, code] of bad) {
    test(`${what} → error ${code}, the connection stays up`, async () => {
      const { hub } = setup();
      const c = new Client(hub);
      await c.session.receive(frame);
      expect(c.last).toMatchObject({ event: "error", code });
      expect(c.closed).toBeNull();
      await c.send(openWaiting("ok"));
      expect(c.since(c.msgs.length - 2)[0]).toMatchObject({ event: "opened", ref: "ok" });
    });
  }

  test("the ref of a bad message is echoed when it is usable", async () => {
    const { hub } = setup();
    const c = new Client(hub);
    await c.send({ op: "open", ref: "r7", object: { type: "Queue" } });
    expect(c.last).toMatchObject({ event: "error", ref: "r7", code: "bad-message" });
    expect(String(c.last.message)).toContain("object.id");
  });

  test("repeated abuse closes the connection with 1008; another client is not affected", async () => {
    const { svc, hub } = setup({ maxStrikes: 5 });
    const good = new Client(hub);
    await good.send(openWaiting("q"));
    const bad = new Client(hub);
    for (let i = 0; i < 10; i++) await bad.send("garbage");
    expect(bad.closed).toEqual({ code: 1008, reason: "too many bad messages" });
    expect(bad.msgs.filter((m) => m.code === "bad-json").length).toBe(5);
    expect(bad.last).toMatchObject({ event: "error", code: "too-many-errors" });
    const n = bad.msgs.length;
    await bad.send(openWaiting("late"));
    expect(bad.msgs.length).toBe(n);
    svc.ingest(queued("8001", "c1", T0 + 1000));
    svc.tick(T0 + 1000);
    expect(good.last).toMatchObject({ event: "info", ref: "q", value: 1 });
    expect(hub.counts.live).toBe(1);
  });
});

describe("StreamSession: reattach", () => {
  test("a reconnect that lands on another instance's hub takes the subscriptions over", async () => {
    const svc = new LocalStatService({ config, startMs: T0 });
    const a = new StreamHub({ service: svc, tokenPrefix: "0." });
    const b = new StreamHub({ service: svc, tokenPrefix: "1.", remote: async (t, ten) => a.export(t, ten) });
    const c1 = new Client(a);
    expect(c1.session.token.startsWith("0.")).toBe(true);
    await c1.send(openWaiting("w"));
    const lastSeq = c1.session.seq;
    c1.session.disconnected();
    svc.ingest(queued("8001", "c1", T0 + 1000));
    svc.tick(T0 + 1000);
    const c2 = new Client(b);
    await c2.send({ op: "reattach", token: c1.session.token, lastSeq });
    expect(c2.since(1)).toEqual([
      { event: "reattached", refs: ["w"] },
      { event: "info", ref: "w", value: 1, valid: true, at: T0 + 1000 },
    ]);
    expect(a.counts).toEqual({ live: 0, detached: 0 });
    svc.ingest(queued("8001", "c2", T0 + 2000));
    svc.tick(T0 + 2000);
    expect(c2.last).toMatchObject({ event: "info", ref: "w", value: 2 });
    // a token of the same hub, or one another hub no longer has, is expired
    const c3 = new Client(b);
    await c3.send({ op: "reattach", token: c1.session.token, lastSeq });
    expect(c3.last).toMatchObject({ event: "error", code: "reattach-expired" });
    // another tenant's connection cannot take them
    const c4 = new Client(a, "acme");
    await c4.send(openWaiting("x"));
    c4.session.disconnected();
    const c5 = new Client(b, "globex");
    await c5.send({ op: "reattach", token: c4.session.token, lastSeq: 0 });
    expect(c5.last).toMatchObject({ event: "error", code: "reattach-expired" });
    expect(a.counts.detached).toBe(1);
  });

  test("subscriptions come back; only the latest value of what changed since lastSeq is sent", async () => {
    const { svc, hub, timers } = setup();
    const c1 = new Client(hub);
    await c1.send(openWaiting("a"));
    await c1.send(openWaiting("b", "9001"));
    const lastSeq = c1.session.seq;
    c1.session.disconnected();
    expect(hub.counts).toEqual({ live: 0, detached: 1 });
    svc.ingest(queued("8001", "c1", T0 + 1000));
    svc.tick(T0 + 1000);
    svc.ingest(queued("8001", "c2", T0 + 2000));
    svc.tick(T0 + 2000);
    expect(c1.session.seq).toBe(lastSeq); // nothing sent on the dead connection

    const c2 = new Client(hub);
    await c2.send({ op: "reattach", token: c1.session.token, lastSeq });
    expect(c2.since(1)).toEqual([
      { event: "reattached", refs: ["a", "b"] },
      { event: "info", ref: "a", value: 2, valid: true, at: T0 + 2000 },
    ]);
    expect(c2.msgs.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(timers.pending.size).toBe(0);
    // they live on the new connection
    svc.ingest(queued("9001", "c3", T0 + 3000));
    svc.tick(T0 + 3000);
    expect(c2.last).toMatchObject({ event: "info", ref: "b", value: 1, seq: 4 });
    await c2.send({ op: "close", ref: "a" });
    expect(c2.last).toMatchObject({ event: "closed", ref: "a" });
    // the old token is spent
    const c3 = new Client(hub);
    await c3.send({ op: "reattach", token: c1.session.token, lastSeq });
    expect(c3.last).toMatchObject({ event: "error", code: "reattach-expired" });
  });

  test("an info the client did not see (seq after lastSeq) is sent again", async () => {
    const { svc, hub } = setup();
    const c1 = new Client(hub);
    await c1.send(openWaiting("a"));
    await c1.send(openWaiting("b", "9001"));
    const seen = c1.session.seq;
    svc.ingest(queued("9001", "c1", T0 + 1000));
    svc.tick(T0 + 1000); // info b=1 sent, but the client never got it
    expect(c1.last).toMatchObject({ ref: "b", value: 1 });
    c1.session.disconnected();
    const c2 = new Client(hub);
    await c2.send({ op: "reattach", token: c1.session.token, lastSeq: seen });
    expect(c2.since(2)).toEqual([{ event: "info", ref: "b", value: 1, valid: true, at: T0 + 1000 }]);
    // and with the seq of that info seen, nothing is resent
    c2.session.disconnected();
    const c3 = new Client(hub);
    await c3.send({ op: "reattach", token: c2.session.token, lastSeq: c2.session.seq });
    expect(c3.since(1)).toEqual([{ event: "reattached", refs: ["a", "b"] }]);
  });

  test("after the grace period the subscriptions are closed and reattach is expired", async () => {
    const { svc, hub, timers } = setup();
    const c1 = new Client(hub);
    await c1.send(openWaiting("a"));
    await c1.send(openWaiting("b"));
    expect(svc.openCount).toBe(2);
    c1.session.disconnected();
    expect(svc.openCount).toBe(2);
    timers.fireAll();
    await Promise.resolve();
    expect(svc.openCount).toBe(0);
    expect(hub.counts).toEqual({ live: 0, detached: 0 });
    const c2 = new Client(hub);
    await c2.send({ op: "reattach", token: c1.session.token, lastSeq: 0 });
    expect(c2.last).toMatchObject({ event: "error", code: "reattach-expired" });
    expect(c2.closed).toBeNull();
  });

  test("a connection without subscriptions leaves nothing waiting", () => {
    const { hub, timers } = setup();
    const c = new Client(hub);
    c.session.disconnected();
    expect(hub.counts).toEqual({ live: 0, detached: 0 });
    expect(timers.pending.size).toBe(0);
  });

  test("reattach from another tenant scope is refused and leaves the subscriptions waiting", async () => {
    const { hub } = setup();
    const c1 = new Client(hub, "acme");
    await c1.send(openWaiting("a"));
    c1.session.disconnected();
    const other = new Client(hub, "globex");
    await other.send({ op: "reattach", token: c1.session.token, lastSeq: 0 });
    expect(other.last).toMatchObject({ event: "error", code: "forbidden" });
    const c2 = new Client(hub, "acme");
    await c2.send({ op: "reattach", token: c1.session.token, lastSeq: 0 });
    expect(c2.since(1)[0]).toEqual({ event: "reattached", refs: ["a"] });
  });

  test("reattach after an open on the same connection is refused", async () => {
    const { hub } = setup();
    const c1 = new Client(hub);
    await c1.send(openWaiting("a"));
    c1.session.disconnected();
    const c2 = new Client(hub);
    await c2.send(openWaiting("z"));
    await c2.send({ op: "reattach", token: c1.session.token, lastSeq: 0 });
    expect(c2.last).toMatchObject({ event: "error", code: "bad-reattach" });
    await c2.send({ op: "reattach", token: c2.session.token, lastSeq: 0 });
    expect(c2.last).toMatchObject({ event: "error", code: "bad-reattach" });
  });

  test("shutdown closes live and waiting subscriptions", async () => {
    const { svc, hub, timers } = setup();
    const c1 = new Client(hub);
    await c1.send(openWaiting("a"));
    c1.session.disconnected();
    const c2 = new Client(hub);
    await c2.send(openWaiting("b"));
    expect(svc.openCount).toBe(2);
    await hub.shutdown();
    expect(svc.openCount).toBe(0);
    expect(timers.pending.size).toBe(0);
  });
});
