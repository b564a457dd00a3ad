/**
 * The supervisor of `statd start`: everything the CLI and the instance process need from it.
 *
 * @example
 * ```ts
 * import { Supervisor, SupervisorError, watchParent } from "./supervisor/mod.ts";
 * ```
 * @module
 */
export { type BackoffOptions, DEFAULT_BACKOFF, RestartBackoff } from "./backoff.ts";
export {
  CLUSTER_NAME_RE,
  clusterSegmentName,
  DEFAULT_SEGMENT_LIMIT,
  defaultLayout,
  SupervisorError,
  type SupervisorErrorCode,
} from "./cluster_segment.ts";
export {
  type CompanionSpec,
  type CompanionStatus,
  type ExitInfo,
  type InstanceState,
  type InstanceStatus,
  Supervisor,
  type SupervisorOptions,
  type SupervisorStatus,
} from "./supervisor.ts";
export { type ParentGone, type WatchParentOptions, watchParent } from "./watch_parent.ts";
