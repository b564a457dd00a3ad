/**
 * The Bun TCP transport for {@link SessionLink}: `Bun.connect`, back-pressure through
 * {@link SocketWriter}, and exactly one `close` per attempt (connect failure included).
 *
 * @example
 * ```ts
 * import { bunTransport } from "@statd/sip-client/bun";
 * const link = new SessionLink({ ...opts, transport: bunTransport() });
 * ```
 * @module
 */
import type { Socket } from "bun";
import type { ConnectHandlers, Transport } from "../link.ts";
import { SocketWriter } from "./writer.ts";

interface _Data {
  h: ConnectHandlers;
  w: SocketWriter | undefined;
  closed: boolean;
  reason: string;
}

function _finish(d: _Data, reason: string): void {
  if (d.closed) return;
  d.closed = true;
  d.w?.clear();
  d.h.close(reason);
}

/** A transport over Bun TCP sockets. */
export function bunTransport(): Transport {
  return {
    connect(host: string, port: number, h: ConnectHandlers): void {
      const d: _Data = {
        h,
        w: undefined as unknown as SocketWriter,
        closed: false,
        reason: "closed by peer",
      };
      Bun.connect<_Data>({
        hostname: host,
        port,
        data: d,
        socket: {
          open(s: Socket<_Data>) {
            const w = new SocketWriter(s);
            d.w = w;
            h.open({
              write: (line) => {
                if (!d.closed) w.write(line);
              },
              close: () => {
                d.reason = "closed by client";
                s.terminate();
                _finish(d, d.reason);
              },
            });
          },
          data(_s, chunk) {
            if (!d.closed) h.data(chunk);
          },
          drain() {
            d.w?.drain();
          },
          error(_s, err) {
            d.reason = `socket error: ${err.message}`;
          },
          end(s) {
            d.reason = "closed by peer";
            s.end();
          },
          close(_s, err) {
            _finish(d, err ? `socket error: ${err.message}` : d.reason);
          },
          connectError(_s, err) {
            _finish(d, `connect failed: ${err.message}`);
          },
        },
      }).catch((err: unknown) => {
        _finish(d, `connect failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    },
  };
}
