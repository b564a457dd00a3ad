/**
 * The raw TOML shape of a statd config, as valibot schemas: types, ranges and unknown keys are
 * checked here; meaning and cross-references in `resolve.ts`. Every table is strict: an unknown
 * key is an error with a did-you-mean.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { RawConfigSchema } from "./schema.ts";
 * v.safeParse(RawConfigSchema, { cluster: { instances: 2 } }).success; // true
 * ```
 * @module
 */
import * as v from "valibot";
import { didYouMean } from "../mask.ts";
import { show } from "./errors.ts";

/** A strict table whose issues say "unknown key" (with a hint) or "expected a table". */
function table<const E extends v.ObjectEntries>(entries: E) {
  const keys = Object.keys(entries);
  return v.strictObject(entries, (issue) => {
    const key = String(issue.path?.at(-1)?.key ?? "");
    if (issue.expected === "never") {
      const hint = didYouMean(key, keys);
      return `unknown key ${show(key)}${hint || ` (known keys: ${keys.join(", ")})`}`;
    }
    if (issue.input === undefined && keys.includes(key)) return `missing required key ${show(key)}`;
    return `expected a table, got ${_kind(issue.input)}`;
  });
}

function _kind(x: unknown): string {
  if (Array.isArray(x)) return "an array";
  if (x === null) return "null";
  if (typeof x === "object") return x instanceof Date ? "a date" : "a table";
  return `${typeof x} ${show(x)}`;
}

const str = (max = 1024) =>
  v.pipe(
    v.string((i) => `expected a string, got ${_kind(i.input)}`),
    v.maxLength(max, `longer than ${max} characters`),
  );
const id = () =>
  v.pipe(
    str(256),
    v.minLength(1, "must not be empty"),
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    v.regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters"),
  );
const int = (min: number, max: number) =>
  v.pipe(
    v.number((i) => `expected an integer, got ${_kind(i.input)}`),
    v.integer((i) => `expected an integer, got ${i.received}`),
    v.minValue(min, (i) => `must be at least ${min}, got ${i.received}`),
    v.maxValue(max, (i) => `must be at most ${max}, got ${i.received}`),
  );
const num = (min: number, max: number) =>
  v.pipe(
    v.number((i) => `expected a number, got ${_kind(i.input)}`),
    v.finite("must be finite"),
    v.minValue(min, (i) => `must be at least ${min}, got ${i.received}`),
    v.maxValue(max, (i) => `must be at most ${max}, got ${i.received}`),
  );
const bool = () => v.boolean((i) => `expected true or false, got ${_kind(i.input)}`);
const list = <T extends v.GenericSchema>(item: T, max = 1_000_000) =>
  v.pipe(
    v.array(item, (i) => `expected an array, got ${_kind(i.input)}`),
    v.maxLength(max, `more than ${max} entries`),
  );
/** A string, or an array of strings (masks, object lists, templates). */
const strOrList = (max = 1024) =>
  v.union(
    [str(max), list(str(max), 1024)],
    (i) => `expected a string or an array of strings, got ${_kind(i.input)}`,
  );
const rec = <T extends v.GenericSchema>(item: T) =>
  v.record(
    v.pipe(
      str(128),
      v.regex(
        /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/,
        "names use letters, digits, _ . - (and start with a letter, digit or _)",
      ),
    ),
    item,
    (i) => `expected a table, got ${_kind(i.input)}`,
  );

/** `[cluster]` */
export const RawClusterSchema = table({
  name: v.optional(id()),
  instances: v.optional(int(1, 64)),
  dataDir: v.optional(str(4096)),
  timeZone: v.optional(str(64)),
});

/** `[api]` */
export const RawApiSchema = table({
  listen: v.optional(str(300)),
  tokens: v.optional(
    list(
      table({ token: v.pipe(str(512), v.minLength(1, "must not be empty")), tenant: v.optional(id()) }),
      10_000,
    ),
  ),
});

/** `[[sip.nodes]]` */
export const RawSipSchema = table({
  nodes: v.optional(list(table({ id: id(), interactionProxy: str(300), tController: str(300) }), 256)),
});

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
  (i) => `expected a table {lo, hi} or a string "LO-HI", got ${_kind(i.input)}`,
);

/** `[filters.NAME]`: a table `{expression}` or the expression string itself. */
export const RawFilterSchema = v.union(
  [table({ expression: str(8192), description: v.optional(str(4096)) }), str(8192)],
  (i) => `expected a table {expression} or a string, got ${_kind(i.input)}`,
);

/** `[[replay.statistics]]` */
export const RawReplaySchema = table({
  statistics: v.optional(
    list(
      table({
        object: table({ type: str(32), id: id(), tenant: tenantRef }),
        statType: id(),
        timeProfile: v.optional(id()),
        timeRange: v.optional(id()),
        timeRange2: v.optional(id()),
        filter: v.optional(id()),
      }),
      100_000,
    ),
  ),
});

/** The whole file. */
export const RawConfigSchema = table({
  cluster: v.optional(RawClusterSchema),
  api: v.optional(RawApiSchema),
  sip: v.optional(RawSipSchema),
  directory: v.optional(RawDirectorySchema),
  statTypes: v.optional(rec(RawStatTypeSchema)),
  timeProfiles: v.optional(rec(RawTimeProfileSchema)),
  timeRanges: v.optional(rec(RawTimeRangeSchema)),
  filters: v.optional(rec(RawFilterSchema)),
  replay: v.optional(RawReplaySchema),
});

/** The raw (validated, unresolved) config. */
export type RawConfig = v.InferOutput<typeof RawConfigSchema>;
/** One raw `[[directory.generate]]` entry. */
export type RawGenerate = v.InferOutput<typeof RawGenerateSchema>;
/** The raw `[directory]` table. */
export type RawDirectory = v.InferOutput<typeof RawDirectorySchema>;
/** One raw `[statTypes.NAME]` table. */
export type RawStatType = v.InferOutput<typeof RawStatTypeSchema>;
/** One raw `[timeProfiles.NAME]` table. */
export type RawTimeProfile = v.InferOutput<typeof RawTimeProfileSchema>;
