/**
 * The checkpoint store port (docs/checkpoints.md): where an instance keeps the checkpoints of
 * its slot. One row per completed epoch, written in one transaction; the newest few are kept.
 * Implementations: `memory.ts` (tests, in-process clusters) and `sqlite.ts` (bun:sqlite, WAL, one
 * file per slot in `[cluster].dataDir`); both pass the contract suite in `store_contract.ts`.
 *
 * @example
 * ```ts
 * store.write({ epoch: 7, slot: 0, slots: 3, fingerprint, takenAt: Date.now(), partition, state, channels });
 * store.latest(); // the row of epoch 7
 * ```
 * @module
 */

/** The layout version of a checkpoint row; a row of another version is refused. */
export const CHECKPOINT_LAYOUT = 1;

/** One checkpoint of one slot at one epoch of the cluster. */
export interface CheckpointRow {
  /** the cluster-wide epoch (increasing; every slot's row of one epoch is one consistent cut) */
  epoch: number;
  slot: number;
  /** the cluster's number of slots when it was taken */
  slots: number;
  /** a digest of the configuration it was taken under (another config: refused) */
  fingerprint: string;
  /** wall clock, epoch ms */
  takenAt: number;
  /** the partition's state (stat-core's snapshotEngine) */
  partition: Uint8Array;
  /** the instance's own state (graph codec) */
  state: Uint8Array;
  /** records that were on the rings at the cut (graph codec) */
  channels: Uint8Array;
}

/** A checkpoint that cannot be used, and why (shown to the operator as one line). */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}

/** The port. Every method may throw {@link CheckpointError}; none throws anything else. */
export interface CheckpointStore {
  /** Write one row in one transaction; older rows beyond the newest `keep` are deleted. */
  write(row: CheckpointRow): void;
  /** The epochs held, oldest first (cheap: no blobs read). */
  epochs(): number[];
  /** The row of `epoch`, checked (layout, checksum); null when there is none. */
  read(epoch: number): CheckpointRow | null;
  /** Bytes the store takes (file and WAL for sqlite). */
  bytes(): number;
  close(): void;
}
