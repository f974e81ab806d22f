import { retryDelayMs } from './backoff';

describe('retry backoff', () => {
  const config = { retryBaseMs: 1000, retryMaxMs: 60_000 };

  it('doubles per attempt, within the upper half of the schedule (equal jitter)', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, config, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, config, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(3, config, () => 0.5)).toBe(3000);
  });

  it('is capped at the maximum, also for absurd attempt numbers', () => {
    expect(retryDelayMs(7, config, () => 1)).toBe(60_000);
    expect(retryDelayMs(1000, config, () => 1)).toBe(60_000);
    expect(retryDelayMs(1000, config, () => 0)).toBe(30_000);
  });

  it('spreads messages that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(5, config)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(8000);
  });
});
