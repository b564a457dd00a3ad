/**
 * The shares of statistics a partition keeps for their aggregation owners: every instance opens a
 * share of each open statistic (notification `none`) on its own partition, and answers a collect
 * round with the shares' partials at the round's instant, in chunks that fit the bus
 * (docs/architecture.md, "Aggregation").
 *
 * @example
 * ```ts
 * const shares = new Shares(partition);
 * shares.open("1.1.s3", req);
 * for (const rec of Shares.answer(round, at, sids, shares.partials(sids, at, true))) send(owner, rec);
 * ```
 * @module
 */
import type { Category, OpenRequest, Partition, StatPartial } from "@statd/stat-core";
import { ServiceError } from "../api/service.ts";
import { type BusRecord, K } from "../wire/records.ts";

/** Partials per record of a collect answer. */
const _CHUNK = 64;

/** See the module doc. */
export class Shares {
  /** share id (`slot.generation.sN`, named by its owner) → the partition's statistic id */
  private readonly _ids = new Map<string, number>();

  constructor(private readonly _p: Partition) {}

  get size(): number {
    return this._ids.size;
  }

  /** Open share `sid` (again: the earlier one is replaced); its category and object's tenant. */
  open(sid: string, req: OpenRequest): { cat: Category; tenant: string } | ServiceError {
    this.close(sid);
    const o = this._p.open({ ...req, notification: { mode: "none" } });
    if ("error" in o) return new ServiceError(400, o.error.code, o.error.message);
    this._ids.set(sid, o.statId);
    const p = this._p.partialOf(o.statId);
    const tenant = this._p.dir.obj(req.object.type, req.object.id)?.tenant ?? req.object.tenant ?? "";
    return { cat: (p?.cat ?? "TotalNumber") as Category, tenant };
  }

  close(sid: string): void {
    const id = this._ids.get(sid);
    if (id === undefined) return;
    this._ids.delete(sid);
    this._p.close(id);
  }

  /** The shares aggregation owner `slot` opened here. */
  ownedBy(slot: number): string[] {
    const prefix = `${slot}.`;
    return [...this._ids.keys()].filter((sid) => sid.startsWith(prefix));
  }

  /**
   * The partials of `sids` at `at` (null for a share not held); when the cluster's streams are not
   * all live, each is marked invalid: in a SIP cluster any DN's calls may pass through any node.
   */
  partials(sids: readonly string[], at: number, streamsLive: boolean): (StatPartial | null)[] {
    return sids.map((sid) => {
      const id = this._ids.get(sid);
      if (id === undefined) return null;
      const p = this._p.partialOf(id, at);
      return p && !streamsLive ? { ...p, inv: p.inv + 1 } : p;
    });
  }

  /** The records answering collect `round`: the partials in chunks, the last one flagged. */
  static answer(
    round: number,
    at: number,
    sids: readonly string[],
    parts: readonly (StatPartial | null)[],
  ): BusRecord[] {
    const out: BusRecord[] = [];
    for (let i = 0; i === 0 || i < sids.length; i += _CHUNK) {
      const list: [string, StatPartial | null][] = [];
      for (let j = i; j < Math.min(sids.length, i + _CHUNK); j++) list.push([sids[j]!, parts[j] ?? null]);
      out.push({ k: K.partials, round, at, last: i + _CHUNK >= sids.length, list });
    }
    return out;
  }
}
