/**
 * NDJSON framing (docs/protocol.md "Framing"): an incremental line splitter over byte chunks with
 * strict UTF-8 decoding and a hard line limit, and the encode helpers both sides use.
 *
 * A line longer than the limit is refused *without buffering it whole*: once the pending bytes
 * pass the limit they are dropped and the splitter discards until the next `\n`, then reports one
 * `line-too-long` with the total size. Memory per connection stays bounded by the limit.
 *
 * @example
 * ```ts
 * const sp = new LineSplitter({ line: (t) => console.log(t), bad: (why, n) => console.warn(why, n) });
 * sp.push(new TextEncoder().encode('{"op":"ping"}\n{"op":'));
 * sp.push(new TextEncoder().encode('"pong"}\n'));
 * ```
 * @module
 */
import { MAX_LINE_BYTES } from "./protocol.ts";

/** Why the splitter refused a line. */
export type FrameError = "line-too-long" | "invalid-utf8";

/** Where the splitter delivers its output. */
export interface LineSink {
  /** a complete line (without `\n` and a trailing `\r`); `bytes` is its size on the wire */
  line(text: string, bytes: number): void;
  /** a refused line; `bytes` is its size on the wire (without `\n`) */
  bad(reason: FrameError, bytes: number): void;
}

/** Incremental NDJSON splitter; see the module doc. */
export class LineSplitter {
  private _parts: Uint8Array[] = [];
  private _partLen = 0;
  private _discarding = false;
  private _discarded = 0;
  private readonly _decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

  /**
   * @param sink receives lines and refusals
   * @param maxBytes the longest accepted line, excluding its `\n` (default 64 KiB)
   */
  constructor(
    private readonly sink: LineSink,
    readonly maxBytes: number = MAX_LINE_BYTES,
  ) {}

  /** Bytes held for an incomplete line (never more than `maxBytes`). */
  get pendingBytes(): number {
    return this._partLen;
  }

  /** True while discarding the rest of an over-long line. */
  get discarding(): boolean {
    return this._discarding;
  }

  /** Feed the next chunk of bytes. The chunk is not retained (a partial line is copied). */
  push(chunk: Uint8Array): void {
    const max = this.maxBytes;
    const len = chunk.length;
    let start = 0;
    if (this._partLen === 0 && !this._discarding) start = this._fastBlock(chunk);
    while (start < len) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) {
        const rest = len - start;
        if (this._discarding) {
          this._discarded += rest;
        } else if (this._partLen + rest > max) {
          this._discarding = true;
          this._discarded = this._partLen + rest;
          this._parts = [];
          this._partLen = 0;
        } else {
          this._parts.push(chunk.slice(start));
          this._partLen += rest;
        }
        return;
      }
      const seg = nl - start;
      if (this._discarding) {
        const total = this._discarded + seg;
        this._discarding = false;
        this._discarded = 0;
        this.sink.bad("line-too-long", total);
      } else if (this._partLen + seg > max) {
        const total = this._partLen + seg;
        this._parts = [];
        this._partLen = 0;
        this.sink.bad("line-too-long", total);
      } else if (this._partLen === 0) {
        this._emit(chunk.subarray(start, nl));
      } else {
        const buf = new Uint8Array(this._partLen + seg);
        let off = 0;
        for (const p of this._parts) {
          buf.set(p, off);
          off += p.length;
        }
        buf.set(chunk.subarray(start, nl), off);
        this._parts = [];
        this._partLen = 0;
        this._emit(buf);
      }
      start = nl + 1;
    }
  }

  /**
   * The connection closed: drop an unterminated tail. Returns its size in bytes (0 if none), so
   * the caller can count a truncated frame.
   */
  end(): number {
    const n = this._discarding ? this._discarded : this._partLen;
    this._parts = [];
    this._partLen = 0;
    this._discarding = false;
    this._discarded = 0;
    return n;
  }

  /**
   * Fast path: decode every complete line of the chunk with one decoder call and split the string.
   * Taken only when the block is pure ASCII (string length equals byte length, so line sizes are
   * exact); otherwise returns 0 and the per-line path handles the chunk. Returns where it stopped.
   */
  private _fastBlock(chunk: Uint8Array): number {
    const last = chunk.lastIndexOf(10);
    if (last <= 0) return 0;
    let text: string;
    try {
      text = this._decoder.decode(chunk.subarray(0, last));
    } catch {
      return 0;
    }
    if (text.length !== last) return 0;
    const max = this.maxBytes;
    const sink = this.sink;
    let s = 0;
    while (s <= last) {
      let e = text.indexOf("\n", s);
      if (e === -1) e = last;
      const n = e - s;
      if (n > max) sink.bad("line-too-long", n);
      else if (n > 0) {
        const cr = text.charCodeAt(e - 1) === 13;
        if (!cr) sink.line(text.slice(s, e), n);
        else if (n > 1) sink.line(text.slice(s, e - 1), n);
      }
      s = e + 1;
    }
    return last + 1;
  }

  private _emit(bytes: Uint8Array): void {
    let n = bytes.length;
    const size = n;
    if (n > 0 && bytes[n - 1] === 13) n--;
    if (n === 0) return; // blank lines are ignored
    let text: string;
    try {
      text = this._decoder.decode(n === bytes.length ? bytes : bytes.subarray(0, n));
    } catch {
      this.sink.bad("invalid-utf8", size);
      return;
    }
    this.sink.line(text, size);
  }
}

/** One message as a protocol line (JSON plus `\n`). @example `encodeLine({ op: "ping" }) // '{"op":"ping"}\n'` */
export function encodeLine(msg: object): string {
  return `${JSON.stringify(msg)}\n`;
}

/**
 * An event line with `seq` first, from a body `{ event, time, ...attributes }` (the body must not
 * carry its own `seq`).
 *
 * @example
 * ```ts
 * encodeEventLine(7, { event: "EventOnHook", time: 1, thisDN: "1001" });
 * // '{"seq":7,"event":"EventOnHook","time":1,"thisDN":"1001"}\n'
 * ```
 */
export function encodeEventLine(seq: number, body: object): string {
  const json = JSON.stringify(body);
  return json.length > 2 ? `{"seq":${seq},${json.slice(1)}\n` : `{"seq":${seq}}\n`;
}

const _encoder = new TextEncoder();
/** UTF-8 bytes of a string. @example `utf8("é").length // 2` */
export function utf8(s: string): Uint8Array<ArrayBuffer> {
  return _encoder.encode(s) as Uint8Array<ArrayBuffer>;
}
