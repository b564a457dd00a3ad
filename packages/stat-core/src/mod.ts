/**
 * stat-core: the portable statistics engine (events → actions → statuses → aggregates →
 * notifications), its config vocabulary, masks, filters and time arithmetic.
 *
 * @example
 * ```ts
 * import { Engine } from "@statd/stat-core";
 * const eng = new Engine({ config });
 * eng.ingest(event);
 * ```
 * @module
 */

export * from "./cluster/mod.ts";
export * from "./config/mod.ts";
export * from "./definitions.ts";
export { type Clock, ReplayClock, SourceClock, wallClock } from "./engine/clock.ts";
export { Engine, type EngineOptions, KNOWN_EVENTS } from "./engine/engine.ts";
export { changedEnough, checkNotification } from "./engine/notify.ts";
export {
  C,
  emptyPartial,
  mergeAll,
  mergePartials,
  mergeTree,
  type SamplerState,
  type StatPartial,
  sample,
  valueOfPartial,
} from "./engine/partial.ts";
export { MODE, SubTable } from "./engine/subs.ts";
export type {
  Attrs,
  CrossMessage,
  EngineError,
  IngestResult,
  Notification,
  Opened,
  OpenRequest,
  ValueReply,
} from "./engine/types.ts";
export * from "./filter/mod.ts";
export * from "./mask.ts";
export * from "./time/mod.ts";
