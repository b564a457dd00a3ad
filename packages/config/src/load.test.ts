import { describe, expect, test } from "bun:test";
import { ConfigError, ENGINE_SECTIONS } from "@statd/stat-core/config";
import fc from "fast-check";
import { analyzeStatdConfig, checkStatdConfig, loadStatdConfig } from "./load.ts";
import { DAEMON_SECTIONS, RawStatdFileSchema } from "./schema.ts";

const readRepoFile = async (rel: string) => (await fetch(new URL(`../../../${rel}`, import.meta.url))).text();

/** The error lines of a config that must fail. */
function errors(toml: string): string[] {
  const r = checkStatdConfig(toml);
  expect(r.ok).toBe(false);
  for (const e of r.errors) {
    expect(e.startsWith("config: ")).toBe(true);
    expect(e).not.toContain("\n");
  }
  return r.errors;
}
const DIR = `
[directory]
tenants = [{ id = "demo" }]
places = [{ id = "p1" }]
dns = [{ id = "7001", type = "Extension", place = "p1" }, { id = "8001", type = "ACDQueue" }]
agents = [{ id = "a1" }]
`;

describe("loadStatdConfig: the whole file", () => {
  test("an empty file gives the documented daemon defaults and the shipped engine defaults", () => {
    const c = loadStatdConfig("");
    expect(c.cluster).toEqual({ name: "statd", instances: 1, dataDir: "./data" });
    expect(c.api).toEqual({ listen: "127.0.0.1:7070", tokens: [] });
    expect(c.sip.nodes).toEqual([]);
    expect(c.replay.statistics).toEqual([]);
    expect(c.engine.timeZone).toBeUndefined();
    expect(c.engine.timeProfiles.Default).toMatchObject({ type: "Growing", timeZone: "UTC" });
    expect(c.engine.statTypes.CurrNumberWaitingCalls.category).toBe("CurrentNumber");
  });
  test("[cluster].timeZone is the engine's default zone", () => {
    const c = loadStatdConfig(
      '[cluster]\ntimeZone = "Europe/Paris"\n[timeProfiles.Tokyo]\ntype = "Growing"\ntimeZone = "Asia/Tokyo"\n',
    );
    expect(c.cluster).toEqual({ name: "statd", instances: 1, dataDir: "./data" });
    expect(c.engine.timeZone).toBe("Europe/Paris");
    expect(c.engine.timeProfiles.Default).toMatchObject({ timeZone: "Europe/Paris" });
    expect(c.engine.timeProfiles.Tokyo).toMatchObject({ timeZone: "Asia/Tokyo" });
    // the engine-only spelling is not a daemon file's
    expect(errors('timeZone = "UTC"\n')[0]?.startsWith('config: timeZone: unknown key "timeZone"')).toBe(
      true,
    );
  });
  test("the top level names every engine section stat-core resolves, and the daemon's", () => {
    expect(Object.keys(RawStatdFileSchema.entries).sort()).toEqual(
      [...DAEMON_SECTIONS, ...ENGINE_SECTIONS].sort(),
    );
  });
  test("reserved names in the daemon's sections and the engine's", () => {
    expect(errors("[cluster]\nprototype = 1\n")[0]).toBe(
      'config: cluster.prototype: "prototype" is a reserved name',
    );
    expect(errors('[filters]\n__proto__ = "true"\n')).toEqual([
      'config: filters.__proto__: "__proto__" is a reserved name',
    ]);
  });
  test("analyzeStatdConfig takes objects (JSON)", () => {
    expect(analyzeStatdConfig({ cluster: { name: "x", instances: 3 } }).config?.cluster).toEqual({
      name: "x",
      instances: 3,
      dataDir: "./data",
    });
    expect(analyzeStatdConfig({ cluster: { instances: 0 } }).errors).toEqual([
      { path: "cluster.instances", message: "must be at least 1, got 0" },
    ]);
    expect(analyzeStatdConfig([1]).errors[0].message).toBe("expected a table, got an array");
  });
});

describe("shipped configs", () => {
  test("config/demo.toml matches the simulator's naming", async () => {
    const text = await readRepoFile("config/demo.toml");
    const c = loadStatdConfig(text);
    expect(c.cluster).toMatchObject({ name: "demo", instances: 2 });
    expect(c.api.listen).toBe("127.0.0.1:7070");
    expect(c.sip.nodes).toEqual([
      { id: "node1", interactionProxy: "127.0.0.1:9100", tController: "127.0.0.1:9101" },
      { id: "node2", interactionProxy: "127.0.0.1:9102", tController: "127.0.0.1:9103" },
    ]);
    const d = c.engine.directory;
    expect(d.tenants.map((t) => t.id)).toEqual(["demo"]);
    expect(d.agents.length).toBe(40);
    for (let n = 1; n <= 40; n++) {
      const id = `agent${String(n).padStart(3, "0")}`;
      expect(d.agents[n - 1]).toEqual({ id, tenant: "demo", loginIds: [id] });
      expect(d.dns).toContainEqual({
        id: String(7000 + n),
        tenant: "demo",
        type: "Extension",
        place: `place${7000 + n}`,
      });
      expect(d.places).toContainEqual({ id: `place${7000 + n}`, tenant: "demo" });
      const g = d.agentGroups.find((x) => x.id === `group${((n - 1) % 3) + 1}`)!;
      expect(g.agents).toContain(id);
    }
    expect(d.dns.filter((x) => x.type === "ACDQueue").map((x) => x.id)).toEqual(["8001", "8002", "8003"]);
    expect(d.agentGroups.map((g) => [g.id, g.originationDns])).toEqual([
      ["group1", ["8001"]],
      ["group2", ["8002"]],
      ["group3", ["8003"]],
    ]);
    expect(d.agentGroups.map((g) => g.agents.length)).toEqual([14, 13, 13]);
    expect(d.queueGroups).toEqual([{ id: "allQueues", tenant: "demo", dns: ["8001", "8002", "8003"] }]);
    expect(d.placeGroups.map((g) => [g.id, g.places.length])).toEqual([["allPlaces", 40]]);
    expect(c.replay.statistics.length).toBeGreaterThan(0);
    expect(checkStatdConfig(text).warnings).toEqual([]);
  });
  test("config/example.toml loads without warnings", async () => {
    const text = await readRepoFile("config/example.toml");
    const r = checkStatdConfig(text);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.summary).toMatchObject({ tenants: 2, agents: 202, sipNodes: 2, replayStatistics: 3 });
    const c = loadStatdConfig(text);
    expect(c.engine.timeProfiles.Shift).toMatchObject({
      timeZone: "Europe/Paris",
      resets: { kind: "times", minutes: [360, 840, 1320] },
    });
    expect(c.engine.directory.agentGroups.find((g) => g.id === "CareAll")!.agents.length).toBe(200);
  });
  test("config/large.toml: 100k agents in 100 groups", async () => {
    const c = loadStatdConfig(await readRepoFile("config/large.toml"));
    expect(c.engine.directory.agents.length).toBe(100_000);
    expect(c.engine.directory.dns.length).toBe(100_100);
    expect(c.engine.directory.agentGroups.length).toBe(100);
  });
});

describe("errors: one line naming the key", () => {
  const cases: [string, string][] = [
    ["[clustr]\n", 'config: clustr: unknown key "clustr" (did you mean "cluster"?)'],
    ["[statTypess]\n", 'config: statTypess: unknown key "statTypess" (did you mean "statTypes"?)'],
    [
      "[cluster]\ninstancs = 2\n",
      'config: cluster.instancs: unknown key "instancs" (did you mean "instances"?)',
    ],
    ['[cluster]\ninstances = "two"\n', 'config: cluster.instances: expected an integer, got string "two"'],
    ["[cluster]\ninstances = 1.5\n", "config: cluster.instances: expected an integer, got 1.5"],
    ["[cluster]\ninstances = 65\n", "config: cluster.instances: must be at most 64, got 65"],
    ['[cluster]\nname = "a b"\n', "config: cluster.name: must match [A-Za-z0-9._-]{1,64}"],
    ["cluster = 5\n", "config: cluster: expected a table, got number 5"],
    [
      '[cluster]\ntimeZone = "Europe/Pariss"\n',
      'config: cluster.timeZone: unknown time zone "Europe/Pariss" (did you mean "Europe/Paris"?)',
    ],
    ['[api]\nlisten = "localhost"\n', 'config: api.listen: expected HOST:PORT, got "localhost"'],
    ['[api]\nlisten = "127.0.0.1:99999"\n', "config: api.listen: port must be 0-65535, got 99999"],
    [
      '[api]\nlistenn = "127.0.0.1:1"\n',
      'config: api.listenn: unknown key "listenn" (did you mean "listen"?)',
    ],
    [
      '[api]\ntokens = [{ token = "0123456789abcdef" }, { token = "0123456789abcdef" }]\n',
      "config: api.tokens[1].token: duplicate token",
    ],
    [
      '[[sip.nodes]]\nid = "a"\ninteractionProxy = "h:1"\ntController = "h:1"\n',
      'config: sip.nodes[0].tController: address "h:1" is already used by node "a" interactionProxy',
    ],
    [
      '[[sip.nodes]]\nid = "a"\ninteractionProxy = "h:1"\n',
      'config: sip.nodes[0].tController: missing required key "tController"',
    ],
    [
      '[[sip.nodes]]\nid = "a"\ninteractionProxy = "h:1"\ntController = "h:2"\n[[sip.nodes]]\nid = "a"\ninteractionProxy = "h:3"\ntController = "h:4"\n',
      'config: sip.nodes[1].id: duplicate SIP node id "a"',
    ],
    [
      '[[replay.statistics]]\nobject = { type = "Queue", id = "8001" }\nstatTyp = "X"\n',
      'config: replay.statistics[0].statTyp: unknown key "statTyp" (did you mean "statType"?)',
    ],
    // the engine's sections pass through with their own key paths
    [
      '[statTypes.Foo]\nobjects = ["Queue"]\ncategory = "CurrentNumbr"\nmainMask = "CallWait"\n',
      'config: statTypes.Foo.category: unknown category "CurrentNumbr" (did you mean "CurrentNumber"?)',
    ],
    [
      `${DIR}[[directory.agentGroups]]\nid = "G"\nagents = ["a1", "a2"]\n`,
      'config: directory.agentGroups[0].agents[1]: group "G": unknown agent "a2" (did you mean "a1"?)',
    ],
    // a stat type must open on every object type it lists (the same resolution as replay's)
    [
      '[statTypes.MyTalk]\nobjects = ["Agent", "GroupPlaces"]\ncategory = "TotalTime"\nsubject = "AgentStatus"\nmainMask = "CallInbound"\n',
      "config: statTypes.MyTalk.objects: GroupPlaces: subject AgentStatus does not apply to GroupPlaces",
    ],
    // [[replay.statistics]]: the engine's own refusal, with a hint for a misspelt name
    [
      `${DIR}[[replay.statistics]]\nobject = { type = "Queue", id = "8001" }\nstatType = "CurrNumberWaitingCall"\n`,
      'config: replay.statistics[0].statType: no stat type "CurrNumberWaitingCall" (did you mean "CurrNumberWaitingCalls"?)',
    ],
    [
      `${DIR}[[replay.statistics]]\nobject = { type = "Queue", id = "8001" }\nstatType = "TotalTalkTime"\n`,
      "config: replay.statistics[0].statType: stat type TotalTalkTime does not apply to Queue",
    ],
    [
      `${DIR}[[replay.statistics]]\nobject = { type = "Queue", id = "8002" }\nstatType = "CurrNumberWaitingCalls"\n`,
      'config: replay.statistics[0].object.id: no Queue "8002" in the directory (did you mean "8001"?)',
    ],
    [
      `${DIR}[[replay.statistics]]\nobject = { type = "Queue", id = "8001", tenant = "other" }\nstatType = "CurrNumberWaitingCalls"\n`,
      'config: replay.statistics[0].object.tenant: Queue "8001" is not in tenant "other"',
    ],
    [
      `${DIR}[[replay.statistics]]\nobject = { type = "Queu", id = "8001" }\nstatType = "CurrNumberWaitingCalls"\n`,
      'config: replay.statistics[0].object.type: unknown object type "Queu" (did you mean "Queue"?)',
    ],
    [
      `${DIR}[[replay.statistics]]\nobject = { type = "Queue", id = "8001" }\nstatType = "CurrNumberWaitingCalls"\ntimeProfile = "Hourr"\n`,
      'config: replay.statistics[0].timeProfile: no time profile "Hourr" (did you mean "Hour"?)',
    ],
    [
      `${DIR}[[replay.statistics]]\nobject = { type = "Place", id = "p1" }\nstatType = "TotalNumberInboundCalls"\ntimeProfile = "SinceLogin"\n`,
      "config: replay.statistics[0].timeProfile: SinceLogin applies to Agent objects only",
    ],
    [
      `${DIR}[[replay.statistics]]\nobject = { type = "Queue", id = "8001" }\nstatType = "ServiceFactor"\ntimeRange2 = "Short"\n`,
      'config: replay.statistics[0].timeRange2: no time range "Short"',
    ],
    [
      `${DIR}[[replay.statistics]]\nobject = { type = "Queue", id = "8001" }\nstatType = "CurrNumberWaitingCalls"\nfilter = "Spanish"\n`,
      'config: replay.statistics[0].filter: no filter "Spanish"',
    ],
    [
      `${DIR}[api]\ntokens = [{ token = "0123456789abcdef", tenant = "demoo" }]\n`,
      'config: api.tokens[0].tenant: unknown tenant "demoo" (did you mean "demo"?)',
    ],
    ["a = 1\nb = [1,\nc = 2\n", "config: TOML syntax error at line 3, column 1: invalid value"],
    ["[cluster]\n[cluster]\n", "config: TOML syntax error at line 2"],
  ];
  for (const [toml, line] of cases)
    test(line.slice(0, 90), () => {
      const errs = errors(toml);
      if (!errs.some((e) => e.startsWith(line))) console.log(errs);
      expect(errs.some((e) => e.startsWith(line))).toBe(true);
    });

  test("ConfigError carries every issue of both halves; its message is the first line plus a count", () => {
    let err: ConfigError | undefined;
    try {
      loadStatdConfig('[cluster]\ninstances = 0\nname = ""\n[api]\nlisten = 5\n[timeRanges]\nX = "9-1"\n');
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.issues.length).toBe(4);
    expect(err!.message).toBe(`${err!.lines[0]} (and 3 more issues)`);
    expect(err!.lines).toContain("config: cluster.instances: must be at least 1, got 0");
    expect(err!.lines).toContain(
      "config: timeRanges.X: lo (9) must be less than hi (1): the range is [lo, hi)",
    );
  });
  test("warnings: short tokens, then the engine's", () => {
    const w: string[] = [];
    loadStatdConfig(
      '[api]\ntokens = [{ token = "abc" }]\n[statTypes.X]\nobjects = ["Queue"]\ncategory = "CurrentNumber"\nmainMask = "CallWait"\nrelMask = "CallEntered"\n',
      { onWarning: (l) => w.push(l) },
    );
    expect(w).toEqual([
      "config: api.tokens[0].token: token shorter than 12 characters is easy to guess",
      "config: statTypes.X.relMask: ignored: category CurrentNumber uses no relative mask",
    ]);
  });
});

describe("hostile input", () => {
  test("non-string text, garbage, deep nesting: errors, never throws", () => {
    expect(checkStatdConfig(42 as unknown as string).errors).toEqual([
      "config: expected TOML text, got number",
    ]);
    expect(errors(`a = ${"[".repeat(50_000)}${"]".repeat(50_000)}`)[0]).toContain("TOML syntax error");
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: "binary" }), (s) => {
        const r = checkStatdConfig(s);
        for (const e of r.errors) expect(e).not.toContain("\n");
      }),
      { numRuns: 300 },
    );
  });
  test("wrong-typed trees: errors, each issue one line", () => {
    const leaf = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
    );
    const keys = fc.constantFrom(
      "cluster",
      "api",
      "sip",
      "replay",
      "directory",
      "statTypes",
      "nodes",
      "tokens",
      "statistics",
      "object",
      "statType",
      "listen",
      "instances",
      "name",
      "id",
      "type",
      "x",
    );
    const tree = fc.letrec<{ t: unknown }>((tie) => ({
      t: fc.oneof(
        { maxDepth: 5 },
        leaf,
        fc.array(tie("t"), { maxLength: 3 }),
        fc.dictionary(keys, tie("t"), { maxKeys: 4 }),
      ),
    })).t;
    fc.assert(
      fc.property(tree, (obj) => {
        const r = analyzeStatdConfig(obj);
        if (r.config === null) {
          expect(r.errors.length).toBeGreaterThan(0);
          for (const e of r.errors) expect(`${e.path}: ${e.message}`).not.toContain("\n");
        }
      }),
      { numRuns: 500 },
    );
  });
  test("deeply nested objects do not recurse", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 100_000; i++) deep = { a: [deep] };
    const r = analyzeStatdConfig({ cluster: { name: deep }, zzz: deep });
    expect(r.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
      "cluster.name: expected a string, got a table",
      'zzz: unknown key "zzz" (known keys: cluster, api, sip, directory, statTypes, timeProfiles, timeRanges, filters, replay)',
    ]);
  });
  test("huge strings are refused by key", () => {
    expect(errors(`[cluster]\ndataDir = "${"x".repeat(5000)}"\n`)[0]).toBe(
      "config: cluster.dataDir: longer than 4096 characters",
    );
  });
});
