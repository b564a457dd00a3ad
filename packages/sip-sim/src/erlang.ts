/**
 * Queueing theory for the M/M/c check: Erlang B and C, mean wait, and the waiting-time tail.
 * λ = arrival rate, μ = service rate of one server (1 / mean talk time), c = servers.
 */

/**
 * Erlang B blocking probability for offered load `a` (Erlangs) on `c` servers (stable recursion).
 *
 * @example
 * ```ts
 * erlangB(2, 3); // ≈ 0.2105
 * ```
 */
export function erlangB(a: number, c: number): number {
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

/**
 * Erlang C: the probability that an arriving call waits, for an M/M/c queue. Requires λ < cμ.
 *
 * @example
 * ```ts
 * erlangC(0.08, 0.01, 10); // ≈ 0.409 (8 Erlangs on 10 agents)
 * ```
 */
export function erlangC(lambda: number, mu: number, c: number): number {
  const a = lambda / mu;
  if (!(a < c)) throw new RangeError(`unstable queue: offered load ${a} >= ${c} servers`);
  const b = erlangB(a, c);
  return (c * b) / (c - a * (1 - b));
}

/**
 * Mean waiting time in queue Wq = C / (cμ − λ).
 *
 * @example
 * ```ts
 * meanWait(0.08, 0.01, 10); // ≈ 20.4 seconds
 * ```
 */
export function meanWait(lambda: number, mu: number, c: number): number {
  return erlangC(lambda, mu, c) / (c * mu - lambda);
}

/**
 * P(wait > t) = C · e^(−(cμ − λ) t).
 *
 * @example
 * ```ts
 * probWaitExceeds(0.08, 0.01, 10, 20); // ≈ 0.274
 * ```
 */
export function probWaitExceeds(lambda: number, mu: number, c: number, t: number): number {
  return erlangC(lambda, mu, c) * Math.exp(-(c * mu - lambda) * t);
}
