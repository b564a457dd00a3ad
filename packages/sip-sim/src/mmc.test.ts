/**
 * The M/M/c mode against queueing theory. λ = 0.08 calls/s, mean talk 100 s (μ = 0.01), c = 10
 * agents: 8 Erlangs, ρ = 0.8, Erlang C = 0.409, Wq = 20.46 s. 300 simulated hours (≈ 86 000 calls)
 * after a warm-up of 10 × aht. Waits are autocorrelated, so the standard error comes from batch
 * means (30 batches of 10 hours, each far longer than the queue's relaxation time of a few minutes);
 * the tolerance is 4 standard errors (a false alarm about 1 in 16 000 for a fresh seed; the seed is
 * fixed, so the test is deterministic). The same data must reject the neighbouring models c = 9
 * and c = 11, so the test can fail.
 */
import { describe, expect, test } from "bun:test";
import { resolveConfig } from "./config.ts";
import { erlangC, meanWait, probWaitExceeds } from "./erlang.ts";
import { Simulation } from "./model.ts";

const LAMBDA = 0.08;
const AHT = 100;
const C = 10;
const HOURS = 1000;
const BATCHES = 40;

interface Measure {
  mean: number;
  se: number;
}

function batchMeans(xs: Array<{ t: number; x: number }>, t0: number, t1: number): Measure {
  const sums = new Array<number>(BATCHES).fill(0);
  const ns = new Array<number>(BATCHES).fill(0);
  for (const { t, x } of xs) {
    const b = Math.min(BATCHES - 1, Math.floor(((t - t0) / (t1 - t0)) * BATCHES));
    sums[b]! += x;
    ns[b]!++;
  }
  const means = sums.map((s, i) => s / (ns[i] as number));
  const mean = means.reduce((a, b) => a + b, 0) / BATCHES;
  const variance = means.reduce((a, m) => a + (m - mean) ** 2, 0) / (BATCHES - 1);
  return { mean, se: Math.sqrt(variance / BATCHES) };
}

describe("M/M/c mode", () => {
  test("measured waits match Erlang C", () => {
    const cfg = resolveConfig({
      nodes: 2,
      agents: C,
      queues: 1,
      arrivalRate: LAMBDA,
      aht: AHT,
      seed: 2026,
      model: "mmc",
    });
    const queuedAt = new Map<string, number>();
    const waits: Array<{ t: number; wait: number }> = [];
    const talks: number[] = [];
    const answeredAt = new Map<string, number>();
    const sim = new Simulation(cfg, {
      event: (e) => {
        const b = e.body;
        const t = b.time - cfg.startEpoch;
        if (b.event === "EventQueued") queuedAt.set(b.connId as string, t);
        else if (b.event === "EventDiverted") {
          const q = queuedAt.get(b.connId as string) as number;
          queuedAt.delete(b.connId as string);
          waits.push({ t: q, wait: t - q });
        } else if (b.event === "EventEstablished") answeredAt.set(b.connId as string, t);
        else if (b.event === "EventReleased") talks.push(t - (answeredAt.get(b.connId as string) as number));
      },
    });
    const warmup = 10 * AHT;
    const end = HOURS * 3600;
    sim.runUntil(end + warmup);
    const kept = waits.filter((w) => w.t >= warmup && w.t < end + warmup);
    expect(kept.length).toBeGreaterThan(280_000);

    const mu = 1 / AHT;
    const wq = batchMeans(
      kept.map((w) => ({ t: w.t, x: w.wait })),
      warmup,
      end + warmup,
    );
    const pw = batchMeans(
      kept.map((w) => ({ t: w.t, x: w.wait > 0 ? 1 : 0 })),
      warmup,
      end + warmup,
    );
    const p20 = batchMeans(
      kept.map((w) => ({ t: w.t, x: w.wait > 20 ? 1 : 0 })),
      warmup,
      end + warmup,
    );
    const theory = {
      wq: meanWait(LAMBDA, mu, C),
      pw: erlangC(LAMBDA, mu, C),
      p20: probWaitExceeds(LAMBDA, mu, C, 20),
    };
    // the estimates are precise enough to mean something
    expect(wq.se / theory.wq).toBeLessThan(0.05);
    expect(Math.abs(wq.mean - theory.wq)).toBeLessThan(4 * wq.se);
    expect(Math.abs(pw.mean - theory.pw)).toBeLessThan(4 * pw.se);
    expect(Math.abs(p20.mean - theory.p20)).toBeLessThan(4 * p20.se);
    // ... and reject the neighbouring models
    for (const c of [C - 1, C + 1])
      expect(Math.abs(wq.mean - meanWait(LAMBDA, mu, c))).toBeGreaterThan(4 * wq.se);
    // talk times are exponential with mean aht (sd = mean)
    const talkMean = talks.reduce((a, b) => a + b, 0) / talks.length;
    expect(Math.abs(talkMean - AHT)).toBeLessThan((4 * AHT) / Math.sqrt(talks.length));
    // offered load: arrivals per second
    expect(Math.abs(kept.length / end - LAMBDA)).toBeLessThan(4 * Math.sqrt(LAMBDA / end));
  });
});
