/**
 * Resolve the command-line options and an optional scenario into the complete, validated model
 * configuration (every default filled in). The defaults live here and in docs/sipsim.md.
 */
import { defaultSkillOf, nodeIdOf } from "./directory.ts";
import { type Dist, expandAgentSet, type Scenario, ScenarioError, type ScenarioFault } from "./scenario.ts";

/** Default simulated start: Monday 2026-01-05 08:00:00 UTC. */
export const DEFAULT_START = "2026-01-05T08:00:00Z";

/** What the flags give (docs/commands.md). */
export interface SimOptions {
  nodes: number;
  agents: number;
  queues: number;
  /** Calls per second over all queues. */
  arrivalRate: number;
  /** Mean talk time, seconds. */
  aht: number;
  seed: number | string;
  /** `mmc`: the textbook M/M/c queue. */
  model?: "contact-center" | "mmc";
  scenario?: Scenario;
}

/** A not-ready break kind. */
export interface BreakPlan {
  reason: string;
  after: Dist;
  duration: Dist;
  maxPerShift: number;
  probability: number;
}

/** The complete configuration of a {@link Simulation}. */
export interface ModelConfig {
  mmc: boolean;
  nodeIds: string[];
  agents: number;
  queues: number;
  arrivalRate: number;
  aht: number;
  seed: number | string;
  /** Epoch seconds of simulated time 0. */
  startEpoch: number;
  /** IANA zone of the shifts and the daily curve; undefined = UTC. */
  timeZone: string | undefined;
  weights: number[];
  dailyCurve: number[] | undefined;
  talk: Dist;
  ring: Dist;
  /** `undefined`: callers never abandon. */
  patience: Dist | undefined;
  /** `undefined`: no after-call work. */
  acw: Dist | undefined;
  hold: Dist;
  consult: Dist;
  holdProbability: number;
  consultProbability: number;
  transferProbability: number;
  blindTransferProbability: number;
  attachedDataProbability: number;
  /** Probability of an EventUserEvent (wrap-up code) during after-call work. */
  userEventProbability: number;
  segments: string[];
  languages: string[];
  outbound: { rate: number; answerProbability: number; dial: Dist; talk: Dist; acwProbability: number };
  internal: { rate: number; answerProbability: number; ring: Dist; talk: Dist };
  breaks: BreakPlan[];
  /** Per agent (index k-1): shifts as [startSecondOfDay, endSecondOfDay]; empty: always on. */
  shifts: Array<Array<[number, number]>>;
  /** Per agent (index k-1): the queues (1-based) it serves, first = login queue. */
  skills: number[][];
  faults: ScenarioFault[];
}

/** Limits that keep a bad flag from exhausting memory. */
export const LIMITS = { nodes: 64, agents: 100_000, queues: 1_000, arrivalRate: 100_000 } as const;

/**
 * Resolve options (+ scenario) into a {@link ModelConfig}. Throws {@link ScenarioError} for
 * inconsistencies (e.g. `arrivals.weights` of the wrong length) and `RangeError` for bad options.
 *
 * @example
 * ```ts
 * const cfg = resolveConfig({ nodes: 2, agents: 20, queues: 2, arrivalRate: 0.1, aht: 180, seed: 1 });
 * ```
 */
export function resolveConfig(opts: SimOptions): ModelConfig {
  _checkInt("nodes", opts.nodes, 1, LIMITS.nodes);
  _checkInt("agents", opts.agents, 1, LIMITS.agents);
  _checkInt("queues", opts.queues, 1, LIMITS.queues);
  if (!Number.isFinite(opts.arrivalRate) || opts.arrivalRate < 0 || opts.arrivalRate > LIMITS.arrivalRate) {
    throw new RangeError(
      `arrival-rate must be a number in 0..${LIMITS.arrivalRate}, got ${opts.arrivalRate}`,
    );
  }
  if (!Number.isFinite(opts.aht) || opts.aht <= 0 || opts.aht > 86_400) {
    throw new RangeError(`aht must be a number of seconds in (0, 86400], got ${opts.aht}`);
  }
  const s: Scenario = opts.scenario ?? {};
  const mmc = opts.model === "mmc";
  const nodeIds = s.nodeIds ?? Array.from({ length: opts.nodes }, (_, i) => nodeIdOf(i));
  if (nodeIds.length !== opts.nodes) {
    throw new ScenarioError(`nodeIds: expected ${opts.nodes} ids (--nodes), got ${nodeIds.length}`);
  }
  if (new Set(nodeIds).size !== nodeIds.length) throw new ScenarioError("nodeIds: ids must be unique");
  const startEpoch = Date.parse(s.start ?? DEFAULT_START) / 1000;
  const faults = [...(s.faults ?? [])].sort((a, b) => a.at - b.at);
  for (const [i, f] of faults.entries()) {
    if ("node" in f && f.node !== undefined && !nodeIds.includes(f.node)) {
      throw new ScenarioError(`faults[${i}].node: unknown node ${f.node} (nodes: ${nodeIds.join(", ")})`);
    }
  }
  const base = {
    nodeIds,
    agents: opts.agents,
    arrivalRate: opts.arrivalRate,
    aht: opts.aht,
    seed: opts.seed,
    startEpoch,
    timeZone: s.timeZone,
    faults,
  };
  const talkExp: Dist = { dist: "exponential", mean: opts.aht };
  if (mmc) {
    return {
      ...base,
      mmc: true,
      queues: 1,
      weights: [1],
      dailyCurve: undefined,
      talk: talkExp,
      ring: { dist: "fixed", value: 0 },
      patience: undefined,
      acw: undefined,
      hold: { dist: "fixed", value: 0 },
      consult: { dist: "fixed", value: 0 },
      holdProbability: 0,
      consultProbability: 0,
      transferProbability: 0,
      blindTransferProbability: 0,
      attachedDataProbability: 0,
      userEventProbability: 0,
      segments: ["Standard"],
      languages: ["English"],
      outbound: { rate: 0, answerProbability: 0, dial: talkExp, talk: talkExp, acwProbability: 0 },
      internal: { rate: 0, answerProbability: 0, ring: talkExp, talk: talkExp },
      breaks: [],
      shifts: Array.from({ length: opts.agents }, () => []),
      skills: Array.from({ length: opts.agents }, () => [1]),
    };
  }
  const Q = opts.queues;
  const weights = s.arrivals?.weights ?? Array.from({ length: Q }, () => 1);
  if (weights.length !== Q)
    throw new ScenarioError(`arrivals.weights: expected ${Q} weights (--queues), got ${weights.length}`);
  if (opts.arrivalRate > 0 && !weights.some((w) => w > 0))
    throw new ScenarioError("arrivals.weights: all zero");
  const c = s.calls ?? {};
  const t = c.talk;
  const talk: Dist =
    t === undefined
      ? talkExp
      : t.dist === "exponential"
        ? { dist: "exponential", mean: t.mean ?? opts.aht }
        : t.dist === "lognormal"
          ? { dist: "lognormal", mean: t.mean ?? opts.aht, sd: t.sd }
          : t;
  const skills: number[][] = Array.from({ length: opts.agents }, (_, i) => [defaultSkillOf(i + 1, Q)]);
  for (const [i, sk] of (s.skills ?? []).entries()) {
    for (const q of sk.queues)
      if (q > Q) throw new ScenarioError(`skills[${i}].queues: queue ${q} out of range 1..${Q}`);
    const qs = [...new Set(sk.queues)];
    for (const k of expandAgentSet(sk.agents, opts.agents, `skills[${i}].agents`)) skills[k - 1] = qs;
  }
  const shifts: Array<Array<[number, number]>> = Array.from({ length: opts.agents }, () => []);
  for (const [i, sh] of (s.shifts ?? []).entries()) {
    const st = _secOfDay(sh.start);
    const en = _secOfDay(sh.end);
    if (st === en) throw new ScenarioError(`shifts[${i}]: start and end are equal`);
    for (const k of expandAgentSet(sh.agents, opts.agents, `shifts[${i}].agents`))
      shifts[k - 1]?.push([st, en]);
  }
  const o = s.outbound ?? {};
  const n = s.internal ?? {};
  const breaks: BreakPlan[] = (s.breaks ?? DEFAULT_BREAKS).map((b) => ({
    reason: b.reason,
    after: b.after,
    duration: b.duration,
    maxPerShift: b.maxPerShift ?? 1_000_000,
    probability: b.probability ?? 1,
  }));
  return {
    ...base,
    mmc: false,
    queues: Q,
    weights,
    dailyCurve: s.arrivals?.dailyCurve,
    talk,
    ring: c.ring ?? { dist: "uniform", min: 3, max: 9 },
    patience: c.abandon === false ? undefined : (c.patience ?? { dist: "exponential", mean: 180 }),
    acw: c.acw ?? { dist: "lognormal", mean: 30, sd: 20 },
    hold: c.hold ?? { dist: "lognormal", mean: 40, sd: 30 },
    consult: c.consult ?? { dist: "lognormal", mean: 60, sd: 40 },
    holdProbability: c.holdProbability ?? 0.1,
    consultProbability: c.consultProbability ?? 0.05,
    transferProbability: c.transferProbability ?? 0.6,
    blindTransferProbability: c.blindTransferProbability ?? 0.03,
    attachedDataProbability: c.attachedDataProbability ?? 0.2,
    userEventProbability: c.userEventProbability ?? 0.1,
    segments: c.segments ?? ["Gold", "Silver", "Bronze"],
    languages: c.languages ?? ["English", "Spanish", "French"],
    outbound: {
      rate: o.rate ?? opts.agents / 3600,
      answerProbability: o.answerProbability ?? 0.7,
      dial: o.dial ?? { dist: "uniform", min: 5, max: 20 },
      talk: o.talk ?? { dist: "lognormal", mean: 120, sd: 80 },
      acwProbability: o.acwProbability ?? 0.5,
    },
    internal: {
      rate: n.rate ?? opts.agents / 7200,
      answerProbability: n.answerProbability ?? 0.9,
      ring: n.ring ?? { dist: "uniform", min: 3, max: 8 },
      talk: n.talk ?? { dist: "lognormal", mean: 90, sd: 60 },
    },
    breaks,
    shifts,
    skills,
  };
}

/** The default not-ready breaks (reason codes Break, Lunch, Training). */
export const DEFAULT_BREAKS: NonNullable<Scenario["breaks"]> = [
  {
    reason: "Break",
    after: { dist: "uniform", min: 5400, max: 9000 },
    duration: { dist: "uniform", min: 600, max: 900 },
  },
  {
    reason: "Lunch",
    after: { dist: "uniform", min: 12600, max: 16200 },
    duration: { dist: "fixed", value: 1800 },
    maxPerShift: 1,
  },
  {
    reason: "Training",
    after: { dist: "uniform", min: 7200, max: 21600 },
    duration: { dist: "uniform", min: 1800, max: 3600 },
    maxPerShift: 1,
    probability: 0.2,
  },
];

function _checkInt(name: string, x: number, min: number, max: number): void {
  if (!Number.isInteger(x) || x < min || x > max)
    throw new RangeError(`${name} must be an integer in ${min}..${max}, got ${x}`);
}

function _secOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h as number) * 3600 + (m as number) * 60;
}
