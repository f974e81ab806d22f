import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { RateLimitError } from '../../infra/http/errors';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { ProjectsService } from '../../domain/projects/projects.service';
import { RATE_LIMIT_GROUP, RATE_LIMIT_PROJECT } from './rate-limit.decorator';
import {
  applyRateLimitSettings,
  type RateLimitGroup,
  type RateLimitKind,
  type RateLimitPolicy,
} from '../../infra/config/rate-limit-policy';
import { clientIdOf, identifierOf, setSubject, type RateLimitSubject } from './rate-limit-subject';

export const RATE_LIMIT_STORAGE = Symbol('RATE_LIMIT_STORAGE');

const KIND_ORDER: readonly RateLimitKind[] = ['ip', 'client', 'identifier'];

/**
 * The rate-limit policy, applied to every endpoint marked @RateLimit(group) before pipes and handlers run
 * (so a refused request costs one counter update: no argon2, no database write). It resolves the project's
 * limits (its `rateLimits` settings over the instance defaults) and what the request names (identifier,
 * client_id), then lets @nestjs/throttler count each tracker (the `ip`, `identifier`, `client` throttlers of
 * RateLimitModule) in the configured storage, with the limit and window of the project's rule for that kind.
 * Unmarked endpoints (health, admin API, /me, settings flows, userinfo, discovery, JWKS) are not limited here.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly policies = new WeakMap<object, RateLimitPolicy>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @Inject(RATE_LIMIT_STORAGE) storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly projects: ProjectsService,
    @Inject(KEYWAY_CONFIG) private readonly config: KeywayConfig,
  ) {
    super(options, storage, reflector);
  }

  /**
   * Per IP first, identifier last: a request refused for its address never reaches the counters of the
   * identifier it names, so a sprayer over the IP limit does not also use up its victims' budgets.
   */
  override async onModuleInit(): Promise<void> {
    await super.onModuleInit();
    this.throttlers.sort(
      (a, b) => KIND_ORDER.indexOf(a.name as RateLimitKind) - KIND_ORDER.indexOf(b.name as RateLimitKind),
    );
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const group = this.reflector.getAllAndOverride<RateLimitGroup | undefined>(RATE_LIMIT_GROUP, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!group) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const slug =
      this.reflector.getAllAndOverride<string | undefined>(RATE_LIMIT_PROJECT, [
        context.getHandler(),
        context.getClass(),
      ]) ?? (request.params as { tenant?: unknown } | undefined)?.tenant;
    // An unknown tenant is answered 404 by the TenantPipe (one cached read); there are no limits to apply.
    const project = typeof slug === 'string' ? await this.projects.findBySlug(slug) : undefined;
    if (!project) return true;
    let policy = this.policies.get(project);
    if (!policy) {
      policy = applyRateLimitSettings(this.config.rateLimits, project.settings.rateLimits);
      this.policies.set(project, policy);
    }
    const authorization = request.headers.authorization;
    const subject: RateLimitSubject = {
      slug: project.slug,
      group,
      rules: policy[group],
      identifier: identifierOf(group, request.body, request.query),
      clientId:
        group === 'token'
          ? clientIdOf(typeof authorization === 'string' ? authorization : undefined, request.body)
          : undefined,
    };
    setSubject(request, subject);
    return this.count(context, subject);
  }

  /**
   * ThrottlerGuard.canActivate's loop over the named throttlers, less its per-route overrides. Keyway takes
   * limits from the subject's rules, never from @Throttle/@SkipThrottle, so the base class's five reflector
   * lookups and three awaited option resolutions per throttler (fifteen and nine per request here) would find
   * nothing, on every token and login request. Trackers, keys, counting, blocking and the 429 stay the library's
   * (handleRequest), in KIND_ORDER: a refusal throws before the next kind is counted.
   */
  private async count(context: ExecutionContext, subject: RateLimitSubject): Promise<boolean> {
    for (const throttler of this.throttlers) {
      const rule = subject.rules[throttler.name as RateLimitKind];
      if (!rule || throttler.skipIf?.(context)) continue;
      const window = rule.windowSeconds * 1000;
      await this.handleRequest({
        context,
        limit: rule.limit,
        ttl: window,
        blockDuration: window, // a key stays blocked for one window after its limit is passed
        throttler,
        getTracker: throttler.getTracker ?? this.commonOptions.getTracker!,
        generateKey: throttler.generateKey ?? this.commonOptions.generateKey!,
      });
    }
    return true;
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new RateLimitError(Math.max(1, detail.timeToBlockExpire));
  }
}
