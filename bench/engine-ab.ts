/**
 * Before/after of the engine benchmark on this noisy shared host: runs `bench/engine.ts` of this
 * tree (B) and of another tree (A, e.g. a `git worktree` of an older commit) alternately, pair by
 * pair, so both see the same load, and reports the medians and the ratio B/A of ingest events/s.
 * Usage: `./scripts/bench engine-ab --base DIR [--pairs N] [engine options]` (engine options are
 * passed to both, e.g. `--agents 100000 --events 300000 --runs 1 --stats 0`).
 */
const args = process.argv.slice(2);
const take = (name: string): string | null => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return null;
  const v = args[i + 1];
  args.splice(i, 2);
  return v ?? null;
};
const base = take("base");
const pairs = Number(take("pairs") ?? 5);
if (base === null || !(pairs >= 1)) {
  console.error("usage: ./scripts/bench engine-ab --base DIR [--pairs N] [engine options]");
  process.exit(2);
}
const here = `${import.meta.dir}/..`;

/** the result file bench/engine.ts writes in a tree for these options */
const statsOff = args.includes("--stats") && Number(args[args.indexOf("--stats") + 1]) === 0;
const resultFile = statsOff ? "bench/results/engine-nostats.json" : "bench/results/engine.json";

/** ingest events/s and tick + notification ms per 1k events of one run (read from its result file) */
async function once(tree: string): Promise<[number, number]> {
  const p = Bun.spawn([process.execPath, "bench/engine.ts", ...args], {
    cwd: tree,
    stdout: "ignore",
    stderr: "inherit",
  });
  if ((await p.exited) !== 0) throw new Error(`bench/engine.ts failed in ${tree}`);
  const r = (await Bun.file(`${tree}/${resultFile}`).json()) as {
    ingestEventsPerSec: { median: number };
    tickAndNotifyMsPer1kEvents: { median: number };
  };
  return [r.ingestEventsPerSec.median, r.tickAndNotifyMsPer1kEvents.median];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const a: number[] = [];
const b: number[] = [];
const ratios: number[] = [];
const ta: number[] = [];
const tb: number[] = [];
for (let i = 0; i < pairs; i++) {
  // alternate which goes first, so a drift in the host's load does not favour one side
  let ra: [number, number];
  let rb: [number, number];
  if (i % 2 === 0) {
    ra = await once(base);
    rb = await once(here);
  } else {
    rb = await once(here);
    ra = await once(base);
  }
  const [x, y] = [ra[0], rb[0]];
  a.push(x);
  b.push(y);
  ta.push(ra[1]);
  tb.push(rb[1]);
  ratios.push(y / x);
  console.log(`pair ${i + 1}: A ${x.toFixed(0)}  B ${y.toFixed(0)}  B/A ${(y / x).toFixed(3)}`);
}
const f = (x: number): string => x.toLocaleString("en-US", { maximumFractionDigits: 0 });
console.log(`| engine ingest, events/s (${args.join(" ") || "defaults"}) | median | range |`);
console.log("|---|---|---|");
console.log(`| A = ${base} | ${f(median(a))} | ${f(Math.min(...a))} – ${f(Math.max(...a))} |`);
console.log(`| B = this tree | ${f(median(b))} | ${f(Math.min(...b))} – ${f(Math.max(...b))} |`);
console.log(
  `| tick + notifications, ms per 1k events: A / B (medians) | ${median(ta).toFixed(2)} / ${median(tb).toFixed(2)} | |`,
);
console.log(
  `| B/A per pair (median) | ${median(ratios).toFixed(3)} | ${Math.min(...ratios).toFixed(3)} – ${Math.max(...ratios).toFixed(3)} |`,
);
