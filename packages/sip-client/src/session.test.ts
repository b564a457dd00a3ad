import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { utf8 } from "./codec.ts";
import type { SipEvent } from "./protocol.ts";
import { Session, type SessionOptions, type SessionState, type StateInfo } from "./session.ts";

function harness(o: Partial<SessionOptions> = {}) {
  const sent: Record<string, unknown>[] = [];
  const got: SipEvent[] = [];
  const closes: string[] = [];
  const states: [SessionState, StateInfo][] = [];
  const s = new Session(
    { client: "t", nodeId: "n1", port: "interactionProxy", sessionId: "S1", ...o },
    {
      send: (l) => sent.push(JSON.parse(l)),
      deliver: (ev) => got.push(ev),
      close: (r) => closes.push(r),
      state: (st, info) => states.push([st, info]),
    },
  );
  let now = 0;
  const feed = (...lines: (string | object)[]) =>
    s.chunk(utf8(lines.map((l) => `${typeof l === "string" ? l : JSON.stringify(l)}\n`).join("")), now);
  const ev = (seq: number, extra: object = {}) => ({
    seq,
    event: "EventRinging",
    time: 1000 + seq,
    connId: `c${seq}`,
    thisDN: "1001",
    ...extra,
  });
  const at = (t: number) => {
    now = t;
    s.tick(t);
  };
  return { s, sent, got, closes, states, feed, ev, at, seqs: () => got.map((e) => e.seq) };
}

const registered = (o: object = {}) => ({
  op: "registered",
  sessionId: "S1",
  resumed: false,
  eventsInCache: 0,
  ...o,
});

describe("Session", () => {
  test("register → snapshot → live, in order", () => {
    const h = harness({ udataKeys: ["a"] });
    h.s.connected(0);
    expect(h.sent[0]).toEqual({
      op: "register",
      client: "t",
      sessionId: "S1",
      snapshot: true,
      udataKeys: ["a"],
    });
    expect(h.s.state).toBe("registering");
    h.feed(
      registered({ nextSeq: 5 }),
      { op: "snapshot-begin", count: 1 },
      {
        event: "EventEstablished",
        time: 1,
        connId: "c0",
        thisDN: "1001",
        snapshot: true,
        userData: { a: 1, b: 2 },
      },
      { op: "snapshot-end" },
      h.ev(5),
      h.ev(6),
    );
    expect(h.got.map((e) => [e.seq, e.snapshot])).toEqual([
      [undefined, true],
      [5, undefined],
      [6, undefined],
    ]);
    expect(h.got[0]!.userData).toEqual({ a: 1 });
    expect(h.s.counters).toMatchObject({ snapshots: 1, snapshotEvents: 1, events: 2, badFrames: 0 });
    expect(h.states.map((x) => x[0])).toEqual(["registering", "snapshot", "live"]);
  });

  test("reordered events within the window are delivered in order; duplicates dropped", () => {
    const h = harness({ snapshot: false });
    h.s.connected(0);
    h.feed(
      registered({ nextSeq: 1 }),
      h.ev(2),
      h.ev(1),
      h.ev(1),
      h.ev(4),
      h.ev(4),
      h.ev(3),
      h.ev(2),
      h.ev(5),
    );
    expect(h.seqs()).toEqual([1, 2, 3, 4, 5]);
    expect(h.s.counters.duplicates).toBe(3);
    expect(h.s.counters.reordered).toBe(2);
    expect(h.s.counters.gaps).toBe(0);
  });

  test("a jump beyond the window is a gap: re-register with lastSeq, ignore stale events, replay", () => {
    const h = harness({ reorderWindow: 4, snapshot: false });
    h.s.connected(0);
    h.feed(registered({ nextSeq: 1 }), h.ev(1), h.ev(2), h.ev(9));
    expect(h.s.counters.gaps).toBe(1);
    expect(h.sent.at(-1)).toMatchObject({ op: "register", sessionId: "S1", lastSeq: 2 });
    h.feed(h.ev(10), registered({ resumed: true, nextSeq: 3 }), h.ev(3), h.ev(4));
    expect(h.s.counters.stale).toBe(1);
    expect(h.seqs()).toEqual([1, 2, 3, 4]);
  });

  test("a hole that stays open past gapTimeoutMs is a gap", () => {
    const h = harness({ gapTimeoutMs: 1000, snapshot: false });
    h.s.connected(0);
    h.feed(registered({ nextSeq: 1 }), h.ev(1), h.ev(3));
    h.at(900);
    expect(h.s.counters.gaps).toBe(0);
    h.at(1000);
    expect(h.s.counters.gaps).toBe(1);
    expect(h.sent.at(-1)).toMatchObject({ op: "register", lastSeq: 1 });
  });

  test("ping every second, pong answered, acks every N and every T, liveness after 5 s", () => {
    const h = harness({ ackEvery: 3, ackIntervalMs: 1000, snapshot: false });
    h.s.connected(0);
    h.feed(registered({ nextSeq: 1 }), h.ev(1), h.ev(2), h.ev(3), h.ev(4), { op: "ping" });
    expect(h.sent.filter((m) => m.op === "ack")).toEqual([{ op: "ack", seq: 3 }]);
    expect(h.sent.at(-1)).toEqual({ op: "pong" });
    h.at(1000);
    expect(h.sent.filter((m) => m.op === "ping").length).toBe(1);
    expect(h.sent.filter((m) => m.op === "ack").at(-1)).toEqual({ op: "ack", seq: 4 });
    h.at(4999);
    expect(h.closes).toEqual([]);
    h.at(5000);
    expect(h.closes.length).toBe(1);
    expect(h.s.counters.livenessTimeouts).toBe(1);
  });

  test("no registered answer within the timeout closes the connection", () => {
    const h = harness({ registerTimeoutMs: 2000 });
    h.s.connected(0);
    h.feed({ op: "ping" });
    h.at(2000);
    expect(h.closes[0]).toContain("registered");
  });

  test("after a drop the next register resumes from lastSeq; a refused resume is a reset", () => {
    const h = harness();
    h.s.connected(0);
    h.feed(registered({ nextSeq: 1 }), { op: "snapshot-begin" }, { op: "snapshot-end" }, h.ev(1), h.ev(2));
    h.s.disconnected(10, "boom");
    h.s.connected(20);
    expect(h.sent.at(-1)).toMatchObject({ op: "register", sessionId: "S1", lastSeq: 2 });
    h.feed(registered({ resumed: true, nextSeq: 3 }), h.ev(3));
    expect(h.s.counters.resumes).toBe(1);
    h.s.disconnected(30);
    h.s.connected(40);
    h.feed(registered({ resumed: false, nextSeq: 50 }));
    expect(h.states.at(-1)![1]).toMatchObject({ resumed: false, reset: true });
    h.feed({ op: "snapshot-begin" }, { op: "snapshot-end" }, h.ev(50));
    expect(h.seqs()).toEqual([1, 2, 3, 50]);
    expect(h.s.counters.resets).toBe(1);
  });

  test("a drop in the middle of a snapshot asks for a fresh snapshot, not a resume", () => {
    const h = harness();
    h.s.connected(0);
    h.feed(registered({ nextSeq: 7 }), { op: "snapshot-begin" });
    h.s.disconnected(5);
    h.s.connected(6);
    expect(h.sent.at(-1)!.lastSeq).toBeUndefined();
  });

  test("bad frames are counted and skipped; the session stays live", () => {
    const h = harness({ snapshot: false });
    h.s.connected(0);
    h.feed(registered({ nextSeq: 1 }));
    h.feed(
      "{not json",
      "[1]",
      '{"event":"EventBogus","time":1}',
      '{"seq":1,"event":"EventAgentReady","time":1,"thisDN":"1"}',
      '{"event":"EventRinging","time":1,"connId":"c","thisDN":"1"}',
      '{"op":"registered"}',
      '{"op":"nope"}',
      h.ev(1),
    );
    h.s.chunk(new Uint8Array([0xff, 0x0a]), 0);
    h.s.chunk(utf8(`${"x".repeat(70_000)}\n`), 0);
    expect(h.s.counters).toMatchObject({
      badFrames: 9,
      invalidJson: 2,
      wrongPort: 1,
      invalidMessages: 4,
      invalidUtf8: 1,
      oversized: 1,
      events: 1,
    });
    expect(h.s.state).toBe("live");
  });
});

describe("Session logging", () => {
  test("each bad frame is logged with its reason, at most logBurst per second, the rest summarised", () => {
    const logs: [Record<string, unknown>, string][] = [];
    const w = (o: Record<string, unknown>, m: string) => logs.push([o, m]);
    const h = harness({ logBurst: 3, logger: { debug() {}, info() {}, warn: w, error: w } });
    h.s.connected(0);
    h.feed(registered({ nextSeq: 1 }));
    for (let i = 0; i < 10; i++) h.feed('{"event":"EventNope","time":1}');
    const bad = logs.filter(([, m]) => m === "bad frame skipped");
    expect(bad.length).toBe(3);
    expect(bad[0]![0]).toMatchObject({
      node: "n1",
      port: "interactionProxy",
      reason: 'event: unknown event name "EventNope"',
    });
    expect(bad[0]![0].sample).toBe('{"event":"EventNope","time":1}');
    h.at(1000);
    const summary = logs.find(([, m]) => m.startsWith("more warnings"));
    expect(summary?.[0]).toMatchObject({
      suppressed: 7,
      byMessage: { "bad frame skipped": 7 },
      badFrames: 10,
    });
    expect(h.s.counters.badFrames).toBe(10);
  });
});

describe("Session properties", () => {
  test("any bounded reordering, duplication and garbage: live events exactly once, in order", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 16 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 50 }),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.oneof(
              fc.string({ maxLength: 20 }),
              fc.jsonValue().map((j) => JSON.stringify(j)),
            ),
          ),
          {
            maxLength: 20,
          },
        ),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
        (n, bound, noise, garbage, cuts) => {
          const h = harness({ snapshot: false, reorderWindow: 64 });
          h.s.connected(0);
          h.feed(registered({ nextSeq: 1 }));
          // 1..n, each maybe duplicated, shuffled within runs of `bound`
          const seqs: number[] = [];
          for (let i = 1; i <= n; i++) {
            seqs.push(i);
            if (noise[i % noise.length]! % 5 === 0) seqs.push(i);
          }
          let r = 0;
          for (let i = 0; i < seqs.length; i += bound) {
            for (let k = Math.min(seqs.length, i + bound) - 1; k > i; k--) {
              const j = i + (noise[r++ % noise.length]! % (k - i + 1));
              [seqs[k], seqs[j]] = [seqs[j]!, seqs[k]!];
            }
          }
          const lines = seqs.map((q) => JSON.stringify(h.ev(q)));
          for (const [at, g] of garbage) {
            if (!g.includes("\n")) lines.splice(at % (lines.length + 1), 0, g);
          }
          const bytes = utf8(lines.map((l) => `${l}\n`).join(""));
          let off = 0;
          let c = 0;
          while (off < bytes.length) {
            const k = cuts[c++ % cuts.length]!;
            h.s.chunk(bytes.subarray(off, off + k), 0);
            off += k;
          }
          expect(h.seqs()).toEqual(Array.from({ length: n }, (_, i) => i + 1));
          expect(h.s.counters.gaps).toBe(0);
          expect(h.closes).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

function logCapture() {
  const lines: [Record<string, unknown>, string][] = [];
  const w = (o: Record<string, unknown>, m: string) => lines.push([o, m]);
  return { logger: { debug: w, info: w, warn: w, error: w }, lines };
}

describe("Session against a hostile node", () => {
  test("every re-registration answered with another jump: re-registrations back off, one log line each", () => {
    const cap = logCapture();
    const h = harness({
      reorderWindow: 4,
      snapshot: false,
      logger: cap.logger,
      reregisterBackoff: { initialMs: 100, maxMs: 1000, random: () => 1 },
    });
    const regs = () => h.sent.filter((m) => m.op === "register").length;
    h.s.connected(0);
    h.feed(registered({ nextSeq: 1 }), h.ev(1));
    h.feed(h.ev(100)); // the first gap is repaired at once
    expect(regs()).toBe(2);
    expect(h.s.state).toBe("registering");
    let t = 0;
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      h.feed(registered({ resumed: true, nextSeq: 2 }), h.ev(200 + i), h.ev(300 + i));
      expect(h.s.state).toBe("reset-pending");
      expect(h.states.at(-1)).toEqual(["reset-pending", expect.objectContaining({ lastSeq: 1 })]);
      const before = regs();
      const from = t;
      while (regs() === before) {
        t += 10;
        h.at(t);
      }
      delays.push(t - from);
      expect(h.sent.at(-1)).toMatchObject({ op: "register", lastSeq: 1 });
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(h.s.counters.gaps).toBe(7);
    expect(h.s.counters.stale).toBe(6); // the second jump of each answer, ignored while pending
    expect(cap.lines.filter(([, m]) => m.startsWith("gap")).length).toBe(7);
    // a stream that stays healthy for maxMs gets its next gap repaired at once again
    h.feed(registered({ resumed: true, nextSeq: 2 }), h.ev(2));
    t += 1000;
    h.at(t);
    h.feed(h.ev(50));
    expect(h.s.state).toBe("registering");
  });

  test("liveness counts complete valid lines, not bytes: a trickle without a newline is dead", () => {
    const h = harness({ snapshot: false, deadAfterMs: 5000 });
    h.s.connected(0);
    h.feed(registered({ nextSeq: 1 }));
    for (let t = 500; t <= 5000; t += 500) {
      h.s.chunk(utf8("x"), t);
      h.at(t);
    }
    expect(h.closes.length).toBe(1);
    expect(h.closes[0]).toContain("no complete line");
    expect(h.s.counters.livenessTimeouts).toBe(1);
  });

  test("bad lines do not keep a link alive; pongs and events do", () => {
    const bad = harness({ snapshot: false });
    bad.s.connected(0);
    bad.feed(registered({ nextSeq: 1 }));
    for (let t = 1000; t <= 5000; t += 1000) {
      bad.s.chunk(utf8("{nope\n"), t);
      bad.at(t);
    }
    expect(bad.closes.length).toBe(1);
    const good = harness({ snapshot: false });
    good.s.connected(0);
    good.feed(registered({ nextSeq: 1 }));
    let seq = 0;
    for (let t = 1000; t <= 20_000; t += 1000) {
      good.s.chunk(utf8(t % 2000 === 0 ? '{"op":"pong"}\n' : `${JSON.stringify(good.ev(++seq))}\n`), t);
      good.at(t);
    }
    expect(good.closes).toEqual([]);
    expect(good.s.isLive(20_000)).toBe(true);
    expect(good.s.isLive(25_000)).toBe(false); // nothing heard for deadAfterMs
  });

  test("a huge nextSeq does not swallow every later event: protocol error, fresh re-registration", () => {
    const cap = logCapture();
    const h = harness({ snapshot: false, logger: cap.logger });
    h.s.connected(0);
    h.feed(registered({ nextSeq: 2 ** 53 - 1 }), h.ev(1), h.ev(2));
    expect(h.s.counters.protocolErrors).toBe(1);
    expect(h.s.counters.duplicates).toBe(0);
    expect(h.sent.at(-1)).toMatchObject({ op: "register" });
    expect(h.sent.at(-1)!.lastSeq).toBeUndefined();
    expect(cap.lines.some(([o, m]) => m === "protocol error" && String(o.reason).includes("behind"))).toBe(
      true,
    );
    h.feed(registered({ nextSeq: 3 }), h.ev(3), h.ev(4));
    expect(h.states.at(-1)![1]).toMatchObject({ resumed: false, reset: true });
    expect(h.seqs()).toEqual([3, 4]);
  });

  test("a nextSeq that is not a safe integer is a protocol error, not a silent timeout", () => {
    for (const nextSeq of [1e300, -5, 1.5, "7"]) {
      const h = harness({ snapshot: false });
      h.s.connected(0);
      h.feed(registered({ nextSeq }));
      expect(h.s.counters.protocolErrors).toBe(1);
      expect(h.sent.filter((m) => m.op === "register").length).toBe(2);
      expect(h.sent.at(-1)!.lastSeq).toBeUndefined();
    }
  });

  test("a huge first seq (no nextSeq given) does not become the baseline for good", () => {
    const h = harness({ snapshot: false });
    h.s.connected(0);
    h.feed(registered({}), h.ev(2 ** 50), h.ev(1), h.ev(2));
    expect(h.s.counters.protocolErrors).toBe(1);
    h.feed(registered({ nextSeq: 3 }), h.ev(3));
    expect(h.seqs()).toEqual([2 ** 50, 3]);
    expect(h.states.at(-1)![1]).toMatchObject({ reset: true });
  });

  test("a resumed answer that does not continue from lastSeq is a protocol error and a reset", () => {
    const h = harness({ snapshot: false });
    h.s.connected(0);
    h.feed(registered({ nextSeq: 1 }), h.ev(1), h.ev(2));
    h.s.disconnected(1);
    h.s.connected(2);
    h.feed(registered({ resumed: true, nextSeq: 900 }));
    expect(h.s.counters.protocolErrors).toBe(1);
    expect(h.sent.at(-1)!.lastSeq).toBeUndefined();
    h.feed(registered({ nextSeq: 10 }), h.ev(10));
    expect(h.states.at(-1)![1]).toMatchObject({ resumed: false, reset: true });
    expect(h.seqs()).toEqual([1, 2, 10]);
  });
});

describe("Session validity", () => {
  /** one ordered log of state changes and deliveries */
  function ordered(o: Partial<SessionOptions> = {}) {
    const log: string[] = [];
    const sent: Record<string, unknown>[] = [];
    const s = new Session(
      { client: "t", nodeId: "n1", port: "tController", sessionId: "S1", ...o },
      {
        send: (l) => sent.push(JSON.parse(l)),
        deliver: (ev) => log.push(ev.snapshot ? `snap:${ev.agentId}` : `ev:${ev.seq}`),
        close: () => {},
        state: (st, info) => log.push(info.reset ? `${st}(reset)` : st),
      },
    );
    const feed = (t: number, ...lines: object[]) =>
      s.chunk(utf8(lines.map((l) => `${JSON.stringify(l)}\n`).join("")), t);
    return { s, log, sent, feed };
  }
  const snapEv = (a: string) => ({
    event: "EventAgentLogin",
    time: 1,
    thisDN: "1",
    agentId: a,
    snapshot: true,
  });
  const live = (seq: number) => ({ seq, event: "EventAgentReady", time: 2, thisDN: "1" });

  test("fresh stream: 'snapshot' before the first snapshot event, 'live' after snapshot-end", () => {
    const o = ordered();
    o.s.connected(0);
    o.feed(0, registered({ nextSeq: 5 }), { op: "snapshot-begin" }, snapEv("a"));
    expect(o.s.isLive(0)).toBe(false);
    o.feed(0, snapEv("b"), { op: "snapshot-end" }, live(5));
    expect(o.s.isLive(0)).toBe(true);
    // node restart: the connection drops, the session is unknown, seq starts again at 1
    o.s.disconnected(1);
    expect(o.s.isLive(1)).toBe(false);
    o.s.connected(2);
    o.feed(2, registered({ nextSeq: 1 }), { op: "snapshot-begin" }, snapEv("c"), { op: "snapshot-end" });
    o.feed(2, live(1));
    expect(o.log).toEqual([
      "registering",
      "snapshot",
      "snap:a",
      "snap:b",
      "live",
      "ev:5",
      "disconnected",
      "registering",
      "snapshot(reset)",
      "snap:c",
      "live",
      "ev:1",
    ]);
  });

  test("resync: a fresh registration on the same connection, reported as a reset", () => {
    const { s, log, sent, feed: feedAt } = ordered();
    const feed = (...lines: object[]) => feedAt(0, ...lines);
    s.connected(0);
    feed(registered({ nextSeq: 1 }), { op: "snapshot-begin" }, { op: "snapshot-end" }, live(1), live(2));
    log.length = 0;
    s.resync(0);
    expect(sent.at(-1)).toMatchObject({ op: "register", sessionId: "S1", snapshot: true });
    expect(sent.at(-1)!.lastSeq).toBeUndefined();
    feed(live(3)); // in flight before the node saw the register: stale
    feed(registered({ nextSeq: 4 }), { op: "snapshot-begin" }, snapEv("x"), { op: "snapshot-end" }, live(4));
    expect(log).toEqual(["registering", "snapshot(reset)", "snap:x", "live", "ev:4"]);
    expect(s.counters.resets).toBe(1);
    // resync while a registration is in flight: that answer is not trusted, a fresh one is asked
    s.disconnected(1);
    s.connected(2);
    expect(sent.at(-1)!.lastSeq).toBe(4);
    s.resync(0);
    expect(sent.filter((m) => m.op === "register").length).toBe(3); // not sent twice at once
    feed(registered({ resumed: true, nextSeq: 5 }));
    expect(sent.filter((m) => m.op === "register").length).toBe(4);
    expect(sent.at(-1)!.lastSeq).toBeUndefined();
    feed(registered({ nextSeq: 9 }));
    expect(log.at(-1)).toBe("snapshot(reset)");
  });
});
