/**
 * The cluster's bus segment as the supervisor sees it: its name (`statd-<cluster>`), its default
 * layout, and the rules for a name that already exists when `statd start` runs:
 *
 * - its creator (a supervisor) runs → refused: the cluster is already running;
 * - its creator is gone but a member process still runs (an instance of a SIGKILLed supervisor
 *   that has not noticed yet, see `watchParent`) → wait up to `reclaimWaitMs` for it to exit,
 *   then refused naming that pid;
 * - creator and every member gone (a SIGKILLed run) → stale: removed with a warning naming the
 *   dead supervisor pid, and created afresh;
 * - not a bus segment of this version (foreign data, another layout version, a half-written
 *   header) → refused, never removed: the message says to remove it by hand.
 *
 * @example
 * ```ts
 * const seg = await openClusterSegment("demo", defaultLayout(2), { logger, reclaimWaitMs: 2000 });
 * const id = segmentIdentity(seg);
 * // ... at stop:
 * seg.close({ unlink: false });
 * unlinkIfSame(seg.name, id); // never removes a segment somebody else created under the name since
 * ```
 * @module
 */

import { Layout, LayoutError, type LayoutParams, Membership, readHeader, SegmentError } from "@statd/shm-bus";
import { isProcessAlive, monotonicMs, ShmError, ShmSegment, unlinkSegment } from "@statd/shm-bus/bun";
import type { Logger } from "@statd/sip-client";

/** Cluster names: what a segment name allows, short enough for the `statd-` prefix. */
export const CLUSTER_NAME_RE = /^[A-Za-z0-9._-]{1,58}$/;

/** Why the supervisor refused to start (`code`) and a one-line message for the user. */
export type SupervisorErrorCode = "BAD_OPTIONS" | "RUNNING" | "FOREIGN_SEGMENT" | "SEGMENT" | "SPAWN";

/**
 * An error `statd start` prints as one line and exits 1 on.
 *
 * @example
 * ```ts
 * try { await Supervisor.start(opts); } catch (e) {
 *   if (e instanceof SupervisorError) { console.error(`statd: ${e.message}`); process.exit(1); }
 *   throw e;
 * }
 * ```
 */
export class SupervisorError extends Error {
  override name = "SupervisorError";
  /** Stable reason. */
  readonly code: SupervisorErrorCode;
  constructor(code: SupervisorErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * The segment name of cluster `cluster` (`statd-<cluster>`); throws a {@link SupervisorError}
 * (`BAD_OPTIONS`) for a name outside {@link CLUSTER_NAME_RE}.
 *
 * @example
 * ```ts
 * clusterSegmentName("demo"); // "statd-demo"
 * ```
 */
export function clusterSegmentName(cluster: string): string {
  if (!CLUSTER_NAME_RE.test(cluster) || cluster === "." || cluster === "..") {
    throw new SupervisorError(
      "BAD_OPTIONS",
      `invalid cluster name ${JSON.stringify(cluster)}: use 1-58 characters of [A-Za-z0-9._-]`,
    );
  }
  return `statd-${cluster}`;
}

/** Largest segment the default layout makes (it shrinks the SPSC rings to stay under it). */
export const DEFAULT_SEGMENT_LIMIT = 256 << 20;

/**
 * The default layout for `instances` instances: SPSC rings of 4 MiB (halved, down to 256 KiB,
 * while the segment would exceed {@link DEFAULT_SEGMENT_LIMIT}: 16 instances have 240 SPSC rings),
 * broadcast rings of 1 MiB, records up to 64 KiB; `overrides` replace any of these.
 *
 * @example
 * ```ts
 * defaultLayout(2).spscBytes;  // 4194304
 * defaultLayout(16).spscBytes; // 524288
 * ```
 */
export function defaultLayout(instances: number, overrides: Partial<LayoutParams> = {}): LayoutParams {
  const p: LayoutParams = {
    maxInstances: instances,
    spscBytes: 4 << 20,
    broadcastBytes: 1 << 20,
    maxRecord: 64 << 10,
    ...overrides,
  };
  if (overrides.spscBytes === undefined) {
    while (p.spscBytes > 256 << 10 && _size(p) > DEFAULT_SEGMENT_LIMIT) p.spscBytes /= 2;
  }
  try {
    new Layout(p);
  } catch (e) {
    if (e instanceof LayoutError) throw new SupervisorError("BAD_OPTIONS", `layout: ${e.message}`);
    throw e;
  }
  return p;
}

function _size(p: LayoutParams): number {
  try {
    return new Layout(p).totalBytes;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** What identifies one creation of a segment (a later segment under the same name differs). */
export interface SegmentIdentity {
  creatorPid: number;
  creatorStart: number;
  createdNs: number;
}

/**
 * The identity of a mapped segment, from its header.
 *
 * @example
 * ```ts
 * segmentIdentity(seg).creatorPid === process.pid; // for the segment this process created
 * ```
 */
export function segmentIdentity(seg: ShmSegment): SegmentIdentity {
  const h = readHeader(seg.memory.buffer);
  return { creatorPid: h.creatorPid, creatorStart: h.creatorStart, createdNs: h.createdNs };
}

/**
 * Removes segment `name` only if it is still the one identified by `id`, not one created under
 * the same name by somebody else after ours was removed by hand. Says what it found: `removed`
 * (it was ours), `absent` (the name is gone already), `other` (another segment or object: kept).
 *
 * @example
 * ```ts
 * unlinkIfSame("statd-demo", id); // "removed"
 * ```
 */
export function unlinkIfSame(name: string, id: SegmentIdentity): "removed" | "absent" | "other" {
  let seg: ShmSegment;
  try {
    seg = ShmSegment.attach(name, { readOnly: true, waitMs: 0 });
  } catch (e) {
    return e instanceof ShmError && e.code === "ENOENT" ? "absent" : "other";
  }
  let same: boolean;
  try {
    const h = readHeader(seg.memory.buffer);
    same =
      h.creatorPid === id.creatorPid && h.creatorStart === id.creatorStart && h.createdNs === id.createdNs;
  } finally {
    seg.close();
  }
  if (!same) return "other";
  return unlinkSegment(name) ? "removed" : "absent";
}

/** Options of {@link openClusterSegment}. */
export interface OpenClusterOptions {
  logger: Logger;
  /** How long to wait for the orphaned instances of a dead supervisor to exit (default 2000 ms). */
  reclaimWaitMs?: number;
}

type _Probe =
  | { kind: "gone" }
  | { kind: "foreign"; reason: string }
  | { kind: "in-use"; id: SegmentIdentity; creatorAlive: boolean; memberPid: number; memberSlot: number }
  | { kind: "stale"; id: SegmentIdentity };

function _probe(name: string): _Probe {
  let seg: ShmSegment;
  try {
    seg = ShmSegment.attach(name, { readOnly: true, waitMs: 1000 });
  } catch (e) {
    if (e instanceof ShmError && e.code === "ENOENT") return { kind: "gone" };
    if (e instanceof SegmentError) return { kind: "foreign", reason: `${e.code}: ${e.message}` };
    if (e instanceof ShmError) return { kind: "foreign", reason: e.message };
    throw e;
  }
  try {
    const id = segmentIdentity(seg);
    const creatorAlive = isProcessAlive(id.creatorPid, id.creatorStart);
    // Heartbeat age does not matter here: a stopped (SIGSTOP) member is still a live process.
    const members = new Membership(seg.segment, {
      now: monotonicMs,
      liveness: isProcessAlive,
      staleMs: Number.POSITIVE_INFINITY,
    }).list();
    const live = members.find((m) => m.state === "alive" || m.state === "joining");
    if (creatorAlive || live) {
      return { kind: "in-use", id, creatorAlive, memberPid: live?.pid ?? 0, memberSlot: live?.id ?? -1 };
    }
    return { kind: "stale", id };
  } finally {
    seg.close();
  }
}

/**
 * Creates the segment of `cluster`, or reclaims a stale one (see the module comment); throws a
 * {@link SupervisorError} with a one-line message otherwise.
 *
 * @example
 * ```ts
 * const seg = await openClusterSegment("demo", defaultLayout(2), { logger });
 * ```
 */
export async function openClusterSegment(
  cluster: string,
  params: LayoutParams,
  options: OpenClusterOptions,
): Promise<ShmSegment> {
  const name = clusterSegmentName(cluster);
  const deadline = performance.now() + (options.reclaimWaitMs ?? 2000);
  let waited = false;
  for (let attempt = 0; ; attempt++) {
    try {
      return ShmSegment.create(name, params);
    } catch (e) {
      if (!(e instanceof ShmError && e.code === "EEXIST")) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new SupervisorError("SEGMENT", `cluster "${cluster}": cannot create its segment: ${msg}`);
      }
    }
    const p = _probe(name);
    if (p.kind === "gone") {
      if (attempt < 10) continue; // removed between our create and our look: try again
      throw new SupervisorError(
        "SEGMENT",
        `cluster "${cluster}": segment "${name}" keeps appearing and vanishing`,
      );
    }
    if (p.kind === "foreign") {
      throw new SupervisorError(
        "FOREIGN_SEGMENT",
        `cluster "${cluster}": /dev/shm/${name} exists but is not a statd bus segment of this version (${p.reason}); not removing it: delete it by hand if nothing uses it`,
      );
    }
    if (p.kind === "in-use") {
      if (p.creatorAlive) {
        throw new SupervisorError(
          "RUNNING",
          `cluster "${cluster}" is already running (supervisor pid ${p.id.creatorPid}); stop it first`,
        );
      }
      if (performance.now() < deadline) {
        if (!waited) {
          waited = true;
          options.logger.info(
            { segment: name, pid: p.memberPid, deadPid: p.id.creatorPid },
            `segment ${name}: supervisor pid ${p.id.creatorPid} is gone but its instance pid ${p.memberPid} still runs; waiting for it to exit`,
          );
        }
        await Bun.sleep(50); // an orphaned instance notices its supervisor is gone and exits
        continue;
      }
      throw new SupervisorError(
        "RUNNING",
        `cluster "${cluster}" is still in use by pid ${p.memberPid} (instance ${p.memberSlot}; its supervisor pid ${p.id.creatorPid} is gone); stop it first`,
      );
    }
    options.logger.warn(
      { segment: name, deadPid: p.id.creatorPid },
      `segment ${name} was left behind by supervisor pid ${p.id.creatorPid}, which is gone (and no instance of it runs): reclaiming it`,
    );
    unlinkIfSame(name, p.id);
  }
}
