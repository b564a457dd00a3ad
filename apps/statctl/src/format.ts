/**
 * Text rendering of a bus snapshot for `statctl bus`.
 *
 * @example
 * ```ts
 * process.stdout.write(formatBus("statd-demo", seg.inspect()));
 * ```
 * @module
 */
import type { SegmentSnapshot } from "@statd/shm-bus";

const _pad = (s: string | number, n: number): string => String(s).padEnd(n);
const _bytes = (n: number): string =>
  n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;

/** Members, then one line per ring with its cursors. */
export function formatBus(name: string, s: SegmentSnapshot): string {
  const out: string[] = [];
  out.push(
    `segment ${name}: layout v${s.version}, ${_bytes(s.totalBytes)}, created by pid ${s.creatorPid}, ` +
      `${s.params.maxInstances} slots, rings ${_bytes(s.params.spscBytes)} spsc / ${_bytes(s.params.broadcastBytes)} broadcast, max record ${_bytes(s.params.maxRecord)}`,
  );
  out.push("");
  out.push(
    `${_pad("id", 4)}${_pad("state", 9)}${_pad("pid", 9)}${_pad("gen", 5)}${_pad("heartbeat", 12)}reason`,
  );
  for (const m of s.members) {
    if (m.state === "free") continue;
    const hb = Number.isFinite(m.heartbeatAgeMs) ? `${Math.round(m.heartbeatAgeMs)} ms ago` : "-";
    out.push(
      `${_pad(m.id, 4)}${_pad(m.state, 9)}${_pad(m.pid, 9)}${_pad(m.generation, 5)}${_pad(hb, 12)}${m.reason}`,
    );
  }
  out.push("");
  out.push(
    `${_pad("ring", 14)}${_pad("fill", 16)}${_pad("records", 12)}${_pad("bytes", 12)}${_pad("full", 8)}${_pad("evict", 7)}cursors (sub: lag, records, overruns)`,
  );
  for (const r of s.rings) {
    if (r.records === 0 && r.fillBytes === 0) continue;
    const id = r.kind === "spsc" ? `${r.from} -> ${r.to}` : `${r.from} -> *`;
    const cursors = r.cursors
      .filter((c) => c.active)
      .map((c) => `${c.subscriber}: ${_bytes(c.lagBytes)}, ${c.records}, ${c.overruns}`)
      .join("; ");
    out.push(
      `${_pad(id, 14)}${_pad(`${(r.fillRatio * 100).toFixed(1)} %`, 16)}${_pad(r.records, 12)}${_pad(_bytes(r.bytes), 12)}${_pad(r.full, 8)}${_pad(r.evictions, 7)}${cursors}`,
    );
  }
  return `${out.join("\n")}\n`;
}
