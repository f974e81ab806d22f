import type { ThrottlerStorage } from '@nestjs/throttler';

/**
 * What both rate-limit stores promise (the fixed-window rule of RedisThrottlerStorage's script, which
 * MemoryThrottlerStorage follows): run by each store's spec against a fresh store. Nothing here waits for
 * time to pass; each spec tests its windows and blocks ending with its own clock.
 */
export function itCountsByTheFixedWindowRule(store: () => Promise<ThrottlerStorage>): void {
  it('counts hits in a window, then blocks for the block duration without counting', async () => {
    const subject = await store();
    const hits = [];
    for (let i = 0; i < 3; i++) hits.push(await subject.increment('k', 60_000, 3, 30_000, 'ip'));
    expect(hits.map((hit) => [hit.totalHits, hit.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
    expect(hits[0]?.timeToExpire).toBe(60);
    expect(await subject.increment('k', 60_000, 3, 30_000, 'ip')).toMatchObject({
      totalHits: 4,
      isBlocked: true,
      timeToBlockExpire: 30,
    });
    const again = await subject.increment('k', 60_000, 3, 30_000, 'ip');
    expect(again.isBlocked).toBe(true);
    expect(again.timeToBlockExpire).toBeGreaterThan(0);
    expect(again.timeToBlockExpire).toBeLessThanOrEqual(30);
  });

  it('keeps keys apart', async () => {
    const subject = await store();
    await subject.increment('a', 60_000, 1, 60_000, 'ip');
    expect((await subject.increment('a', 60_000, 1, 60_000, 'ip')).isBlocked).toBe(true);
    expect((await subject.increment('b', 60_000, 1, 60_000, 'ip')).isBlocked).toBe(false);
  });

  it('lets exactly the limit through under concurrency', async () => {
    const subject = await store();
    const results = await Promise.all(
      Array.from({ length: 40 }, () => subject.increment('shared', 60_000, 5, 60_000, 'ip')),
    );
    const allowed = results.filter((result) => !result.isBlocked).map((result) => result.totalHits);
    expect(allowed.sort()).toEqual([1, 2, 3, 4, 5]);
  });
}
