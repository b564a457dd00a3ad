/**
 * Action and status masks (docs/domain.md §3.1): parse `*,~LoggedOut,~NotMonitored`-style text into a
 * {@link Mask}, test membership, and check names against the catalogue of known actions and
 * statuses so the config can reject typos.
 *
 * @example
 * ```ts
 * import { maskHas, parseMask } from "./mask.ts";
 * const m = parseMask("*,~LoggedOut,~NotMonitored");
 * maskHas(m, "WaitForNextCall"); // true
 * maskHas(m, "LoggedOut"); // false
 * ```
 * @module
 */
import type { Mask } from "./definitions.ts";

/** Durable, momentary and retrospective actions of regular DNs (docs/domain.md §2.2). */
export const REGULAR_DN_ACTIONS = [
  "Monitored",
  "NotMonitored",
  "LoggedIn",
  "OnHook",
  "OffHook",
  "WaitForNextCall",
  "NotReadyForNextCall",
  "AfterCallWork",
  "CallDialing",
  "CallDialingStarted",
  "CallDialed",
  "CallAbandonedFromDialing",
  "CallRinging",
  "CallRingingStarted",
  "CallAnswered",
  "CallAbandonedFromRinging",
  "CallRingingPartyChanged",
  "CallForwarded",
  "CallInbound",
  "CallInboundStarted",
  "CallInboundCompleted",
  "CallOutbound",
  "CallOutboundStarted",
  "CallOutboundOriginated",
  "CallOutboundCompleted",
  "CallInternal",
  "CallInternalStarted",
  "CallInternalOriginated",
  "CallInternalReceived",
  "CallInternalCompleted",
  "CallConsult",
  "CallConsultStarted",
  "CallConsultOriginated",
  "CallConsultReceived",
  "CallConsultCompleted",
  "CallUnknown",
  "CallUnknownStarted",
  "CallUnknownCompleted",
  "CallOnHold",
  "CallHeld",
  "CallRetrievedFromHold",
  "CallAbandonedFromHold",
  "CallTransferMade",
  "CallTransferTaken",
  "CallTransferPartyChanged",
  "CallConferenceMade",
  "CallConferenceJoined",
  "CallConferencePartyAdded",
  "CallConferencePartyDeleted",
  "CallDialTransferred",
  "CallDialConferenced",
  "CallObserved",
  "CallObserving",
  "BeingMonitored",
  "BeingCoached",
  "UserEvent",
  "UserEventReceived",
  "ASM_Engaged",
  "ASM_Outbound",
] as const;

/** Pseudo-actions of mediation DNs counting the agents/DNs that serve them (docs/domain.md §2.3). */
export const PSEUDO_ACTIONS = [
  "AgentLogin",
  "AgentReady",
  "AgentActive",
  "DNLogin",
  "DNReady",
  "DNActive",
] as const;

/** Actions of mediation DNs: queues, routing points, virtual queues (docs/domain.md §2.3). */
export const MEDIATION_DN_ACTIONS = [
  "Monitored",
  "NotMonitored",
  "CallWait",
  "CallWaitInbound",
  "CallWaitOutbound",
  "CallWaitConsult",
  "CallWaitInternal",
  "CallWaitUnknown",
  "CallEntered",
  "CallDistributed",
  "CallDistributedToQueue",
  "CallAbandoned",
  "CallCleared",
  "CallTreatmentStarted",
  "CallTreatmentCompleted",
  "CallTreatmentNotStarted",
  "CallAnswered",
  "CallAbandonedFromRinging",
  "CallForwarded",
  "CallMissed",
  "CallReleased",
  "ACWCompleted",
  "ACWMissed",
  "StuckCallCleanedWhileRinging",
  ...PSEUDO_ACTIONS,
  "UserEvent",
] as const;

/** DN statuses, lowest priority first (docs/domain.md §2.6); the index is the priority. */
export const DN_STATUSES = [
  "NotMonitored",
  "Monitored",
  "LoggedIn",
  "OnHook",
  "WaitForNextCall",
  "OffHook",
  "CallDialing",
  "CallRinging",
  "NotReadyForNextCall",
  "AfterCallWork",
  "CallOnHold",
  "CallUnknown",
  "CallConsult",
  "CallInternal",
  "CallOutbound",
  "CallInbound",
] as const;

/** Agent (and place) statuses, lowest priority first: the DN table plus `LoggedOut` on top. */
export const AGENT_STATUSES = [...DN_STATUSES, "LoggedOut"] as const;

/** Mediation-DN statuses (call actions on mediation DNs form no status). */
export const MEDIATION_DN_STATUSES = ["NotMonitored", "Monitored"] as const;

/**
 * Alias names that stand for a family of actions in an *inclusion* (docs/domain.md §3.1): `CallWait`
 * in a mask also admits `CallWaitInbound`…; `~CallWait` removes only `CallWait` itself.
 */
export const MASK_ALIASES: Readonly<Record<string, readonly string[]>> = {
  CallWait: ["CallWaitInbound", "CallWaitOutbound", "CallWaitConsult", "CallWaitInternal", "CallWaitUnknown"],
};

/** Every name a mask may contain: all actions and all statuses. */
export const KNOWN_MASK_NAMES: ReadonlySet<string> = new Set<string>([
  ...REGULAR_DN_ACTIONS,
  ...MEDIATION_DN_ACTIONS,
  ...AGENT_STATUSES,
]);

/** Thrown by {@link parseMask}; the message is one line. */
export class MaskError extends Error {
  override name = "MaskError";
}

const _NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Longest mask text accepted. */
export const MAX_MASK_TEXT = 4096;
/** Most entries accepted in one mask. */
export const MAX_MASK_ENTRIES = 256;

/**
 * Parse a mask: `*` (everything the subject offers), names, and `~NAME` (exclusion), separated by
 * commas and/or whitespace; an array is taken as already-split entries (each may itself hold
 * commas). Throws {@link MaskError} on an empty mask, empty entry, `~*`, a lone `~` or a bad name.
 *
 * @example
 * ```ts
 * parseMask("CallInbound, CallOutbound"); // { all: false, include: ["CallInbound","CallOutbound"], exclude: [] }
 * parseMask(["*", "~LoggedOut"]);          // { all: true, include: [], exclude: ["LoggedOut"] }
 * ```
 */
export function parseMask(text: string | readonly string[]): Mask {
  if (typeof text !== "string" && !Array.isArray(text))
    throw new MaskError("mask must be a string or an array of strings");
  const parts: readonly unknown[] = typeof text === "string" ? [text] : text;
  let total = 0;
  const entries: string[] = [];
  parts.forEach((p, idx) => {
    if (typeof p !== "string") throw new MaskError(`mask entry ${idx + 1} must be a string, got ${_show(p)}`);
    total += p.length;
    if (total > MAX_MASK_TEXT) throw new MaskError(`mask longer than ${MAX_MASK_TEXT} characters`);
    if (p.trim() === "") {
      if (typeof text === "string") throw new MaskError("empty mask");
      throw new MaskError(`empty name in mask at entry ${idx + 1}`);
    }
    for (const piece of p.split(",")) {
      const words = piece.trim().split(/\s+/).filter(Boolean);
      if (words.length === 0)
        throw new MaskError(
          `empty name in mask ${JSON.stringify(_clip(p))} (two commas in a row, or a comma at an end)`,
        );
      entries.push(...words);
      if (entries.length > MAX_MASK_ENTRIES)
        throw new MaskError(`mask has more than ${MAX_MASK_ENTRIES} entries`);
    }
  });
  if (entries.length === 0) throw new MaskError("empty mask");
  const mask: Mask = { all: false, include: [], exclude: [] };
  for (const e of entries) {
    if (e === "*") {
      mask.all = true;
      continue;
    }
    const neg = e.startsWith("~");
    const name = neg ? e.slice(1) : e;
    if (neg && name === "*") throw new MaskError('"~*" excludes everything; remove it or list names');
    if (name === "") throw new MaskError('"~" must be followed by a name');
    if (!_NAME.test(name)) {
      const bad = [...name].find((c) => !/[A-Za-z0-9_]/.test(c)) ?? name[0];
      throw new MaskError(`bad character ${JSON.stringify(bad)} in mask name ${JSON.stringify(_clip(e))}`);
    }
    const list = neg ? mask.exclude : mask.include;
    if (!list.includes(name)) list.push(name);
  }
  return mask;
}

/**
 * Whether `name` (an action or status) is in the mask: `(all || included) && !excluded`, where an
 * included alias (`CallWait`) also admits its family members (`CallWaitInbound`, …).
 *
 * @example
 * ```ts
 * maskHas(parseMask("CallWait"), "CallWaitInbound"); // true
 * ```
 */
export function maskHas(mask: Mask, name: string): boolean {
  if (mask.exclude.includes(name)) return false;
  if (mask.all || mask.include.includes(name)) return true;
  for (const alias of mask.include) {
    const members = MASK_ALIASES[alias];
    if (members?.includes(name)) return true;
  }
  return false;
}

/**
 * Print a mask back as canonical text (`*` first, then names, then `~names`).
 *
 * @example
 * ```ts
 * maskToString(parseMask("~LoggedOut *")); // "*,~LoggedOut"
 * ```
 */
export function maskToString(mask: Mask): string {
  return [...(mask.all ? ["*"] : []), ...mask.include, ...mask.exclude.map((n) => `~${n}`)].join(",");
}

/** Which family of names a mask is checked against. */
export type MaskSubjectKind = "action" | "status";

/** One finding of {@link checkMaskNames}. */
export interface MaskFinding {
  level: "error" | "warning";
  message: string;
}

/**
 * Check a parsed mask's names against the catalogue. Unknown names are errors (with a
 * did-you-mean); names that exist but cannot occur for the subject (e.g. `CallEntered` in a
 * status mask, `LoggedOut` in an action mask) and masks that can match nothing are warnings.
 *
 * @example
 * ```ts
 * checkMaskNames(parseMask("CallWiat"), "action");
 * // [{ level: "error", message: 'unknown action "CallWiat" (did you mean "CallWait"?)' }]
 * ```
 */
export function checkMaskNames(mask: Mask, kind: MaskSubjectKind): MaskFinding[] {
  const out: MaskFinding[] = [];
  const statuses: ReadonlySet<string> = new Set<string>(AGENT_STATUSES);
  const actions: ReadonlySet<string> = new Set<string>([...REGULAR_DN_ACTIONS, ...MEDIATION_DN_ACTIONS]);
  const own = kind === "status" ? statuses : actions;
  for (const name of [...mask.include, ...mask.exclude]) {
    if (!KNOWN_MASK_NAMES.has(name)) {
      const hint = didYouMean(name, [...KNOWN_MASK_NAMES]);
      out.push({ level: "error", message: `unknown ${kind} ${JSON.stringify(name)}${hint}` });
    } else if (!own.has(name)) {
      out.push({
        level: "warning",
        message:
          kind === "status"
            ? `${JSON.stringify(name)} is an action, not a status: a status subject never sees it`
            : `${JSON.stringify(name)} is only a status, never an action: an action subject never sees it`,
      });
    }
  }
  if (!mask.all && mask.include.length === 0)
    out.push({
      level: "warning",
      message: `mask has only exclusions and matches nothing (did you mean "*,${maskToString(mask)}"?)`,
    });
  return out;
}

/**
 * A ` (did you mean "X"?)` suffix for the closest candidate (edit distance ≤ max(2, len/3),
 * case-insensitive), or "" when none is close.
 *
 * @example
 * ```ts
 * didYouMean("CurrentNumbr", ["CurrentNumber", "TotalTime"]); // ' (did you mean "CurrentNumber"?)'
 * ```
 */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const best = closest(input, candidates);
  return best === undefined ? "" : ` (did you mean ${JSON.stringify(best)}?)`;
}

/** The closest candidate to `input` by case-insensitive edit distance, or undefined. */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  if (input.length > 200) return undefined;
  const lower = input.toLowerCase();
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(input.length / 3)) + 1;
  for (const c of candidates) {
    if (Math.abs(c.length - input.length) >= bestD) continue;
    const d = c.toLowerCase() === lower ? 0 : _levenshtein(lower, c.toLowerCase(), bestD);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function _levenshtein(a: string, b: string, cap: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin >= cap) return cap;
    prev = cur;
  }
  return prev[b.length];
}

function _clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function _show(v: unknown): string {
  try {
    return _clip(JSON.stringify(v) ?? String(v));
  } catch {
    return typeof v;
  }
}
