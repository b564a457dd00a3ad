import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { ClientMessage, MAX_QUERY_ITEMS, OpenBody, parseOpen, QueryBody, toOpenRequest } from "./schemas.ts";

const Q = { object: { type: "Queue" as const, id: "8001" }, statType: "CurrNumberWaitingCalls" };

describe("OpenBody", () => {
  test("a stat type or a definition, never both or neither", () => {
    expect(v.is(OpenBody, Q)).toBe(true);
    const def = { category: "CurrentNumber", subject: "DNAction", mainMask: "CallWait" };
    expect(v.is(OpenBody, { object: Q.object, definition: def })).toBe(true);
    expect(v.is(OpenBody, { ...Q, definition: def })).toBe(false);
    expect(v.is(OpenBody, { object: Q.object })).toBe(false);
  });

  test("masks: config text, an array or parsed; always a Mask after parsing", () => {
    const out = (mainMask: unknown) =>
      v.parse(OpenBody, {
        object: Q.object,
        definition: { category: "CurrentNumber", subject: "DNAction", mainMask },
      }).definition!.mainMask;
    expect(out("CallInbound, ~CallWait")).toEqual({
      all: false,
      include: ["CallInbound"],
      exclude: ["CallWait"],
    });
    expect(out(["*", "~LoggedOut"])).toEqual({ all: true, include: [], exclude: ["LoggedOut"] });
    expect(out({ all: false, include: ["A"], exclude: [] })).toEqual({
      all: false,
      include: ["A"],
      exclude: [],
    });
    expect(() => out("")).toThrow();
    expect(() => out("Bad-Name")).toThrow();
    expect(() => out(42)).toThrow();
  });

  test("notification limits", () => {
    const n = (notification: unknown) => v.is(OpenBody, { ...Q, notification });
    expect(n({ mode: "time", frequency: 10 })).toBe(true);
    expect(n({ mode: "changes", insensitivity: 5 })).toBe(true);
    expect(n({ mode: "time", frequency: 0 })).toBe(false);
    expect(n({ mode: "changes", insensitivity: -1 })).toBe(false);
    expect(n({ mode: "always" })).toBe(false);
  });

  test("size caps and unknown keys", () => {
    expect(v.is(OpenBody, { ...Q, object: { type: "Queue", id: "x".repeat(257) } })).toBe(false);
    expect(v.is(OpenBody, { ...Q, filter: "f".repeat(257) })).toBe(false);
    expect(v.is(OpenBody, { ...Q, extra: true })).toBe(false);
    expect(v.is(OpenBody, { ...Q, object: { ...Q.object, colour: "red" } })).toBe(false);
  });

  test("parseOpen lists issues with dotted paths", () => {
    const r = parseOpen({ object: { type: "Queue", id: 1 }, statType: "S" });
    expect(r).toEqual({ ok: false, details: [{ path: "object.id", message: "object.id must be a string" }] });
    const ok = parseOpen(Q);
    expect(ok.ok && ok.req).toEqual(Q);
  });
});

describe("QueryBody", () => {
  test("one body or 1..MAX_QUERY_ITEMS of them", () => {
    expect(v.is(QueryBody, Q)).toBe(true);
    expect(v.is(QueryBody, [Q, Q])).toBe(true);
    expect(v.is(QueryBody, [])).toBe(false);
    expect(
      v.is(
        QueryBody,
        Array.from({ length: MAX_QUERY_ITEMS }, () => Q),
      ),
    ).toBe(true);
    expect(
      v.is(
        QueryBody,
        Array.from({ length: MAX_QUERY_ITEMS + 1 }, () => Q),
      ),
    ).toBe(false);
  });
});

describe("ClientMessage", () => {
  test("every op; open carries the open body; toOpenRequest drops op and ref", () => {
    const open = v.parse(ClientMessage, { op: "open", ref: "r", ...Q });
    expect(open.op).toBe("open");
    if (open.op === "open") expect(toOpenRequest(open)).toEqual(Q);
    for (const op of ["close", "peek", "suspend", "resume"])
      expect(v.is(ClientMessage, { op, ref: 3 })).toBe(true);
    expect(v.is(ClientMessage, { op: "peekAll" })).toBe(true);
    expect(v.is(ClientMessage, { op: "reattach", token: "t", lastSeq: 5 })).toBe(true);
  });

  test("bad messages", () => {
    expect(v.is(ClientMessage, { op: "open", ref: "r", object: Q.object })).toBe(false);
    expect(v.is(ClientMessage, { op: "peek" })).toBe(false);
    expect(v.is(ClientMessage, { op: "peek", ref: 1.5 })).toBe(false);
    expect(v.is(ClientMessage, { op: "peek", ref: "" })).toBe(false);
    expect(v.is(ClientMessage, { op: "peekAll", ref: 1 })).toBe(false);
    expect(v.is(ClientMessage, { op: "reattach", token: "t".repeat(200), lastSeq: 1 })).toBe(false);
    expect(v.is(ClientMessage, { op: "reattach", token: "t", lastSeq: 1.5 })).toBe(false);
    expect(v.is(ClientMessage, { op: "nope" })).toBe(false);
  });
});
