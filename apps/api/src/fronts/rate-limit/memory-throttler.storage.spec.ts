import { MemoryThrottlerStorage } from './memory-throttler.storage';
import { itCountsByTheFixedWindowRule } from './throttler-storage.testing';

describe('MemoryThrottlerStorage', () => {
  let now: number;
  let store: MemoryThrottlerStorage;

  beforeEach(() => {
    now = 1_000_000;
    store = new MemoryThrottlerStorage(() => now);
  });
  afterEach(() => store.onApplicationShutdown());

  itCountsByTheFixedWindowRule(async () => store);

  it('counts the block down with the clock', async () => {
    for (let i = 0; i < 4; i++) await store.increment('k', 60_000, 3, 30_000, 'ip');
    now += 10_000;
    expect(await store.increment('k', 60_000, 3, 30_000, 'ip')).toMatchObject({
      isBlocked: true,
      timeToBlockExpire: 20,
    });
  });

  it('starts a new window when the block ends', async () => {
    await store.increment('k', 200, 1, 500, 'ip');
    expect((await store.increment('k', 200, 1, 500, 'ip')).isBlocked).toBe(true);
    now += 300; // the window is over, the block is not
    expect((await store.increment('k', 200, 1, 500, 'ip')).isBlocked).toBe(true);
    now += 201;
    expect(await store.increment('k', 200, 1, 500, 'ip')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('starts a new window when the last one ended under the limit (fixed windows)', async () => {
    await store.increment('k', 1_000, 2, 1_000, 'ip');
    await store.increment('k', 1_000, 2, 1_000, 'ip');
    now += 1_000;
    expect(await store.increment('k', 1_000, 2, 1_000, 'ip')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('refuses past the limit for the rest of the window when there is no block duration', async () => {
    await store.increment('k', 1_000, 1, 0, 'ip');
    now += 400;
    expect(await store.increment('k', 1_000, 1, 0, 'ip')).toMatchObject({
      totalHits: 2,
      isBlocked: true,
      timeToBlockExpire: 1,
    });
    now += 600;
    expect((await store.increment('k', 1_000, 1, 0, 'ip')).isBlocked).toBe(false);
  });

  it('drops keys whose window and block have ended, and keeps live ones', async () => {
    await store.increment('idle', 1_000, 5, 1_000, 'ip');
    await store.increment('blocked', 1_000, 0, 60_000, 'ip');
    now += 1_000;
    await store.increment('live', 1_000, 5, 1_000, 'ip');
    store.dropIdle();
    expect(store.size).toBe(2);
    now += 60_000;
    store.dropIdle();
    expect(store.size).toBe(0);
  });
});
