import { applyDecorators, SetMetadata } from '@nestjs/common';
import type { RateLimitGroup } from '../../infra/config/rate-limit-policy';

export const RATE_LIMIT_GROUP = 'keyway:rate-limit-group';
export const RATE_LIMIT_PROJECT = 'keyway:rate-limit-project';

/**
 * Counts the endpoint's requests in a rate-limit group (per client IP, and per identifier or client_id as the
 * group defines); RateLimitGuard refuses those over the project's limits with 429 before any other work.
 * The project is the route's `:tenant`, or `project` (a slug) for routes outside any issuer (the invitation
 * links, counted as the system project's self-service).
 */
export const RateLimit = (
  group: RateLimitGroup,
  options: { project?: string } = {},
): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(RATE_LIMIT_GROUP, group),
    ...(options.project ? [SetMetadata(RATE_LIMIT_PROJECT, options.project)] : []),
  );
