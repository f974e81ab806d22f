import { z } from 'zod';

/**
 * Request rate limits: what is counted (per endpoint group, per client IP and per identifier or client_id),
 * how many requests a window allows, and the instance defaults. A request over a limit is refused with 429
 * before any work is done, and the key stays refused for one window (`Retry-After`).
 *
 * Groups:
 * - `login`: /oauth2/authorize, /oauth2/authn, /oauth2/authorize-challenge; the identifier is the username
 *   (or login_hint) a request names.
 * - `token`: /oauth2/token, per IP and per client_id.
 * - `selfService`: /flows/registration, /flows/recovery, /flows/verification and the hosted /ui/ pages;
 *   the identifier is the email address a request names (each such request may send a mail).
 */
export const RATE_LIMIT_GROUPS = ['login', 'token', 'selfService'] as const;
export type RateLimitGroup = (typeof RATE_LIMIT_GROUPS)[number];

/** What a counter is kept per: the client's IP, the identifier the request names, the client_id. */
export type RateLimitKind = 'ip' | 'identifier' | 'client';

const RATE_LIMIT_KINDS: Record<RateLimitGroup, readonly RateLimitKind[]> = {
  login: ['ip', 'identifier'],
  token: ['ip', 'client'],
  selfService: ['ip', 'identifier'],
};

const Rule = z
  .object({
    /** Requests allowed per window; the next one is refused until a window has passed. */
    limit: z.number().int().min(1).max(1_000_000),
    windowSeconds: z.number().int().min(1).max(86_400),
  })
  .strict();
export type RateLimitRule = z.infer<typeof Rule>;

/** A rule as configured: either field may be left to the instance default. */
const PartialRule = Rule.partial().strict();

/** `rateLimits` of the project settings and of KEYWAY_RATE_LIMITS: any subset, over the instance defaults. */
export const RateLimitSettings = z
  .object({
    login: z.object({ ip: PartialRule, identifier: PartialRule }).partial().strict(),
    token: z.object({ ip: PartialRule, client: PartialRule }).partial().strict(),
    selfService: z.object({ ip: PartialRule, identifier: PartialRule }).partial().strict(),
  })
  .partial()
  .strict();
export type RateLimitSettings = z.infer<typeof RateLimitSettings>;

/** Every rule of every group, resolved. */
export type RateLimitPolicy = { [G in RateLimitGroup]: Partial<Record<RateLimitKind, RateLimitRule>> };

/**
 * Instance defaults. Per IP: a login (authorize + authn, maybe a second factor) is 2–4 requests, so 60 a
 * minute lets ~20 people behind one NAT sign in each minute, while a password spray from one address gets
 * at most 60 guesses a minute instead of all it can send. Per identifier: 10 login requests in 5 minutes
 * is more than a person needs (the lockout already stops at 5 wrong passwords); 5 self-service requests
 * naming one address in 15 minutes bounds the mails a stranger can send to it. Token: per IP ten times the
 * login rate, since a confidential client's backend redeems and refreshes for all its users from one address
 * (and a token request costs no password hash), and a per-client ceiling high enough that one public
 * client's users are never throttled together.
 */
export const DEFAULT_RATE_LIMITS: RateLimitPolicy = {
  login: { ip: { limit: 60, windowSeconds: 60 }, identifier: { limit: 10, windowSeconds: 300 } },
  token: { ip: { limit: 600, windowSeconds: 60 }, client: { limit: 1200, windowSeconds: 60 } },
  selfService: { ip: { limit: 30, windowSeconds: 60 }, identifier: { limit: 5, windowSeconds: 900 } },
};

/** The policy with `settings` laid over `base`, rule field by rule field. */
export function applyRateLimitSettings(
  base: RateLimitPolicy,
  settings: RateLimitSettings | undefined,
): RateLimitPolicy {
  if (!settings) return base;
  const policy = { ...base };
  for (const group of RATE_LIMIT_GROUPS) {
    const rules: Partial<Record<RateLimitKind, RateLimitRule>> = { ...base[group] };
    const configured = settings[group] as Partial<Record<RateLimitKind, Partial<RateLimitRule>>> | undefined;
    for (const kind of RATE_LIMIT_KINDS[group]) {
      const current = rules[kind];
      const override = configured?.[kind];
      if (current && override) rules[kind] = { ...current, ...override };
    }
    policy[group] = rules;
  }
  return policy;
}

/** Settings sent in a PATCH laid over the stored ones, rule field by rule field (what is not named stays). */
export function mergeRateLimitSettings(
  current: RateLimitSettings | undefined,
  patch: RateLimitSettings | undefined,
): RateLimitSettings | undefined {
  if (!patch) return current;
  const merged: Record<string, Record<string, Partial<RateLimitRule>>> = {};
  for (const group of RATE_LIMIT_GROUPS) {
    const before = (current?.[group] ?? {}) as Record<string, Partial<RateLimitRule>>;
    const after = (patch[group] ?? {}) as Record<string, Partial<RateLimitRule>>;
    const kinds = new Set([...Object.keys(before), ...Object.keys(after)]);
    if (kinds.size === 0) continue;
    merged[group] = Object.fromEntries([...kinds].map((kind) => [kind, { ...before[kind], ...after[kind] }]));
  }
  return merged as RateLimitSettings;
}
