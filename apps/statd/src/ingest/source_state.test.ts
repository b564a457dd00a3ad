import { describe, expect, test } from "bun:test";
import { sourceOps } from "./source_state.ts";

describe("sourceOps", () => {
  test("every transition", () => {
    expect(sourceOps(false, "snapshot", { resumed: false, reset: true })).toEqual({
      ops: ["reset", "up"],
      up: true,
    });
    expect(sourceOps(true, "live", { resumed: false })).toEqual({ ops: ["reset", "up"], up: true });
    expect(sourceOps(false, "live", { resumed: true })).toEqual({ ops: ["up"], up: true });
    expect(sourceOps(true, "live", {})).toEqual({ ops: [], up: true }); // snapshot-end
    for (const s of ["disconnected", "connecting", "registering", "reset-pending"]) {
      expect(sourceOps(true, s, {})).toEqual({ ops: ["down"], up: false });
      expect(sourceOps(false, s, {})).toEqual({ ops: [], up: false });
    }
  });
});
