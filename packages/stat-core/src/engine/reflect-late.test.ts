/**
 * A queue's answer reflected from the agent DN that reaches the queue's owner late, after the call
 * came back to the queue (a transfer re-queued it) — what happens across partitions whose messages
 * travel over the bus. The late answer belongs to the visit it answered; the next visit's answer
 * is counted too (docs/semantics.md §5, "A late reflected answer").
 */
import { describe, expect, test } from "bun:test";
import type { TEvent } from "../definitions.ts";
import { ReplayClock } from "./clock.ts";
import { Engine } from "./engine.ts";
import { fixtureConfig, req, T0 } from "./testing.ts";
import type { CrossMessage } from "./types.ts";

const cfg = fixtureConfig();
const at = (s: number): number => (T0 + s * 1000) / 1000;

function day(): TEvent[] {
  const call = { connId: "c1", callType: "Inbound" as const, thisQueue: "8000" };
  return [
    { event: "EventAgentLogin", time: at(1), thisDN: "1001", agentId: "l1" },
    { event: "EventAgentReady", time: at(1), thisDN: "1001", agentId: "l1" },
    { event: "EventAgentLogin", time: at(1), thisDN: "1002", agentId: "l2" },
    { event: "EventAgentReady", time: at(1), thisDN: "1002", agentId: "l2" },
    { event: "EventQueued", time: at(10), thisDN: "8000", ...call },
    { event: "EventDiverted", time: at(10), thisDN: "8000", otherDN: "1001", ...call },
    { event: "EventRinging", time: at(10), thisDN: "1001", agentId: "l1", ...call },
    { event: "EventEstablished", time: at(15), thisDN: "1001", agentId: "l1", ...call },
    // transferred back to the queue, then answered by a2
    { event: "EventReleased", time: at(18), thisDN: "1001", agentId: "l1", ...call },
    { event: "EventQueued", time: at(18), thisDN: "8000", ...call },
    { event: "EventDiverted", time: at(18), thisDN: "8000", otherDN: "1002", ...call },
    { event: "EventRinging", time: at(18), thisDN: "1002", agentId: "l2", ...call },
    { event: "EventEstablished", time: at(26), thisDN: "1002", agentId: "l2", ...call },
  ];
}

/**
 * Two partitions: the queue on one, the agents on the other; reflected answers delivered at once,
 * at the end (`late`), or just after event number `after` (between the queue's events), the
 * second visit's first when `secondFirst`.
 */
function run(late: boolean, after = -1, secondFirst = false): { answered: unknown; asa: unknown } {
  const clock = new ReplayClock(T0);
  const ownsQ = (k: string): boolean => k === "dn:8000";
  const engs = [
    new Engine({ config: cfg, clock, startMs: T0, owns: (k) => !ownsQ(k) }),
    new Engine({ config: cfg, clock, startMs: T0, owns: ownsQ }),
  ];
  const ids = engs.map((e) => [
    (e.open(req("Queue", "8000", "AnsweredQ")) as { statId: number }).statId,
    (e.open(req("Queue", "8000", "ASA")) as { statId: number }).statId,
  ]);
  const held: [number, CrossMessage][] = [];
  const exchange = (): void => {
    for (let moved = true; moved; ) {
      moved = false;
      engs.forEach((e, from) => {
        for (const m of e.drainOutbox()) {
          moved = true;
          const to = m.to === "*" ? 1 - from : ownsQ(m.to) ? 1 : 0;
          if (late && m.kind === "reflect") held.push([to, m]);
          else engs[to]!.deliver(m);
        }
      });
    }
  };
  day().forEach((ev, i) => {
    engs[ev.thisDN === "8000" ? 1 : 0]!.ingest(ev);
    exchange();
    if (i === after) {
      const msgs = held.splice(0);
      if (secondFirst) msgs.reverse();
      for (const [to, m] of msgs) engs[to]!.deliver(m);
    }
  });
  for (const [to, m] of held) engs[to]!.deliver(m);
  exchange();
  const now = T0 + 30_000;
  const q = engs[1]!;
  return { answered: q.partialOf(ids[1]![0]!, now)?.c[0], asa: q.peek(ids[1]![1]!)?.value };
}

describe("a reflected answer that arrives after the call came back to the queue", () => {
  test("both visits' answers count, each with its own wait (as with messages delivered at once)", () => {
    const now = run(false);
    expect(now.answered).toBe(2);
    expect(run(true)).toEqual(now);
    // the first answer arriving between the call's second EventQueued and its EventDiverted
    expect(run(true, 9)).toEqual(now);
    expect(run(true, 10)).toEqual(now);
    // ... or after the second visit's answer (its agent DN's owner was faster)
    expect(run(true, 12, true)).toEqual(now);
  });
});
