/**
 * The raw TOML shape of the daemon's sections, as valibot schemas built from stat-core's config
 * schema kit (strict tables: an unknown key is an error with a did-you-mean). The engine's
 * sections are checked by stat-core; at the top level they are only named here, so an unknown
 * top-level key is caught with every known key as a hint.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { RawStatdFileSchema } from "./schema.ts";
 * v.safeParse(RawStatdFileSchema, { clustr: {} }).success; // false: unknown key "clustr" (did you mean "cluster"?)
 * ```
 * @module
 */
import { configSchema as k } from "@statd/stat-core/config";
import * as v from "valibot";

/** `[cluster]` */
export const RawClusterSchema = k.table({
  name: v.optional(k.id()),
  instances: v.optional(k.int(1, 64)),
  dataDir: v.optional(k.str(4096)),
  timeZone: v.optional(k.str(64)),
});

/** `[api]` */
export const RawApiSchema = k.table({
  listen: v.optional(k.str(300)),
  tokens: v.optional(
    k.list(
      k.table({ token: v.pipe(k.str(512), v.minLength(1, "must not be empty")), tenant: v.optional(k.id()) }),
      10_000,
    ),
  ),
});

/** `[[sip.nodes]]` */
export const RawSipSchema = k.table({
  nodes: v.optional(
    k.list(k.table({ id: k.id(), interactionProxy: k.str(300), tController: k.str(300) }), 256),
  ),
});

/** `[[replay.statistics]]` */
export const RawReplaySchema = k.table({
  statistics: v.optional(
    k.list(
      k.table({
        object: k.table({ type: k.str(32), id: k.id(), tenant: v.optional(k.id()) }),
        statType: k.id(),
        timeProfile: v.optional(k.id()),
        timeRange: v.optional(k.id()),
        timeRange2: v.optional(k.id()),
        filter: v.optional(k.id()),
      }),
      100_000,
    ),
  ),
});

/** The daemon's own top-level tables. */
export const DAEMON_SECTIONS = ["cluster", "api", "sip", "replay"] as const;

/** The whole file: the daemon's tables checked here, the engine's passed on to stat-core. */
export const RawStatdFileSchema = k.table({
  cluster: v.optional(RawClusterSchema),
  api: v.optional(RawApiSchema),
  sip: v.optional(RawSipSchema),
  directory: v.optional(v.unknown()),
  statTypes: v.optional(v.unknown()),
  timeProfiles: v.optional(v.unknown()),
  timeRanges: v.optional(v.unknown()),
  filters: v.optional(v.unknown()),
  replay: v.optional(RawReplaySchema),
});

/** The raw (validated, unresolved) daemon file. */
export type RawStatdFile = v.InferOutput<typeof RawStatdFileSchema>;
