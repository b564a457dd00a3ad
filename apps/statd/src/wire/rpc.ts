/**
 * Requests between instances over the bus: the façade forwards an API call to the aggregation
 * owner of a statistic, or asks every instance for its status. A request carries an id; its
 * reply carries the same id; a reply that does not come within the deadline (the other instance
 * died or stalls) rejects with a 503 {@link ServiceError}, so an API client gets an answer, not a
 * hang.
 *
 * @example
 * ```ts
 * import { Rpc } from "./rpc.ts";
 * const rpc = new Rpc((to, rec) => send(to, rec), { timeoutMs: 2000 });
 * rpc.handle("peek", async (args) => owner.peek(args));
 * const v = await rpc.call(2, "peek", { sid });   // resolved by rpc.onReply(...) on the bus
 * ```
 * @module
 */
import { ServiceError } from "../api/service.ts";
import { type BusRecord, K } from "./records.ts";

type Handler = (args: unknown, from: number) => unknown;

/** See the module doc. */
export class Rpc {
  private _next = 1;
  private readonly _pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }
  >();
  private readonly _handlers = new Map<string, Handler>();
  private readonly _timeoutMs: number;

  constructor(
    private readonly _send: (to: number, rec: BusRecord) => boolean,
    opts: { timeoutMs?: number } = {},
  ) {
    this._timeoutMs = opts.timeoutMs ?? 3000;
  }

  /** Requests still waiting for their reply. */
  get pending(): number {
    return this._pending.size;
  }

  /** Serve `method` for other instances. */
  handle(method: string, h: Handler): void {
    this._handlers.set(method, h);
  }

  /** Call `method` on instance `to`. */
  call<T>(to: number, method: string, args: unknown, timeoutMs = this._timeoutMs): Promise<T> {
    const id = this._next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pending.delete(id);
        reject(
          new ServiceError(503, "unavailable", `instance ${to} did not answer ${method} in ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this._pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      if (!this._send(to, { k: K.req, id, method, args })) {
        clearTimeout(timer);
        this._pending.delete(id);
        reject(new ServiceError(503, "unavailable", `instance ${to} is not reachable`));
      }
    });
  }

  /** A request arrived from `from`: run its handler and send the reply. */
  async onRequest(rec: Extract<BusRecord, { k: 8 }>, from: number): Promise<void> {
    const h = this._handlers.get(rec.method);
    try {
      if (!h) throw new ServiceError(400, "bad-request", `unknown method ${rec.method}`);
      const value = await h(rec.args, from);
      this._send(from, { k: K.res, id: rec.id, ok: true, value });
    } catch (e) {
      const err =
        e instanceof ServiceError
          ? { status: e.status, code: e.code, message: e.message }
          : { status: 500, code: "internal", message: (e as Error).message };
      this._send(from, { k: K.res, id: rec.id, ok: false, error: err });
    }
  }

  /** A reply arrived. */
  onReply(rec: Extract<BusRecord, { k: 9 }>): void {
    const p = this._pending.get(rec.id);
    if (!p) return; // too late: the caller already had its 503
    this._pending.delete(rec.id);
    clearTimeout(p.timer);
    if (rec.ok) p.resolve(rec.value);
    else {
      const e = rec.error ?? { status: 500, code: "internal", message: "no error" };
      p.reject(new ServiceError(e.status, e.code, e.message));
    }
  }

  /** Reject every pending call (shutdown). */
  close(): void {
    for (const [id, p] of this._pending) {
      clearTimeout(p.timer);
      p.reject(new ServiceError(503, "unavailable", "instance stopping"));
      this._pending.delete(id);
    }
  }
}
