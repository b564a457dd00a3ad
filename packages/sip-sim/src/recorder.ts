/**
 * The `--record FILE` writer: one NDJSON line per event ({@link recordLine}), buffered and written
 * synchronously in 1 MiB chunks so the file is exactly the produced order, whatever the speed.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { recordLine } from "./record.ts";
import type { SimEvent } from "./types.ts";

/**
 * An open recording.
 *
 * @example
 * ```ts
 * const rec = new RecordFile("/tmp/day.ndjson");
 * rec.write(ev);
 * rec.close();
 * ```
 */
export class RecordFile {
  /** Events written so far. */
  lines = 0;
  private _fd: number | undefined;
  private _buf: string[] = [];
  private _bytes = 0;

  /** Create (truncate) the file; throws the system error (e.g. ENOENT) at once. */
  constructor(readonly path: string) {
    this._fd = openSync(path, "w", 0o644);
  }

  /** Append one event. */
  write(ev: SimEvent): void {
    const line = `${recordLine(ev)}\n`;
    this._buf.push(line);
    this._bytes += line.length;
    this.lines++;
    if (this._bytes >= 1 << 20) this.flush();
  }

  /** Write what is buffered. */
  flush(): void {
    if (this._fd === undefined || this._buf.length === 0) return;
    const data = Buffer.from(this._buf.join(""), "utf8");
    this._buf = [];
    this._bytes = 0;
    let off = 0;
    while (off < data.length) off += writeSync(this._fd, data, off, data.length - off);
  }

  /** Flush and close (idempotent). */
  close(): void {
    if (this._fd === undefined) return;
    this.flush();
    closeSync(this._fd);
    this._fd = undefined;
  }
}
