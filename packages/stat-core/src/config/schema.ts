/**
 * The raw TOML shape of the engine's config sections, as valibot schemas: types, ranges and
 * unknown keys are checked here; meaning and cross-references in `resolve.ts`. Every table is
 * strict: an unknown key is an error with a did-you-mean. The daemon's sections (`[cluster]`,
 * `[api]`, `[[sip.nodes]]`, `[[replay.statistics]]`) are `@statd/config`'s.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { RawEngineConfigSchema } from "./schema.ts";
 * v.safeParse(RawEngineConfigSchema, { timeRanges: { SL20: "0-20" } }).success; // true
 * ```
 * @module
 */
import * as v from "valibot";
import { bool, id, int, kindOf, list, num, rec, str, strOrList, table } from "./schema-kit.ts";

const tenantRef = v.optional(id());
const ids = (max = 1_000_000) => v.optional(list(id(), max));

/** `[[directory.generate]]` — compact generated ranges (see `generate.ts`). */
export const RawGenerateSchema = table({
  kind: str(16),
  tenant: tenantRef,
  from: v.optional(int(-1_000_000_000, 1_000_000_000)),
  to: int(-1_000_000_000, 1_000_000_000),
  id: str(256),
  loginId: v.optional(str(256)),
  name: v.optional(str(256)),
  dn: v.optional(str(256)),
  dnType: v.optional(str(32)),
  type: v.optional(str(32)),
  place: v.optional(str(256)),
  group: v.optional(strOrList(256)),
  placeGroup: v.optional(strOrList(256)),
  queueGroup: v.optional(strOrList(256)),
});

/** `[directory]` */
export const RawDirectorySchema = table({
  tenants: v.optional(list(table({ id: id(), name: v.optional(str()) }), 10_000)),
  dns: v.optional(list(table({ id: id(), tenant: tenantRef, type: str(32), place: v.optional(id()) }))),
  places: v.optional(list(table({ id: id(), tenant: tenantRef }))),
  agents: v.optional(
    list(table({ id: id(), tenant: tenantRef, loginIds: ids(64), name: v.optional(str()) })),
  ),
  agentGroups: v.optional(
    list(table({ id: id(), tenant: tenantRef, agents: ids(), originationDns: ids(10_000) }), 100_000),
  ),
  placeGroups: v.optional(
    list(table({ id: id(), tenant: tenantRef, places: ids(), originationDns: ids(10_000) }), 100_000),
  ),
  queueGroups: v.optional(list(table({ id: id(), tenant: tenantRef, dns: ids() }), 100_000)),
  generate: v.optional(list(RawGenerateSchema, 1000)),
});

/** `[statTypes.NAME]` */
export const RawStatTypeSchema = table({
  objects: strOrList(256),
  category: str(64),
  subject: v.optional(str(64)),
  mainMask: v.optional(strOrList(4096)),
  relMask: v.optional(strOrList(4096)),
  useSourceTimestamps: v.optional(bool()),
  description: v.optional(str(4096)),
});

/** `[timeProfiles.NAME]` — keys by type are checked in `resolve.ts`. */
export const RawTimeProfileSchema = table({
  type: str(32),
  resets: v.optional(str(2048)),
  timeZone: v.optional(str(64)),
  length: v.optional(int(1, 31 * 86400)),
  step: v.optional(int(1, 86400)),
  n: v.optional(int(1, 100_000)),
  description: v.optional(str(4096)),
});

/** `[timeRanges.NAME]`: a table `{lo, hi}` or the Genesys string form `"0-20"`. */
export const RawTimeRangeSchema = v.union(
  [table({ lo: num(0, 1e9), hi: num(0, 1e9), description: v.optional(str(4096)) }), str(64)],
  (i) => `expected a table {lo, hi} or a string "LO-HI", got ${kindOf(i.input)}`,
);

/** `[filters.NAME]`: a table `{expression}` or the expression string itself. */
export const RawFilterSchema = v.union(
  [table({ expression: str(8192), description: v.optional(str(4096)) }), str(8192)],
  (i) => `expected a table {expression} or a string, got ${kindOf(i.input)}`,
);

/**
 * The top-level tables the engine reads. A daemon file holds these next to its own sections
 * (`@statd/config`); engine-only TOML holds only these, plus `timeZone`.
 */
export const ENGINE_SECTIONS = ["directory", "statTypes", "timeProfiles", "timeRanges", "filters"] as const;

/**
 * Engine-only TOML: the engine's sections, and `timeZone` (the default zone of Growing
 * profiles that name none; in a daemon file it is `[cluster].timeZone`).
 */
export const RawEngineConfigSchema = table({
  timeZone: v.optional(str(64)),
  directory: v.optional(RawDirectorySchema),
  statTypes: v.optional(rec(RawStatTypeSchema)),
  timeProfiles: v.optional(rec(RawTimeProfileSchema)),
  timeRanges: v.optional(rec(RawTimeRangeSchema)),
  filters: v.optional(rec(RawFilterSchema)),
});

/** The raw (validated, unresolved) engine config. */
export type RawEngineConfig = v.InferOutput<typeof RawEngineConfigSchema>;
/** One raw `[[directory.generate]]` entry. */
export type RawGenerate = v.InferOutput<typeof RawGenerateSchema>;
/** The raw `[directory]` table. */
export type RawDirectory = v.InferOutput<typeof RawDirectorySchema>;
/** One raw `[statTypes.NAME]` table. */
export type RawStatType = v.InferOutput<typeof RawStatTypeSchema>;
/** One raw `[timeProfiles.NAME]` table. */
export type RawTimeProfile = v.InferOutput<typeof RawTimeProfileSchema>;
