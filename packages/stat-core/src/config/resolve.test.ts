import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { DEFAULT_TOML } from "./default_toml.ts";
import { ConfigError } from "./errors.ts";
import { analyzeConfig, configCheck, loadConfig, parseConfig } from "./resolve.ts";

const readRepoFile = async (rel: string) =>
  (await fetch(new URL(`../../../../${rel}`, import.meta.url))).text();

/** The error lines of a config that must fail. */
function errors(toml: string): string[] {
  const r = configCheck(toml);
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

describe("loadConfig: defaults", () => {
  test("an empty file gives the documented defaults", () => {
    const c = loadConfig("");
    expect(c.cluster).toEqual({ name: "statd", instances: 1, dataDir: "./data" });
    expect(c.api).toEqual({ listen: "127.0.0.1:7070", tokens: [] });
    expect(c.sip.nodes).toEqual([]);
    expect(c.timeProfiles.Default).toEqual({
      name: "Default",
      type: "Growing",
      resets: { kind: "times", minutes: [0] },
      timeZone: "UTC",
    });
    expect(c.timeRanges.Default).toEqual({ name: "Default", lo: 0, hi: 20 });
    expect(c.timeProfiles.Hour).toEqual({ name: "Hour", type: "Sliding", lengthSec: 3600, stepSec: 60 });
    expect(c.statTypes.CurrNumberWaitingCalls).toEqual({
      name: "CurrNumberWaitingCalls",
      objects: ["Queue", "RoutePoint", "GroupQueues", "Tenant"],
      category: "CurrentNumber",
      subject: "DNAction",
      mainMask: { all: false, include: ["CallWait"], exclude: [] },
      description: "Calls waiting now",
    });
    expect(c.statTypes.Average_Calls_Per_Hour.relMask).toEqual({
      all: true,
      include: [],
      exclude: ["LoggedOut", "NotMonitored"],
    });
  });
  test("the shipped default stat types of domain.md §3.5 are all there", () => {
    const c = loadConfig("");
    for (const n of [
      "CurrentAgentState",
      "CurrNumberWaitingCalls",
      "CurrMaxWaitTime",
      "ExpectedWaitTime",
      "TotalNumberCallsEntered",
      "TotalNumberCallsAnswered",
      "TotalNumberCallsAbandoned",
      "AverageSpeedOfAnswer",
      "AverAbandonedWaitTime",
      "ServiceFactor",
      "CallsAnsweredInThreshold",
      "TotalNumberInboundCalls",
      "TotalTalkTime",
      "AverInboundStatusTime",
      "AverageHandlingTime",
      "TotalLoginTime",
      "Current_Login_Time",
      "CurrentReadyAgents",
      "CurrentNotReadyAgents",
      "CurrAgentsLoggedIn",
      "CurrAgentsTalking",
      "TimeInCurrentState",
      "Average_Calls_Per_Hour",
      "CurrentAgentStateReasons",
      "CallsAbandonedFromRinging",
      "TotalNotReadyTime",
    ])
      expect(Object.hasOwn(c.statTypes, n)).toBe(true);
    for (const p of ["Default", "Hour", "FifteenMin", "Last10", "SinceLogin"])
      expect(Object.hasOwn(c.timeProfiles, p)).toBe(true);
    for (const r of ["Default", "SL20", "SL30", "ShortAbandon"])
      expect(Object.hasOwn(c.timeRanges, r)).toBe(true);
  });
  test("the defaults produce no warnings", () => {
    expect(configCheck("").warnings).toEqual([]);
  });
  test("the embedded default text equals packages/stat-core/config/default.toml (run config/embed.ts)", async () => {
    expect(DEFAULT_TOML).toBe(await readRepoFile("packages/stat-core/config/default.toml"));
  });
  test("[cluster].timeZone applies to Growing profiles without a zone; a profile's own zone wins", () => {
    const c = loadConfig(
      '[cluster]\ntimeZone = "Europe/Paris"\n[timeProfiles.Tokyo]\ntype = "Growing"\ntimeZone = "Asia/Tokyo"\n',
    );
    expect(c.cluster.timeZone).toBe("Europe/Paris");
    expect(c.timeProfiles.Default).toMatchObject({ timeZone: "Europe/Paris" });
    expect(c.timeProfiles.FifteenMin).toMatchObject({
      timeZone: "Europe/Paris",
      resets: { kind: "period", startMinute: 0, periodMinutes: 15 },
    });
    expect(c.timeProfiles.Tokyo).toMatchObject({
      timeZone: "Asia/Tokyo",
      resets: { kind: "times", minutes: [0] },
    });
  });
  test("a file's tables replace defaults of the same name and add new ones", () => {
    const c = loadConfig(`
[timeProfiles.Default]
type = "Growing"
resets = "06:00,18:00"
[timeRanges.Default]
lo = 0
hi = 30
[statTypes.CurrNumberWaitingCalls]
objects = "Queue"
category = "CurrentNumber"
mainMask = "CallWait"
[statTypes.Mine]
objects = ["Queue"]
category = "TotalNumber"
subject = "Action"
mainMask = ["CallEntered"]
[timeRanges]
R10 = "0-10"
[filters]
Gold = 'userData.Segment = "Gold"'
`);
    expect(c.timeProfiles.Default).toMatchObject({ resets: { kind: "times", minutes: [360, 1080] } });
    expect(c.timeRanges.Default).toEqual({ name: "Default", lo: 0, hi: 30 });
    expect(c.statTypes.CurrNumberWaitingCalls.objects).toEqual(["Queue"]);
    expect(c.statTypes.CurrNumberWaitingCalls.description).toBeUndefined();
    expect(c.statTypes.Mine.subject).toBe("DNAction");
    expect(c.statTypes.TotalTalkTime).toBeDefined();
    expect(c.timeRanges.R10).toEqual({ name: "R10", lo: 0, hi: 10 });
    expect(c.filters.Gold).toEqual({ name: "Gold", expression: 'userData.Segment = "Gold"' });
  });
  test("defaults: false keeps only the built-in Default profile and range", () => {
    const c = loadConfig("", { defaults: false });
    expect(Object.keys(c.statTypes)).toEqual([]);
    expect(Object.keys(c.timeProfiles)).toEqual(["Default"]);
    expect(Object.keys(c.timeRanges)).toEqual(["Default"]);
  });
  test("records have no prototype: request names like constructor/__proto__ find nothing", () => {
    const c = loadConfig("");
    expect(c.statTypes.constructor).toBeUndefined();
    expect(c.timeProfiles.toString).toBeUndefined();
    expect(Object.getPrototypeOf(c.filters)).toBeNull();
    expect(errors('[filters]\n__proto__ = "true"\n')).toEqual([
      'config: filters.__proto__: "__proto__" is a reserved name',
    ]);
    expect(errors('[statTypes.constructor]\nobjects = "Queue"\n')).toEqual([
      'config: statTypes.constructor: "constructor" is a reserved name',
    ]);
    expect(errors("[cluster]\nprototype = 1\n")[0]).toBe(
      'config: cluster.prototype: "prototype" is a reserved name',
    );
  });
  test("parseConfig takes objects (JSON)", () => {
    expect(parseConfig({ cluster: { name: "x", instances: 3 } }).cluster).toEqual({
      name: "x",
      instances: 3,
      dataDir: "./data",
    });
    expect(() => parseConfig({ cluster: { instances: 0 } })).toThrow(
      "config: cluster.instances: must be at least 1, got 0",
    );
  });
});

describe("demo config", () => {
  test("config/demo.toml matches the simulator's naming", async () => {
    const c = loadConfig(await readRepoFile("config/demo.toml"));
    expect(c.cluster).toMatchObject({ name: "demo", instances: 2 });
    expect(c.api.listen).toBe("127.0.0.1:7070");
    expect(c.sip.nodes).toEqual([
      { id: "node1", interactionProxy: "127.0.0.1:9100", tController: "127.0.0.1:9101" },
      { id: "node2", interactionProxy: "127.0.0.1:9102", tController: "127.0.0.1:9103" },
    ]);
    const d = c.directory;
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
    expect(configCheck(await readRepoFile("config/demo.toml")).warnings).toEqual([]);
  });
});

describe("example configs", () => {
  test("config/example.toml loads without warnings", async () => {
    const r = configCheck(await readRepoFile("config/example.toml"));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.summary).toMatchObject({ tenants: 2, agents: 202, sipNodes: 2, replayStatistics: 3 });
    const c = loadConfig(await readRepoFile("config/example.toml"));
    expect(c.timeProfiles.Shift).toMatchObject({
      timeZone: "Europe/Paris",
      resets: { kind: "times", minutes: [360, 840, 1320] },
    });
    expect(c.directory.agentGroups.find((g) => g.id === "Care1")).toMatchObject({
      originationDns: ["29001"],
    });
    expect(c.directory.agentGroups.find((g) => g.id === "CareAll")!.agents.length).toBe(200);
  });
  test("config/large.toml: 100k agents in 100 groups", async () => {
    const c = loadConfig(await readRepoFile("config/large.toml"));
    expect(c.directory.agents.length).toBe(100_000);
    expect(c.directory.dns.length).toBe(100_100);
    expect(c.directory.agents[41]).toEqual({ id: "agent000042", tenant: "demo", loginIds: ["agent000042"] });
    expect(c.directory.dns.find((d) => d.id === "7000042")).toEqual({
      id: "7000042",
      tenant: "demo",
      type: "Extension",
      place: "place7000042",
    });
    expect(c.directory.agentGroups.length).toBe(100);
  });
});

describe("errors: one line naming the key", () => {
  const cases: [string, string][] = [
    [
      '[statTypes.Foo]\nobjects = ["Queue"]\ncategory = "CurrentNumbr"\nmainMask = "CallWait"\n',
      'config: statTypes.Foo.category: unknown category "CurrentNumbr" (did you mean "CurrentNumber"?)',
    ],
    ["[clustr]\n", 'config: clustr: unknown key "clustr" (did you mean "cluster"?)'],
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
      '[[sip.nodes]]\nid = "a"\ninteractionProxy = "h:1"\ntController = "h:1"\n',
      'config: sip.nodes[0].tController: address "h:1" is already used by node "a" interactionProxy',
    ],
    [
      '[[sip.nodes]]\nid = "a"\ninteractionProxy = "h:1"\n',
      'config: sip.nodes[0].tController: missing required key "tController"',
    ],
    [
      `${DIR}[[directory.agentGroups]]\nid = "G"\nagents = ["a1", "a2"]\n`,
      'config: directory.agentGroups[0].agents[1]: group "G": unknown agent "a2" (did you mean "a1"?)',
    ],
    [
      `${DIR}[[directory.agentGroups]]\nid = "G"\noriginationDns = ["7001"]\n`,
      'config: directory.agentGroups[0].originationDns[0]: group "G": DN "7001" is a Extension, not a mediation DN (queue, routing point)',
    ],
    [
      '[directory]\ntenants = [{ id = "demo" }]\ndns = [{ id = "7001", type = "Extension", place = "nowhere" }]\n',
      'config: directory.dns[0].place: DN "7001": unknown place "nowhere"',
    ],
    [
      '[directory]\ntenants = [{ id = "demo" }]\ndns = [{ id = "7001", type = "Extension", tenant = "dmo" }]\n',
      'config: directory.dns[0].tenant: unknown tenant "dmo" (did you mean "demo"?)',
    ],
    [
      '[directory]\ntenants = [{ id = "a" }, { id = "b" }]\nagents = [{ id = "x" }]\n',
      "config: directory.agents[0].tenant: missing tenant (required when 2 tenants are declared)",
    ],
    [
      '[directory]\ntenants = [{ id = "a" }]\ndns = [{ id = "7001", type = "Extnsion" }]\n',
      'config: directory.dns[0].type: unknown DN type "Extnsion" (did you mean "Extension"?)',
    ],
    [
      '[directory]\ntenants = [{ id = "a" }]\nplaces = [{ id = "p" }]\ndns = [{ id = "8001", type = "ACDQueue", place = "p" }]\n',
      'config: directory.dns[0].place: DN "8001" is a ACDQueue: mediation DNs cannot belong to a place',
    ],
    [
      '[directory]\ntenants = [{ id = "a" }]\nagents = [{ id = "x" }, { id = "x" }]\n',
      'config: directory.agents[1].id: duplicate agent id "x" (first defined at directory.agents[0])',
    ],
    [
      '[directory]\ntenants = [{ id = "a" }]\nagents = [{ id = "x" }, { id = "y", loginIds = ["x"] }]\n',
      'config: directory.agents[1].loginIds: login id "x" of agent "y" is already used by agent "x"',
    ],
    [
      '[directory]\ntenants = [{ id = "a" }]\nagents = [{ id = "agent001" }]\n[[directory.generate]]\nkind = "agents"\nto = 2\nid = "agent{n:3}"\n',
      'config: directory.generate[0].id: duplicate agent id "agent001" (first defined at directory.agents[0])',
    ],
    [
      '[directory]\ntenants = [{ id = "a" }]\n[[directory.generate]]\nkind = "agent"\nto = 2\nid = "x{n}"\n',
      'config: directory.generate[0].kind: unknown kind "agent" (did you mean "agents"?)',
    ],
    [
      '[directory]\ntenants = [{ id = "a" }]\n[[directory.generate]]\nkind = "agents"\nto = 2\nid = "x{n+}"\n',
      'config: directory.generate[0].id: bad expression "n+" in template "x{n+}": unexpected end',
    ],
    [
      '[directory]\ntenants = [{ id = "a" }]\n[[directory.generate]]\nkind = "agents"\nto = 2\nid = "x{n/0}"\n',
      'config: directory.generate[0]: template "x{n/0}" gives',
    ],
    [
      '[directory]\ntenants = [{ id = "a" }]\n[[directory.generate]]\nkind = "places"\nfrom = 5\nto = 2\nid = "x{n}"\n',
      "config: directory.generate[0].to: to (2) is less than from (5)",
    ],
    [
      '[directory]\ntenants = [{ id = "a" }]\n[[directory.generate]]\nkind = "places"\nto = 2\nid = "x{n}"\ndn = "{n}"\n',
      'config: directory.generate[0].dn: not used by kind "places" (its keys: placeGroup)',
    ],
    [
      '[directory]\ntenants = [{ id = "a" }]\n[[directory.generate]]\nkind = "places"\nto = 3000000\nid = "x{n}"\n',
      "config: directory.generate[0].to: would create 3000000 objects; the directory holds at most 2000000",
    ],
    [
      '[statTypes.X]\nobjects = ["Agent", "Queue"]\ncategory = "TotalNumber"\nmainMask = "CallAnswered"\n',
      "config: statTypes.X.objects: mixes compatibility groups: Agent (agent side) with Queue (queue side); split it into two stat types",
    ],
    [
      '[statTypes.X]\nobjects = ["Agnt"]\ncategory = "TotalNumber"\nmainMask = "CallAnswered"\n',
      'config: statTypes.X.objects: unknown object type "Agnt" (did you mean "Agent"?)',
    ],
    [
      '[statTypes.X]\nobjects = ["GroupAgents"]\ncategory = "CurrentRelativeNumberPercentage"\nsubject = "AgentStatus"\nmainMask = "WaitForNextCall"\n',
      "config: statTypes.X.relMask: category CurrentRelativeNumberPercentage needs relMask (the denominator's actions or statuses)",
    ],
    [
      '[statTypes.X]\nobjects = ["Agent"]\ncategory = "Formula"\nmainMask = "*"\n',
      'config: statTypes.X.category: category "Formula" is not implemented by statd',
    ],
    [
      '[statTypes.X]\nobjects = ["Agent"]\ncategory = "TotalTime"\nsubject = "AgentStatuss"\nmainMask = "*"\n',
      'config: statTypes.X.subject: unknown subject "AgentStatuss" (did you mean "AgentStatus"?)',
    ],
    [
      '[statTypes.X]\nobjects = ["Queue"]\ncategory = "CurrentNumber"\nsubject = "AgentStatus"\nmainMask = "*"\n',
      "config: statTypes.X.subject: AgentStatus needs agent-side objects, but objects include Queue",
    ],
    [
      '[statTypes.X]\nobjects = ["Queue"]\ncategory = "CurrentNumber"\nmainMask = "CallWiat"\n',
      'config: statTypes.X.mainMask: unknown action "CallWiat" (did you mean "CallWait"?)',
    ],
    [
      '[statTypes.X]\nobjects = ["Queue"]\ncategory = "CurrentNumber"\nmainMask = "~*"\n',
      'config: statTypes.X.mainMask: "~*" excludes everything; remove it or list names',
    ],
    [
      '[statTypes.X]\nobjects = ["Queue"]\ncategory = "CurrentNumber"\n',
      'config: statTypes.X.mainMask: missing mainMask (the actions or statuses to aggregate, e.g. "CallWait" or "*")',
    ],
    ['[statTypes."a b"]\nobjects = "Queue"\n', 'config: statTypes."a b": names use letters, digits, _ . -'],
    [
      '[timeProfiles.X]\ntype = "Growing"\ntimeZone = "Mars/Base"\n',
      'config: timeProfiles.X.timeZone: unknown time zone "Mars/Base"',
    ],
    [
      '[timeProfiles.X]\ntype = "Growing"\nresets = "25:00"\n',
      'config: timeProfiles.X.resets: bad reset time "25:00": must be 00:00-23:59',
    ],
    [
      '[timeProfiles.X]\ntype = "Sliding"\nlength = 100\nstep = 30\n',
      "config: timeProfiles.X.length: length (100) must be a multiple of step (30)",
    ],
    [
      '[timeProfiles.X]\ntype = "Sliding"\nresets = "00:00"\n',
      "config: timeProfiles.X.resets: not used by Sliding profiles (their keys: length, step)",
    ],
    ['[timeProfiles.X]\ntype = "Sliding"\n', "config: timeProfiles.X: Sliding profiles need length and step"],
    [
      '[timeProfiles.X]\ntype = "Growin"\n',
      'config: timeProfiles.X.type: unknown profile type "Growin" (did you mean "Growing"?)',
    ],
    ['[timeProfiles.X]\ntype = "Selection"\n', "config: timeProfiles.X.n: Selection profiles need n"],
    [
      "[timeRanges.X]\nlo = 20\nhi = 20\n",
      "config: timeRanges.X: lo (20) must be less than hi (20): the range is [lo, hi)",
    ],
    ["[timeRanges.X]\nlo = -1\nhi = 20\n", "config: timeRanges.X.lo: must be at least 0, got -1"],
    [
      "[timeRanges.X]\nlo = 0\nhii = 20\n",
      'config: timeRanges.X.hii: unknown key "hii" (did you mean "hi"?)',
    ],
    ['[timeRanges]\nX = "20-10"\n', "config: timeRanges.X: lo (20) must be less than hi (10)"],
    [
      '[timeRanges]\nX = "abc"\n',
      'config: timeRanges.X: expected "LO-HI" in seconds (e.g. "0-20"), got "abc"',
    ],
    [
      "[filters.Bad]\nexpression = 'PairExists(\"Language\"'\n",
      'config: filters.Bad.expression: at 22: expected "," or ")" in the list, found the end',
    ],
    [
      "[filters]\nBad = 'anii = \"1\"'\n",
      'config: filters.Bad: at 1: unknown attribute "anii" (did you mean "ani"?)',
    ],
    [
      `${DIR}[[replay.statistics]]\nobject = { type = "Queue", id = "8001" }\nstatType = "CurrNumberWaitingCall"\n`,
      'config: replay.statistics[0].statType: unknown stat type "CurrNumberWaitingCall" (did you mean "CurrNumberWaitingCalls"?)',
    ],
    [
      `${DIR}[[replay.statistics]]\nobject = { type = "Queue", id = "8001" }\nstatType = "TotalTalkTime"\n`,
      'config: replay.statistics[0].statType: stat type "TotalTalkTime" does not apply to Queue (its objects: Agent, Place, GroupAgents, GroupPlaces)',
    ],
    [
      `${DIR}[[replay.statistics]]\nobject = { type = "Queue", id = "8002" }\nstatType = "CurrNumberWaitingCalls"\n`,
      'config: replay.statistics[0].object.id: no Queue "8002" in the directory (did you mean "8001"?)',
    ],
    [
      `${DIR}[[replay.statistics]]\nobject = { type = "Queue", id = "8001" }\nstatType = "CurrNumberWaitingCalls"\ntimeProfile = "Hourr"\n`,
      'config: replay.statistics[0].timeProfile: unknown time profile "Hourr" (did you mean "Hour"?)',
    ],
    [
      `${DIR}[[replay.statistics]]\nobject = { type = "Queue", id = "8001" }\nstatType = "ServiceFactor"\ntimeRange2 = "Short"\n`,
      'config: replay.statistics[0].timeRange2: unknown time range "Short"',
    ],
    [
      `${DIR}[[replay.statistics]]\nobject = { type = "Queue", id = "8001" }\nstatType = "CurrNumberWaitingCalls"\nfilter = "Spanish"\n`,
      'config: replay.statistics[0].filter: unknown filter "Spanish"',
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
      expect(errs.some((e) => e.startsWith(line))).toBe(true);
      if (!errs.some((e) => e.startsWith(line))) console.log(errs);
    });

  test("ConfigError carries every issue; its message is the first line plus a count", () => {
    let err: ConfigError | undefined;
    try {
      loadConfig('[cluster]\ninstances = 0\nname = ""\n[api]\nlisten = 5\n');
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.issues.length).toBe(3);
    expect(err!.message).toBe(`${err!.lines[0]} (and 2 more issues)`);
    expect(err!.lines).toContain("config: cluster.instances: must be at least 1, got 0");
  });
  test("warnings: unused relMask, wrong-family mask names, short tokens", () => {
    const w: string[] = [];
    loadConfig(
      '[api]\ntokens = [{ token = "abc" }]\n[statTypes.X]\nobjects = ["Queue"]\ncategory = "CurrentNumber"\nmainMask = "CallWait"\nrelMask = "CallEntered"\n[statTypes.Y]\nobjects = ["Agent"]\ncategory = "TotalTime"\nsubject = "AgentStatus"\nmainMask = "CallEntered"\n',
      { onWarning: (l) => w.push(l) },
    );
    expect(w).toEqual([
      "config: api.tokens[0].token: token shorter than 12 characters is easy to guess",
      "config: statTypes.X.relMask: ignored: category CurrentNumber uses no relative mask",
      'config: statTypes.Y.mainMask: "CallEntered" is an action, not a status: a status subject never sees it',
    ]);
  });
  test("warnings: action names the objects' DN class never produces", () => {
    const w = configCheck(
      '[statTypes.X]\nobjects = ["Agent"]\ncategory = "CurrentNumber"\nmainMask = "CallWait"\n[statTypes.Y]\nobjects = ["Queue", "Tenant"]\ncategory = "TotalNumber"\nmainMask = "CallInbound, CallAnswered"\n',
    ).warnings;
    expect(w).toEqual([
      'config: statTypes.X.mainMask: "CallWait" is a mediation-DN action; agent-side objects (Agent) never see it',
      'config: statTypes.Y.mainMask: "CallInbound" is a regular-DN action; queue objects (Queue) never see it',
    ]);
  });
  test("a systematic mistake in a huge directory yields a bounded error list", () => {
    const r = configCheck(
      '[directory]\ntenants = [{ id = "a" }]\n[[directory.agentGroups]]\nid = "G"\nagents = [' +
        Array.from({ length: 5000 }, (_, i) => `"x${i}"`).join(",") +
        "]\n",
    );
    expect(r.errors.length).toBe(201);
    expect(r.errors.at(-1)).toBe("config: 4800 more error(s) not shown");
  });
});

describe("generate", () => {
  test("100k agents with DNs, places and 50 groups", () => {
    const c = loadConfig(`
[directory]
tenants = [{ id = "big" }]
[[directory.generate]]
kind = "agents"
to = 100000
id = "agent{n:6}"
dn = "{1000000+n}"
place = "p{n}"
group = "G{n%50}"
`);
    expect(c.directory.agents.length).toBe(100_000);
    expect(c.directory.dns.length).toBe(100_000);
    expect(c.directory.places.length).toBe(100_000);
    expect(c.directory.agentGroups.length).toBe(50);
    expect(c.directory.agents[99_999]).toEqual({
      id: "agent100000",
      tenant: "big",
      loginIds: ["agent100000"],
    });
    expect(c.directory.dns[0]).toEqual({ id: "1000001", tenant: "big", type: "Extension", place: "p1" });
    expect(c.directory.agentGroups.find((g) => g.id === "G0")!.agents.length).toBe(2000);
  });
  test("loginId, name, dnType, queue DNs, place kinds", () => {
    const c = loadConfig(`
[directory]
tenants = [{ id = "t" }]
[[directory.generate]]
kind = "agents"
from = 0
to = 1
id = "e{n}"
loginId = "L{n+100}"
name = "Agent {n}"
dn = "{n}"
dnType = "ACDPosition"
[[directory.generate]]
kind = "dns"
to = 2
id = "RP{n}"
type = "RoutingPoint"
queueGroup = ["all", "rp{n}"]
[[directory.generate]]
kind = "places"
to = 2
id = "desk{n:2}"
placeGroup = "desks"
`);
    expect(c.directory.agents).toEqual([
      { id: "e0", tenant: "t", loginIds: ["L100"], name: "Agent 0" },
      { id: "e1", tenant: "t", loginIds: ["L101"], name: "Agent 1" },
    ]);
    expect(c.directory.dns.map((d) => `${d.id}:${d.type}`)).toEqual([
      "0:ACDPosition",
      "1:ACDPosition",
      "RP1:RoutingPoint",
      "RP2:RoutingPoint",
    ]);
    expect(c.directory.queueGroups.map((g) => [g.id, g.dns])).toEqual([
      ["all", ["RP1", "RP2"]],
      ["rp1", ["RP1"]],
      ["rp2", ["RP2"]],
    ]);
    expect(c.directory.placeGroups).toEqual([
      { id: "desks", tenant: "t", places: ["desk01", "desk02"], originationDns: [] },
    ]);
  });
});

describe("hostile input", () => {
  test("non-string text, garbage, deep nesting: errors, never throws", () => {
    expect(configCheck(42 as unknown as string).errors).toEqual(["config: expected TOML text, got number"]);
    expect(errors(`a = ${"[".repeat(50_000)}${"]".repeat(50_000)}`)[0]).toContain("TOML syntax error");
    expect(errors(`a = ${"{b=".repeat(5000)}1${"}".repeat(5000)}`)[0]).toContain("TOML syntax error");
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: "binary" }), (s) => {
        const r = configCheck(s);
        for (const e of r.errors) expect(e).not.toContain("\n");
      }),
      { numRuns: 300 },
    );
  });
  test("wrong-typed trees: only ConfigError, each issue one line", () => {
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
      "directory",
      "statTypes",
      "timeProfiles",
      "timeRanges",
      "filters",
      "replay",
      "nodes",
      "tenants",
      "dns",
      "agents",
      "generate",
      "objects",
      "category",
      "mainMask",
      "lo",
      "hi",
      "type",
      "id",
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
        const r = analyzeConfig(obj);
        if (r.config === null) {
          expect(r.errors.length).toBeGreaterThan(0);
          for (const e of r.errors) expect(`${e.path}: ${e.message}`).not.toContain("\n");
        }
      }),
      { numRuns: 500 },
    );
  });
  test("deeply nested JSON objects (parseConfig) do not recurse", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 100_000; i++) deep = { a: [deep] };
    const r = analyzeConfig({ cluster: { name: deep }, zzz: deep });
    expect(r.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
      "cluster.name: expected a string, got a table",
      'zzz: unknown key "zzz" (known keys: cluster, api, sip, directory, statTypes, timeProfiles, timeRanges, filters, replay)',
    ]);
  });
  test("huge strings are refused by key", () => {
    expect(errors(`[cluster]\ndataDir = "${"x".repeat(5000)}"\n`)[0]).toBe(
      "config: cluster.dataDir: longer than 4096 characters",
    );
    expect(errors(`[filters]\nF = "${"(".repeat(5000)}"\n`)[0]).toBe(
      "config: filters.F: filter longer than 4096 bytes",
    );
    expect(errors(`[filters]\nF = "${"(".repeat(100)}"\n`)[0]).toBe(
      "config: filters.F: at 65: nesting deeper than 64",
    );
    expect(
      errors(
        `[statTypes.X]\nobjects = "Queue"\ncategory = "CurrentNumber"\nmainMask = "${"A,".repeat(300)}A"\n`,
      )[0],
    ).toBe("config: statTypes.X.mainMask: mask has more than 256 entries");
  });
});
