/**
 * A text wallboard over a {@link LocalCluster}: per queue (waiting, oldest wait, entered,
 * answered, abandoned, speed of answer, service level) and per agent group (logged in, ready,
 * talking, not ready), from the default stat types. Used by `statd watch`; the HTML wallboard
 * comes with the daemon.
 *
 * @example
 * ```ts
 * const board = new Board(cluster, config);
 * process.stdout.write(board.text());
 * ```
 * @module
 */
import {
  type EngineConfig,
  type LocalCluster,
  type OpenRequest,
  objectTypeOfDn,
  type StatValue,
} from "@statd/stat-core";

const QUEUE_COLUMNS = [
  ["waiting", "CurrNumberWaitingCalls", {}],
  ["oldest", "CurrMaxWaitTime", {}],
  ["entered", "TotalNumberCallsEntered", {}],
  ["answered", "TotalNumberCallsAnswered", {}],
  ["abandoned", "TotalNumberCallsAbandoned", {}],
  ["asa", "AverageSpeedOfAnswer", {}],
  ["sl20", "ServiceFactor", { timeRange: "SL20", timeRange2: "ShortAbandon" }],
] as const;
const GROUP_COLUMNS = [
  ["loggedIn", "CurrAgentsLoggedIn"],
  ["ready", "CurrentReadyAgents"],
  ["talking", "CurrAgentsTalking"],
  ["notReady", "CurrentNotReadyAgents"],
] as const;

/** One row of the board: an object and its values by column. */
export interface BoardRow {
  type: "Queue" | "GroupAgents";
  id: string;
  values: Record<string, StatValue>;
  valid: boolean;
}

/** The statistics of the board, opened once on the cluster. */
export class Board {
  private readonly _rows: Array<{ type: BoardRow["type"]; id: string; cols: Array<[string, number]> }> = [];

  constructor(
    private readonly cluster: LocalCluster,
    config: EngineConfig,
  ) {
    const open = (r: OpenRequest): number => {
      const o = cluster.open(r);
      if ("error" in o)
        throw new Error(`board: ${r.statType} on ${r.object.type} ${r.object.id}: ${o.error.message}`);
      return o.handle;
    };
    for (const dn of config.directory.dns) {
      if (objectTypeOfDn(dn.type) !== "Queue") continue;
      const object = { type: "Queue" as const, id: dn.id, tenant: dn.tenant };
      this._rows.push({
        type: "Queue",
        id: dn.id,
        cols: QUEUE_COLUMNS.map(([col, statType, extra]) => [col, open({ object, statType, ...extra })]),
      });
    }
    for (const g of config.directory.agentGroups) {
      const object = { type: "GroupAgents" as const, id: g.id, tenant: g.tenant };
      this._rows.push({
        type: "GroupAgents",
        id: g.id,
        cols: GROUP_COLUMNS.map(([col, statType]) => [col, open({ object, statType })]),
      });
    }
  }

  /** Current values of every row. */
  rows(now?: number): BoardRow[] {
    return this._rows.map((r) => {
      let valid = true;
      const values: Record<string, StatValue> = {};
      for (const [col, h] of r.cols) {
        const v = this.cluster.value(h, now);
        values[col] = v.value;
        valid &&= v.valid;
      }
      return { type: r.type, id: r.id, values, valid };
    });
  }

  /** The board as text (one table for queues, one for groups). */
  text(now?: number): string {
    const rows = this.rows(now);
    const fmt = (v: StatValue, digits = 0): string =>
      v === null ? "-" : typeof v === "number" ? v.toFixed(digits) : JSON.stringify(v);
    const line = (cells: string[], widths: number[]): string =>
      cells.map((c, i) => c.padStart(widths[i] ?? 8)).join(" ");
    const out: string[] = [];
    const qw = [8, 8, 8, 8, 9, 10, 8, 7, 6];
    out.push(
      line(
        ["queue", "waiting", "oldest", "entered", "answered", "abandoned", "asa(s)", "sl20%", "valid"],
        qw,
      ),
    );
    for (const r of rows.filter((x) => x.type === "Queue")) {
      const v = r.values;
      out.push(
        line(
          [
            r.id,
            fmt(v.waiting),
            fmt(v.oldest),
            fmt(v.entered),
            fmt(v.answered),
            fmt(v.abandoned),
            fmt(v.asa, 1),
            fmt(v.sl20, 1),
            r.valid ? "yes" : "NO",
          ],
          qw,
        ),
      );
    }
    out.push("");
    const gw = [10, 9, 6, 8, 9, 6];
    out.push(line(["group", "loggedIn", "ready", "talking", "notReady", "valid"], gw));
    for (const r of rows.filter((x) => x.type === "GroupAgents")) {
      const v = r.values;
      out.push(
        line(
          [r.id, fmt(v.loggedIn), fmt(v.ready), fmt(v.talking), fmt(v.notReady), r.valid ? "yes" : "NO"],
          gw,
        ),
      );
    }
    return `${out.join("\n")}\n`;
  }
}
