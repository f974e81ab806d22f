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
          ? new RedisThrottlerStorage(config.redis.url, `${config.redis.keyPrefix}rl:`)
          : new MemoryThrottlerStorage(),
    },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
})
export class RateLimitModule {}

/**
 * One named throttler per tracker kind. Limits and windows come from the request's subject (the project's
 * policy for the endpoint's group); a kind the group does not count, or a request that names no identifier /
 * client_id, is skipped. A key stays blocked for one window after its limit is passed.
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
    const rule = (context: Parameters<typeof subjectOf>[0]) => {
      const found = subjectOf(context)?.rules[kind];
      if (!found) throw new Error(`no ${kind} rate limit for this request`);
      return found;
    };
    return {
      name: kind,
      limit: (context) => rule(context).limit,
      ttl: (context) => rule(context).windowSeconds * 1000,
      blockDuration: (context) => rule(context).windowSeconds * 1000,
      skipIf: (context) => {
        const subject = subjectOf(context);
        return !subject?.rules[kind] || (tracker !== undefined && tracker(context) === undefined);
      },
      ...(tracker ? { getTracker: (_request: Record<string, unknown>, context) => tracker(context) ?? '' } : {}),
      generateKey: (context, trackerValue, name) => {
        const subject = subjectOf(context);
        if (!subject) throw new Error('rate limit without a subject');
        return key(subject, name, trackerValue);
      },
    } satisfies ThrottlerOptions;
  });
}
