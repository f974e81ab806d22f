import {
  applyRateLimitSettings,
  DEFAULT_RATE_LIMITS,
  mergeRateLimitSettings,
  RateLimitSettings,
} from './rate-limit-policy';

describe('rate-limit policy', () => {
  it('lays settings over the defaults rule field by rule field, and ignores kinds a group does not count', () => {
    const policy = applyRateLimitSettings(DEFAULT_RATE_LIMITS, {
      login: { ip: { limit: 5 } },
      token: { client: { windowSeconds: 10 } },
    });
    expect(policy.login).toEqual({
      ip: { limit: 5, windowSeconds: 60 },
      identifier: DEFAULT_RATE_LIMITS.login.identifier,
    });
    expect(policy.token.client).toEqual({ limit: 1200, windowSeconds: 10 });
    expect(policy.selfService).toEqual(DEFAULT_RATE_LIMITS.selfService);
    expect(applyRateLimitSettings(DEFAULT_RATE_LIMITS, undefined)).toBe(DEFAULT_RATE_LIMITS);
  });

  it('merges a PATCH over stored settings without dropping what it does not name', () => {
    const merged = mergeRateLimitSettings(
      { login: { ip: { limit: 5, windowSeconds: 30 } }, token: { client: { limit: 9 } } },
      { login: { ip: { limit: 7 }, identifier: { limit: 3 } } },
    );
    expect(merged).toEqual({
      login: { ip: { limit: 7, windowSeconds: 30 }, identifier: { limit: 3 } },
      token: { client: { limit: 9 } },
    });
    expect(mergeRateLimitSettings(undefined, { selfService: { ip: { limit: 1 } } })).toEqual({
      selfService: { ip: { limit: 1 } },
    });
    expect(mergeRateLimitSettings({ login: {} }, undefined)).toEqual({ login: {} });
  });

  it('refuses unknown groups and kinds, zero limits and windows over a day', () => {
    expect(RateLimitSettings.safeParse({ admin: {} }).success).toBe(false);
    expect(RateLimitSettings.safeParse({ login: { client: { limit: 1 } } }).success).toBe(false);
    expect(RateLimitSettings.safeParse({ login: { ip: { limit: 0 } } }).success).toBe(false);
    expect(RateLimitSettings.safeParse({ login: { ip: { windowSeconds: 86_401 } } }).success).toBe(false);
    expect(RateLimitSettings.safeParse({ login: { ip: { limit: 1, burst: 2 } } }).success).toBe(false);
  });
});
