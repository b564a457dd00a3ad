import { describe, expect, test } from "bun:test";
import { CLI_DEFAULTS, HelpShown, parseCliArgs, parseListen, UsageError } from "./args.ts";

describe("parseCliArgs", () => {
  test("every flag of docs/commands.md", () => {
    const o = parseCliArgs([
      "--listen",
      "0.0.0.0:7200",
      "--nodes",
      "3",
      "--agents",
      "1500",
      "--queues",
      "4",
      "--arrival-rate",
      "2.5",
      "--aht",
      "210",
      "--seed",
      "-42",
      "--speed",
      "max",
      "--duration",
      "86400",
      "--record",
      "day.ndjson",
      "--scenario",
      "s.toml",
      "--model",
      "mmc",
    ]);
    expect(o).toMatchObject({
      host: "0.0.0.0",
      port: 7200,
      nodes: 3,
      agents: 1500,
      queues: 4,
      arrivalRate: 2.5,
      aht: 210,
      seed: -42,
      speed: "max",
      duration: 86400,
      record: "day.ndjson",
      scenario: "s.toml",
      listen: true,
      model: "mmc",
    });
    expect(parseCliArgs(["--no-listen", "--speed", "12.5"])).toMatchObject({ listen: false, speed: 12.5 });
    expect(parseCliArgs(["--start", "now"]).start).toBe("now");
    expect(parseCliArgs(["--start", "2026-02-02T09:00:00+01:00"]).start).toBe("2026-02-02T09:00:00+01:00");
  });

  test("defaults", () => {
    const o = parseCliArgs([]);
    expect(`${o.host}:${o.port}`).toBe(CLI_DEFAULTS.listen);
    expect(o).toMatchObject({
      nodes: 2,
      agents: 20,
      queues: 2,
      arrivalRate: 0.05,
      aht: 180,
      seed: 1,
      speed: 1,
    });
    expect(o.duration).toBeUndefined();
  });

  test("bad usage is a one-line UsageError", () => {
    for (const args of [
      ["--nodes", "65"],
      ["--agents", "0x10"],
      ["--agents", ""],
      ["--queues", "1e3"],
      ["--arrival-rate", "NaN"],
      ["--aht", "-3"],
      ["--seed", "9007199254740993"],
      ["--speed", "0"],
      ["--speed", "Infinity"],
      ["--duration", "-1"],
      ["--listen", "[::1]"],
      ["--listen", "127.0.0.1:65535", "--nodes", "2"],
      ["--model", "x"],
      ["--start", "2026-02-02T09:00:00"],
      ["--start", "yesterday"],
      ["--nope"],
      ["positional"],
    ]) {
      let err: unknown;
      try {
        parseCliArgs(args, () => {});
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).not.toContain("\n");
    }
  });

  test("--help", () => {
    let text = "";
    expect(() => parseCliArgs(["--help"], (s) => (text += s))).toThrow(HelpShown);
    expect(text).toContain("--arrival-rate");
  });

  test("listen addresses", () => {
    expect(parseListen("[::1]:7100")).toEqual({ host: "::1", port: 7100 });
    expect(parseListen("localhost:0")).toEqual({ host: "localhost", port: 0 });
    expect(() => parseListen("a:b")).toThrow();
    expect(() => parseListen("host:70000")).toThrow();
  });
});
