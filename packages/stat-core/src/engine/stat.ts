/**
 * The per-partition state of one statistic instance (object × metric × profile × ranges ×
 * filter): running entries, ended-episode accumulators per time profile, and the snapshot into a
 * mergeable {@link StatPartial}. Episodes reach a statistic as *entries*: `enter` when a durable
 * action/status in the mask starts (or its filter becomes true), `leave` when it ends (or the
 * filter turns false), `instant` for momentary/retrospective actions.
 *
 * @example
 * ```ts
 * const st = new Stat(spec, openMs);
 * const e = { st, s: t0, m: 1, on: true };
 * st.enter(e); st.leave(e, t1);
 * st.partial(t1, 0).c[C.NM]; // 1
 * ```
 * @module
 */
import { type Category, CURRENT_CATEGORIES, type StatValue } from "../definitions.ts";
import type { ObjNode } from "./directory.ts";
import {
  C,
  compareSelRecords,
  coreValue,
  emptyPartial,
  MERGE_OP,
  NC,
  type SamplerState,
  type SelRecord,
  type StatPartial,
} from "./partial.ts";
import type { Attrs } from "./types.ts";

/** Source kinds of episodes a statistic can subscribe to (its subject). */
export const SRC = { DNAction: 0, DNStatus: 1, AgentStatus: 2, PlaceStatus: 3, GroupStatus: 4 } as const;

/** Resolved time profile as the engine runs it. */
export type ProfileRt =
  | { kind: "growing"; name: string }
  | { kind: "sliding"; name: string; lengthMs: number; stepMs: number }
  | { kind: "selection"; name: string; n: number }
  | { kind: "sinceLogin"; name: string };

/** Everything fixed about a statistic instance; shared by identical statistics. */
export interface StatSpec {
  cat: Category;
  kind: number;
  mM: Uint8Array;
  mR: Uint8Array | null;
  filter: ((input: object) => boolean) | null;
  profile: ProfileRt;
  /** time range in seconds [lo, hi) */
  lo: number;
  hi: number;
  lo2: number;
  hi2: number;
  /** interned identity of (object type, metric, profile, ranges, filter) */
  dk: number;
  /** status subject: in-progress episodes credit historical values */
  status: boolean;
  /** historical category: running entries are clipped to the interval start */
  hist: boolean;
  /** needs {@link StatExt} (ranges, relative mask, extremes, adjusted, sliding, selection, …) */
  ext: boolean;
}

/**
 * A running episode as seen by one statistic. `m`: 1 = main mask, 2 = relative mask (and
 * internally 4 = listed in the statistic's running list).
 */
export interface Entry {
  st: Stat;
  s: number;
  m: number;
  on: boolean;
}

/**
 * A running durable action or status episode. `entries`: the statistics it entered, in order; a
 * bare {@link Stat} for an unfiltered compact-core statistic entered at `s` (see
 * {@link Stat.enterBare}), an {@link Entry} otherwise.
 */
export interface Episode {
  /** action id */
  a: number;
  /** start, epoch ms */
  s: number;
  attrs: Attrs | null;
  entries: (Entry | Stat)[];
}

const _RUNSET_CATS = new Set<Category>([
  "CurrentMaxTime",
  "CurrentMinTime",
  "CurrentNumberInTimeRange",
  "CurrentNumberInTimeRangePercentage",
]);
/** Categories served by the compact core alone (count, time, running count/time). */
const _CORE_CATS = new Set<Category>([
  "CurrentNumber",
  "CurrentTime",
  "CurrentAverageTime",
  "TotalNumber",
  "TotalTime",
  "AverageTime",
  "ElapsedTimePercentage",
  "TotalNumberPerSecond",
  "CurrentState",
  "CurrentStateReasons",
]);
/** Categories that read running elapsed times from their true start (not clipped). */
const _CURRENT_CATS = new Set<Category>(CURRENT_CATEGORIES);

/** Derived spec flags for a category/subject/profile. */
export function specFlags(
  cat: Category,
  kind: number,
  profile: ProfileRt,
): Pick<StatSpec, "status" | "hist" | "ext"> {
  return {
    status: kind !== SRC.DNAction,
    hist: !_CURRENT_CATS.has(cat),
    ext: !_CORE_CATS.has(cat) || (profile.kind !== "growing" && profile.kind !== "sinceLogin"),
  };
}

/** Fields of a sliding bucket. */
const _B = { NM: 0, TM: 1, MAX: 2, MIN: 3, NMR: 4, TMR: 5, NR: 6, TR: 7, NRR2: 8, TADJ: 9, ITM: 10 } as const;
/**
 * Numbers per bucket. The bucket ids stay in their own array: inlined, a 60-bucket window grows
 * from 5,280 to 5,760 bytes, which the allocator rounds up (+2 KB per statistic measured).
 */
const _BK = 11;

/** Per-statistic state beyond the compact core, allocated only when the category/profile needs it. */
export class StatExt {
  maxM = -1;
  minM = -1;
  nMr = 0;
  tMr = 0;
  nR = 0;
  tR = 0;
  nRr2 = 0;
  tAdj = 0;
  itM = 0;
  rnR = 0;
  rsClipR = 0;
  /**
   * running entries (current min/max/range, sliding status credit); an entry that left stays
   * listed (with `on` false, skipped) until dead ones outnumber live ones
   */
  run: Entry[] | null = null;
  runDead = 0;
  /** CurrentContinuousTime bookkeeping */
  cont = false;
  contN = 0;
  contSince = 0;
  contLastEnd = -1;
  /** Sliding buckets */
  buckets: Float64Array | null = null;
  bucketIds: Float64Array | null = null;
  /** Selection records, newest first */
  sel: SelRecord[] | null = null;
  /** MaxNumber / MinNumber samples (single-engine use; the daemon samples merged values) */
  sampler: SamplerState | undefined = undefined;
}

/** `Entry.m` bit: listed in `StatExt.run`. */
const _IN_RUN = 4;

/** Drop entries that left from a running list (amortised: only when they are the majority). */
function _compactRun(x: StatExt): void {
  const run = x.run!;
  let k = 0;
  for (let i = 0; i < run.length; i++) {
    const e = run[i];
    if (e.on) run[k++] = e;
    else e.m &= ~_IN_RUN;
  }
  run.length = k;
  x.runDead = 0;
}

const F_DIRTY = 1;
const F_CLOSED = 2;
const F_TIMEDEP = 4;
const F_CHANGES = 8;

/** One statistic instance in one partition (12 fields; the rest lives in the shared spec or `x`). */
export class Stat {
  readonly spec: StatSpec;
  /** the object it is opened on */
  obj: ObjNode;
  /** first subscription id (0 = none), and any further ones */
  sub = 0;
  more: number[] | null = null;
  private _f = 0;
  readonly openMs: number;
  /** start of the current interval (max of open time and last reset / login) */
  since: number;
  /** ended M episodes in the interval, their time (ms) */
  nM = 0;
  tM = 0;
  /** running M entries and the sum of their starts (clipped to `since` for historical categories) */
  rnM = 0;
  rs = 0;
  /** category-specific state, or null */
  x: StatExt | null = null;

  constructor(spec: StatSpec, openMs: number, obj: ObjNode) {
    this.spec = spec;
    this.obj = obj;
    this.openMs = openMs;
    this.since = openMs;
    const p = spec.profile;
    if (spec.ext) {
      const x = new StatExt();
      this.x = x;
      if (_RUNSET_CATS.has(spec.cat) || (p.kind === "sliding" && spec.status)) x.run = [];
      x.cont = spec.cat === "CurrentContinuousTime";
      if (p.kind === "sliding") {
        const nb = Math.max(1, Math.ceil(p.lengthMs / p.stepMs));
        x.buckets = new Float64Array(nb * _BK);
        x.bucketIds = new Float64Array(nb).fill(-1);
      }
      if (p.kind === "selection") x.sel = [];
    }
  }

  /** Interned identity (see {@link StatSpec.dk}). */
  get dk(): number {
    return this.spec.dk;
  }
  get dirty(): boolean {
    return (this._f & F_DIRTY) !== 0;
  }
  set dirty(v: boolean) {
    this._f = v ? this._f | F_DIRTY : this._f & ~F_DIRTY;
  }
  get closed(): boolean {
    return (this._f & F_CLOSED) !== 0;
  }
  set closed(v: boolean) {
    this._f = v ? this._f | F_CLOSED : this._f & ~F_CLOSED;
  }
  /** its value moves with time alone (checked on tick for changes-mode subscriptions) */
  get timeDep(): boolean {
    return (this._f & F_TIMEDEP) !== 0;
  }
  set timeDep(v: boolean) {
    this._f = v ? this._f | F_TIMEDEP : this._f & ~F_TIMEDEP;
  }
  /** has a changes-mode subscription (only those are evaluated after events) */
  get watched(): boolean {
    return (this._f & F_CHANGES) !== 0;
  }
  set watched(v: boolean) {
    this._f = v ? this._f | F_CHANGES : this._f & ~F_CHANGES;
  }
  /** MaxNumber / MinNumber sampler (kept in `x`). */
  get sampler(): SamplerState | undefined {
    return this.x?.sampler;
  }
  set sampler(v: SamplerState | undefined) {
    if (this.x) this.x.sampler = v;
  }
  /** Subscription ids sharing this aggregate. */
  subsList(): number[] {
    if (this.sub === 0) return [];
    return this.more === null ? [this.sub] : [this.sub, ...this.more];
  }
  /** Add a subscription id. */
  addSub(s: number): void {
    if (this.sub === 0) this.sub = s;
    else {
      this.more ??= [];
      this.more.push(s);
    }
  }
  /** Remove a subscription id; returns how many remain. */
  removeSub(s: number): number {
    const all = this.subsList().filter((x) => x !== s);
    this.sub = all[0] ?? 0;
    this.more = all.length > 1 ? all.slice(1) : null;
    return all.length;
  }

  /** A running episode (stretch) starts counting at `e.s`. */
  enter(e: Entry): void {
    e.on = true;
    const x = this.x;
    if (x === null) {
      // the compact core: what a bare entry does
      if (e.m & 1) this.enterBare(e.s);
      return;
    }
    if (e.m & 1) {
      this.rnM++;
      this.rs += this.spec.hist ? Math.max(e.s, this.since) : e.s;
      if (x.cont) {
        if (x.contN === 0 && x.contLastEnd !== e.s) x.contSince = e.s;
        x.contN++;
      }
    }
    if (e.m & 2) {
      x.rnR++;
      x.rsClipR += Math.max(e.s, this.since);
    }
    const run = x.run;
    if (run !== null && (e.m & _IN_RUN) === 0) {
      e.m |= _IN_RUN;
      run.push(e);
    }
  }

  /**
   * {@link enter} for a *bare* entry: a statistic with no extension state and no filter, in the
   * main mask, entered at its episode's start `s` and running until the episode ends. The
   * episode lists the statistic itself instead of an {@link Entry} (no allocation per update).
   */
  enterBare(s: number): void {
    this.rnM++;
    this.rs += this.spec.hist ? Math.max(s, this.since) : s;
  }

  /** {@link leave} for a bare entry started at `s` (see {@link enterBare}). */
  leaveBare(s: number, t: number): void {
    const sp = this.spec;
    const clipI = Math.max(s, this.since);
    this.rnM--;
    this.rs -= sp.hist ? clipI : s;
    // an episode belongs to the interval of its end: one that ended before the interval start
    // (an event older than the open or the last reset) credits neither count nor time
    if (t < this.since) return;
    this.nM++;
    this.tM += sp.status ? t - clipI : t - Math.max(s, this.openMs);
  }

  /** Whether an entry of mask bits `m` into this statistic can be bare (see {@link enterBare}). */
  bareOk(m: number): boolean {
    return m === 1 && this.x === null && this.spec.filter === null;
  }

  /** A running episode (stretch) ends at `t`. */
  leave(e: Entry, t: number): void {
    if (!e.on) return;
    e.on = false;
    const x = this.x;
    if (x === null) {
      // the compact core: what a bare entry does
      if (e.m & 1) this.leaveBare(e.s, t);
      return;
    }
    const clipI = Math.max(e.s, this.since);
    if (e.m & 1) {
      this.rnM--;
      this.rs -= this.spec.hist ? clipI : e.s;
      if (x.cont) {
        x.contN--;
        x.contLastEnd = t;
      }
    }
    if (e.m & 2) {
      x.rnR--;
      x.rsClipR -= clipI;
    }
    if (x.run !== null && ++x.runDead > 8 && x.runDead * 2 > x.run.length) _compactRun(x);
    // an episode that ended before the interval start credits neither count nor time (see leaveBare)
    if (t < this.since) return;
    const dAdj = t - Math.max(e.s, this.openMs);
    const dInt = t - clipI;
    this._record(x, e.m, t, this.spec.status ? dInt : dAdj, dAdj, dInt);
  }

  /**
   * A momentary (d = 0) or retrospective action with duration `d` ms occurs at `t`; one stamped
   * before the interval start (a late event) belongs to an earlier interval and is not counted.
   */
  instant(m: number, t: number, d: number): void {
    if (t < this.since) return;
    const x = this.x;
    if (x === null) {
      if (m & 1) {
        this.nM++;
        this.tM += d;
      }
      return;
    }
    this._record(x, m, t, d, d, 0);
  }

  /** `[lo, hi)` on whole seconds, milliseconds truncated from both time stamps (docs/domain.md §2.8). */
  private _inRange(start: number, end: number, lo: number, hi: number): boolean {
    const sec = Math.max(0, Math.floor(end / 1000) - Math.floor(start / 1000));
    return sec >= lo && sec < hi;
  }

  private _record(x: StatExt, m: number, t: number, d: number, dAdj: number, dInt: number): void {
    const sp = this.spec;
    const inM = (m & 1) !== 0;
    const inR = (m & 2) !== 0;
    const mr = inM && this._inRange(t - d, t, sp.lo, sp.hi);
    const rr2 = inR && this._inRange(t - d, t, sp.lo2, sp.hi2);
    if (x.sel) {
      const n = (sp.profile as { n: number }).n;
      const rec: SelRecord = [t, d, (inM ? 1 : 0) | (inR ? 2 : 0) | (mr ? 4 : 0) | (rr2 ? 8 : 0)];
      // keep the canonical order of the merge (usually position 0: the newest)
      let i = 0;
      while (i < x.sel.length && compareSelRecords(x.sel[i]!, rec) <= 0) i++;
      if (i < n) {
        x.sel.splice(i, 0, rec);
        if (x.sel.length > n) x.sel.length = n;
      }
      return;
    }
    if (x.buckets) {
      const b = this._bucket(x, t);
      // an end a whole window older than what the bucket holds now: outside every window to come
      if (b < 0) return;
      const B = x.buckets;
      // a status's time goes to the buckets it covered, its part in each, so that the time in
      // the window is never more than the window holds and does not jump when the status ends;
      // an action's whole duration goes to the bucket of its end (docs/semantics.md)
      const spread = sp.status && d > 0;
      if (inM) {
        B[b + _B.NM]++;
        if (spread) this._spread(x, t - d, t, _B.TM, _B.ITM);
        else {
          B[b + _B.TM] += d;
          B[b + _B.ITM] += dInt;
        }
        B[b + _B.TADJ] += dAdj;
        B[b + _B.MAX] = Number.isNaN(B[b + _B.MAX]) ? d : Math.max(B[b + _B.MAX], d);
        B[b + _B.MIN] = Number.isNaN(B[b + _B.MIN]) ? d : Math.min(B[b + _B.MIN], d);
        if (mr) {
          B[b + _B.NMR]++;
          B[b + _B.TMR] += d;
        }
      }
      if (inR) {
        B[b + _B.NR]++;
        if (spread) this._spread(x, t - d, t, _B.TR, -1);
        else B[b + _B.TR] += d;
        if (rr2) B[b + _B.NRR2]++;
      }
      return;
    }
    if (inM) {
      this.nM++;
      this.tM += d;
      x.tAdj += dAdj;
      x.itM += dInt;
      if (x.maxM < 0 || d > x.maxM) x.maxM = d;
      if (x.minM < 0 || d < x.minM) x.minM = d;
      if (mr) {
        x.nMr++;
        x.tMr += d;
      }
    }
    if (inR) {
      x.nR++;
      x.tR += d;
      if (rr2) x.nRr2++;
    }
  }

  /**
   * Add the parts of `[s, t)` that fall in each bucket to components `k1` (and `k2`, unless -1),
   * from the end back to the oldest bucket a window to come can still hold.
   */
  private _spread(x: StatExt, s: number, t: number, k1: number, k2: number): void {
    const step = (this.spec.profile as { stepMs: number }).stepMs;
    const last = Math.floor(t / step);
    const B = x.buckets!;
    for (let bid = Math.max(Math.floor(s / step), last - x.bucketIds!.length + 1); bid <= last; bid++) {
      const part = Math.min(t, (bid + 1) * step) - Math.max(s, bid * step);
      if (part <= 0) continue;
      const o = this._slot(x, bid);
      if (o < 0) continue;
      B[o + k1] += part;
      if (k2 >= 0) B[o + k2] += part;
    }
  }

  /** Offset of the bucket of time `t`, or -1 when its slot already holds a newer bucket (`t` is a window older). */
  private _bucket(x: StatExt, t: number): number {
    return this._slot(x, Math.floor(t / (this.spec.profile as { stepMs: number }).stepMs));
  }

  /** Offset of bucket `bid` (its slot reset when it held an older one), or -1 when it holds a newer one. */
  private _slot(x: StatExt, bid: number): number {
    const ids = x.bucketIds!;
    const B = x.buckets!;
    const slot = bid % ids.length;
    const off = slot * _BK;
    if (ids[slot] > bid) return -1;
    if (ids[slot] !== bid) {
      ids[slot] = bid;
      B.fill(0, off, off + _BK);
      B[off + _B.MAX] = Number.NaN;
      B[off + _B.MIN] = Number.NaN;
    }
    return off;
  }

  /** Growing reset / SinceLogin restart: a new interval starts at `r`. */
  reset(r: number): void {
    this.since = Math.max(r, this.openMs);
    this.nM = this.tM = 0;
    if (this.spec.hist) this.rs = this.rnM * this.since;
    const x = this.x;
    if (x !== null) {
      x.nMr = x.tMr = x.nR = x.tR = x.nRr2 = x.tAdj = x.itM = 0;
      x.maxM = x.minM = -1;
      x.rsClipR = x.rnR * this.since;
      if (x.sampler) x.sampler = { max: this.rnM, min: this.rnM };
    }
  }

  /**
   * The value at `now` without building a partial, for a statistic with no extension state
   * (the compact core categories; `x === null`): the same numbers {@link partialInto} puts in
   * the components {@link coreValue} reads. `undefined` when this statistic needs its partial.
   */
  coreValueAt(now: number): StatValue | undefined {
    if (this.x !== null) return undefined;
    const sp = this.spec;
    const runEl = this.rnM * now - this.rs;
    const credit = sp.hist && sp.status;
    return coreValue(
      sp.cat,
      this.nM + (credit ? this.rnM : 0),
      this.tM + (credit ? runEl : 0),
      this.rnM,
      sp.hist ? 0 : runEl,
      Math.max(0, now - this.since),
    );
  }

  /** Snapshot this partition's contribution at `now` (epoch ms). */
  partial(now: number, inv: number): StatPartial {
    return this.partialInto(now, inv, emptyPartial(this.spec.cat, now));
  }

  /** {@link partial} into an existing record (reset here), to evaluate without allocating. */
  partialInto(now: number, inv: number, p: StatPartial): StatPartial {
    const c = p.c;
    for (let i = 0; i < NC; i++) c[i] = MERGE_OP[i] === 0 ? 0 : null;
    const sp = this.spec;
    p.cat = sp.cat;
    p.at = now;
    p.sel = undefined;
    p.selN = undefined;
    p.tree = undefined;
    p.inv = inv;
    const status = sp.status;
    const x = this.x;
    c[C.RNM] = this.rnM;
    const runEl = this.rnM * now - this.rs;
    if (!sp.hist) c[C.RTM] = runEl;
    c[C.CONT] = x !== null && x.contN > 0 ? now - x.contSince : 0;
    const prof = sp.profile;
    let winStart = this.since;
    if (prof.kind === "sliding") {
      const nb = x!.bucketIds!.length;
      const bNow = Math.floor(now / prof.stepMs);
      winStart = Math.max((bNow - nb + 1) * prof.stepMs, this.openMs);
    }
    if (x?.run) {
      let mx: number | null = null;
      let mn: number | null = null;
      let inr = 0;
      let hn = 0;
      let ht = 0;
      let hnr = 0;
      let htr = 0;
      for (const e of x.run) {
        if (!e.on) continue;
        const el = now - e.s;
        const cl = now - Math.max(e.s, winStart);
        if (e.m & 1) {
          mx = mx === null ? el : Math.max(mx, el);
          mn = mn === null ? el : Math.min(mn, el);
          if (this._inRange(e.s, now, sp.lo, sp.hi)) inr++;
          hn++;
          ht += cl;
        }
        if (e.m & 2) {
          hnr++;
          htr += cl;
        }
      }
      c[C.RMAX] = mx;
      c[C.RMIN] = mn;
      c[C.RNMR] = inr;
      if (prof.kind === "sliding") {
        c[C.ITM] = ht;
        if (status) {
          c[C.HNM] = hn;
          c[C.HTM] = ht;
          c[C.HNR] = hnr;
          c[C.HTR] = htr;
        }
      }
    }
    if (x !== null) c[C.RNR] = x.rnR;
    if (prof.kind === "selection") {
      p.sel = x!.sel!.slice();
      p.selN = prof.n;
      return p;
    }
    if (prof.kind === "sliding") {
      const B = x!.buckets!;
      const ids = x!.bucketIds!;
      const nb = ids.length;
      const bNow = Math.floor(now / prof.stepMs);
      c[C.ELAPSED] = Math.max(0, now - winStart);
      for (let i = 0; i < nb; i++) {
        const bid = ids[i];
        if (bid <= bNow - nb || bid > bNow) continue;
        const o = i * _BK;
        c[C.NM] = (c[C.NM] as number) + B[o + _B.NM];
        c[C.TM] = (c[C.TM] as number) + B[o + _B.TM];
        c[C.NMR] = (c[C.NMR] as number) + B[o + _B.NMR];
        c[C.TMR] = (c[C.TMR] as number) + B[o + _B.TMR];
        c[C.NR] = (c[C.NR] as number) + B[o + _B.NR];
        c[C.TR] = (c[C.TR] as number) + B[o + _B.TR];
        c[C.NRR2] = (c[C.NRR2] as number) + B[o + _B.NRR2];
        c[C.TADJ] = (c[C.TADJ] as number) + B[o + _B.TADJ];
        c[C.ITM] = (c[C.ITM] as number) + B[o + _B.ITM];
        if (!Number.isNaN(B[o + _B.MAX]))
          c[C.MAXM] = c[C.MAXM] === null ? B[o + _B.MAX] : Math.max(c[C.MAXM] as number, B[o + _B.MAX]);
        if (!Number.isNaN(B[o + _B.MIN]))
          c[C.MINM] = c[C.MINM] === null ? B[o + _B.MIN] : Math.min(c[C.MINM] as number, B[o + _B.MIN]);
      }
      return p;
    }
    c[C.ELAPSED] = Math.max(0, now - this.since);
    c[C.NM] = this.nM;
    c[C.TM] = this.tM;
    if (sp.hist) {
      c[C.ITM] = runEl;
      if (status) {
        c[C.HNM] = this.rnM;
        c[C.HTM] = runEl;
      }
    }
    if (x !== null) {
      c[C.MAXM] = x.maxM < 0 ? null : x.maxM;
      c[C.MINM] = x.minM < 0 ? null : x.minM;
      c[C.NMR] = x.nMr;
      c[C.TMR] = x.tMr;
      c[C.NR] = x.nR;
      c[C.TR] = x.tR;
      c[C.NRR2] = x.nRr2;
      c[C.TADJ] = x.tAdj;
      c[C.ITM] = (c[C.ITM] as number) + x.itM;
      if (status) {
        c[C.HNR] = x.rnR;
        c[C.HTR] = x.rnR * now - x.rsClipR;
      }
    }
    return p;
  }
}

/** Length of the partial vector (re-exported for tests). */
export const COMPONENTS = NC;
