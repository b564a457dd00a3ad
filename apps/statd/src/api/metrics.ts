/**
 * `GET /metrics`: the per-instance counters of {@link StatService.metrics} in the Prometheus text
 * exposition format (version 0.0.4). The numbers are snapshots of counters that every instance
 * keeps itself and reports over the bus, so this is a renderer of those snapshots, not a registry
 * of instruments the process increments (which is what prom-client offers).
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `statd_events_in_total` | counter | instance |
 * | `statd_events_refused_total` | counter | instance, reason |
 * | `statd_actions_total` | counter | instance |
 * | `statd_notifications_out_total` | counter | instance |
 * | `statd_ring_fill_ratio` | gauge (0..1) | instance |
 * | `statd_ring_lag_bytes` | gauge | instance |
 * | `statd_event_loop_lag_seconds` | gauge | instance |
 * | `statd_open_statistics` | gauge | instance |
 * | `statd_stream_connections` | gauge | state (`live`, `detached`) |
 *
 * @example
 * ```ts
 * renderMetrics([{ instance: 0, eventsIn: 5, refused: {}, actions: 9, notificationsOut: 2,
 *   ringFill: 0.1, ringLag: 3, loopLagMs: 1.5, openStatistics: 4 }]);
 * // "# HELP statd_events_in_total ...\n# TYPE statd_events_in_total counter\nstatd_events_in_total{instance=\"0\"} 5\n..."
 * ```
 * @module
 */
import type { InstanceMetrics } from "./service.ts";

/** The content type of the text exposition format. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * A label value escaped for the text format (backslash, double quote and line feed).
 *
 * @example
 * ```ts
 * escapeLabel('a"b'); // 'a\\"b'
 * ```
 */
export function escapeLabel(s: string): string {
  return s.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

/**
 * A sample value as the text format writes it (`NaN`, `+Inf`, `-Inf` for the non-finite ones).
 *
 * @example
 * ```ts
 * formatValue(Infinity); // "+Inf"
 * ```
 */
export function formatValue(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  return String(x);
}

type _Labels = Record<string, string>;

class _Family {
  readonly lines: string[] = [];
  constructor(
    readonly name: string,
    readonly type: "counter" | "gauge",
    readonly help: string,
  ) {}
  add(labels: _Labels, value: number): void {
    const l = Object.entries(labels)
      .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
      .join(",");
    this.lines.push(`${this.name}${l ? `{${l}}` : ""} ${formatValue(value)}`);
  }
  render(): string {
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n${this.lines.map((x) => `${x}\n`).join("")}`;
  }
}

/**
 * The text exposition of every instance's counters (and, when given, the stream connections of
 * the answering instance); see the module doc for the metric names.
 */
export function renderMetrics(
  rows: readonly InstanceMetrics[],
  stream?: { live: number; detached: number },
): string {
  const f = {
    eventsIn: new _Family("statd_events_in_total", "counter", "SIP events received"),
    refused: new _Family("statd_events_refused_total", "counter", "SIP events refused, by reason"),
    actions: new _Family("statd_actions_total", "counter", "actions derived from events"),
    notes: new _Family("statd_notifications_out_total", "counter", "statistic notifications sent"),
    fill: new _Family(
      "statd_ring_fill_ratio",
      "gauge",
      "fill of the bus rings addressed to the instance (0..1)",
    ),
    lag: new _Family(
      "statd_ring_lag_bytes",
      "gauge",
      "bytes published to the instance that it has not read yet",
    ),
    loop: new _Family("statd_event_loop_lag_seconds", "gauge", "event-loop lag of the instance"),
    open: new _Family("statd_open_statistics", "gauge", "statistics open on the instance"),
  };
  for (const r of [...rows].sort((a, b) => a.instance - b.instance)) {
    const instance = { instance: String(r.instance) };
    f.eventsIn.add(instance, r.eventsIn);
    for (const reason of Object.keys(r.refused).sort())
      f.refused.add({ ...instance, reason }, r.refused[reason]!);
    f.actions.add(instance, r.actions);
    f.notes.add(instance, r.notificationsOut);
    f.fill.add(instance, r.ringFill);
    f.lag.add(instance, r.ringLag);
    f.loop.add(instance, r.loopLagMs / 1000);
    f.open.add(instance, r.openStatistics);
  }
  const out = Object.values(f).map((x) => x.render());
  if (stream) {
    const s = new _Family(
      "statd_stream_connections",
      "gauge",
      "WebSocket stream connections of this instance",
    );
    s.add({ state: "live" }, stream.live);
    s.add({ state: "detached" }, stream.detached);
    out.push(s.render());
  }
  return out.join("");
}
