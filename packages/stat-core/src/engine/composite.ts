/**
 * The state of a composite status owner (an agent or a place): its status episode, the DNs
 * contributing to its status in arrival order, and for agents the queue pseudo-actions.
 *
 * Most agents are logged in on one DN and most places have one DN, so the first contributing DN
 * is kept in fields of the composite itself and only further DNs in a list: reaching it costs
 * no extra object (each object of a random agent is a likely cache miss; see
 * docs/bench-engine.md).
 *
 * @example
 * ```ts
 * const c = new Composite("a1", [], 0, 0);
 * c.upsert("d1", 4, null, true, "q1"); // true: the DN joined
 * c.best(); // 4
 * ```
 * @module
 */
import type { ObjNode } from "./directory.ts";
import type { Episode } from "./stat.ts";
import type { Attrs } from "./types.ts";

/** One contributing DN beyond the first (see {@link Composite}). */
interface CompDn {
  dn: string;
  st: number;
  attrs: Attrs | null;
  loggedIn: boolean;
  queue: string | null;
}

/** An agent's or a place's composite status state. */
export class Composite {
  readonly id: string;
  status: number;
  since: number;
  ep: Episode | null = null;
  /** the running logged-in span (names.ts `LOGGED_IN`), or null while logged out / not monitored */
  spanEp: Episode | null = null;
  /** number of contributing DNs */
  n = 0;
  /** the first contributing DN (valid when `n > 0`) */
  private _dn0 = "";
  private _st0 = 0;
  private _attrs0: Attrs | null = null;
  private _li0 = false;
  private _q0: string | null = null;
  /** contributing DNs after the first, in arrival order */
  private _more: CompDn[] | null = null;
  pseudoLogin = new Map<string, Episode>();
  pseudoReady = new Map<string, Episode>();
  /** queues the agent serves (login ThisQueue and origination DNs of its groups) */
  pq: string[] = [];
  path: ObjNode[];
  live: ObjNode[];
  liveGen = -1;
  /** pseudo-action inputs last applied */
  pLogin = false;
  pReady = false;
  qDirty = true;
  /** second result of {@link best}: the attributes of the DN that gives the status */
  bestAttrs: Attrs | null = null;

  constructor(id: string, path: ObjNode[], status: number, since: number) {
    this.id = id;
    this.path = path;
    this.live = path;
    this.status = status;
    this.since = since;
  }

  /**
   * Set a DN's status (adding it at the end when new). `queue` undefined leaves the DN's queue as
   * it is (places). Returns true when the DN joined or its queue changed.
   */
  upsert(
    dn: string,
    st: number,
    attrs: Attrs | null,
    loggedIn: boolean,
    queue: string | null | undefined,
  ): boolean {
    if (this.n > 0 && this._dn0 === dn) {
      this._st0 = st;
      this._attrs0 = attrs;
      this._li0 = loggedIn;
      if (queue === undefined || this._q0 === queue) return false;
      this._q0 = queue;
      return true;
    }
    if (this.n === 0) {
      this._set0(dn, st, attrs, loggedIn, queue ?? null);
      this.n = 1;
      return true;
    }
    const more = this._more;
    if (more !== null)
      for (let i = 0; i < more.length; i++) {
        const v = more[i];
        if (v.dn !== dn) continue;
        v.st = st;
        v.attrs = attrs;
        v.loggedIn = loggedIn;
        if (queue === undefined || v.queue === queue) return false;
        v.queue = queue;
        return true;
      }
    const v: CompDn = { dn, st, attrs, loggedIn, queue: queue ?? null };
    if (more === null) this._more = [v];
    else more.push(v);
    this.n++;
    return true;
  }

  /** The contributing DNs, in arrival order. */
  dns(): string[] {
    if (this.n === 0) return [];
    return [this._dn0, ...(this._more ?? []).map((v) => v.dn)];
  }

  /** Remove a DN; returns whether it was there. */
  remove(dn: string): boolean {
    if (this.n === 0) return false;
    const more = this._more;
    if (this._dn0 === dn) {
      if (more !== null && more.length > 0) {
        const v = more.shift()!;
        this._set0(v.dn, v.st, v.attrs, v.loggedIn, v.queue);
      } else this._set0("", 0, null, false, null);
      this.n--;
      return true;
    }
    if (more === null) return false;
    const i = more.findIndex((v) => v.dn === dn);
    if (i < 0) return false;
    more.splice(i, 1);
    this.n--;
    return true;
  }

  /**
   * The highest status of the logged-in DNs (-1 when none); the first DN in arrival order wins a
   * tie. Its attributes are left in {@link bestAttrs}.
   */
  best(): number {
    let best = -1;
    let attrs: Attrs | null = null;
    if (this.n > 0 && this._li0) {
      best = this._st0;
      attrs = this._attrs0;
    }
    const more = this._more;
    if (more !== null)
      for (let i = 0; i < more.length; i++) {
        const v = more[i];
        if (!v.loggedIn) continue;
        if (v.st > best) {
          best = v.st;
          attrs = v.attrs;
        }
      }
    this.bestAttrs = attrs;
    return best;
  }

  /** Add the login queues of the DNs, in arrival order, to `into`. */
  queuesInto(into: Set<string>): void {
    if (this.n > 0 && this._q0) into.add(this._q0);
    if (this._more !== null) for (const v of this._more) if (v.queue) into.add(v.queue);
  }

  private _set0(dn: string, st: number, attrs: Attrs | null, loggedIn: boolean, queue: string | null): void {
    this._dn0 = dn;
    this._st0 = st;
    this._attrs0 = attrs;
    this._li0 = loggedIn;
    this._q0 = queue;
  }
}
