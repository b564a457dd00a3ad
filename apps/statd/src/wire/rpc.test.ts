import { describe, expect, test } from "bun:test";
import { ServiceError } from "../api/service.ts";
import { type BusRecord, decodeRecord, encodeRecord, K } from "./records.ts";
import { Rpc } from "./rpc.ts";

// two Rpc endpoints wired through encoded records (as over the bus)
function pair(drop = false) {
  const q: [number, number, Uint8Array][] = [];
  const mk = (self: number) =>
    new Rpc(
      (to, rec) => {
        if (drop) return true;
        q.push([self, to, encodeRecord(rec)]);
        queueMicrotask(pump);
        return true;
      },
      { timeoutMs: 200 },
    );
  const eps = [mk(0), mk(1)];
  function pump(): void {
    for (let m = q.shift(); m; m = q.shift()) {
      const [from, to, b] = m;
      const r = decodeRecord(b, 0, b.length) as BusRecord;
      if (r.k === K.req) void eps[to]!.onRequest(r, from);
      else if (r.k === K.res) eps[to]!.onReply(r);
    }
  }
  return eps;
}

describe("Rpc", () => {
  test("a call gets its reply; a handler's ServiceError travels with its status", async () => {
    const [a, b] = pair();
    b!.handle("add", (args) => (args as { x: number }).x + 1);
    b!.handle("fail", () => {
      throw new ServiceError(404, "unknown-statistic", "no such statistic");
    });
    expect(await a!.call<number>(1, "add", { x: 41 })).toBe(42);
    const e = await a!.call(1, "fail", {}).catch((x) => x);
    expect(e).toBeInstanceOf(ServiceError);
    expect((e as ServiceError).status).toBe(404);
    const u = await a!.call(1, "nope", {}).catch((x) => x);
    expect((u as ServiceError).status).toBe(400);
    expect(a!.pending).toBe(0);
  });

  test("no reply: 503 after the deadline, nothing left pending", async () => {
    const [a] = pair(true);
    const e = await a!.call(1, "add", {}, 50).catch((x) => x);
    expect((e as ServiceError).status).toBe(503);
    expect(a!.pending).toBe(0);
  });
});
