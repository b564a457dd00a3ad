import { describe, expect, test } from "bun:test";
import { checkerFor } from "./checker.ts";
import type { EventBody, PortKind, SimEvent } from "./types.ts";

/** Build a stream of events with consecutive seqs per (node, port). */
function stream(items: Array<[string, PortKind, Omit<EventBody, "time"> & { time?: number }]>): SimEvent[] {
  const seq = new Map<string, number>();
  return items.map(([node, port, body], i) => {
    const k = `${node}/${port}`;
    const s = (seq.get(k) ?? 0) + 1;
    seq.set(k, s);
    return { node, port, seq: s, body: { time: 1000 + i, ...body } };
  });
}

const login = (dn: string, id: string): Array<[string, PortKind, Omit<EventBody, "time">]> => [
  ["n1", "tController", { event: "EventAgentLogin", thisDN: dn, agentId: id }],
  ["n1", "tController", { event: "EventAgentReady", thisDN: dn, agentId: id }],
];

function errors(events: SimEvent[]): string[] {
  const chk = checkerFor({ agents: 2, nodeIds: ["n1", "n2"] }); // 7001 on n1, 7002 on n2
  for (const e of events) chk.feed(e);
  return chk.errors;
}

const call = "c1";
const inbound = (event: string, dn: string, extra: Partial<EventBody> = {}) =>
  ["n2", "interactionProxy", { event, connId: call, thisDN: dn, callType: "Inbound", ...extra }] as [
    string,
    PortKind,
    Omit<EventBody, "time">,
  ];

describe("SequenceChecker", () => {
  test("accepts a valid inbound call across nodes", () => {
    const ok = stream([
      ...login("7001", "agent001"),
      inbound("EventQueued", "8001"),
      inbound("EventDiverted", "8001", { otherDN: "7001" }),
      inbound("EventRinging", "7001"),
      inbound("EventEstablished", "7001"),
      inbound("EventHeld", "7001"),
      inbound("EventRetrieved", "7001"),
      inbound("EventReleased", "7001"),
      [
        "n1",
        "tController",
        { event: "EventAgentNotReady", thisDN: "7001", agentId: "agent001", workMode: "AfterCallWork" },
      ],
    ]);
    expect(errors(ok)).toEqual([]);
  });

  test("catches what a SIP Server would never send", () => {
    const cases: Array<[string, SimEvent[]]> = [
      [
        "no agent logged in",
        stream([
          inbound("EventQueued", "8001"),
          inbound("EventDiverted", "8001", { otherDN: "7001" }),
          inbound("EventRinging", "7001"),
        ]),
      ],
      [
        "not Ready",
        stream([
          ["n1", "tController", { event: "EventAgentLogin", thisDN: "7001", agentId: "a" }],
          [
            "n1",
            "tController",
            { event: "EventAgentNotReady", thisDN: "7001", agentId: "a", workMode: "AfterCallWork" },
          ],
          inbound("EventRinging", "7001"),
        ]),
      ],
      ["already queued", stream([inbound("EventQueued", "8001"), inbound("EventQueued", "8001")])],
      [
        "no open party",
        stream([
          inbound("EventQueued", "8001"),
          inbound("EventDiverted", "8001", { otherDN: "7001" }),
          inbound("EventDiverted", "8001", { otherDN: "7001" }),
        ]),
      ],
      [
        "pinned to n2 seen on n1",
        stream([
          inbound("EventQueued", "8001"),
          ["n1", "interactionProxy", { event: "EventAbandoned", connId: call, thisDN: "8001" }],
        ]),
      ],
      [
        "owned by n1 reported by n2",
        stream([["n2", "tController", { event: "EventAgentLogin", thisDN: "7001", agentId: "agent001" }]]),
      ],
      [
        "not logged in",
        stream([["n1", "tController", { event: "EventAgentReady", thisDN: "7001", agentId: "agent001" }]]),
      ],
      [
        "without a reason code",
        stream([
          ...login("7001", "a"),
          [
            "n1",
            "tController",
            { event: "EventAgentNotReady", thisDN: "7001", agentId: "a", workMode: "AuxWork" },
          ],
        ]),
      ],
      ["is queued", stream([inbound("EventQueued", "8001"), inbound("EventEstablished", "8001")])],
      [
        "released while held",
        stream([
          ...login("7001", "agent001"),
          inbound("EventRinging", "7001"),
          inbound("EventEstablished", "7001"),
          inbound("EventHeld", "7001"),
          inbound("EventReleased", "7001"),
        ]),
      ],
      [
        "unexpected EventAgentReady on the Interaction Proxy",
        stream([["n1", "interactionProxy", { event: "EventAgentReady", connId: "x", thisDN: "7001" }]]),
      ],
    ];
    for (const [want, evs] of cases) {
      const errs = errors(evs);
      expect(errs.join("\n")).toContain(want);
    }
  });

  test("sequence gaps and clocks going back", () => {
    const evs = stream([...login("7001", "a")]);
    (evs[1] as SimEvent).seq = 3;
    expect(errors(evs).join()).toContain("seq 3 after 1");
    const back = stream([...login("7001", "a")]);
    (back[1] as SimEvent).body.time = 10;
    expect(errors(back).join()).toContain("time goes back");
  });

  test("a stream restarting at seq 1 is a node restart: calls gone, agents must log in again", () => {
    const evs = stream([...login("7001", "a"), inbound("EventQueued", "8001")]);
    const restarted: SimEvent[] = [
      {
        node: "n1",
        port: "tController",
        seq: 1,
        body: { event: "EventAgentLogin", time: 2000, thisDN: "7001", agentId: "a" },
      },
    ];
    const chk = checkerFor({ agents: 2, nodeIds: ["n1", "n2"] });
    for (const e of [...evs, ...restarted]) chk.feed(e);
    expect(chk.errors).toEqual([]);
    expect(chk.openParties("n2")).toHaveLength(1);
    chk.feed({
      node: "n2",
      port: "interactionProxy",
      seq: 1,
      body: { event: "EventQueued", time: 2001, connId: "c2", thisDN: "8001" },
    });
    expect(chk.openParties("n2")).toEqual(["c2 8001 queued"]);
  });
});
