import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { parseCommand } from "./commands.ts";

const nodes = ["node1", "node2"];

describe("parseCommand", () => {
  test("every command", () => {
    expect(parseCommand("restart node2", nodes)).toEqual({ action: "restartNode", node: "node2" });
    expect(parseCommand("  drop ", nodes)).toEqual({
      action: "dropConnections",
      node: undefined,
      port: undefined,
    });
    expect(parseCommand("drop node1 tController", nodes)).toEqual({
      action: "dropConnections",
      node: "node1",
      port: "tController",
    });
    expect(parseCommand("delay 250", nodes)).toEqual({ action: "setDelay", ms: 250 });
    expect(parseCommand("duplicate 0.1", nodes)).toEqual({ action: "setDuplicate", prob: 0.1 });
    expect(parseCommand("reorder 8", nodes)).toEqual({ action: "setReorder", bound: 8 });
    expect(parseCommand("malformed node1 interactionProxy", nodes)).toEqual({
      action: "sendMalformed",
      node: "node1",
      port: "interactionProxy",
      kind: "invalid-json",
    });
    expect(parseCommand("stats", nodes)).toEqual({ action: "stats" });
  });

  test("bad commands throw one-line errors", () => {
    for (const line of [
      "",
      "restart",
      "restart node9",
      "drop node1 http",
      "delay -1",
      "duplicate 2",
      "malformed node1 tController nope",
      "reboot",
    ]) {
      expect(() => parseCommand(line, nodes)).toThrow();
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        try {
          parseCommand(s, nodes);
        } catch (e) {
          expect((e as Error).message).not.toContain("\n");
        }
      }),
    );
  });
});
