import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule, type ThrottlerOptions } from '@nestjs/throttler';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { ProjectsModule } from '../../domain/projects/projects.module';
import { RATE_LIMIT_STORAGE, RateLimitGuard } from './rate-limit.guard';
import type { RateLimitKind } from '../../infra/config/rate-limit-policy';
import { keyFunction, subjectOf } from './rate-limit-subject';
import { MemoryThrottlerStorage } from './memory-throttler.storage';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * Request rate limits (@RateLimit(group) on controllers, RateLimitGuard as the policy). Counters live in
 * this process's memory (MemoryThrottlerStorage), or in Redis when KEYWAY_REDIS_URL is set so that replicas
 * count together; both count in fixed windows by the same rule.
 */
@Global()
@Module({
  imports: [
    ProjectsModule,
    ThrottlerModule.forRootAsync({
      inject: [KEYWAY_CONFIG],
      useFactory: (config: KeywayConfig) => ({
        throttlers: throttlers(keyFunction(config.secretKey)),
        setHeaders: false,
      }),
    }),
  ],
  providers: [
    {
      provide: RATE_LIMIT_STORAGE,
      inject: [KEYWAY_CONFIG],
      useFactory: (config: KeywayConfig) =>
        config.redis.url
          ? RedisThrottlerStorage.open(config.redis.url, `${config.redis.keyPrefix}rl:`)
          : new MemoryThrottlerStorage(),
    },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
})
export class RateLimitModule {}

/**
 * One named throttler per tracker kind: how it finds its tracker and its counter key. Which kinds count, and
 * their limits and windows, come from the request's subject (the project's policy for the endpoint's group):
 * RateLimitGuard passes them to each count, so `limit` and `ttl` here are never read. A request that names no
 * identifier / client_id skips that kind.
 */
function throttlers(key: ReturnType<typeof keyFunction>): ThrottlerOptions[] {
  const trackers: Record<
    RateLimitKind,
    ((context: Parameters<typeof subjectOf>[0]) => string | undefined) | undefined
  > = {
    ip: undefined, // the guard's own tracker: the client IP (IPv6 by /64), as Fastify's trustProxy resolves it
    identifier: (context) => subjectOf(context)?.identifier,
    client: (context) => subjectOf(context)?.clientId,
  };
  return (Object.keys(trackers) as RateLimitKind[]).map((kind) => {
    const tracker = trackers[kind];
    return {
      name: kind,
      limit: 0,
      ttl: 0,
      ...(tracker
        ? {
            skipIf: (context) => tracker(context) === undefined,
            getTracker: (_request: Record<string, unknown>, context) => tracker(context) ?? '',
          }
        : {}),
      generateKey: (context, trackerValue, name) => {
        const subject = subjectOf(context);
        if (!subject) throw new Error('rate limit without a subject');
        return key(subject, name, trackerValue);
      },
    } satisfies ThrottlerOptions;
  });
}
