/**
 * Interned action and status names: every action (regular DN, mediation DN, pseudo) and every
 * status gets a small integer id, so masks become `Uint8Array` lookups on the hot path.
 *
 * @example
 * ```ts
 * import { actionId, STATUS } from "./names.ts";
 * actionId("CallInbound"); // a stable small integer
 * STATUS.WaitForNextCall; // 4 (priority index, docs/domain.md §2.6)
 * ```
 * @module
 */
import type { Mask } from "../definitions.ts";
import { AGENT_STATUSES, MEDIATION_DN_ACTIONS, maskHas, REGULAR_DN_ACTIONS } from "../mask.ts";

/**
 * The internal name of a composite's *logged-in span* (see {@link LOGGED_IN}): not an action or
 * status of docs/domain.md, not accepted in masks.
 */
export const SPAN_NAME = "(LoggedInSpan)";

/**
 * Every name the engine can emit, actions first, then statuses that are not actions, then the
 * logged-in span.
 */
export const NAMES: readonly string[] = [
  ...new Set<string>([...REGULAR_DN_ACTIONS, ...MEDIATION_DN_ACTIONS, ...AGENT_STATUSES]),
  SPAN_NAME,
];
const _ids = new Map<string, number>(NAMES.map((n, i) => [n, i]));

/** Id of a name, or -1 when unknown. @example actionId("CallWait") */
export function actionId(name: string): number {
  return _ids.get(name) ?? -1;
}

/** Id of a name that must exist (programming error otherwise). */
export function id(name: string): number {
  const v = _ids.get(name);
  if (v === undefined) throw new Error(`unknown action name ${name}`);
  return v;
}

/** Status priorities (index in the agent table, lowest first). */
export const STATUS = Object.fromEntries(AGENT_STATUSES.map((s, i) => [s, i])) as Record<
  (typeof AGENT_STATUSES)[number],
  number
>;
/** Status names by priority. */
export const STATUS_NAMES: readonly string[] = AGENT_STATUSES;

/** Status priority of a durable action id, or -1 when the action does not drive a status. */
export const STATUS_OF_ACTION: Int8Array = (() => {
  const a = new Int8Array(NAMES.length).fill(-1);
  AGENT_STATUSES.forEach((s, i) => {
    if (s !== "LoggedOut") a[id(s)] = i;
  });
  return a;
})();
/** Action id of a status priority. */
export const ACTION_OF_STATUS: Int16Array = Int16Array.from(AGENT_STATUSES, (s) => id(s));

/** Id of the logged-in span (see {@link LOGGED_IN}). */
export const SPAN: number = id(SPAN_NAME);

/**
 * The statuses of the logged-in mask `*, ~LoggedOut, ~NotMonitored` (by status priority): the
 * mask of TotalLoginTime and CurrAgentsLoggedIn. A composite (agent, place) in one of them is in
 * its *logged-in span*; a change between two of them leaves the span running (docs/semantics.md).
 */
export const LOGGED_IN: Uint8Array = Uint8Array.from(AGENT_STATUSES, (s) =>
  s === "LoggedOut" || s === "NotMonitored" ? 0 : 1,
);

/** Names a `*` mask expands to, per subject family. */
const _ACTION_NAMES = new Set<string>([...REGULAR_DN_ACTIONS, ...MEDIATION_DN_ACTIONS]);
const _STATUS_NAMES = new Set<string>(AGENT_STATUSES);

/**
 * Resolve a mask to a membership table indexed by name id. `forStatus` restricts `*` to statuses,
 * otherwise to actions.
 *
 * @example
 * ```ts
 * const t = compileMask({ all: true, include: [], exclude: ["LoggedOut"] }, true);
 * t[STATUS.WaitForNextCall] // index by action id: t[id("WaitForNextCall")] === 1
 * ```
 */
export function compileMask(mask: Mask, forStatus: boolean): Uint8Array {
  const out = new Uint8Array(NAMES.length);
  const family = forStatus ? _STATUS_NAMES : _ACTION_NAMES;
  NAMES.forEach((n, i) => {
    if (!maskHas(mask, n)) return;
    if (mask.all && !mask.include.includes(n) && !family.has(n)) return;
    out[i] = 1;
  });
  return out;
}

/** Call-type actions by call type. */
export const CALL_TYPE_ACTIONS: Readonly<Record<string, string>> = {
  Inbound: "CallInbound",
  Outbound: "CallOutbound",
  Internal: "CallInternal",
  Consult: "CallConsult",
  Unknown: "CallUnknown",
};
