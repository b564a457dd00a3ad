/**
 * Layout microbenchmark for the engine redesign (docs/bench-engine.md): 100k agents × 10
 * statistics; each "status change" updates 4 of a random agent's statistics (leave 2, enter 2).
 * Layouts: one `Stat` per statistic (the engine's own class and its `leaveBare`), one Float64Array
 * chunk per agent, one global Float64Array (agent-major), the same arithmetic on each. Usage: `bun bench/layout-mb.ts`. Not run by CI.
 */
import type { ObjNode } from "../packages/stat-core/src/engine/directory.ts";
import { SRC, Stat, type StatSpec, specFlags } from "../packages/stat-core/src/engine/stat.ts";

const A = 100_000;
const K = 10;
const N = 2_000_000;
// a compact-core statistic as the engine builds it (TotalTime of an agent status)
const profile = { kind: "growing", name: "Default" } as const;
const spec: StatSpec = {
  cat: "TotalTime",
  kind: SRC.AgentStatus,
  mM: new Uint8Array(128),
  mR: null,
  filter: null,
  profile,
  lo: 0,
  hi: Number.POSITIVE_INFINITY,
  lo2: 0,
  hi2: 0,
  dk: 1,
  ...specFlags("TotalTime", SRC.AgentStatus, profile),
};
const obj: ObjNode = { type: "Agent", id: "a", tenant: "T", stats: [], idx: null };
const objs: Stat[][] = Array.from({ length: A }, () =>
  Array.from({ length: K }, () => new Stat(spec, 0, obj)),
);
/** per statistic: since, openMs, rnM, rs, nM, tM, (spare), flags — 8 numbers */
const W = 8;
const chunks: Float64Array[] = Array.from({ length: A }, () => new Float64Array(K * W));
const glob = new Float64Array(A * K * W);
// interleave other allocations so objects are spread like a real heap
const junk: unknown[] = [];
for (let i = 0; i < 2_000_000; i++) junk.push({ a: i, b: i });
const order = new Int32Array(N);
let r = 12345;
for (let i = 0; i < N; i++) {
  r = (r * 1103515245 + 12345) & 0x7fffffff;
  order[i] = r % A;
}
const pick = [0, 2, 5, 7];
/** `Stat.leaveBare` of a status statistic over numbers at `o` of `a` (the typed-array layouts) */
function leaveAt(a: Float64Array, o: number, s: number, t: number): number {
  const clip = Math.max(s, a[o]);
  a[o + 2]--;
  a[o + 3] -= clip;
  a[o + 4]++;
  a[o + 5] += Math.max(0, t - clip);
  return a[o + 7];
}
function runObj(): number {
  let t = 0;
  for (let i = 0; i < N; i++) {
    const ss = objs[order[i]];
    for (const k of pick) {
      const st = ss[k];
      st.leaveBare(0, i);
      t += st.sub;
    }
  }
  return t;
}
function runChunk(): number {
  let t = 0;
  for (let i = 0; i < N; i++) {
    const c = chunks[order[i]];
    for (const k of pick) t += leaveAt(c, k * W, 0, i);
  }
  return t;
}
function runGlob(): number {
  let t = 0;
  for (let i = 0; i < N; i++) {
    const b = order[i] * K * W;
    for (const k of pick) t += leaveAt(glob, b + k * W, 0, i);
  }
  return t;
}
for (const [name, f] of [
  ["objects", runObj],
  ["chunk per agent", runChunk],
  ["global slab", runGlob],
] as const) {
  f();
  const t0 = performance.now();
  f();
  const ms = performance.now() - t0;
  console.log(`${name.padEnd(16)} ${((ms * 1e6) / N).toFixed(0)} ns per status change (4 statistics)`);
}
if (junk.length === 0) console.log("unreachable");
