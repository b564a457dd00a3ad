/**
 * The daemon's sections, resolved: `[cluster]`, `[api]`, `[[sip.nodes]]` with their defaults
 * (cluster "statd", 1 instance, data in "./data"; API on 127.0.0.1:7070 without tokens; no SIP
 * nodes) and their checks (addresses, duplicates, short tokens).
 *
 * @example
 * ```ts
 * import { checkHostPort } from "./daemon.ts";
 * checkHostPort("127.0.0.1:7070"); // undefined
 * checkHostPort("localhost"); // 'expected HOST:PORT, got "localhost"'
 * ```
 * @module
 */
import { checkTimeZone, type IssueSink, show } from "@statd/stat-core/config";
import type { RawStatdFile } from "./schema.ts";
import type { ApiDef, ClusterDef, SipNodeDef } from "./types.ts";

const _HOSTPORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]{1,5})$/;

/**
 * Check a `HOST:PORT` address; returns the reason it is bad, or undefined.
 *
 * @example
 * ```ts
 * checkHostPort("127.0.0.1:0", true); // undefined (port 0: any free port)
 * checkHostPort("h:99999"); // "port must be 1-65535, got 99999"
 * ```
 */
export function checkHostPort(s: string, allowPortZero = false): string | undefined {
  const m = _HOSTPORT.exec(s);
  if (!m) return `expected HOST:PORT, got ${show(s)}`;
  const port = Number(m[3]);
  if (port > 65535 || (port === 0 && !allowPortZero))
    return `port must be ${allowPortZero ? 0 : 1}-65535, got ${port}`;
  return undefined;
}

/**
 * `[cluster]` with its defaults, and its `timeZone` (checked) for the engine.
 *
 * @example
 * ```ts
 * resolveCluster({}, sink).cluster; // { name: "statd", instances: 1, dataDir: "./data" }
 * ```
 */
export function resolveCluster(
  raw: RawStatdFile,
  sink: IssueSink,
): { cluster: ClusterDef; timeZone?: string } {
  const c = raw.cluster ?? {};
  const cluster: ClusterDef = {
    name: c.name ?? "statd",
    instances: c.instances ?? 1,
    dataDir: c.dataDir ?? "./data",
  };
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(cluster.name))
    sink.error(
      ["cluster", "name"],
      `must match [A-Za-z0-9._-]{1,64} (it names the shm segment), got ${show(cluster.name)}`,
    );
  if (c.timeZone === undefined) return { cluster };
  const bad = checkTimeZone(c.timeZone);
  if (bad) {
    sink.error(["cluster", "timeZone"], bad);
    return { cluster };
  }
  return { cluster, timeZone: c.timeZone };
}

/**
 * `[api]` with its defaults; duplicate tokens are errors, short ones warnings.
 *
 * @example
 * ```ts
 * resolveApi({}, sink); // { listen: "127.0.0.1:7070", tokens: [] }
 * ```
 */
export function resolveApi(raw: RawStatdFile, sink: IssueSink): ApiDef {
  const a = raw.api ?? {};
  const listen = a.listen ?? "127.0.0.1:7070";
  const bad = checkHostPort(listen, true);
  if (bad) sink.error(["api", "listen"], bad);
  const seen = new Set<string>();
  const tokens = (a.tokens ?? []).map((t, i) => {
    if (seen.has(t.token)) sink.error(["api", "tokens", i, "token"], "duplicate token");
    seen.add(t.token);
    if (t.token.length < 12)
      sink.warn(["api", "tokens", i, "token"], "token shorter than 12 characters is easy to guess");
    return t.tenant === undefined ? { token: t.token } : { token: t.token, tenant: t.tenant };
  });
  return { listen, tokens };
}

/**
 * `[[sip.nodes]]`: ids unique, every address `HOST:PORT` and used once.
 *
 * @example
 * ```ts
 * resolveSip({ sip: { nodes: [{ id: "n1", interactionProxy: "h:1", tController: "h:2" }] } }, sink).nodes.length; // 1
 * ```
 */
export function resolveSip(raw: RawStatdFile, sink: IssueSink): { nodes: SipNodeDef[] } {
  const ids = new Set<string>();
  const addrs = new Map<string, string>();
  const nodes = (raw.sip?.nodes ?? []).map((n, i) => {
    if (ids.has(n.id)) sink.error(["sip", "nodes", i, "id"], `duplicate SIP node id ${show(n.id)}`);
    ids.add(n.id);
    for (const k of ["interactionProxy", "tController"] as const) {
      const bad = checkHostPort(n[k]);
      if (bad) sink.error(["sip", "nodes", i, k], bad);
      const prev = addrs.get(n[k]);
      if (prev) sink.error(["sip", "nodes", i, k], `address ${show(n[k])} is already used by ${prev}`);
      addrs.set(n[k], `node ${show(n.id)} ${k}`);
    }
    return { id: n.id, interactionProxy: n.interactionProxy, tController: n.tController };
  });
  return { nodes };
}
