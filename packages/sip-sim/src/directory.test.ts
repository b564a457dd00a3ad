import { describe, expect, test } from "bun:test";
import { parse } from "smol-toml";
import {
  agentDnOf,
  agentIdOf,
  defaultSkillOf,
  directoryToml,
  ownerNodeOf,
  placeOf,
  queueDnOf,
} from "./directory.ts";

describe("directory naming", () => {
  test("agents, DNs, places, queues", () => {
    expect(agentIdOf(1, 20)).toBe("agent001");
    expect(agentIdOf(999, 999)).toBe("agent999");
    expect(agentIdOf(7, 1500)).toBe("agent0007");
    expect(agentDnOf(1, 20)).toBe("7001");
    expect(agentDnOf(999, 999)).toBe("7999");
    expect(agentDnOf(7, 1500)).toBe("70007");
    expect(agentDnOf(1500, 1500)).toBe("71500");
    expect(placeOf(agentDnOf(3, 5))).toBe("place7003");
    expect(queueDnOf(3)).toBe("8003");
    expect([1, 2, 3, 4, 5].map((k) => defaultSkillOf(k, 2))).toEqual([1, 2, 1, 2, 1]);
    expect([1, 2, 3, 4].map((k) => ownerNodeOf(k, 3))).toEqual([0, 1, 2, 0]);
  });

  test("DNs stay unique when agents > 999", () => {
    const dns = new Set<string>();
    for (let k = 1; k <= 12_000; k++) dns.add(agentDnOf(k, 12_000));
    expect(dns.size).toBe(12_000);
    for (let q = 1; q <= 999; q++) expect(dns.has(queueDnOf(q))).toBe(false);
  });

  test("directoryToml has the config shape", () => {
    const doc = parse(directoryToml({ agents: 5, queues: 2 })) as {
      directory: {
        tenants: { id: string }[];
        dns: { id: string; tenant: string; type: string; place?: string }[];
        agents: { id: string; tenant: string; loginIds: string[] }[];
        places: { id: string; tenant: string }[];
        agentGroups: { id: string; tenant: string; agents: string[]; originationDns: string[] }[];
        queueGroups: { id: string; tenant: string; dns: string[] }[];
        placeGroups: { id: string; places: string[] }[];
      };
    };
    const d = doc.directory;
    expect(d.tenants).toEqual([{ id: "demo" }]);
    expect(d.dns).toHaveLength(7);
    expect(d.dns[0]).toEqual({ id: "7001", tenant: "demo", type: "Extension", place: "place7001" });
    expect(d.dns[6]).toEqual({ id: "8002", tenant: "demo", type: "ACDQueue" });
    expect(d.agents[4]).toEqual({ id: "agent005", tenant: "demo", loginIds: ["agent005"] });
    expect(d.places.map((p) => p.id)).toEqual([
      "place7001",
      "place7002",
      "place7003",
      "place7004",
      "place7005",
    ]);
    expect(d.agentGroups).toEqual([
      {
        id: "group1",
        tenant: "demo",
        agents: ["agent001", "agent003", "agent005"],
        originationDns: ["8001"],
      },
      { id: "group2", tenant: "demo", agents: ["agent002", "agent004"], originationDns: ["8002"] },
    ]);
    expect(d.queueGroups).toEqual([{ id: "allQueues", tenant: "demo", dns: ["8001", "8002"] }]);
    expect(d.placeGroups[0]?.places).toHaveLength(5);
  });

  test("directoryToml honours several skills", () => {
    const doc = parse(directoryToml({ agents: 3, queues: 2, skills: (k) => (k === 1 ? [1, 2] : [2]) })) as {
      directory: { agentGroups: { id: string; agents: string[] }[] };
    };
    expect(doc.directory.agentGroups.map((g) => g.agents)).toEqual([
      ["agent001"],
      ["agent001", "agent002", "agent003"],
    ]);
  });
});
