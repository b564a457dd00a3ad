import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { DEFAULT_TOML } from "./default_toml.ts";
import { ConfigError, formatIssue } from "./errors.ts";
import { loadEngineConfig, resolveEngineConfig } from "./resolve.ts";

const readRepoFile = async (rel: string) =>
  (await fetch(new URL(`../../../../${rel}`, import.meta.url))).text();

/** The error lines of an engine config that must fail. */
function errors(toml: string): string[] {
  let lines: string[] = [];
  try {
    loadEngineConfig(toml);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    lines = (e as ConfigError).lines;
  }
  expect(lines.length).toBeGreaterThan(0);
  for (const e of lines) {
    expect(e.startsWith("config: ")).toBe(true);
    expect(e).not.toContain("\n");
  }
  return lines;
}
/** The warning lines of an engine config that loads. */
function warnings(toml: string): string[] {
  const w: string[] = [];
  loadEngineConfig(toml, { onWarning: (l) => w.push(l) });
  return w;
}
const DIR = `
[directory]
tenants = [{ id = "demo" }]
places = [{ id = "p1" }]
dns = [{ id = "7001", type = "Extension", place = "p1" }, { id = "8001", type = "ACDQueue" }]
agents = [{ id = "a1" }]
`;

describe("loadEngineConfig: defaults", () => {
  test("an empty file gives the documented defaults", () => {
    const c = loadEngineConfig("");
    expect(c.timeZone).toBeUndefined();
    expect(c.directory).toEqual({
      tenants: [],
      dns: [],
      places: [],
      agents: [],
      agentGroups: [],
      placeGroups: [],
      queueGroups: [],
    });
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
  test("the shipped default stat types of docs/domain.md §3.5 are all there", () => {
    const c = loadEngineConfig("");
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
    expect(warnings("")).toEqual([]);
  });
  test("the embedded default text equals packages/stat-core/config/default.toml (run config/embed.ts)", async () => {
    expect(DEFAULT_TOML).toBe(await readRepoFile("packages/stat-core/config/default.toml"));
  });
  test("timeZone applies to Growing profiles without a zone; a profile's own zone wins", () => {
    const c = loadEngineConfig(
      'timeZone = "Europe/Paris"\n[timeProfiles.Tokyo]\ntype = "Growing"\ntimeZone = "Asia/Tokyo"\n',
    );
    expect(c.timeZone).toBe("Europe/Paris");
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
    const c = loadEngineConfig(`
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
    const c = loadEngineConfig("", { defaults: false });
    expect(Object.keys(c.statTypes)).toEqual([]);
    expect(Object.keys(c.timeProfiles)).toEqual(["Default"]);
    expect(Object.keys(c.timeRanges)).toEqual(["Default"]);
  });
  test("records have no prototype: request names like constructor/__proto__ find nothing", () => {
    const c = loadEngineConfig("");
    expect(c.statTypes.constructor).toBeUndefined();
    expect(c.timeProfiles.toString).toBeUndefined();
    expect(Object.getPrototypeOf(c.filters)).toBeNull();
    expect(errors('[filters]\n__proto__ = "true"\n')).toEqual([
      'config: filters.__proto__: "__proto__" is a reserved name',
    ]);
    expect(errors('[statTypes.constructor]\nobjects = "Queue"\n')).toEqual([
      'config: statTypes.constructor: "constructor" is a reserved name',
    ]);
    expect(errors("[directory]\nprototype = 1\n")[0]).toBe(
      'config: directory.prototype: "prototype" is a reserved name',
    );
  });
});

describe("errors: one line naming the key", () => {
  const cases: [string, string][] = [
    ["[directry]\n", 'config: directry: unknown key "directry" (did you mean "directory"?)'],
    [
      'timeZone = "Europe/Pariss"\n',
      'config: timeZone: unknown time zone "Europe/Pariss" (did you mean "Europe/Paris"?)',
    ],
    ["directory = 5\n", "config: directory: expected a table, got number 5"],
    [
      '[statTypes.Foo]\nobjects = ["Queue"]\ncategory = "CurrentNumbr"\nmainMask = "CallWait"\n',
      'config: statTypes.Foo.category: unknown category "CurrentNumbr" (did you mean "CurrentNumber"?)',
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
      "config: statTypes.X.objects: Queue: subject AgentStatus does not apply to Queue",
    ],
    [
      '[statTypes.X]\nobjects = ["Agent", "Place"]\ncategory = "TotalTime"\nsubject = "AgentStatus"\nmainMask = "WaitForNextCall"\n',
      "config: statTypes.X.objects: Place: subject AgentStatus does not apply to Place",
    ],
    [
      '[statTypes.X]\nobjects = ["Agent", "Place"]\ncategory = "CurrentContinuousTime"\nsubject = "DNAction"\nmainMask = "*"\n',
      "config: statTypes.X.objects: Agent: CurrentContinuousTime needs RegDN+DNAction/DNStatus, Agent+AgentStatus or Place+PlaceStatus",
    ],
    [
      '[statTypes.X]\nobjects = ["GroupAgents", "Agent"]\ncategory = "CurrentNumber"\nsubject = "GroupStatus"\nmainMask = "*"\n',
      "config: statTypes.X.objects: GroupAgents: subject GroupStatus supports CurrentState only",
    ],
    [
      '[statTypes.X]\nobjects = ["Agent", "Tenant"]\ncategory = "CurrentState"\nmainMask = "*"\n',
      "config: statTypes.X.objects: Tenant: CurrentState is not available for a Tenant",
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
    ["a = 1\nb = [1,\nc = 2\n", "config: TOML syntax error at line 3, column 1: invalid value"],
    ["[directory]\n[directory]\n", "config: TOML syntax error at line 2"],
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
      loadEngineConfig('timeZone = "Nowhere"\n[timeRanges.A]\nlo = 5\nhi = 1\n[filters]\nF = "("\n');
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.issues.length).toBe(3);
    expect(err!.message).toBe(`${err!.lines[0]} (and 2 more issues)`);
    expect(err!.lines).toContain(
      "config: timeRanges.A: lo (5) must be less than hi (1): the range is [lo, hi)",
    );
  });
  test("warnings: unused relMask, wrong-family mask names", () => {
    const w: string[] = [];
    loadEngineConfig(
      '[statTypes.X]\nobjects = ["Queue"]\ncategory = "CurrentNumber"\nmainMask = "CallWait"\nrelMask = "CallEntered"\n[statTypes.Y]\nobjects = ["Agent"]\ncategory = "TotalTime"\nsubject = "AgentStatus"\nmainMask = "CallEntered"\n',
      { onWarning: (l) => w.push(l) },
    );
    expect(w).toEqual([
      "config: statTypes.X.relMask: ignored: category CurrentNumber uses no relative mask",
      'config: statTypes.Y.mainMask: "CallEntered" is an action, not a status: a status subject never sees it',
    ]);
  });
  test("warnings: action names the objects' DN class never produces", () => {
    const w = warnings(
      '[statTypes.X]\nobjects = ["Agent"]\ncategory = "CurrentNumber"\nmainMask = "CallWait"\n[statTypes.Y]\nobjects = ["Queue", "Tenant"]\ncategory = "TotalNumber"\nmainMask = "CallInbound, CallAnswered"\n',
    );
    expect(w).toEqual([
      'config: statTypes.X.mainMask: "CallWait" is a mediation-DN action; agent-side objects (Agent) never see it',
      'config: statTypes.Y.mainMask: "CallInbound" is a regular-DN action; queue objects (Queue) never see it',
    ]);
  });
  test("a systematic mistake in a huge directory yields a bounded error list", () => {
    const r = resolveEngineConfig({
      directory: {
        tenants: [{ id: "a" }],
        agentGroups: [{ id: "G", agents: Array.from({ length: 5000 }, (_, i) => `x${i}`) }],
      },
    });
    expect(r.errors.length).toBe(201);
    expect(formatIssue(r.errors.at(-1)!)).toBe("config: 4800 more error(s) not shown");
  });
});

describe("generate", () => {
  test("100k agents with DNs, places and 50 groups", () => {
    const c = loadEngineConfig(`
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
    const c = loadEngineConfig(`
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
    expect(errors(42 as unknown as string)).toEqual(["config: expected TOML text, got number"]);
    expect(errors(`a = ${"[".repeat(50_000)}${"]".repeat(50_000)}`)[0]).toContain("TOML syntax error");
    expect(errors(`a = ${"{b=".repeat(5000)}1${"}".repeat(5000)}`)[0]).toContain("TOML syntax error");
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: "binary" }), (s) => {
        try {
          loadEngineConfig(s);
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
          for (const l of (e as ConfigError).lines) expect(l).not.toContain("\n");
        }
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
      "timeZone",
      "directory",
      "statTypes",
      "timeProfiles",
      "timeRanges",
      "filters",
      "places",
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
        const r = resolveEngineConfig(obj as Record<string, unknown>);
        if (r.config === null) {
          expect(r.errors.length).toBeGreaterThan(0);
          for (const e of r.errors) expect(`${e.path}: ${e.message}`).not.toContain("\n");
        }
      }),
      { numRuns: 500 },
    );
  });
  test("deeply nested JSON objects do not recurse", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 100_000; i++) deep = { a: [deep] };
    const r = resolveEngineConfig({ timeZone: deep, zzz: deep });
    expect(r.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
      "timeZone: expected a string, got a table",
      'zzz: unknown key "zzz" (known keys: timeZone, directory, statTypes, timeProfiles, timeRanges, filters)',
    ]);
  });
  test("huge strings are refused by key", () => {
    expect(errors(`[statTypes.X]\nobjects = "Queue"\ncategory = "${"x".repeat(5000)}"\n`)[0]).toBe(
      "config: statTypes.X.category: longer than 64 characters",
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
