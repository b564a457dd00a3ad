/**
 * A random-but-valid event stream generator over the test fixture directory: a tiny contact
 * center model (logins, ready/not-ready/ACW, queued calls, distribution, answer, abandon in queue
 * and while ringing, hold, release, attached data, direct calls, link loss). Driven by a list of
 * integers so fast-check can generate and shrink streams. Test support, not public API.
 *
 * @example
 * ```ts
 * const evs = simulate([3, 17, 250, 9], { linkLoss: true }); // TEvent[]
 * ```
 * @module
 */
import type { TEvent } from "../definitions.ts";
import { T0 } from "./testing.ts";

const AGENTS = [
  ["a1", "l1"],
  ["a2", "l2"],
  ["a3", "l3"],
] as const;
const DNS = ["1001", "1002", "1003"];
const QUEUES = ["8000", "8001", "9000"];
/** SIP node feeding each DN. */
export const NODE_OF: Readonly<Record<string, string>> = {
  "1001": "n1",
  "8000": "n1",
  "1002": "n2",
  "1003": "n2",
  "8001": "n2",
  "9000": "n2",
};

interface Call {
  id: string;
  queue: string | null;
  dn: string | null;
  phase: "waiting" | "ringing" | "talking" | "held";
  type: "Inbound" | "Internal";
}

/** Options of {@link simulate}. */
export interface SimOptions {
  linkLoss?: boolean;
  /** end every call at the end (queues empty) */
  settle?: boolean;
}

/** Generate events from a list of command integers. */
export function simulate(cmds: readonly number[], opts: SimOptions = {}): TEvent[] {
  const out: TEvent[] = [];
  let t = T0 + 1000;
  let seq = 0;
  const loginOf = new Map<string, string>(); // dn -> agent login
  const calls = new Map<string, Call>();
  const down = new Set<string>();
  const up = (dn: string): boolean => !down.has(NODE_OF[dn]);
  const ev = (event: string, attrs: Partial<TEvent>): void => {
    const dn = attrs.thisDN;
    out.push({ event, time: t / 1000, node: dn ? NODE_OF[dn] : attrs.node, ...attrs } as TEvent);
  };
  const pick = <T>(xs: readonly T[], r: number): T | undefined => (xs.length ? xs[r % xs.length] : undefined);
  const busy = (dn: string): boolean => [...calls.values()].some((c) => c.dn === dn);
  for (const raw of cmds) {
    const c = Math.abs(raw);
    t += (c % 7) * 3000 + (c % 3) * 250;
    const r = Math.floor(c / 17);
    switch (c % 17) {
      case 0: {
        const free = DNS.filter((d) => !loginOf.has(d) && up(d));
        const used = new Set(loginOf.values());
        const ag = AGENTS.filter(([, l]) => !used.has(l));
        const dn = pick(free, r);
        const a = pick(ag, r >> 2);
        if (dn && a) {
          loginOf.set(dn, a[1]);
          ev("EventAgentLogin", { thisDN: dn, agentId: a[1], ...(r % 2 ? { thisQueue: "8000" } : {}) });
        }
        break;
      }
      case 1:
      case 2:
      case 3: {
        const dn = pick([...loginOf.keys()].filter(up), r);
        if (!dn) break;
        const agentId = loginOf.get(dn)!;
        if (c % 17 === 1) ev("EventAgentReady", { thisDN: dn, agentId });
        else if (c % 17 === 2)
          ev("EventAgentNotReady", {
            thisDN: dn,
            agentId,
            workMode: "AuxWork",
            reasons: { ReasonCode: r % 2 ? "Break" : "Lunch" },
          });
        else ev("EventAgentNotReady", { thisDN: dn, agentId, workMode: "AfterCallWork" });
        break;
      }
      case 4: {
        const dn = pick([...loginOf.keys()].filter(up), r);
        if (dn) {
          ev("EventAgentLogout", { thisDN: dn, agentId: loginOf.get(dn)! });
          loginOf.delete(dn);
        }
        break;
      }
      case 5: {
        const q = pick(QUEUES.filter(up), r)!;
        if (!q) break;
        const id = `c${++seq}`;
        calls.set(id, { id, queue: q, dn: null, phase: "waiting", type: "Inbound" });
        ev(q === "9000" ? "EventRouteRequest" : "EventQueued", {
          thisDN: q,
          connId: id,
          callType: "Inbound",
          ani: `55${r % 10}`,
          userData: { Segment: r % 3 ? "Gold" : "Silver" },
        });
        break;
      }
      case 6: {
        const call = pick(
          [...calls.values()].filter((x) => x.phase === "waiting" && up(x.queue!)),
          r,
        );
        const dn = pick(
          DNS.filter((d) => !busy(d) && up(d)),
          r >> 1,
        );
        if (!call || !dn) break;
        const div = (): void =>
          ev(call.queue === "9000" ? "EventRouteUsed" : "EventDiverted", {
            thisDN: call.queue!,
            connId: call.id,
            otherDN: dn,
          });
        const ring = (): void =>
          ev("EventRinging", { thisDN: dn, connId: call.id, thisQueue: call.queue!, callType: "Inbound" });
        if (r % 2) {
          div();
          ring();
        } else {
          ring();
          div();
        }
        call.dn = dn;
        call.phase = "ringing";
        break;
      }
      case 7: {
        const call = pick(
          [...calls.values()].filter((x) => x.phase === "ringing" && up(x.dn!)),
          r,
        );
        if (call) {
          ev("EventEstablished", {
            thisDN: call.dn!,
            connId: call.id,
            ...(call.queue ? { thisQueue: call.queue } : {}),
          });
          call.phase = "talking";
        }
        break;
      }
      case 8: {
        const call = pick(
          [...calls.values()].filter((x) => x.phase === "waiting" && up(x.queue!)),
          r,
        );
        if (call) {
          ev("EventAbandoned", { thisDN: call.queue!, connId: call.id });
          calls.delete(call.id);
        }
        break;
      }
      case 9: {
        const call = pick(
          [...calls.values()].filter((x) => x.phase === "ringing" && up(x.dn!)),
          r,
        );
        if (call) {
          ev("EventAbandoned", {
            thisDN: call.dn!,
            connId: call.id,
            ...(call.queue ? { thisQueue: call.queue } : {}),
          });
          calls.delete(call.id);
        }
        break;
      }
      case 10: {
        const call = pick(
          [...calls.values()].filter((x) => (x.phase === "talking" || x.phase === "held") && up(x.dn!)),
          r,
        );
        if (call) {
          ev(call.phase === "talking" ? "EventHeld" : "EventRetrieved", {
            thisDN: call.dn!,
            connId: call.id,
          });
          call.phase = call.phase === "talking" ? "held" : "talking";
        }
        break;
      }
      case 11: {
        const call = pick(
          [...calls.values()].filter((x) => (x.phase === "talking" || x.phase === "held") && up(x.dn!)),
          r,
        );
        if (call) {
          ev("EventReleased", { thisDN: call.dn!, connId: call.id });
          calls.delete(call.id);
        }
        break;
      }
      case 12: {
        const call = pick([...calls.values()], r);
        if (!call) break;
        const where = call.phase === "waiting" ? call.queue! : call.dn!;
        if (up(where))
          ev("EventAttachedDataChanged", {
            thisDN: where,
            connId: call.id,
            userData: { Segment: r % 2 ? "Gold" : "Bronze" },
          });
        break;
      }
      case 13: {
        const dn = pick(
          DNS.filter((d) => !busy(d) && up(d)),
          r,
        );
        if (!dn) break;
        const id = `d${++seq}`;
        calls.set(id, { id, queue: null, dn, phase: "ringing", type: "Internal" });
        ev("EventRinging", { thisDN: dn, connId: id, callType: "Internal", otherDN: "2000" });
        break;
      }
      case 14: {
        if (!opts.linkLoss) break;
        const node = r % 2 ? "n1" : "n2";
        if (down.has(node)) {
          down.delete(node);
          ev("EventLinkConnected", { node });
        } else {
          // the session resumes when the link comes back: calls and logins go on
          down.add(node);
          ev("EventLinkDisconnected", { node });
        }
        break;
      }
      case 15: {
        const call = pick(
          [...calls.values()].filter((x) => x.phase === "waiting" && up(x.queue!)),
          r,
        );
        if (call) {
          ev("EventReleased", { thisDN: call.queue!, connId: call.id });
          calls.delete(call.id);
        }
        break;
      }
      case 16: {
        const dn = pick([...loginOf.keys()].filter(up), r);
        if (dn) ev("EventUserEvent", { thisDN: dn, userData: { k: r } });
        break;
      }
    }
  }
  if (opts.settle) {
    t += 1000;
    for (const call of calls.values()) {
      if (call.phase === "waiting") ev("EventAbandoned", { thisDN: call.queue!, connId: call.id });
      else if (call.phase === "ringing")
        ev("EventAbandoned", {
          thisDN: call.dn!,
          connId: call.id,
          ...(call.queue ? { thisQueue: call.queue } : {}),
        });
      else ev("EventReleased", { thisDN: call.dn!, connId: call.id });
    }
  }
  return out;
}
