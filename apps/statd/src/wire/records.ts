/**
 * Compact records on the bus: every message one instance sends another. A record is one kind
 * byte followed by a MessagePack body (msgpackr): an event decoded and validated once at the
 * instance holding its SIP session crosses the bus in this form and is never parsed as JSON
 * again (docs/architecture.md, "Records on the bus").
 *
 * @example
 * ```ts
 * import { decodeRecord, encodeRecord, K } from "./records.ts";
 * const bytes = encodeRecord({ k: K.event, ev: { event: "EventAgentReady", time: 1.7e9, thisDN: "7001" } });
 * decodeRecord(bytes, 0, bytes.length); // { k: 1, ev: {...} }
 * ```
 * @module
 */
import type { CrossMessage, OpenRequest, StatPartial, TEvent } from "@statd/stat-core";
import { Packr } from "msgpackr";
import type { NotificationOut } from "../api/service.ts";

/** Record kinds (the first byte). */
export const K = {
  /** a validated SIP event for the owner of its DN (or every instance) */
  event: 1,
  /** an engine cross-partition message for the owner of its key */
  xmsg: 2,
  /** a SIP stream changed state: down, up, or reset (drop what it built) */
  source: 3,
  /** the aggregation owner opens a statistic on every contributor */
  open: 4,
  /** ... and closes it */
  close: 5,
  /** the aggregation owner asks for partials at one instant */
  collect: 6,
  /** a contributor's partials for one collect round (possibly in several chunks) */
  partials: 7,
  /** a request to another instance (API forwarding, status) */
  req: 8,
  /** its reply */
  res: 9,
  /** a notification of a statistic, from its aggregation owner to the façade holding the client */
  notify: 10,
  /** a stream's progress: every later event of it has a time at or after `t` */
  watermark: 11,
} as const;

/** What a SIP stream reports, in order with its events. */
export type SourceOp = "down" | "up" | "reset";

/** One bus record, decoded. */
export type BusRecord =
  | { k: typeof K.event; ev: TEvent }
  | { k: typeof K.xmsg; m: CrossMessage }
  | { k: typeof K.source; key: string; op: SourceOp; t: number }
  | { k: typeof K.open; sid: string; req: OpenRequest }
  | { k: typeof K.close; sid: string }
  | { k: typeof K.collect; round: number; at: number }
  | {
      k: typeof K.partials;
      round: number;
      at: number;
      last: boolean;
      list: [sid: string, partial: StatPartial | null][];
    }
  | { k: typeof K.req; id: number; method: string; args: unknown }
  | {
      k: typeof K.res;
      id: number;
      ok: boolean;
      value?: unknown;
      error?: { status: number; code: string; message: string };
    }
  | { k: typeof K.notify; sid: string; n: NotificationOut }
  | { k: typeof K.watermark; key: string; t: number };

const _packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });

/** A record that does not decode (a bug or a foreign writer); counted, never thrown further. */
export class RecordError extends Error {
  override name = "RecordError";
}

/** Encode a record (kind byte + MessagePack body). */
export function encodeRecord(r: BusRecord): Uint8Array {
  const body = _packr.pack(r);
  const out = new Uint8Array(body.length + 1);
  out[0] = r.k;
  out.set(body, 1);
  return out;
}

/** Decode a record from `u8[off, off+len)`; throws {@link RecordError} on garbage. */
export function decodeRecord(u8: Uint8Array, off: number, len: number): BusRecord {
  if (len < 2) throw new RecordError(`record of ${len} byte(s)`);
  const k = u8[off]!;
  let r: unknown;
  try {
    r = _packr.unpack(u8.subarray(off + 1, off + len));
  } catch (e) {
    throw new RecordError(`undecodable record of kind ${k}: ${(e as Error).message}`);
  }
  if (r === null || typeof r !== "object" || (r as { k?: unknown }).k !== k)
    throw new RecordError(`record of kind ${k} with a body of another kind`);
  return r as BusRecord;
}
