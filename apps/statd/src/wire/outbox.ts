/**
 * What an instance sends to the others: a record is encoded once and offered to the ring of its
 * destination; when the ring is full it waits in a queue per destination, in order, until there is
 * room (a full ring is back-pressure, never an overwrite). A destination that is not alive gets
 * nothing: its records are dropped and counted, because its restart rebuilds from the nodes'
 * snapshots (docs/architecture.md, "Ownership").
 *
 * @example
 * ```ts
 * const out = new Outbox(bus, (to) => alive[to], logger);
 * out.send(1, { k: K.event, ev });
 * out.flush(); // in the loop: queued records go out as room appears
 * ```
 * @module
 */
import type { Bus } from "@statd/shm-bus";
import { type BusRecord, encodeRecord } from "./records.ts";

/** See the module doc. */
export class Outbox {
  /** records sent, dropped for a slot not alive, and waiting for room */
  readonly counters = { recordsOut: 0, droppedDead: 0, backlog: 0 };
  private readonly _queues = new Map<number, Uint8Array[]>();

  constructor(
    private readonly _bus: Bus,
    private readonly _alive: (to: number) => boolean,
    private readonly _log: { error(o: object, msg?: string): void },
  ) {}

  /** Whether records wait for room. */
  get waiting(): boolean {
    return this._queues.size > 0;
  }

  /** Send `rec` to slot `to`; false when dropped (not alive, or larger than the bus allows). */
  send(to: number, rec: BusRecord): boolean {
    if (!this._alive(to)) {
      this.counters.droppedDead++;
      return false;
    }
    const bytes = encodeRecord(rec);
    if (bytes.length > this._bus.maxRecord) {
      this._log.error({ kind: rec.k, bytes: bytes.length }, "record larger than the bus allows: dropped");
      return false;
    }
    this.counters.recordsOut++;
    const q = this._queues.get(to);
    if (q) {
      q.push(bytes);
      this.counters.backlog++;
    } else if (!this._bus.offer(to, bytes)) {
      this._queues.set(to, [bytes]);
      this.counters.backlog++;
    }
    return true;
  }

  /** Offer what waits, in order, as far as the rings have room; a dead slot's records are dropped. */
  flush(): void {
    for (const [to, q] of this._queues) {
      let n = 0;
      while (n < q.length && this._bus.offer(to, q[n]!)) n++;
      if (n < q.length && !this._alive(to)) {
        this.counters.droppedDead += q.length - n;
        n = q.length;
      }
      this.counters.backlog -= n;
      if (n === q.length) this._queues.delete(to);
      else q.splice(0, n);
    }
  }

  /** Slot `to` died: what waits for it is dropped. */
  forget(to: number): void {
    const q = this._queues.get(to);
    if (!q) return;
    this.counters.droppedDead += q.length;
    this.counters.backlog -= q.length;
    this._queues.delete(to);
  }
}
