/**
 * Back-pressure for Bun TCP sockets: `socket.write` may take only part of the bytes; the rest is
 * queued here and flushed on `drain`. Used by the client transport and the simulator's servers.
 *
 * @example
 * ```ts
 * const w = new SocketWriter(socket);
 * w.write('{"op":"ping"}\n');
 * // in the socket's drain handler:
 * w.drain();
 * ```
 * @module
 */

/** The part of a Bun socket the writer needs. */
export interface WritableSocket {
  write(data: string | Uint8Array): number;
}

const _enc = new TextEncoder();

/** Queue of bytes the socket did not take yet; see the module doc. */
export class SocketWriter {
  private _queue: Uint8Array[] = [];
  private _queued = 0;
  /** bytes handed to the socket (written or queued) */
  bytesOut = 0;

  constructor(private readonly socket: WritableSocket) {}

  /** Bytes waiting for `drain`. */
  get queued(): number {
    return this._queued;
  }

  /** Write (or queue) a string or bytes. Returns the bytes still queued afterwards. */
  write(data: string | Uint8Array): number {
    if (this._queued > 0) {
      const b = typeof data === "string" ? _enc.encode(data) : data.slice();
      this._queue.push(b);
      this._queued += b.length;
      this.bytesOut += b.length;
      return this._queued;
    }
    if (typeof data === "string") {
      const n = this.socket.write(data);
      const len = Buffer.byteLength(data, "utf8");
      this.bytesOut += len;
      if (n >= len) return 0;
      const rest = _enc.encode(data).slice(Math.max(0, n));
      this._queue.push(rest);
      this._queued += rest.length;
      return this._queued;
    }
    const n = this.socket.write(data);
    this.bytesOut += data.length;
    if (n >= data.length) return 0;
    const rest = data.slice(Math.max(0, n));
    this._queue.push(rest);
    this._queued += rest.length;
    return this._queued;
  }

  /** Call from the socket's `drain` handler. Returns true when everything went out. */
  drain(): boolean {
    while (this._queue.length > 0) {
      const b = this._queue[0]!;
      const n = this.socket.write(b);
      if (n >= b.length) {
        this._queue.shift();
        this._queued -= b.length;
        continue;
      }
      if (n > 0) {
        this._queue[0] = b.subarray(n);
        this._queued -= n;
      }
      return false;
    }
    return true;
  }

  /** Forget queued bytes (the socket is gone). */
  clear(): void {
    this._queue = [];
    this._queued = 0;
  }
}
