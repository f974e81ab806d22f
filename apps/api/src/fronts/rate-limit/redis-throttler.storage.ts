import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { MemoryThrottlerStorage } from './memory-throttler.storage';

/**
 * One hit, atomically (Redis runs a script alone, so replicas and concurrent requests count exactly):
 * a blocked key answers blocked without counting; otherwise INCR the window's counter (PEXPIRE starts the
 * window at its first hit: fixed windows); the hit past the limit blocks the key for `blockDuration` and
 * clears the counter, so a new window starts when the block ends (MemoryThrottlerStorage counts by the same rule).
 *
 * KEYS[1] hits counter, KEYS[2] block marker; ARGV: ttl ms, limit, block duration ms.
 * Returns {totalHits, ms until the window ends, blocked 0|1, ms until the block ends}.
 */
const HIT_SCRIPT = `
local ttl = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local blockDuration = tonumber(ARGV[3])
local blockedFor = redis.call('PTTL', KEYS[2])
if blockedFor > 0 then
  return {limit + 1, blockedFor, 1, blockedFor}
end
local hits = redis.call('INCR', KEYS[1])
local windowLeft = redis.call('PTTL', KEYS[1])
if windowLeft < 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  windowLeft = ttl
end
if hits > limit then
  if blockDuration <= 0 then
    return {hits, windowLeft, 1, windowLeft}
  end
  redis.call('SET', KEYS[2], '1', 'PX', blockDuration)
  redis.call('DEL', KEYS[1])
  return {hits, windowLeft, 1, blockDuration}
end
return {hits, windowLeft, 0, 0}
`;

type HitReply = [number, number, number, number];
/** @nestjs/throttler's record type (its index does not export the interface by name). */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;
type ScriptedRedis = Redis & {
  keywayRateLimitHit(hits: string, block: string, ttl: number, limit: number, blockDuration: number): Promise<HitReply>;
};

/**
 * @nestjs/throttler storage in Redis, so every replica counts into the same windows (KEYWAY_REDIS_URL).
 * Keys: `{prefix}{<key>}` and `{prefix}{<key>}:blocked` — the braces keep both in one Redis Cluster slot.
 * When Redis cannot answer, the hit is counted in this process's memory instead (logged): limits then hold
 * per replica rather than not at all, and the shared count resumes when Redis is back.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: ScriptedRedis;
  private lastWarning = 0;

  /** ioredis (about 1.5 MiB of heap) is loaded only by a deployment that counts in Redis (KEYWAY_REDIS_URL). */
  static async open(url: string, keyPrefix: string): Promise<RedisThrottlerStorage> {
    const { Redis } = await import('ioredis');
    const redis = new Redis(url, {
      // Fail fast instead of queueing while disconnected: the memory fallback answers at once.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      commandTimeout: 1_000,
      lazyConnect: true,
    });
    return new RedisThrottlerStorage(redis, keyPrefix);
  }

  constructor(
    redis: Redis,
    private readonly keyPrefix: string,
    private readonly fallback: MemoryThrottlerStorage = new MemoryThrottlerStorage(),
  ) {
    this.redis = redis as ScriptedRedis;
    this.redis.defineCommand('keywayRateLimitHit', { numberOfKeys: 2, lua: HIT_SCRIPT });
    // ioredis reconnects by itself; without a listener an error event would crash the process.
    this.redis.on('error', (error: Error) => this.warn(`Redis: ${error.message}`));
  }

  /** Connects before the server listens, so the first requests already count together; not fatal if it fails. */
  async onModuleInit(): Promise<void> {
    try {
      await this.redis.connect();
    } catch (error) {
      this.logger.error(
        `Redis for rate limits unreachable at start-up (${(error as Error).message}); counting in memory until it is back`,
      );
    }
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    try {
      const hashed = `${this.keyPrefix}{${key}}`;
      const [totalHits, windowLeftMs, blocked, blockLeftMs] = await this.redis.keywayRateLimitHit(
        hashed,
        `${hashed}:blocked`,
        ttl,
        limit,
        blockDuration,
      );
      return {
        totalHits,
        timeToExpire: Math.ceil(windowLeftMs / 1000),
        isBlocked: blocked === 1,
        timeToBlockExpire: Math.ceil(blockLeftMs / 1000),
      };
    } catch (error) {
      this.warn(`Redis rate-limit counter failed (${(error as Error).message}); counting in memory`);
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.fallback.onApplicationShutdown();
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }

  /** At most one warning every 30 s: an outage must not flood the log. */
  private warn(message: string): void {
    if (Date.now() - this.lastWarning < 30_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(message);
  }
}
