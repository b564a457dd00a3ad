import { describe, expect, test } from "bun:test";
import { loadStatdConfig } from "@statd/config";
import type { NotificationOut } from "./service.ts";
import { LocalStatService, queued, T0, TWO_TENANT_TOML } from "./testing.ts";

const config = loadStatdConfig(TWO_TENANT_TOML);
const WAITING = { object: { type: "Queue" as const, id: "8001" }, statType: "CurrNumberWaitingCalls" };

describe("LocalStatService", () => {
  test("notifications follow the engine's values; suspend holds them; listeners get them too", async () => {
    const svc = new LocalStatService({ config, startMs: T0, instances: 2 });
    const got: NotificationOut[] = [];
    const heard: NotificationOut[] = [];
    const st = await svc.open(WAITING, (n) => got.push(n));
    expect(st).toEqual({ id: "s1", value: 0, valid: true, at: T0, tenant: "acme" });
    const un = svc.listen(st.id, (n) => heard.push(n));
    svc.ingest(queued("8001", "c1", T0 + 1000));
    svc.tick(T0 + 1000);
    svc.tick(T0 + 1500); // nothing changed: nothing sent
    expect(got).toEqual([{ value: 1, valid: true, at: T0 + 1000, reason: "change" }]);
    expect(heard).toEqual(got);
    un();
    await svc.suspend(st.id);
    svc.ingest(queued("8001", "c2", T0 + 2000));
    svc.tick(T0 + 2000);
    expect(got.length).toBe(1);
    await svc.resume(st.id);
    svc.tick(T0 + 3000);
    expect(got.at(-1)).toMatchObject({ value: 2 });
    expect(heard.length).toBe(1);
    expect((await svc.peek(st.id)).value).toBe(2);
    await svc.close(st.id);
    await expect(svc.peek(st.id)).rejects.toMatchObject({ status: 404, code: "unknown-statistic" });
  });

  test("directory, tenants and errors", async () => {
    const svc = new LocalStatService({ config, startMs: T0 });
    expect(svc.tenantOf({ type: "Queue", id: "9001" })).toBe("globex");
    expect(svc.tenantOf({ type: "Queue", id: "7001" })).toBeNull(); // 7001 is a RegDN
    expect((await svc.objects({ type: "GroupAgents" })).map((o) => o.id)).toEqual(["g1"]);
    await expect(svc.open({ ...WAITING, statType: "Nope" }, null)).rejects.toMatchObject({ status: 400 });
    await expect(svc.open({ ...WAITING, object: { type: "Queue", id: "x" } }, null)).rejects.toMatchObject({
      status: 404,
    });
    expect((await svc.metrics())[0]).toMatchObject({ instance: 0, openStatistics: 0 });
  });
});
