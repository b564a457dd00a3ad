/**
 * Resolve `[directory]`: explicit lists plus `[[directory.generate]]` ranges, defaults (tenant,
 * loginIds), and every cross-reference check (unknown tenant/place/agent/DN, duplicates, DN
 * classes, tenant consistency).
 *
 * @example
 * ```ts
 * import { resolveDirectory } from "./directory.ts";
 * import { IssueSink } from "./errors.ts";
 * const sink = new IssueSink();
 * const dir = resolveDirectory({ tenants: [{ id: "t" }], agents: [{ id: "a1" }] }, sink);
 * dir.agents[0]; // { id: "a1", tenant: "t", loginIds: ["a1"] }
 * ```
 * @module
 */
import {
  type AgentDef,
  type AgentGroupDef,
  type DirectoryDef,
  type DnDef,
  type DnType,
  MEDIATION_DN_TYPES,
  type ObjectType,
  type PlaceDef,
  type PlaceGroupDef,
  type QueueGroupDef,
  REGULAR_DN_TYPES,
  type TenantDef,
} from "../definitions.ts";
import { didYouMean } from "../mask.ts";
import { type IssueSink, show } from "./errors.ts";
import type { RawDirectory, RawGenerate } from "./schema.ts";
import { compileTemplate, TemplateError } from "./template.ts";

const DN_TYPES: readonly string[] = [...REGULAR_DN_TYPES, ...MEDIATION_DN_TYPES];
const _mediation: ReadonlySet<string> = new Set(MEDIATION_DN_TYPES);

/** Most objects a directory may hold in total (explicit + generated). */
export const MAX_DIRECTORY_OBJECTS = 2_000_000;

/** Whether a DN type is a mediation DN (queue, routing point, …). */
export function isMediationDnType(t: DnType): boolean {
  return _mediation.has(t);
}

/**
 * The statistic object type a DN is opened as: ACDQueue/VirtualQueue/RoutingQueue → Queue,
 * RoutingPoint/ServiceNumber → RoutePoint, regular DNs → RegDN.
 *
 * @example
 * ```ts
 * objectTypeOfDn("ACDQueue"); // "Queue"
 * ```
 */
export function objectTypeOfDn(t: DnType): ObjectType {
  if (t === "RoutingPoint" || t === "ServiceNumber") return "RoutePoint";
  return _mediation.has(t) ? "Queue" : "RegDN";
}

type Path = (string | number)[];

interface Located<T> {
  def: T;
  path: Path;
}

/** Resolve and check the directory. Issues go to `sink`; the result is usable only without errors. */
export function resolveDirectory(raw: RawDirectory | undefined, sink: IssueSink): DirectoryDef {
  const r = raw ?? {};
  const tenants: Located<TenantDef>[] = (r.tenants ?? []).map((t, i) => ({
    def: t.name === undefined ? { id: t.id } : { id: t.id, name: t.name },
    path: ["directory", "tenants", i],
  }));
  const tenantIds = _index(tenants, "tenant", sink);
  const defaultTenant = tenants.length === 1 ? tenants[0].def.id : undefined;
  const tenantOf = (t: string | undefined, path: Path): string => {
    if (t === undefined) {
      if (defaultTenant !== undefined) return defaultTenant;
      sink.error(
        [...path, "tenant"],
        tenants.length === 0
          ? "missing tenant, and [directory].tenants declares none"
          : `missing tenant (required when ${tenants.length} tenants are declared)`,
      );
      return "";
    }
    if (!tenantIds.has(t))
      sink.error([...path, "tenant"], `unknown tenant ${show(t)}${didYouMean(t, tenantIds.keys())}`);
    return t;
  };

  const places: Located<PlaceDef>[] = (r.places ?? []).map((p, i) => {
    const path = ["directory", "places", i];
    return { def: { id: p.id, tenant: tenantOf(p.tenant, path) }, path };
  });
  const dns: Located<DnDef>[] = [];
  (r.dns ?? []).forEach((d, i) => {
    const path = ["directory", "dns", i];
    const type = _dnType(d.type, [...path, "type"], sink);
    const def: DnDef = { id: d.id, tenant: tenantOf(d.tenant, path), type: type ?? "Extension" };
    if (d.place !== undefined) def.place = d.place;
    dns.push({ def, path });
  });
  const agents: Located<AgentDef>[] = (r.agents ?? []).map((a, i) => {
    const path = ["directory", "agents", i];
    const def: AgentDef = { id: a.id, tenant: tenantOf(a.tenant, path), loginIds: a.loginIds ?? [a.id] };
    if (a.name !== undefined) def.name = a.name;
    if (def.loginIds.length === 0)
      sink.error([...path, "loginIds"], "must list at least one login id (or be left out)");
    return { def, path };
  });
  const agentGroups: Located<AgentGroupDef>[] = (r.agentGroups ?? []).map((g, i) => {
    const path = ["directory", "agentGroups", i];
    return {
      def: {
        id: g.id,
        tenant: tenantOf(g.tenant, path),
        agents: [...(g.agents ?? [])],
        originationDns: g.originationDns ?? [],
      },
      path,
    };
  });
  const placeGroups: Located<PlaceGroupDef>[] = (r.placeGroups ?? []).map((g, i) => {
    const path = ["directory", "placeGroups", i];
    return {
      def: {
        id: g.id,
        tenant: tenantOf(g.tenant, path),
        places: [...(g.places ?? [])],
        originationDns: g.originationDns ?? [],
      },
      path,
    };
  });
  const queueGroups: Located<QueueGroupDef>[] = (r.queueGroups ?? []).map((g, i) => {
    const path = ["directory", "queueGroups", i];
    return { def: { id: g.id, tenant: tenantOf(g.tenant, path), dns: [...(g.dns ?? [])] }, path };
  });

  // Generated ranges append to the lists above; groups they name are created when missing.
  const gen = { places, dns, agents, agentGroups, placeGroups, queueGroups };
  let total = places.length + dns.length + agents.length;
  (r.generate ?? []).forEach((g, i) => {
    total += _generate(g, ["directory", "generate", i], gen, tenantOf, sink, MAX_DIRECTORY_OBJECTS - total);
  });

  // Uniqueness.
  const placeIds = _index(places, "place", sink);
  const dnIds = _index(dns, "DN", sink);
  const agentIds = _index(agents, "agent", sink);
  _index(agentGroups, "agent group", sink);
  _index(placeGroups, "place group", sink);
  _index(queueGroups, "queue group", sink);
  const logins = new Map<string, string>();
  for (const a of agents)
    for (const l of a.def.loginIds) {
      const other = logins.get(l);
      if (other !== undefined && other !== a.def.id)
        sink.error(
          [...a.path, "loginIds"],
          `login id ${show(l)} of agent ${show(a.def.id)} is already used by agent ${show(other)}`,
        );
      else logins.set(l, a.def.id);
    }

  // References.
  for (const d of dns) {
    if (d.def.place === undefined) continue;
    const p = placeIds.get(d.def.place);
    if (_mediation.has(d.def.type))
      sink.error(
        [...d.path, "place"],
        `DN ${show(d.def.id)} is a ${d.def.type}: mediation DNs cannot belong to a place`,
      );
    else if (!p)
      sink.error(
        [...d.path, "place"],
        `DN ${show(d.def.id)}: unknown place ${show(d.def.place)}${didYouMean(d.def.place, placeIds.keys())}`,
      );
    else if (p.def.tenant !== d.def.tenant)
      sink.error(
        [...d.path, "place"],
        `DN ${show(d.def.id)} (tenant ${show(d.def.tenant)}) is in place ${show(p.def.id)} of tenant ${show(p.def.tenant)}`,
      );
  }
  const checkMembers = <T extends { id: string; tenant: string }>(
    group: Located<{ id: string; tenant: string }>,
    key: string,
    members: string[],
    index: Map<string, Located<T>>,
    what: string,
    extra?: (m: Located<T>) => string | undefined,
  ): string[] => {
    const seen = new Set<string>();
    const out: string[] = [];
    members.forEach((m, j) => {
      if (seen.has(m)) {
        sink.warn(
          [...group.path, key, j],
          `${what} ${show(m)} is listed twice in ${show(group.def.id)}; counted once`,
        );
        return;
      }
      seen.add(m);
      const hit = index.get(m);
      if (!hit) {
        sink.error(
          [...group.path, key, j],
          `group ${show(group.def.id)}: unknown ${what} ${show(m)}${didYouMean(m, index.keys())}`,
        );
        return;
      }
      if (hit.def.tenant !== group.def.tenant)
        sink.error(
          [...group.path, key, j],
          `group ${show(group.def.id)} (tenant ${show(group.def.tenant)}) lists ${what} ${show(m)} of tenant ${show(hit.def.tenant)}`,
        );
      const why = extra?.(hit);
      if (why) sink.error([...group.path, key, j], `group ${show(group.def.id)}: ${what} ${show(m)} ${why}`);
      out.push(m);
    });
    return out;
  };
  const mustMediate = (d: Located<DnDef>) =>
    _mediation.has(d.def.type) ? undefined : `is a ${d.def.type}, not a mediation DN (queue, routing point)`;
  for (const g of agentGroups) {
    g.def.agents = checkMembers(g, "agents", g.def.agents, agentIds, "agent");
    g.def.originationDns = checkMembers(g, "originationDns", g.def.originationDns, dnIds, "DN", mustMediate);
  }
  for (const g of placeGroups) {
    g.def.places = checkMembers(g, "places", g.def.places, placeIds, "place");
    g.def.originationDns = checkMembers(g, "originationDns", g.def.originationDns, dnIds, "DN", mustMediate);
  }
  for (const g of queueGroups) g.def.dns = checkMembers(g, "dns", g.def.dns, dnIds, "DN", mustMediate);

  return {
    tenants: tenants.map((x) => x.def),
    dns: dns.map((x) => x.def),
    places: places.map((x) => x.def),
    agents: agents.map((x) => x.def),
    agentGroups: agentGroups.map((x) => x.def),
    placeGroups: placeGroups.map((x) => x.def),
    queueGroups: queueGroups.map((x) => x.def),
  };
}

function _index<T extends { id: string }>(
  list: Located<T>[],
  what: string,
  sink: IssueSink,
): Map<string, Located<T>> {
  const m = new Map<string, Located<T>>();
  for (const x of list) {
    const prev = m.get(x.def.id);
    if (prev)
      sink.error(
        [...x.path, "id"],
        `duplicate ${what} id ${show(x.def.id)} (first defined at ${_fmt(prev.path)})`,
      );
    else m.set(x.def.id, x);
  }
  return m;
}

function _fmt(p: Path): string {
  return p.map((x, i) => (typeof x === "number" ? `[${x}]` : i === 0 ? x : `.${x}`)).join("");
}

function _dnType(t: string, path: Path, sink: IssueSink): DnType | undefined {
  if (DN_TYPES.includes(t)) return t as DnType;
  sink.error(
    path,
    `unknown DN type ${show(t)}${didYouMean(t, DN_TYPES) || ` (known: ${DN_TYPES.join(", ")})`}`,
  );
  return undefined;
}

interface GenLists {
  places: Located<PlaceDef>[];
  dns: Located<DnDef>[];
  agents: Located<AgentDef>[];
  agentGroups: Located<AgentGroupDef>[];
  placeGroups: Located<PlaceGroupDef>[];
  queueGroups: Located<QueueGroupDef>[];
}

const _GEN_KEYS: Record<string, readonly string[]> = {
  agents: ["loginId", "name", "dn", "dnType", "place", "group", "placeGroup"],
  dns: ["type", "place", "placeGroup", "queueGroup"],
  places: ["placeGroup"],
};

/** Expand one generate entry; returns the number of objects created. */
function _generate(
  g: RawGenerate,
  path: Path,
  lists: GenLists,
  tenantOf: (t: string | undefined, path: Path) => string,
  sink: IssueSink,
  budget: number,
): number {
  const kinds = Object.keys(_GEN_KEYS);
  if (!kinds.includes(g.kind)) {
    sink.error(
      [...path, "kind"],
      `unknown kind ${show(g.kind)}${didYouMean(g.kind, kinds) || ` (known: ${kinds.join(", ")})`}`,
    );
    return 0;
  }
  const allowed = _GEN_KEYS[g.kind];
  let bad = false;
  for (const k of [
    "loginId",
    "name",
    "dn",
    "dnType",
    "type",
    "place",
    "group",
    "placeGroup",
    "queueGroup",
  ] as const)
    if (g[k] !== undefined && !allowed.includes(k)) {
      sink.error([...path, k], `not used by kind ${show(g.kind)} (its keys: ${allowed.join(", ")})`);
      bad = true;
    }
  const from = g.from ?? 1;
  if (g.to < from) {
    sink.error([...path, "to"], `to (${g.to}) is less than from (${from})`);
    return 0;
  }
  const count = g.to - from + 1;
  if (count > budget) {
    sink.error(
      [...path, "to"],
      `would create ${count} objects; the directory holds at most ${MAX_DIRECTORY_OBJECTS}`,
    );
    return 0;
  }
  const tenant = tenantOf(g.tenant, path);
  const tpl = (key: string, text: string | undefined): ((n: number) => string) | undefined => {
    if (text === undefined) return undefined;
    if (text.trim() === "") {
      sink.error([...path, key], "must not be empty");
      bad = true;
      return undefined;
    }
    try {
      return compileTemplate(text);
    } catch (e) {
      sink.error([...path, key], (e as TemplateError).message);
      bad = true;
      return undefined;
    }
  };
  const tpls = (key: string, v: string | string[] | undefined) =>
    (v === undefined ? [] : typeof v === "string" ? [v] : v)
      .map((t) => tpl(key, t))
      .filter((f) => f !== undefined);
  const id = tpl("id", g.id);
  const loginId = tpl("loginId", g.loginId);
  const name = tpl("name", g.name);
  const dn = tpl("dn", g.dn);
  const place = tpl("place", g.place);
  const groups = tpls("group", g.group);
  const placeGroups = tpls("placeGroup", g.placeGroup);
  const queueGroups = tpls("queueGroup", g.queueGroup);
  let dnType: DnType | undefined;
  if (g.kind === "agents") dnType = _dnType(g.dnType ?? "Extension", [...path, "dnType"], sink);
  if (g.kind === "dns") {
    if (g.type === undefined) {
      sink.error([...path, "type"], 'kind "dns" needs a DN type (e.g. type = "ACDQueue")');
      return 0;
    }
    dnType = _dnType(g.type, [...path, "type"], sink);
  }
  if (bad || !id || (dnType === undefined && g.kind !== "places")) return 0;
  if (dnType !== undefined && isMediationDnType(dnType) && place) {
    sink.error([...path, "place"], `${dnType} DNs are mediation DNs and cannot belong to a place`);
    return 0;
  }
  if (dnType !== undefined && !isMediationDnType(dnType) && queueGroups.length > 0) {
    sink.error([...path, "queueGroup"], `${dnType} DNs are regular DNs; queue groups hold mediation DNs`);
    return 0;
  }

  // Groups named by templates: reuse declared ones, create the others.
  const agentGroupIdx = new Map(lists.agentGroups.map((x) => [x.def.id, x.def]));
  const placeGroupIdx = new Map(lists.placeGroups.map((x) => [x.def.id, x.def]));
  const queueGroupIdx = new Map(lists.queueGroups.map((x) => [x.def.id, x.def]));
  const groupOf = <T extends { id: string; tenant: string }>(
    idx: Map<string, T>,
    list: Located<T>[],
    gid: string,
    make: () => T,
  ): T => {
    let grp = idx.get(gid);
    if (!grp) {
      grp = make();
      idx.set(gid, grp);
      list.push({ def: grp, path });
    }
    return grp;
  };
  let created = 0;
  try {
    for (let n = from; n <= g.to; n++) {
      const oid = id(n);
      const pid = place?.(n);
      if (pid !== undefined) {
        lists.places.push({ def: { id: pid, tenant }, path });
        created++;
        for (const pg of placeGroups)
          groupOf(placeGroupIdx, lists.placeGroups, pg(n), () => ({
            id: pg(n),
            tenant,
            places: [],
            originationDns: [],
          })).places.push(pid);
      }
      if (g.kind === "agents") {
        const a: AgentDef = { id: oid, tenant, loginIds: [loginId ? loginId(n) : oid] };
        if (name) a.name = name(n);
        lists.agents.push({ def: a, path });
        created++;
        const dnId = dn?.(n);
        if (dnId !== undefined) {
          const d: DnDef = { id: dnId, tenant, type: dnType! };
          if (pid !== undefined) d.place = pid;
          lists.dns.push({ def: d, path });
          created++;
        }
        for (const ag of groups)
          groupOf(agentGroupIdx, lists.agentGroups, ag(n), () => ({
            id: ag(n),
            tenant,
            agents: [],
            originationDns: [],
          })).agents.push(oid);
      } else if (g.kind === "dns") {
        const d: DnDef = { id: oid, tenant, type: dnType! };
        if (pid !== undefined) d.place = pid;
        lists.dns.push({ def: d, path });
        created++;
        for (const qg of queueGroups)
          groupOf(queueGroupIdx, lists.queueGroups, qg(n), () => ({ id: qg(n), tenant, dns: [] })).dns.push(
            oid,
          );
      } else {
        lists.places.push({ def: { id: oid, tenant }, path });
        created++;
        for (const pg of placeGroups)
          groupOf(placeGroupIdx, lists.placeGroups, pg(n), () => ({
            id: pg(n),
            tenant,
            places: [],
            originationDns: [],
          })).places.push(oid);
      }
    }
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    sink.error(path, e.message);
  }
  return created;
}
