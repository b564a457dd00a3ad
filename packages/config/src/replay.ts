/**
 * `[[replay.statistics]]`, checked by opening each one through stat-core's request resolution
 * on the config's own directory — the resolution `statd replay` and the daemon open it with —
 * so a config that loads is one whose replay statistics open. A refusal names the entry's key
 * (`replay.statistics[2].timeRange2`), with a did-you-mean for unknown names.
 *
 * @example
 * ```ts
 * import { resolveReplay } from "./replay.ts";
 * resolveReplay(raw, engineConfig, sink); // ReplayStatisticDef[] (the entries that open)
 * ```
 * @module
 */
import {
  didYouMean,
  type EngineConfig,
  type IssueSink,
  OBJECT_TYPES,
  type ObjectType,
  objectTypeOfDn,
  type RequestError,
  requestResolver,
  show,
} from "@statd/stat-core/config";
import type { RawStatdFile } from "./schema.ts";
import type { ReplayStatisticDef } from "./types.ts";

/**
 * The entries of `[[replay.statistics]]`; each one that does not open is an error.
 *
 * @example
 * ```ts
 * resolveReplay({ replay: { statistics: [{ object: { type: "Queue", id: "8001" }, statType: "Nope" }] } }, cfg, sink);
 * // sink: replay.statistics[0].statType: no stat type "Nope"
 * ```
 */
export function resolveReplay(raw: RawStatdFile, c: EngineConfig, sink: IssueSink): ReplayStatisticDef[] {
  const entries = raw.replay?.statistics ?? [];
  if (entries.length === 0) return [];
  const resolve = requestResolver(c);
  const out: ReplayStatisticDef[] = [];
  entries.forEach((s, i) => {
    const path = ["replay", "statistics", i];
    const type = s.object.type as ObjectType;
    if (!(OBJECT_TYPES as readonly string[]).includes(type)) {
      sink.error(
        [...path, "object", "type"],
        `unknown object type ${show(type)}${didYouMean(type, OBJECT_TYPES) || ` (known: ${OBJECT_TYPES.join(", ")})`}`,
      );
      return;
    }
    const r: ReplayStatisticDef = { object: { ...s.object, type }, statType: s.statType };
    if (s.timeProfile !== undefined) r.timeProfile = s.timeProfile;
    if (s.timeRange !== undefined) r.timeRange = s.timeRange;
    if (s.timeRange2 !== undefined) r.timeRange2 = s.timeRange2;
    if (s.filter !== undefined) r.filter = s.filter;
    const res = resolve(r);
    if ("error" in res) {
      sink.error([...path, ...res.key.split(".")], `${res.error.message}${_hint(res, r, c)}`);
      return;
    }
    out.push(r);
  });
  return out;
}

/** A did-you-mean for a name the resolution did not find. */
function _hint(e: RequestError, r: ReplayStatisticDef, c: EngineConfig): string {
  if (!e.error.code.startsWith("unknown-")) return "";
  switch (e.key) {
    case "statType":
      return didYouMean(r.statType, Object.keys(c.statTypes));
    case "timeProfile":
      return didYouMean(r.timeProfile ?? "", Object.keys(c.timeProfiles));
    case "timeRange":
    case "timeRange2":
      return didYouMean(r[e.key] ?? "", Object.keys(c.timeRanges));
    case "filter":
      return didYouMean(r.filter ?? "", Object.keys(c.filters));
    case "object.id":
      return didYouMean(r.object.id, _ids(c, r.object.type));
    default:
      return "";
  }
}

function _ids(c: EngineConfig, type: ObjectType): string[] {
  const d = c.directory;
  switch (type) {
    case "Tenant":
      return d.tenants.map((t) => t.id);
    case "Agent":
      return d.agents.map((x) => x.id);
    case "Place":
      return d.places.map((x) => x.id);
    case "GroupAgents":
      return d.agentGroups.map((x) => x.id);
    case "GroupPlaces":
      return d.placeGroups.map((x) => x.id);
    case "GroupQueues":
      return d.queueGroups.map((x) => x.id);
    default:
      return d.dns.filter((dn) => objectTypeOfDn(dn.type) === type).map((dn) => dn.id);
  }
}
