/**
 * A partition's state as bytes, and back (docs/checkpoints.md, "What is saved"): every DN's
 * state, agent and place composites, open statistics with their running entries, ended-episode
 * accumulators, sliding buckets and selection windows, pending resets, cross-partition
 * messages not yet flushed, counters. Written with the graph codec (`checkpoint/graph.ts`); what
 * comes from the process is not written but named and given back at restore: the config (every
 * object of it), the clock, the ownership predicate, compiled filters (compiled again from the
 * config's expressions) and module constants.
 *
 * @example
 * ```ts
 * const bytes = snapshotEngine(eng);
 * const back = restoreEngine(bytes, { config, clock });
 * back.peek(statId); // what eng.peek(statId) gave
 * ```
 * @module
 */
import { decodeGraph, encodeGraph, GraphError } from "../checkpoint/graph.ts";
import type { EngineConfig } from "../definitions.ts";
import type { CompiledFilter } from "../filter/mod.ts";
import { compileFilter } from "../filter/mod.ts";
import type { Clock } from "./clock.ts";
import { Composite } from "./composite.ts";
import { Directory } from "./directory.ts";
import { ENGINE_GRAPH, Engine } from "./engine.ts";
import { SmallMap } from "./small-map.ts";
import { Stat, StatExt } from "./stat.ts";
import { SubTable } from "./subs.ts";

const _CLASSES = { ...ENGINE_GRAPH.classes, Composite, Directory, SmallMap, Stat, StatExt, SubTable };

/** What the restoring process gives back (see the module doc). */
export interface RestoreOptions {
  config: EngineConfig;
  clock: Clock;
  /** the ownership predicate; absent: the engine owns everything */
  owns?: (key: string) => boolean;
}

/** The engine's private fields this module reads and sets (kept in one place). */
interface _EngineFields {
  config: EngineConfig;
  clock: Clock;
  _owns: (key: string) => boolean;
  _ownAll: boolean;
  _filters: Map<string, CompiledFilter>;
}

/** Every object of the config, by its path (the same config gives the same names). */
function _configNames(config: EngineConfig, out: Map<object, string>): void {
  const walk = (v: unknown, path: string): void => {
    if (v === null || typeof v !== "object" || out.has(v)) return;
    out.set(v, path);
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) walk(v[i], `${path}[${i}]`);
    else for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  walk(config, "cfg");
}

function _externals(
  config: EngineConfig,
  clock: Clock,
  owns: (key: string) => boolean,
  filters: ReadonlyMap<string, CompiledFilter>,
): Map<object, string> {
  const m = new Map<object, string>();
  _configNames(config, m);
  m.set(clock, "clock");
  m.set(owns, "owns");
  for (const [name, f] of Object.entries(ENGINE_GRAPH.statics)) m.set(f, name);
  for (const [name, f] of filters) {
    m.set(f, `filter:${name}`);
    m.set(f.evaluate, `filter:${name}#evaluate`);
    m.set(f.keys, `filter:${name}#keys`);
    m.set(f.ast, `filter:${name}#ast`);
  }
  return m;
}

/** The state of `eng` as bytes: [u32 n][names of its compiled filters][state]. */
export function snapshotEngine(eng: Engine): Uint8Array {
  const f = eng as unknown as _EngineFields;
  const names = encodeGraph([...f._filters.keys()], { classes: {}, externals: new Map() });
  const state = encodeGraph(eng, {
    classes: _CLASSES,
    externals: _externals(f.config, f.clock, f._owns, f._filters),
  });
  const out = new Uint8Array(4 + names.length + state.length);
  new DataView(out.buffer).setUint32(0, names.length, true);
  out.set(names, 4);
  out.set(state, 4 + names.length);
  return out;
}

/** An engine in the state {@link snapshotEngine} wrote. Throws {@link GraphError} when it cannot be. */
export function restoreEngine(bytes: Uint8Array, o: RestoreOptions): Engine {
  if (bytes.length < 4) throw new GraphError("an engine checkpoint of less than 4 bytes");
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (n > bytes.length - 4) throw new GraphError("an engine checkpoint cut short");
  const names = decodeGraph(bytes.subarray(4, 4 + n), { classes: {}, externals: new Map() });
  if (!Array.isArray(names) || !names.every((x) => typeof x === "string"))
    throw new GraphError("an engine checkpoint without its filter names");
  const filters = new Map<string, CompiledFilter>();
  for (const name of names as string[]) {
    const fd = Object.hasOwn(o.config.filters, name) ? o.config.filters[name] : undefined;
    if (!fd) throw new GraphError(`the checkpoint uses filter "${name}", which the config does not define`);
    filters.set(name, compileFilter(fd.expression));
  }
  const owns = o.owns ?? (() => true);
  const byName = new Map<string, object>();
  for (const [obj, name] of _externals(o.config, o.clock, owns, filters)) byName.set(name, obj);
  const eng = decodeGraph(bytes.subarray(4 + n), { classes: _CLASSES, externals: byName });
  if (!(eng instanceof Engine)) throw new GraphError("an engine checkpoint that holds no engine");
  const f = eng as unknown as _EngineFields;
  // the process's own objects, whatever the checkpoint said
  f.config = o.config;
  f.clock = o.clock;
  f._ownAll = o.owns === undefined;
  f._owns = owns;
  f._filters = filters;
  return eng;
}
