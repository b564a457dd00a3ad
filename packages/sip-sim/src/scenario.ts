/**
 * The `--scenario FILE` format (TOML), validated with valibot: everything the command-line flags do
 * not cover. Every key is optional; an unknown key is an error (it is usually a typo). See
 * docs/sipsim.md for the meaning and defaults of each key.
 */
import { parse as parseToml } from "smol-toml";
import * as v from "valibot";
import { MALFORMED_KINDS } from "./server/nodes.ts";

const MAX_ARRAY = 10_000;

/** Kinds of malformed line the node servers can send (defined by the servers). */
export { MALFORMED_KINDS };

const nonNeg = v.pipe(v.number(), v.finite(), v.minValue(0));
const positive = v.pipe(v.number(), v.finite(), v.gtValue(0));
const prob = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1));
const count = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1_000_000));
const shortString = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
const hhmm = v.pipe(v.string(), v.regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected a time HH:MM (UTC)"));
/** "1-10,15" style agent list, or an array of agent numbers. */
const agentSet = v.union([
  v.pipe(
    v.string(),
    v.maxLength(4096),
    v.regex(/^\s*\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*\s*$/, 'expected agent numbers like "1-10,15"'),
  ),
  v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(1))), v.maxLength(MAX_ARRAY)),
]);

const exponential = v.strictObject({ dist: v.literal("exponential"), mean: positive });
const lognormal = v.strictObject({ dist: v.literal("lognormal"), mean: positive, sd: positive });
const uniform = v.pipe(
  v.strictObject({ dist: v.literal("uniform"), min: nonNeg, max: nonNeg }),
  v.check((d) => d.min <= d.max, "min must not exceed max"),
);
const fixed = v.strictObject({ dist: v.literal("fixed"), value: nonNeg });
const distSchema = v.variant("dist", [exponential, lognormal, uniform, fixed]);
/** Talk time: like any distribution, but `mean` may be left out (then `--aht`). */
const talkSchema = v.variant("dist", [
  v.strictObject({ dist: v.literal("exponential"), mean: v.optional(positive) }),
  v.strictObject({ dist: v.literal("lognormal"), mean: v.optional(positive), sd: positive }),
  uniform,
  fixed,
]);

/** A duration distribution in seconds. */
export type Dist = v.InferOutput<typeof distSchema>;
/** The talk-time distribution (its mean defaults to `--aht`). */
export type TalkDist = v.InferOutput<typeof talkSchema>;

const faultSchema = v.variant("action", [
  v.strictObject({
    at: nonNeg,
    action: v.literal("dropConnections"),
    node: v.optional(shortString),
    port: v.optional(v.picklist(["interactionProxy", "tController"])),
  }),
  v.strictObject({ at: nonNeg, action: v.literal("restartNode"), node: shortString }),
  v.strictObject({ at: nonNeg, action: v.literal("setDelay"), ms: v.pipe(nonNeg, v.maxValue(60_000)) }),
  v.strictObject({ at: nonNeg, action: v.literal("setDuplicate"), prob }),
  v.strictObject({ at: nonNeg, action: v.literal("setReorder"), bound: v.pipe(count, v.maxValue(10_000)) }),
  v.strictObject({
    at: nonNeg,
    action: v.literal("sendMalformed"),
    node: shortString,
    port: v.picklist(["interactionProxy", "tController"]),
    kind: v.optional(v.picklist(MALFORMED_KINDS), "invalid-json"),
  }),
]);

/** The scenario file schema. */
export const scenarioSchema = v.strictObject({
  /** Simulated clock start, ISO 8601 with a zone (default 2026-01-05T08:00:00Z, a Monday). */
  start: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(64),
      v.check(
        (s) => /(Z|[+-]\d\d:\d\d)$/.test(s) && Number.isFinite(Date.parse(s)),
        "expected an ISO 8601 time with a zone, like 2026-01-05T08:00:00Z",
      ),
    ),
  ),
  /** IANA time zone of the shifts and the daily curve (default UTC). */
  timeZone: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(64),
      v.check((z) => {
        try {
          new Intl.DateTimeFormat("en-US", { timeZone: z });
          return true;
        } catch {
          return false;
        }
      }, "expected an IANA time zone such as Europe/Paris"),
    ),
  ),
  /** Node ids (as many as --nodes); default node1..nodeN. */
  nodeIds: v.optional(
    v.pipe(v.array(v.pipe(shortString, v.regex(/^[A-Za-z0-9._-]+$/))), v.minLength(1), v.maxLength(64)),
  ),
  arrivals: v.optional(
    v.strictObject({
      /** Share of the arrival rate per queue (as many as --queues). */
      weights: v.optional(v.pipe(v.array(nonNeg), v.maxLength(MAX_ARRAY))),
      /** 24 hourly multipliers of the arrival rate (hour of the simulated clock, UTC). */
      dailyCurve: v.optional(
        v.pipe(v.array(v.pipe(nonNeg, v.maxValue(1000))), v.length(24, "expected 24 hourly multipliers")),
      ),
    }),
  ),
  calls: v.optional(
    v.strictObject({
      talk: v.optional(talkSchema),
      ring: v.optional(distSchema),
      /** Caller patience; `abandon = false` disables abandonment. */
      patience: v.optional(distSchema),
      abandon: v.optional(v.boolean()),
      acw: v.optional(distSchema),
      hold: v.optional(distSchema),
      consult: v.optional(distSchema),
      holdProbability: v.optional(prob),
      consultProbability: v.optional(prob),
      transferProbability: v.optional(prob),
      blindTransferProbability: v.optional(prob),
      attachedDataProbability: v.optional(prob),
      userEventProbability: v.optional(prob),
      segments: v.optional(v.pipe(v.array(shortString), v.minLength(1), v.maxLength(64))),
      languages: v.optional(v.pipe(v.array(shortString), v.minLength(1), v.maxLength(64))),
    }),
  ),
  outbound: v.optional(
    v.strictObject({
      rate: v.optional(v.pipe(nonNeg, v.maxValue(100_000))),
      answerProbability: v.optional(prob),
      dial: v.optional(distSchema),
      talk: v.optional(distSchema),
      acwProbability: v.optional(prob),
    }),
  ),
  internal: v.optional(
    v.strictObject({
      rate: v.optional(v.pipe(nonNeg, v.maxValue(100_000))),
      answerProbability: v.optional(prob),
      ring: v.optional(distSchema),
      talk: v.optional(distSchema),
    }),
  ),
  /** Not-ready breaks; an empty array disables them. */
  breaks: v.optional(
    v.pipe(
      v.array(
        v.strictObject({
          reason: shortString,
          after: distSchema,
          duration: distSchema,
          maxPerShift: v.optional(count),
          probability: v.optional(prob),
        }),
      ),
      v.maxLength(64),
    ),
  ),
  /** Shift plan; agents not in any shift log in at the start and stay. */
  shifts: v.optional(
    v.pipe(v.array(v.strictObject({ agents: agentSet, start: hhmm, end: hhmm })), v.maxLength(1000)),
  ),
  /** Extra skills: these agents serve these queues (1-based) instead of their default one. */
  skills: v.optional(
    v.pipe(
      v.array(
        v.strictObject({
          agents: agentSet,
          queues: v.pipe(
            v.array(v.pipe(v.number(), v.integer(), v.minValue(1))),
            v.minLength(1),
            v.maxLength(MAX_ARRAY),
          ),
        }),
      ),
      v.maxLength(1000),
    ),
  ),
  /** Fault schedule, `at` in simulated seconds from the start. */
  faults: v.optional(v.pipe(v.array(faultSchema), v.maxLength(10_000))),
});

/** A validated scenario. */
export type Scenario = v.InferOutput<typeof scenarioSchema>;
/** One scheduled fault of a scenario. */
export type ScenarioFault = v.InferOutput<typeof faultSchema>;

/** A scenario that failed to parse or validate; the message names the key. */
export class ScenarioError extends Error {
  override name = "ScenarioError";
}

/**
 * Validate a scenario object (e.g. parsed TOML). Throws {@link ScenarioError} naming the key.
 *
 * @example
 * ```ts
 * validateScenario({ calls: { holdProbability: 0.2 } });
 * ```
 */
export function validateScenario(input: unknown): Scenario {
  const r = v.safeParse(scenarioSchema, input);
  if (r.success) return r.output;
  const msgs = r.issues.slice(0, 5).map((i) => `${_path(i) || "(root)"}: ${_message(i)}`);
  throw new ScenarioError(msgs.join("; "));
}

/**
 * Parse and validate scenario TOML text. Throws {@link ScenarioError} for bad TOML or bad keys.
 *
 * @example
 * ```ts
 * const s = parseScenario('[calls]\nholdProbability = 0.2');
 * ```
 */
export function parseScenario(text: string): Scenario {
  if (text.length > 4 * 1024 * 1024) throw new ScenarioError("scenario file larger than 4 MiB");
  let data: unknown;
  try {
    data = parseToml(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new ScenarioError(`invalid TOML: ${msg}`);
  }
  return validateScenario(data);
}

/**
 * Expand an agent set ("1-10,15" or [1, 2]) to sorted agent numbers within 1..agents.
 * Throws {@link ScenarioError} for numbers out of range.
 */
export function expandAgentSet(set: string | readonly number[], agents: number, key: string): number[] {
  const out = new Set<number>();
  const add = (n: number) => {
    if (!Number.isInteger(n) || n < 1 || n > agents) {
      throw new ScenarioError(`${key}: agent ${n} out of range 1..${agents}`);
    }
    out.add(n);
  };
  if (typeof set === "string") {
    for (const part of set.split(",")) {
      const [a, b] = part.split("-").map((s) => Number.parseInt(s.trim(), 10));
      if (b === undefined) add(a as number);
      else {
        if ((a as number) > b) throw new ScenarioError(`${key}: range ${part.trim()} is reversed`);
        if (b - (a as number) > 10_000_000) throw new ScenarioError(`${key}: range ${part.trim()} too large`);
        for (let n = a as number; n <= b; n++) add(n);
      }
    }
  } else for (const n of set) add(n);
  return [...out].sort((x, y) => x - y);
}

function _path(issue: v.BaseIssue<unknown>): string {
  const items = issue.path ?? [];
  let s = "";
  for (const it of items) {
    const key = (it as { key?: unknown }).key;
    if (typeof key === "number") s += `[${key}]`;
    else s += s ? `.${String(key)}` : String(key);
  }
  return s;
}

function _message(issue: v.BaseIssue<unknown>): string {
  if (issue.type === "strict_object" && issue.expected === "never") return `unknown key ${issue.received}`;
  return issue.message;
}
