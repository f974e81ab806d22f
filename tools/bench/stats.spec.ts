import { auc, combineRounds, loginCpu, percentile, ratio, shuffledPairs, type PhaseResult } from './stats';

describe('benchmark statistics', () => {
  it('computes AUC as P(a > b) with ties counting half', () => {
    expect(auc([10, 11, 12], [1, 2, 3])).toBe(1);
    expect(auc([1, 2, 3], [10, 11, 12])).toBe(0);
    expect(auc([5, 5], [5, 5])).toBe(0.5);
    // Pairs (a, b): (1,2) no, (1,4) no, (3,2) yes, (3,4) no → 1/4.
    expect(auc([1, 3], [2, 4])).toBe(0.25);
    // One tie of four pairs: (2,2) half, (2,1) yes, (4,2) yes, (4,1) yes → 3.5/4.
    expect(auc([2, 4], [2, 1])).toBe(0.875);
  });

  it('agrees with counting every pair', () => {
    const a = Array.from({ length: 57 }, (_, i) => (i * 7919) % 101);
    const b = Array.from({ length: 43 }, (_, i) => (i * 104729) % 97);
    let wins = 0;
    for (const x of a) for (const y of b) wins += x > y ? 1 : x === y ? 0.5 : 0;
    expect(auc(a, b)).toBeCloseTo(wins / (a.length * b.length), 12);
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([], 50)).toBeNaN();
  });

  it('shuffles n of each label', () => {
    const order = shuffledPairs(50, 'known', 'unknown');
    expect(order.filter((x) => x === 'known')).toHaveLength(50);
    expect(order.filter((x) => x === 'unknown')).toHaveLength(50);
  });

  it('combines rounds: counts, seconds and CPU summed, latencies pooled, the highest peak RSS', () => {
    const round = (count: number, latencies: number[], peakRssKiB: number): PhaseResult => ({
      name: 'r',
      count,
      errors: 1,
      seconds: 2,
      serverCpuSeconds: 0.5,
      mainThreadCpuSeconds: 0.2,
      peakRssKiB,
      latencies,
    });
    const combined = combineRounds('row', [round(2, [1, 2], 900), round(3, [3, 4, 5], 700)]);
    expect(combined).toEqual({
      name: 'row',
      count: 5,
      errors: 2,
      seconds: 4,
      serverCpuSeconds: 1,
      mainThreadCpuSeconds: 0.4,
      peakRssKiB: 900,
      latencies: [1, 2, 3, 4, 5],
    });
    expect(combineRounds('none', []).count).toBe(0);
  });

  it("splits a login's server CPU between the main thread and the other threads", () => {
    const logins: PhaseResult = {
      name: 'logins',
      count: 500,
      errors: 0,
      seconds: 6,
      serverCpuSeconds: 7.5,
      mainThreadCpuSeconds: 1.5,
      peakRssKiB: 0,
      latencies: [],
    };
    expect(loginCpu(logins)).toEqual({ total: 15, mainThread: 3, otherThreads: 12, mainThreadShare: 0.2 });
    expect(loginCpu({ ...logins, count: 0 }).mainThreadShare).toBeNaN();
  });

  it('divides, and gives NaN for a missing or zero denominator', () => {
    expect(ratio(3, 4)).toBe(0.75);
    expect(ratio(3, 0)).toBeNaN();
    expect(ratio(undefined, 4)).toBeNaN();
    expect(ratio(3, NaN)).toBeNaN();
  });
});
