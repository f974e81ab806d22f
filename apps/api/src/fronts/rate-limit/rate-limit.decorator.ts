import { SetMetadata } from '@nestjs/common';
import type { RateLimitGroup } from '../../infra/config/rate-limit-policy';

export const RATE_LIMIT_GROUP = 'keyway:rate-limit-group';

/**
 * Counts the endpoint's requests in a rate-limit group (per client IP, and per identifier or client_id as the
 * group defines); RateLimitGuard refuses those over the project's limits with 429 before any other work.
 */
export const RateLimit = (group: RateLimitGroup): MethodDecorator & ClassDecorator =>
  SetMetadata(RATE_LIMIT_GROUP, group);
