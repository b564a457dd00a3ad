/**
 * @statd/sip-sim — a simulated SIP cluster: the contact-center traffic model, the event checker,
 * Erlang C, the scenario format, the directory naming and the clock runner. The `sipsim` command
 * is `cli.ts`; the node servers are `server/mod.ts` (`startNodeServers`, Bun only).
 *
 * @example
 * ```ts
 * import { resolveConfig, Simulation } from "@statd/sip-sim";
 * const sim = new Simulation(resolveConfig({ nodes: 2, agents: 10, queues: 2, arrivalRate: 0.05, aht: 120, seed: 1 }), {
 *   event: (e) => console.log(e.node, e.port, e.seq, e.body.event),
 * });
 * sim.runUntil(600);
 * ```
 */
export { type CheckerCounts, checkerFor, SequenceChecker } from "./checker.ts";
export { type BreakPlan, DEFAULT_START, type ModelConfig, resolveConfig, type SimOptions } from "./config.ts";
export {
  agentDnOf,
  agentIdOf,
  type DirectoryOptions,
  defaultSkillOf,
  directoryToml,
  groupOf,
  nodeIdOf,
  ownerNodeOf,
  placeOf,
  queueDnOf,
  TENANT,
} from "./directory.ts";
export { erlangB, erlangC, meanWait, probWaitExceeds } from "./erlang.ts";
export { EventHeap } from "./heap.ts";
export { type SimSink, type SimStats, Simulation } from "./model.ts";
export { recordLine } from "./record.ts";
export { Rng } from "./rng.ts";
export { type Running, type RunOptions, runSimulation } from "./runner.ts";
export {
  type Dist,
  MALFORMED_KINDS,
  parseScenario,
  type Scenario,
  ScenarioError,
  validateScenario,
} from "./scenario.ts";
export type { CallType, EventBody, FaultAction, PortKind, SimControl, SimEvent } from "./types.ts";
export { Zone } from "./zone.ts";
