/**
 * Shape compatibility without a package dependency: the event the SIP client delivers
 * (`SipEvent`) must be assignable to stat-core's `TEvent`, and the simulation's published body
 * to the node server's `SimBody`. A type error here fails `tsc` (and the test file).
 */
import { expect, test } from "bun:test";
import type { SipEvent } from "../packages/sip-client/src/protocol.ts";
import { checkEvent } from "../packages/sip-client/src/validate.ts";
import type { SimBody } from "../packages/sip-sim/src/server/ring.ts";
import type { TEvent } from "../packages/stat-core/src/definitions.ts";

test("a delivered SipEvent is a stat-core TEvent", () => {
  const ev = checkEvent({
    seq: 1,
    event: "EventRinging",
    time: 1,
    connId: "c",
    thisDN: "1",
    callType: "Inbound",
    userData: { a: 1 },
  });
  expect(typeof ev).toBe("object");
  const asTEvent: TEvent = ev as SipEvent; // compile-time check
  expect(asTEvent.event).toBe("EventRinging");
  const body: SimBody = { event: "EventOnHook", time: 1, thisDN: "1" } as {
    event: string;
    time: number;
    thisDN: string;
  };
  expect(body.event).toBe("EventOnHook");
});
