/**
 * Read-only inspection of a segment: member states and, per ring, fill, lag, counters and
 * overruns, read straight from shared memory (the way AeronStat reads Aeron's CnC file). Used by
 * `statctl bus`, which attaches without joining. It only loads; it never writes.
 *
 * @example
 * ```ts
 * const snap = inspectSegment(seg, { now: () => performance.now(), liveness: () => true });
 * for (const r of snap.rings) console.log(r.kind, r.from, r.to, r.fillRatio);
 * ```
 * @module
 */
import { C, CC, LINE, PC } from "./layout.ts";
import { type Liveness, type MemberInfo, Membership } from "./membership.ts";
import { readHeader, type Segment } from "./segment.ts";

/** One reader cursor of a ring. */
export interface CursorSnapshot {
  /** Subscriber instance id. */
  subscriber: number;
  /** Broadcast: the cursor is active (SPSC cursors always are). */
  active: boolean;
  /** Published bytes this subscriber has not read. */
  lagBytes: number;
  /** Records delivered to this subscriber (published lazily by it). */
  records: number;
  /** Overruns detected by it (eviction, corrupt or lapped records). */
  overruns: number;
  /** Times the publisher evicted this cursor. */
  evicted: number;
}

/** One ring. */
export interface RingSnapshot {
  kind: "spsc" | "broadcast";
  from: number;
  /** Subscriber (SPSC) or -1 (broadcast). */
  to: number;
  capacity: number;
  /** Bytes held back by the slowest active cursor. */
  fillBytes: number;
  /** fillBytes / capacity. */
  fillRatio: number;
  /** Records published (as of the last publication). */
  records: number;
  bytes: number;
  /** Offers refused because the ring was full (back-pressure). */
  full: number;
  evictions: number;
  wakes: number;
  cursors: CursorSnapshot[];
}

/** Everything `statctl bus` shows. */
export interface SegmentSnapshot {
  version: number;
  totalBytes: number;
  creatorPid: number;
  params: Segment["layout"]["params"];
  members: MemberInfo[];
  rings: RingSnapshot[];
}

/**
 * Reads a snapshot of `seg` (loads only).
 *
 * @example
 * ```ts
 * inspectSegment(seg, { now, liveness }).members.map((m) => m.state);
 * ```
 */
export function inspectSegment(
  seg: Segment,
  options: { now: () => number; liveness: Liveness },
): SegmentSnapshot {
  const h = readHeader(seg.buffer);
  const { i32, f64 } = seg.view;
  const members = new Membership(seg, options).list();
  const rings: RingSnapshot[] = [];
  for (const g of seg.layout.rings) {
    const tail = Atomics.load(i32, g.tailOff >> 2);
    const pc = g.countersOff >> 3;
    const cursors: CursorSnapshot[] = [];
    let fill = 0;
    for (let k = 0; k < g.cursors; k++) {
      const sub = g.kind === "spsc" ? g.to : k;
      if (g.kind === "broadcast" && k === g.from) continue;
      const line = (g.cursorOff + k * LINE) >> 2;
      const active = g.kind === "spsc" || Atomics.load(i32, line + (C.active >> 2)) !== 0;
      const lag = (tail - Atomics.load(i32, line + (C.head >> 2))) | 0;
      if (active) fill = Math.max(fill, lag);
      const cc = (g.countersOff + (1 + k) * LINE) >> 3;
      cursors.push({
        subscriber: sub,
        active,
        lagBytes: lag,
        records: f64[cc + CC.records],
        overruns: f64[cc + CC.overruns],
        evicted: f64[cc + CC.evicted],
      });
    }
    rings.push({
      kind: g.kind,
      from: g.from,
      to: g.to,
      capacity: g.capacity,
      fillBytes: fill,
      fillRatio: fill / g.capacity,
      records: f64[pc + PC.records],
      bytes: f64[pc + PC.bytes],
      full: f64[pc + PC.full],
      evictions: f64[pc + PC.evictions],
      wakes: f64[pc + PC.wakes],
      cursors,
    });
  }
  return {
    version: h.version,
    totalBytes: h.totalBytes,
    creatorPid: h.creatorPid,
    params: seg.layout.params,
    members,
    rings,
  };
}
