/**
 * Mergeable partial aggregates (docs/architecture.md "Invariants" 2). A partial is a plain JSON record taken by
 * one engine partition at one instant `at`; partials taken at the same instant by every partition
 * merge (associative, commutative, with {@link emptyPartial} as identity) into the value of the
 * whole statistic via {@link valueOfPartial}.
 *
 * Every numeric category reads one universal component vector `c` (see `C`). Durations are
 * integer milliseconds inside partials (exact sums, so merge order cannot change a result) and
 * seconds in values.
 *
 * @example
 * ```ts
 * import { emptyPartial, mergePartials, valueOfPartial, C } from "./partial.ts";
 * const a = emptyPartial("TotalNumber", 0); a.c[C.NM] = 2;
 * const b = emptyPartial("TotalNumber", 0); b.c[C.NM] = 3;
 * valueOfPartial(mergePartials(a, b)); // 5
 * ```
 * @module
 */
import type { Category, StatValue } from "../definitions.ts";
import { AGENT_STATUSES } from "../mask.ts";

/** Indices of the universal component vector. */
export const C = {
  /** ended durable / occurred instant M episodes in the interval */
  NM: 0,
  /** their time (ms; statuses clipped to the interval, actions to the open time) */
  TM: 1,
  /** longest ended M duration (ms) — merge max, identity null */
  MAXM: 2,
  /** shortest ended M duration (ms) — merge min, identity null */
  MINM: 3,
  /** ended M with duration in the time range */
  NMR: 4,
  /** their time (ms) */
  TMR: 5,
  /** ended R episodes */
  NR: 6,
  /** their time (ms) */
  TR: 7,
  /** ended R with duration in the second time range (ServiceFactor1 short abandons) */
  NRR2: 8,
  /** adjusted time: whole durations of ended M, attributed to the interval where they end */
  TADJ: 9,
  /** running M now */
  RNM: 10,
  /** sum of elapsed time of running M (ms, from their true start) */
  RTM: 11,
  /** longest elapsed running M (ms) — max */
  RMAX: 12,
  /** shortest elapsed running M (ms) — min */
  RMIN: 13,
  /** running M whose elapsed time is in the range */
  RNMR: 14,
  /** running M counted for the interval (statuses credit in-progress time) */
  HNM: 15,
  /** elapsed time of running M clipped to the interval start (ms) */
  HTM: 16,
  /** running R counted for the interval */
  HNR: 17,
  /** elapsed time of running R clipped to the interval start (ms) */
  HTR: 18,
  /** interval length so far (ms) — min (the latest interval start wins) */
  ELAPSED: 19,
  /** running R now */
  RNR: 20,
  /** continuous time in M (ms) — max */
  CONT: 21,
  /** time-integral of the M count inside the interval, ended part (ms) */
  ITM: 22,
} as const;
/** Length of the component vector. */
export const NC = 23;

const _MAX = new Set<number>([C.MAXM, C.RMAX, C.CONT]);
// ELAPSED: every partition has the same interval, except SinceLogin where the latest start wins
const _MIN = new Set<number>([C.MINM, C.RMIN, C.ELAPSED]);
/** Merge operation per component: 0 sum, 1 max, 2 min. */
export const MERGE_OP: Uint8Array = Uint8Array.from({ length: NC }, (_, i) =>
  _MAX.has(i) ? 1 : _MIN.has(i) ? 2 : 0,
);

/** One ended record of a Selection profile: [endMs, durationMs, flags (1 M, 2 R, 4 M∈range, 8 R∈range2)]. */
export type SelRecord = [number, number, number];

/** A JSON tree fragment for CurrentState categories. */
export type Tree = { [k: string]: unknown };

/** The partial state of one statistic in one partition at instant `at` (epoch ms). */
export interface StatPartial {
  cat: Category;
  at: number;
  c: (number | null)[];
  /** number of contributing sources that are NotMonitored (statistic valid iff 0) */
  inv: number;
  /** Selection profile: the last `selN` ended records, newest first */
  sel?: SelRecord[];
  selN?: number;
  /** CurrentState / CurrentStateReasons / GroupStatus structures */
  tree?: Tree;
}

/**
 * The identity partial of a category at instant `at`.
 * @example emptyPartial("CurrentNumber", Date.now())
 */
export function emptyPartial(cat: Category, at: number): StatPartial {
  const c: (number | null)[] = new Array(NC);
  for (let i = 0; i < NC; i++) c[i] = MERGE_OP[i] === 0 ? 0 : null;
  return { cat, at, c, inv: 0 };
}

function _m(op: number, a: number | null, b: number | null): number | null {
  if (op === 0) return (a ?? 0) + (b ?? 0);
  if (a === null) return b;
  if (b === null) return a;
  return op === 1 ? Math.max(a, b) : Math.min(a, b);
}

/**
 * The canonical order of Selection records: newest end time first, then longer duration, then
 * flags. Both a partition (when it records) and the merge use it, so "the last N" is the same
 * whichever partitions the records came from, also when several end at the same instant.
 *
 * @example
 * ```ts
 * [[1, 5, 0], [2, 1, 0]].sort(compareSelRecords); // [[2, 1, 0], [1, 5, 0]]
 * ```
 */
export function compareSelRecords(x: SelRecord, y: SelRecord): number {
  return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
}
const _cmpSel = compareSelRecords;

/** Deep merge of CurrentState trees: maps union key-wise; conflicting leaves keep the larger JSON. */
export function mergeTree(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const ao = a !== null && typeof a === "object" && !Array.isArray(a);
  const bo = b !== null && typeof b === "object" && !Array.isArray(b);
  if (ao && bo) {
    const out: Tree = {};
    const ka = a as Tree;
    const kb = b as Tree;
    for (const k of Object.keys(ka)) out[k] = k in kb ? mergeTree(ka[k], kb[k]) : ka[k];
    for (const k of Object.keys(kb)) if (!(k in ka)) out[k] = kb[k];
    return out;
  }
  if (ao) return a;
  if (bo) return b;
  if (typeof a === "number" && typeof b === "number") return Math.max(a, b);
  return JSON.stringify(a) >= JSON.stringify(b) ? a : b;
}

/**
 * Merge two partials of the same statistic taken at the same instant. Pure; associative and
 * commutative; {@link emptyPartial} is the identity.
 *
 * @example
 * ```ts
 * mergePartials(emptyPartial("TotalTime", 5), p); // equals p
 * ```
 */
export function mergePartials(a: StatPartial, b: StatPartial): StatPartial {
  const c: (number | null)[] = new Array(NC);
  for (let i = 0; i < NC; i++) c[i] = _m(MERGE_OP[i], a.c[i] ?? null, b.c[i] ?? null);
  const out: StatPartial = { cat: a.cat, at: Math.max(a.at, b.at), c, inv: a.inv + b.inv };
  if (a.sel || b.sel) {
    const n = Math.max(a.selN ?? 0, b.selN ?? 0);
    out.sel = [...(a.sel ?? []), ...(b.sel ?? [])].sort(_cmpSel).slice(0, n);
    out.selN = n;
  }
  if (a.tree || b.tree) out.tree = mergeTree(a.tree, b.tree) as Tree;
  return out;
}

/** Merge any number of partials (identity for an empty list needs the category). */
export function mergeAll(cat: Category, at: number, parts: readonly StatPartial[]): StatPartial {
  return parts.reduce(mergePartials, emptyPartial(cat, at));
}

const _s = (ms: number | null): number | null => (ms === null ? null : ms / 1000);
const _div = (a: number, b: number, k = 1): number | null => (b === 0 ? null : (k * a) / b);

/** Fold Selection records into the historical components (the rest of `c` stays). */
function _selComponents(p: StatPartial): (number | null)[] {
  const c = p.c.slice();
  for (const i of [C.NM, C.TM, C.NMR, C.TMR, C.NR, C.TR, C.NRR2, C.TADJ, C.HNM, C.HTM, C.HNR, C.HTR, C.ITM])
    c[i] = 0;
  c[C.MAXM] = null;
  c[C.MINM] = null;
  for (const [, d, f] of p.sel ?? []) {
    if (f & 1) {
      c[C.NM] = (c[C.NM] as number) + 1;
      c[C.TM] = (c[C.TM] as number) + d;
      c[C.TADJ] = (c[C.TADJ] as number) + d;
      c[C.MAXM] = c[C.MAXM] === null ? d : Math.max(c[C.MAXM] as number, d);
      c[C.MINM] = c[C.MINM] === null ? d : Math.min(c[C.MINM] as number, d);
    }
    if (f & 4) {
      c[C.NMR] = (c[C.NMR] as number) + 1;
      c[C.TMR] = (c[C.TMR] as number) + d;
    }
    if (f & 2) {
      c[C.NR] = (c[C.NR] as number) + 1;
      c[C.TR] = (c[C.TR] as number) + d;
    }
    if (f & 8) c[C.NRR2] = (c[C.NRR2] as number) + 1;
  }
  c[C.ELAPSED] = null;
  return c;
}

/** Sampler state for MaxNumber / MinNumber, kept by whoever owns the merged value. */
export interface SamplerState {
  max: number | null;
  min: number | null;
}

/**
 * The value of the categories that need only the counts and times (`num` = ended + credited
 * running, `time` likewise in ms, running count and elapsed, interval elapsed); `undefined` for
 * every other category. Shared by {@link valueOfPartial} and the engine's evaluation of a
 * statistic without building its partial.
 */
export function coreValue(
  cat: Category,
  num: number,
  time: number,
  rnm: number,
  rtm: number,
  elapsed: number,
): StatValue | undefined {
  switch (cat) {
    case "CurrentNumber":
      return rnm;
    case "CurrentTime":
      return rtm / 1000;
    case "CurrentAverageTime":
      return _div(rtm / 1000, rnm);
    case "TotalNumber":
      return num;
    case "TotalTime":
      return time / 1000;
    case "AverageTime":
      return _div(time / 1000, num);
    case "ElapsedTimePercentage":
      return _div(time, elapsed, 100);
    case "TotalNumberPerSecond":
      return _div(num, elapsed / 1000);
    default:
      return undefined;
  }
}

/**
 * The value of a (merged) partial. Durations in seconds, percentages 0–100, `null` when the
 * value is undefined (division by zero, no data). MaxNumber/MinNumber read the sampler state.
 *
 * @example
 * ```ts
 * valueOfPartial(p); // e.g. 12.5 for AverageTime
 * ```
 */
export function valueOfPartial(p: StatPartial, sampler?: SamplerState): StatValue {
  const c = p.sel ? _selComponents(p) : p.c;
  const n = (i: number): number => (c[i] as number | null) ?? 0;
  const num = n(C.NM) + n(C.HNM);
  const time = n(C.TM) + n(C.HTM);
  const core = coreValue(p.cat, num, time, n(C.RNM), n(C.RTM), n(C.ELAPSED));
  if (core !== undefined) return core;
  switch (p.cat) {
    case "CurrentState":
    case "CurrentStateReasons":
      return _finishTree(p.tree ?? {});
    case "CurrentContinuousTime":
      return n(C.CONT) / 1000;
    case "CurrentMaxTime":
      return _s(c[C.RMAX]);
    case "CurrentMinTime":
      return _s(c[C.RMIN]);
    case "CurrentRelativeNumberPercentage":
      return _div(n(C.RNM), n(C.RNR), 100);
    case "CurrentNumberInTimeRange":
      return n(C.RNMR);
    case "CurrentNumberInTimeRangePercentage":
      return _div(n(C.RNMR), n(C.RNM), 100);
    case "TotalAdjustedNumber":
      return n(C.NM);
    case "TotalAdjustedTime":
      return n(C.TADJ) / 1000;
    case "MaxTime":
      return _s(c[C.MAXM]);
    case "MinTime":
      return _s(c[C.MINM]);
    case "MaxNumber":
      return sampler?.max ?? null;
    case "MinNumber":
      return sampler?.min ?? null;
    case "AverageOfCurrentNumber":
      return _div(n(C.ITM) + n(C.HTM), n(C.ELAPSED));
    case "RelativeTimePercentage":
      return _div(time, n(C.TR) + n(C.HTR), 100);
    case "RelativeNumberPercentage":
      return _div(n(C.NMR), n(C.NR), 100);
    case "TotalNumberInTimeRange":
      return n(C.NMR);
    case "TotalNumberInTimeRangePercentage":
      return _div(n(C.NMR), n(C.NM), 100);
    case "TotalTimeInTimeRange":
      return n(C.TMR) / 1000;
    case "AverageNumberPerRelativeHour":
      return _div(num, (n(C.TR) + n(C.HTR)) / 1000, 3600);
    case "ServiceFactor1":
      return _div(n(C.NMR), n(C.NM) + n(C.NR) - n(C.NRR2), 100);
    case "EstimWaitTime":
      return n(C.NM) === 0 ? null : ((n(C.RNM) + 1) * (n(C.ELAPSED) / 1000)) / n(C.NM);
  }
  // the categories of coreValue returned above
  return null;
}

/** GroupStatus trees carry member statuses; the group status is the top member status. */
function _finishTree(t: Tree): StatValue {
  const members = t.members as Record<string, string> | undefined;
  if (!members) return _canon(t) as StatValue;
  const counts: Record<string, number> = {};
  for (const s of Object.values(members)) counts[s] = (counts[s] ?? 0) + 1;
  let status = "LoggedOut";
  for (let i = AGENT_STATUSES.length - 2; i >= 0; i--) {
    if ((counts[AGENT_STATUSES[i]] ?? 0) > 0) {
      status = AGENT_STATUSES[i];
      break;
    }
  }
  return { counts: _canon(counts), members: _canon(members), status } as StatValue;
}

/** Objects with sorted keys (deterministic JSON whatever the merge order). */
function _canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(_canon);
  if (v === null || typeof v !== "object") return v;
  const o = v as Tree;
  const out: Tree = {};
  for (const k of Object.keys(o).sort()) out[k] = _canon(o[k]);
  return out;
}

/** Feed one sample of a merged partial into a MaxNumber/MinNumber sampler. */
export function sample(s: SamplerState, merged: StatPartial): void {
  const v = (merged.c[C.RNM] as number | null) ?? 0;
  s.max = s.max === null ? v : Math.max(s.max, v);
  s.min = s.min === null ? v : Math.min(s.min, v);
}
