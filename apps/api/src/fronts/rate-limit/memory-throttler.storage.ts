import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

/** @nestjs/throttler's record type (its index does not export the interface by name). */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Counter {
  hits: number;
  /** When the fixed window that the first hit started ends (ms since the epoch); 0 once a block cleared it. */
  windowEndsAt: number;
  /** Until when the key is refused without counting (ms since the epoch); 0 when not blocked. */
  blockedUntil: number;
}

/** How often keys whose window and block have both ended are dropped, so memory follows the live keys. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Rate-limit counters in this process's memory, with the same fixed-window rule as RedisThrottlerStorage's
 * script, so a limit means the same with and without KEYWAY_REDIS_URL: the first hit starts a window of
 * `ttl`; the hit past the limit blocks the key for `blockDuration` and clears its count, so a new window
 * starts when the block ends. Each hit is O(1): @nestjs/throttler's own memory store keeps a timestamp per
 * hit and filters the list on every request, which grows with the limit (a token endpoint allowed thousands
 * of requests a minute paid for thousands of timestamps on each).
 */
export class MemoryThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly counters = new Map<string, Counter>();
  private sweep: NodeJS.Timeout | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    _throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    return this.hit(key, ttl, limit, blockDuration);
  }

  /** The counting itself, synchronous: nothing can interleave between reading and writing a counter. */
  private hit(key: string, ttl: number, limit: number, blockDuration: number): ThrottlerStorageRecord {
    this.sweep ??= setInterval(() => this.dropIdle(), SWEEP_INTERVAL_MS).unref();
    const now = this.now();
    let counter = this.counters.get(key);
    if (counter && counter.blockedUntil > now) {
      const blockLeft = counter.blockedUntil - now;
      return {
        totalHits: limit + 1,
        timeToExpire: seconds(blockLeft),
        isBlocked: true,
        timeToBlockExpire: seconds(blockLeft),
      };
    }
    if (!counter || counter.windowEndsAt <= now) {
      counter = { hits: 0, windowEndsAt: now + ttl, blockedUntil: 0 };
      this.counters.set(key, counter);
    }
    const hits = ++counter.hits;
    const windowLeft = counter.windowEndsAt - now;
    if (hits <= limit)
      return { totalHits: hits, timeToExpire: seconds(windowLeft), isBlocked: false, timeToBlockExpire: 0 };
    if (blockDuration <= 0) {
      return {
        totalHits: hits,
        timeToExpire: seconds(windowLeft),
        isBlocked: true,
        timeToBlockExpire: seconds(windowLeft),
      };
    }
    counter.blockedUntil = now + blockDuration;
    counter.hits = 0;
    counter.windowEndsAt = 0;
    return {
      totalHits: hits,
      timeToExpire: seconds(windowLeft),
      isBlocked: true,
      timeToBlockExpire: seconds(blockDuration),
    };
  }

  /** Keys currently held (for tests and diagnostics). */
  get size(): number {
    return this.counters.size;
  }

  /** Drops every key whose window and block have both ended: they would start afresh anyway. */
  dropIdle(): void {
    const now = this.now();
    for (const [key, counter] of this.counters) {
      if (counter.windowEndsAt <= now && counter.blockedUntil <= now) this.counters.delete(key);
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweep);
    this.sweep = undefined;
  }
}

function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}
