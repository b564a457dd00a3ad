/**
 * What an instance knows of the cluster's SIP streams: which slot holds each (from the config,
 * `assignSessions`), which are up (as their holders reported, in order with their events), and
 * whether an outage happened since an aggregation owner last asked — so that one shorter than a
 * collect round still makes that owner's next value `valid:false` (docs/semantics.md, "Validity
 * in the daemon").
 *
 * @example
 * ```ts
 * const s = new StreamView(assignSessions(nodes, 2));
 * s.apply("node1/interactionProxy", "up");
 * s.live((slot) => alive[slot]);   // false until every stream is up and its holder alive
 * ```
 * @module
 */
import type { SourceOp } from "../wire/records.ts";
import type { Assignment } from "./sessions.ts";

/** See the module doc. */
export class StreamView {
  /** stream key → holder slot */
  readonly holders: ReadonlyMap<string, number>;
  private readonly _up = new Set<string>();
  private readonly _outage = new Set<number>();

  constructor(assignments: readonly Assignment[]) {
    this.holders = new Map(assignments.map((a) => [a.key, a.holder]));
  }

  /** Record a stream's state change; a down or a reset is an outage every owner will see. */
  apply(key: string, op: SourceOp, slots: readonly number[]): void {
    if (op === "up") this._up.add(key);
    else {
      if (op === "down") this._up.delete(key);
      for (const s of slots) this._outage.add(s);
    }
  }

  /** Whether `key` is up. */
  isUp(key: string): boolean {
    return this._up.has(key);
  }

  /** Every stream is up and its holder alive. */
  live(alive: (slot: number) => boolean): boolean {
    for (const [key, holder] of this.holders) if (!this._up.has(key) || !alive(holder)) return false;
    return true;
  }

  /** The streams that are not live, with why. */
  down(alive: (slot: number) => boolean): string[] {
    const out: string[] = [];
    for (const [key, holder] of this.holders) {
      if (!alive(holder)) out.push(`${key}: held by instance ${holder}, which is not alive`);
      else if (!this._up.has(key)) out.push(`${key}: not live`);
    }
    return out;
  }

  /** Whether an outage happened since `owner` last asked (and forget it for that owner). */
  takeOutage(owner: number): boolean {
    return this._outage.delete(owner);
  }

  /** The streams `slot` holds that are up. */
  upHeldBy(slot: number): string[] {
    return [...this.holders].filter(([k, h]) => h === slot && this._up.has(k)).map(([k]) => k);
  }
}
