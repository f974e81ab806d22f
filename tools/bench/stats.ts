/** Small statistics for the benchmark's reports. */

/** One measured phase against one server: completed requests, their latencies (ms), the server's CPU time. */
export interface PhaseResult {
  name: string;
  count: number;
  errors: number;
  seconds: number;
  serverCpuSeconds: number;
  /**
   * Of serverCpuSeconds, the servers' main threads: the event loop, where requests are parsed, routed, validated,
   * written to the database and answered. The rest is their other threads: libuv's pool (argon2id) and V8's helpers.
   */
  mainThreadCpuSeconds: number;
  /** The largest peak resident set (KiB) of the servers during the phase (0 for a phase without servers). */
  peakRssKiB: number;
  latencies: number[];
}

/**
 * The rounds of one row on one server as a single result: counts, time and CPU summed, latencies pooled, the
 * highest peak resident set.
 */
export function combineRounds(name: string, rounds: readonly PhaseResult[]): PhaseResult {
  return {
    name,
    count: rounds.reduce((sum, round) => sum + round.count, 0),
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
    seconds: rounds.reduce((sum, round) => sum + round.seconds, 0),
    serverCpuSeconds: rounds.reduce((sum, round) => sum + round.serverCpuSeconds, 0),
    mainThreadCpuSeconds: rounds.reduce((sum, round) => sum + round.mainThreadCpuSeconds, 0),
    peakRssKiB: Math.max(0, ...rounds.map((round) => round.peakRssKiB)),
    latencies: rounds.flatMap((round) => round.latencies),
  };
}

/** Where a login's server CPU went, in milliseconds per login. */
export interface LoginCpu {
  total: number;
  /** The event loop: three HTTP requests, the flow, the SQL statements, the token signatures. */
  mainThread: number;
  /** libuv's pool, where argon2id runs, and V8's GC and compiler helpers. */
  otherThreads: number;
  /** mainThread / total: the "engine" share, which its 90 % target holds under 10 %. */
  mainThreadShare: number;
}

export function loginCpu(logins: PhaseResult): LoginCpu {
  const perLogin = (seconds: number) => ratio(1000 * seconds, logins.count);
  const total = perLogin(logins.serverCpuSeconds);
  const mainThread = perLogin(logins.mainThreadCpuSeconds);
  return { total, mainThread, otherThreads: total - mainThread, mainThreadShare: ratio(mainThread, total) };
}

/** a / b, NaN when either is missing or b is 0 (a ratio to nothing is not a number to print). */
export function ratio(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return NaN;
  return a / b;
}

/** The p-th percentile (nearest rank) of the values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * The probability that a random sample of `a` is larger (slower) than a random sample of `b`, ties counting
 * half (the Mann-Whitney U statistic divided by |a|·|b|, i.e. the ROC AUC of telling a from b by the value).
 * 0.5: the two cannot be told apart; 0 or 1: every sample tells.
 */
export function auc(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) return NaN;
  // Rank-sum in O(n log n): sort both together, give tied values their average rank.
  const all = [...a.map((value) => ({ value, fromA: true })), ...b.map((value) => ({ value, fromA: false }))].sort(
    (x, y) => x.value - y.value,
  );
  let rankSumA = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]!.value === all[i]!.value) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]!.fromA) rankSumA += averageRank;
    i = j;
  }
  return (rankSumA - (a.length * (a.length + 1)) / 2) / (a.length * b.length);
}

/** `n` of each label in random order: neither label systematically follows the other. */
export function shuffledPairs<T>(n: number, first: T, second: T, random: () => number = Math.random): T[] {
  const order = [...Array.from({ length: n }, () => first), ...Array.from({ length: n }, () => second)];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
