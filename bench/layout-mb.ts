/**
 * Layout microbenchmark for the engine redesign (docs/bench-engine.md): 100k agents × 10
 * statistics; each "status change" updates 4 of a random agent's statistics (leave 2, enter 2).
 * Layouts: one object per statistic (today's `Stat`, 12 fields), one Float64Array chunk per agent,
 * one global Float64Array (agent-major). Usage: `bun bench/layout-mb.ts`. Not run by CI.
 */
const A = 100_000,
  K = 10,
  N = 2_000_000;
class St {
  spec = null;
  obj = null;
  sub = 0;
  more = null;
  f = 0;
  openMs = 0;
  since = 0;
  nM = 0;
  tM = 0;
  rnM = 0;
  rs = 0;
  x = null;
}
const objs: St[][] = Array.from({ length: A }, () => Array.from({ length: K }, () => new St()));
const chunks: Float64Array[] = Array.from({ length: A }, () => new Float64Array(K * 8));
const glob = new Float64Array(A * K * 8);
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
function runObj(): number {
  let t = 0;
  for (let i = 0; i < N; i++) {
    const ss = objs[order[i]];
    for (const k of pick) {
      const s = ss[k];
      s.rnM--;
      s.rs -= Math.max(s.since, i);
      s.nM++;
      s.tM += i - s.since;
      t += s.f;
    }
  }
  return t;
}
function runChunk(): number {
  let t = 0;
  for (let i = 0; i < N; i++) {
    const c = chunks[order[i]];
    for (const k of pick) {
      const o = k * 8;
      c[o + 2]--;
      c[o + 3] -= Math.max(c[o], i);
      c[o + 4]++;
      c[o + 5] += i - c[o];
      t += c[o + 7];
    }
  }
  return t;
}
function runGlob(): number {
  let t = 0;
  for (let i = 0; i < N; i++) {
    const b = order[i] * K * 8;
    for (const k of pick) {
      const o = b + k * 8;
      glob[o + 2]--;
      glob[o + 3] -= Math.max(glob[o], i);
      glob[o + 4]++;
      glob[o + 5] += i - glob[o];
      t += glob[o + 7];
    }
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
