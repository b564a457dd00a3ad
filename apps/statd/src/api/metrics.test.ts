import { describe, expect, test } from "bun:test";
import { escapeLabel, formatValue, renderMetrics } from "./metrics.ts";
import type { InstanceMetrics } from "./service.ts";

const row = (instance: number, over: Partial<InstanceMetrics> = {}): InstanceMetrics => ({
  instance,
  eventsIn: 10 * (instance + 1),
  refused: {},
  actions: 7,
  notificationsOut: 3,
  ringFill: 0.25,
  ringLag: 12,
  loopLagMs: 2.5,
  openStatistics: 4,
  ...over,
});

/** Every line of the text format: a comment, or `name{labels} value`. */
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\\n])*",?)*\})? (\S+)$/;

function samples(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`bad line: ${line}`);
    out.set(line.slice(0, line.lastIndexOf(" ")), line.slice(line.lastIndexOf(" ") + 1));
  }
  return out;
}

describe("renderMetrics", () => {
  test("one sample per instance and metric, in the text format", () => {
    const text = renderMetrics([row(1), row(0, { refused: { "unknown-event": 2, malformed: 1 } })], {
      live: 3,
      detached: 1,
    });
    expect(text.endsWith("\n")).toBe(true);
    const s = samples(text);
    expect(s.get('statd_events_in_total{instance="0"}')).toBe("10");
    expect(s.get('statd_events_in_total{instance="1"}')).toBe("20");
    expect(s.get('statd_events_refused_total{instance="0",reason="malformed"}')).toBe("1");
    expect(s.get('statd_events_refused_total{instance="0",reason="unknown-event"}')).toBe("2");
    expect(s.get('statd_actions_total{instance="1"}')).toBe("7");
    expect(s.get('statd_notifications_out_total{instance="0"}')).toBe("3");
    expect(s.get('statd_ring_fill_ratio{instance="0"}')).toBe("0.25");
    expect(s.get('statd_ring_lag_bytes{instance="0"}')).toBe("12");
    expect(s.get('statd_event_loop_lag_seconds{instance="0"}')).toBe("0.0025");
    expect(s.get('statd_open_statistics{instance="1"}')).toBe("4");
    expect(s.get('statd_stream_connections{state="live"}')).toBe("3");
    expect(s.get('statd_stream_connections{state="detached"}')).toBe("1");
    // instances sorted: instance 0 first
    expect(text.indexOf('instance="0"')).toBeLessThan(text.indexOf('instance="1"'));
    // every family has HELP and TYPE once
    for (const name of ["statd_events_in_total", "statd_ring_fill_ratio"]) {
      expect(text.split(`# TYPE ${name} `).length).toBe(2);
    }
    expect(text).toContain("# TYPE statd_events_in_total counter\n");
    expect(text).toContain("# TYPE statd_ring_fill_ratio gauge\n");
  });

  test("hostile label values are escaped and stay on one line", () => {
    const text = renderMetrics([row(0, { refused: { 'a"b\\c\nd': 1 } })]);
    expect(text).toContain('reason="a\\"b\\\\c\\nd"} 1\n');
    expect(() => samples(text)).not.toThrow();
  });

  test("no instances: HELP and TYPE lines only", () => {
    expect(samples(renderMetrics([])).size).toBe(0);
  });

  test("escapeLabel and formatValue", () => {
    expect(escapeLabel("plain")).toBe("plain");
    expect(formatValue(NaN)).toBe("NaN");
    expect(formatValue(-Infinity)).toBe("-Inf");
    expect(formatValue(1.5)).toBe("1.5");
  });
});
