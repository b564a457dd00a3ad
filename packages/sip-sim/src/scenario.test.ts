import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { resolveConfig } from "./config.ts";
import {
  expandAgentSet,
  MALFORMED_KINDS,
  parseScenario,
  ScenarioError,
  validateScenario,
} from "./scenario.ts";

const base = { nodes: 2, agents: 10, queues: 2, arrivalRate: 0.1, aht: 120, seed: 1 };

function errorOf(text: string): string {
  try {
    parseScenario(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as Error).message;
  }
  throw new Error("expected a ScenarioError");
}

describe("scenario", () => {
  test("a full scenario parses", () => {
    const s = parseScenario(`
start = "2026-03-02T07:00:00Z"
nodeIds = ["sipA", "sipB"]
[arrivals]
weights = [3, 1]
dailyCurve = [0,0,0,0,0,0,0,0.5,1,1.5,1.5,1.2,1,1.2,1.4,1.3,1,0.8,0.4,0.2,0,0,0,0]
[calls]
talk = { dist = "lognormal", sd = 90 }
ring = { dist = "uniform", min = 2, max = 6 }
patience = { dist = "exponential", mean = 90 }
acw = { dist = "fixed", value = 20 }
holdProbability = 0.2
segments = ["Gold", "Silver"]
[outbound]
rate = 0.01
[internal]
rate = 0
[[breaks]]
reason = "Lunch"
after = { dist = "fixed", value = 14400 }
duration = { dist = "fixed", value = 1800 }
maxPerShift = 1
[[shifts]]
agents = "1-5"
start = "07:00"
end = "15:00"
[[skills]]
agents = [1, 2]
queues = [1, 2]
[[faults]]
at = 600
action = "restartNode"
node = "sipB"
[[faults]]
at = 700
action = "sendMalformed"
node = "sipA"
port = "tController"
`);
    const cfg = resolveConfig({ ...base, scenario: s });
    expect(cfg.nodeIds).toEqual(["sipA", "sipB"]);
    expect(cfg.talk).toEqual({ dist: "lognormal", mean: 120, sd: 90 });
    expect(cfg.skills[0]).toEqual([1, 2]);
    expect(cfg.skills[2]).toEqual([1]);
    expect(cfg.shifts[4]).toEqual([[7 * 3600, 15 * 3600]]);
    expect(cfg.shifts[5]).toEqual([]);
    expect(cfg.breaks).toHaveLength(1);
    expect(cfg.faults[1]).toEqual({
      at: 700,
      action: "sendMalformed",
      node: "sipA",
      port: "tController",
      kind: "invalid-json",
    });
    expect(cfg.startEpoch).toBe(Date.parse("2026-03-02T07:00:00Z") / 1000);
  });

  test("errors name the key", () => {
    expect(errorOf("[calls]\nholdProbability = 1.5")).toContain("calls.holdProbability");
    expect(errorOf("[calls]\nhodlProbability = 0.5")).toContain("hodlProbability");
    expect(errorOf('[calls]\ntalk = { dist = "gamma", mean = 3 }')).toContain("calls.talk");
    expect(errorOf('[calls]\nring = { dist = "uniform", min = 9, max = 2 }')).toContain("calls.ring");
    expect(errorOf("[arrivals]\ndailyCurve = [1, 2]")).toContain("arrivals.dailyCurve");
    expect(errorOf("[arrivals]\ndailyCurve = [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,nan]")).toContain(
      "arrivals.dailyCurve[23]",
    );
    expect(errorOf("[outbound]\nrate = inf")).toContain("outbound.rate");
    expect(errorOf('[[shifts]]\nagents = "1-3"\nstart = "25:00"\nend = "10:00"')).toContain(
      "shifts[0].start",
    );
    expect(errorOf('[[faults]]\nat = 1\naction = "explode"')).toContain("faults[0].action");
    expect(errorOf('start = "yesterday"')).toContain("start");
    expect(errorOf('timeZone = "Mars/Olympus"')).toContain("timeZone");
    expect(errorOf("this is = not toml [")).toContain("invalid TOML");
    expect(errorOf('nodeIds = ["a b"]')).toContain("nodeIds[0]");
  });

  test("cross-checks against the flags name the key", () => {
    const bad = (s: string, opts = base) => {
      try {
        resolveConfig({ ...opts, scenario: parseScenario(s) });
      } catch (e) {
        expect(e).toBeInstanceOf(ScenarioError);
        return (e as Error).message;
      }
      throw new Error("expected a ScenarioError");
    };
    expect(bad("[arrivals]\nweights = [1, 2, 3]")).toContain("arrivals.weights");
    expect(bad('nodeIds = ["a"]')).toContain("nodeIds");
    expect(bad('nodeIds = ["a", "a"]')).toContain("unique");
    expect(bad("[[skills]]\nagents = [1]\nqueues = [3]")).toContain("skills[0].queues");
    expect(bad('[[shifts]]\nagents = "5-11"\nstart = "08:00"\nend = "09:00"')).toContain("shifts[0].agents");
    expect(bad('[[faults]]\nat = 5\naction = "restartNode"\nnode = "node9"')).toContain("faults[0].node");
  });

  test("malformed kinds are checked", () => {
    expect(MALFORMED_KINDS).toContain("invalid-json");
    expect(() =>
      parseScenario(
        '[[faults]]\nat = 1\naction = "sendMalformed"\nnode = "n"\nport = "tController"\nkind = "x"',
      ),
    ).toThrow("faults[0].kind");
  });

  test("agent sets", () => {
    expect(expandAgentSet("1-3, 7,2", 10, "k")).toEqual([1, 2, 3, 7]);
    expect(expandAgentSet([4, 4, 1], 10, "k")).toEqual([1, 4]);
    expect(() => expandAgentSet("3-1", 10, "k")).toThrow("reversed");
    expect(() => expandAgentSet("0", 10, "k")).toThrow("out of range");
  });

  test("hostile input never throws anything but ScenarioError (property)", () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 3 }), (x) => {
        try {
          validateScenario(x);
        } catch (e) {
          expect(e).toBeInstanceOf(ScenarioError);
        }
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseScenario(text);
        } catch (e) {
          expect(e).toBeInstanceOf(ScenarioError);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("huge input is refused", () => {
    expect(() => parseScenario(`# ${"x".repeat(5 * 1024 * 1024)}`)).toThrow("larger than 4 MiB");
  });
});
