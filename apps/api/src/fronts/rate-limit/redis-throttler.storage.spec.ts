import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { itCountsByTheFixedWindowRule } from './throttler-storage.testing';

// The real Redis of these machines and of CI (.ci/run starts it); database 14 keeps tests apart from other users.
const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379/14';

describe('RedisThrottlerStorage (real Redis)', () => {
  let prefix: string;
  const opened: RedisThrottlerStorage[] = [];
  let inspector: Redis;

  async function storage(): Promise<RedisThrottlerStorage> {
    const store = await RedisThrottlerStorage.open(REDIS_URL, prefix);
    await store.onModuleInit();
    opened.push(store);
    return store;
  }

  beforeAll(() => {
    inspector = new Redis(REDIS_URL);
  });
  beforeEach(() => {
    prefix = `kw-unit-${randomBytes(6).toString('hex')}:`;
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.onApplicationShutdown()));
    const keys = await inspector.keys(`${prefix}*`);
    if (keys.length) await inspector.del(...keys);
  });
  afterAll(async () => {
    await inspector.quit();
  });

  itCountsByTheFixedWindowRule(storage);

  it('blocks with a marker key that expires with the block', async () => {
    const store = await storage();
    for (let i = 0; i < 4; i++) await store.increment('k', 60_000, 3, 30_000, 'ip');
    expect(await inspector.pttl(`${prefix}{k}:blocked`)).toBeGreaterThan(29_000);
  });

  it('starts a new window when the block ends', async () => {
    const store = await storage();
    await store.increment('k', 200, 1, 200, 'ip');
    expect((await store.increment('k', 200, 1, 200, 'ip')).isBlocked).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await store.increment('k', 200, 1, 200, 'ip')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('counts exactly under concurrency, across two connections (two replicas)', async () => {
    const [one, two] = [await storage(), await storage()];
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? one : two).increment('shared', 60_000, 5, 60_000, 'ip')),
    );
    expect(results.filter((result) => !result.isBlocked)).toHaveLength(5);
    expect(
      results
        .filter((result) => !result.isBlocked)
        .map((result) => result.totalHits)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5]);
  });

  it('sets an expiry on every key it writes', async () => {
    const store = await storage();
    await store.increment('k', 60_000, 1, 60_000, 'ip');
    expect(await inspector.pttl(`${prefix}{k}`)).toBeGreaterThan(0);
    await store.increment('k', 60_000, 1, 60_000, 'ip');
    const keys = await inspector.keys(`${prefix}*`);
    for (const key of keys) expect(await inspector.pttl(key)).toBeGreaterThan(0);
  });

  it('counts in memory when Redis cannot be reached, instead of letting everything through', async () => {
    const store = await RedisThrottlerStorage.open('redis://127.0.0.1:1/0', prefix);
    await store.onModuleInit();
    try {
      expect((await store.increment('k', 60_000, 1, 60_000, 'ip')).isBlocked).toBe(false);
      expect((await store.increment('k', 60_000, 1, 60_000, 'ip')).isBlocked).toBe(true);
    } finally {
      await store.onApplicationShutdown();
    }
  });
});
