import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  adminApi,
  createTenant,
  get,
  pkcePair,
  postForm,
  postJson,
  startFlow,
  submitPassword,
  type JsonResponse,
  type Tenant,
} from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

// Request rate limits (issue 8): per client IP and per identifier / client_id, per project, answered 429 with
// Retry-After before any work is done; X-Forwarded-For believed only from configured proxies; counters shared
// through Redis by replicas. Every server here runs the real instance defaults (KEYWAY_RATE_LIMITS unset).

const REAL_DEFAULTS = { KEYWAY_RATE_LIMITS: '' };

function expectRateLimited(response: JsonResponse, shape: 'api' | 'oauth', maxRetryAfter: number): void {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxRetryAfter);
  if (shape === 'api') {
    expect(response.body).toEqual({
      code: 'KW-42900',
      message: 'Too many requests.',
      description: expect.stringMatching(/retry after \d+ seconds/),
      traceId: expect.any(String),
    });
  } else {
    expect(response.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: expect.stringMatching(/retry after \d+ seconds/),
    });
  }
}

const statuses = (responses: JsonResponse[]) => responses.map((response) => response.status);
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An authorization request the endpoint refuses at once (unknown client): cheap, but counted like any other. */
const badAuthorize = (tenant: Pick<Tenant, 'issuer'>, headers: Record<string, string> = {}) =>
  get(`${tenant.issuer}/oauth2/authorize?client_id=nobody&response_mode=direct`, headers);
/** A token request with a code that does not exist: answered 400 invalid_grant, counted per IP and client_id. */
const badToken = (tenant: Pick<Tenant, 'issuer' | 'clientId'>, headers: Record<string, string> = {}) =>
  postForm(
    `${tenant.issuer}/oauth2/token`,
    {
      grant_type: 'authorization_code',
      code: 'no-such-code',
      client_id: tenant.clientId,
      code_verifier: pkcePair().verifier,
    },
    headers,
  );

async function createAccounts(server: KeywayServer, tenant: Tenant, count: number): Promise<string[]> {
  const emails: string[] = [];
  for (let i = 0; i < count; i++) {
    const email = `spray-${i}-${randomBytes(3).toString('hex')}@example.com`;
    const created = await adminApi(server).post(`/projects/${tenant.slug}/identities`, {
      traits: { email },
      password: `pw-${randomBytes(9).toString('base64url')}`,
    });
    expect(created.status).toBe(201);
    emails.push(email);
  }
  return emails;
}

describe('rate limits', () => {
  describe('one server, no trusted proxy, counters in memory', () => {
    let server: KeywayServer;
    beforeAll(async () => {
      server = await startKeyway({ env: REAL_DEFAULTS });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('stops a password spray over many accounts at the project limit, and refused guesses cost nothing (no lockout)', async () => {
      const tenant = await createTenant(server, { rateLimits: { login: { ip: { limit: 12, windowSeconds: 5 } } } });
      const accounts = await createAccounts(server, tenant, 5);
      const answers: JsonResponse[] = [];
      // 6 guesses (authorize + authn each = 12 requests) at 5 accounts: all evaluated.
      for (let i = 0; i < 6; i++) {
        const { response } = await startFlow(tenant);
        answers.push(response);
        answers.push(
          await submitPassword(tenant, response.body.flowId, accounts[i % accounts.length]!, 'wrong-password'),
        );
      }
      expect(statuses(answers).every((status) => status === 200)).toBe(true);
      expect(answers[1]?.body.flowStatus).toBe('FAIL_INCOMPLETE');

      // Then 10 more guesses at the first account: each refused before its password is looked at. Had
      // they been evaluated, the account (2 failures so far) would be locked after 3 of them.
      const lastFlow = answers[10]!.body.flowId as string;
      for (let i = 0; i < 10; i++)
        expectRateLimited(await submitPassword(tenant, lastFlow, accounts[0]!, 'wrong-password'), 'api', 5);
      // /oauth2/authorize is an OAuth endpoint: RFC 6749-style body.
      expectRateLimited((await startFlow(tenant)).response, 'oauth', 5);

      // Once the window has passed the address may sign in again, and the account is not locked.
      await wait(5_500);
      const identity = await adminApi(server).post(`/projects/${tenant.slug}/identities`, {
        traits: { email: `owner-${randomBytes(3).toString('hex')}@example.com` },
        password: 'the right password',
      });
      expect(identity.status).toBe(201);
      const { response } = await startFlow(tenant);
      const login = await submitPassword(
        tenant,
        response.body.flowId,
        identity.body.traits.email,
        'the right password',
      );
      expect(login.body.flowStatus).toBe('SUCCESS_COMPLETED');
      const guessed = await adminApi(server).get(`/projects/${tenant.slug}/identities?limit=100`);
      const first = (guessed.body.items as { traits: { email: string }; lockedUntil: string | null }[]).find(
        (row) => row.traits.email === accounts[0],
      );
      expect(first).toBeDefined();
      expect(first!.lockedUntil).toBeNull();
    });

    it('applies the instance default (60 login requests a minute per IP) to a project without rateLimits', async () => {
      const tenant = await createTenant(server);
      const answers: JsonResponse[] = [];
      for (let batch = 0; batch < 6; batch++)
        answers.push(...(await Promise.all(Array.from({ length: 10 }, () => badAuthorize(tenant)))));
      expect(answers.filter((answer) => answer.status === 429)).toHaveLength(0);
      expectRateLimited(await badAuthorize(tenant), 'oauth', 60);
      // Other projects count apart.
      expect((await badAuthorize(await createTenant(server))).status).not.toBe(429);
    });

    it('ignores X-Forwarded-For without KEYWAY_TRUST_PROXY: a spoofed address does not escape the per-IP limit', async () => {
      const tenant = await createTenant(server, { rateLimits: { login: { ip: { limit: 3, windowSeconds: 60 } } } });
      const answers: JsonResponse[] = [];
      for (let i = 0; i < 6; i++)
        answers.push(await badAuthorize(tenant, { 'x-forwarded-for': `198.51.100.${i + 1}` }));
      expect(
        statuses(answers)
          .slice(0, 3)
          .every((status) => status !== 429),
      ).toBe(true);
      for (const answer of answers.slice(3)) expectRateLimited(answer, 'oauth', 60);
    });

    it('lets exactly the limit through when requests arrive at once, and answers the token endpoint RFC-style', async () => {
      const tenant = await createTenant(server, { rateLimits: { token: { ip: { limit: 5, windowSeconds: 60 } } } });
      const answers = await Promise.all(Array.from({ length: 20 }, () => badToken(tenant)));
      const passed = answers.filter((answer) => answer.status !== 429);
      expect(passed).toHaveLength(5);
      for (const answer of passed) expect(answer.body.error).toBe('invalid_grant');
      for (const answer of answers.filter((a) => a.status === 429)) expectRateLimited(answer, 'oauth', 60);
      expect(answers.find((a) => a.status === 429)?.headers.get('cache-control')).toBe('no-store');
    });

    it("limits the invitation links (lookup and accept together) as the system project's self-service, per IP", async () => {
      const patched = await adminApi(server).patch('/projects/keyway-admin', {
        settings: { rateLimits: { selfService: { ip: { limit: 3, windowSeconds: 60 } } } },
      });
      expect(patched.status).toBe(200);
      const invitations = `${server.baseUrl}/api/admin/v1/invitations`;
      const token = randomBytes(32).toString('base64url');
      const answers = [
        await postJson(`${invitations}/lookup`, { token }),
        await postJson(`${invitations}/accept`, { token, password: 'a long enough password' }),
        await postJson(`${invitations}/lookup`, { token }),
      ];
      for (const answer of answers) expect(answer.body.code).toBe('KW-40001');
      expectRateLimited(
        await postJson(`${invitations}/accept`, { token, password: 'a long enough password' }),
        'api',
        60,
      );
      expectRateLimited(await postJson(`${invitations}/lookup`, { token }), 'api', 60);
    });

    it('is configured per project and changed by PATCH, rule field by rule field', async () => {
      const tenant = await createTenant(server, {
        rateLimits: { selfService: { ip: { limit: 2, windowSeconds: 60 } } },
      });
      const admin = adminApi(server);
      const patched = await admin.patch(`/projects/${tenant.slug}`, {
        settings: {
          rateLimits: { selfService: { identifier: { limit: 4 } }, token: { client: { windowSeconds: 30 } } },
        },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.settings.rateLimits).toEqual({
        selfService: { ip: { limit: 2, windowSeconds: 60 }, identifier: { limit: 4 } },
        token: { client: { windowSeconds: 30 } },
      });
      const refused = await admin.patch(`/projects/${tenant.slug}`, {
        settings: { rateLimits: { login: { ip: { limit: 0 } } } },
      });
      expect(refused.status).toBe(400);

      const verification = () =>
        postJson(`${tenant.issuer}/flows/verification`, { client_id: tenant.clientId, email: tenant.email });
      expect((await verification()).status).toBe(200);
      expect((await verification()).status).toBe(200);
      expectRateLimited(await verification(), 'api', 60);
    });
  });

  describe('behind a trusted proxy (KEYWAY_TRUST_PROXY=127.0.0.1)', () => {
    let server: KeywayServer;
    beforeAll(async () => {
      server = await startKeyway({ env: { ...REAL_DEFAULTS, KEYWAY_TRUST_PROXY: '127.0.0.1' } });
    });
    afterAll(async () => {
      await server?.stop();
    });
    const from = (ip: string) => ({ 'x-forwarded-for': ip });

    it('counts each forwarded client address apart', async () => {
      const tenant = await createTenant(server, { rateLimits: { login: { ip: { limit: 2, windowSeconds: 60 } } } });
      const answers: JsonResponse[] = [];
      for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3'])
        for (let i = 0; i < 2; i++) answers.push(await badAuthorize(tenant, from(ip)));
      expect(statuses(answers).every((status) => status !== 429)).toBe(true);
      expectRateLimited(await badAuthorize(tenant, from('203.0.113.1')), 'oauth', 60);
      // The proxy appends: the address it saw is the client's, whatever the client wrote before it.
      expectRateLimited(await badAuthorize(tenant, from('10.9.9.9, 203.0.113.2')), 'oauth', 60);
    });

    it('limits guesses at one account from many addresses (per identifier, case-insensitive) without touching others', async () => {
      const tenant = await createTenant(server, {
        rateLimits: { login: { identifier: { limit: 3, windowSeconds: 60 } } },
      });
      const [victim, other] = await createAccounts(server, tenant, 2);
      const answers: JsonResponse[] = [];
      for (let i = 0; i < 5; i++) {
        const { response } = await startFlow(tenant);
        const username = i % 2 ? victim!.toUpperCase() : victim!;
        answers.push(
          await postJson(
            `${tenant.issuer}/oauth2/authn`,
            {
              flowId: response.body.flowId,
              selectedAuthenticator: {
                authenticatorId: 'QmFzaWNBdXRoZW50aWNhdG9yOkxPQ0FM',
                params: { username, password: 'wrong' },
              },
            },
            from(`192.0.2.${i + 1}`),
          ),
        );
      }
      expect(statuses(answers.slice(0, 3))).toEqual([200, 200, 200]);
      for (const answer of answers.slice(3)) expectRateLimited(answer, 'api', 60);

      const { response } = await startFlow(tenant);
      expect((await submitPassword(tenant, response.body.flowId, other!, 'wrong')).status).toBe(200);
      // First-Party Apps count the same identifier (username or login_hint).
      const fipa = await postForm(
        `${tenant.issuer}/oauth2/authorize-challenge`,
        {
          client_id: tenant.clientId,
          response_type: 'code',
          scope: 'openid',
          code_challenge: pkcePair().challenge,
          code_challenge_method: 'S256',
          login_hint: victim!,
          password: 'wrong',
        },
        from('192.0.2.99'),
      );
      expectRateLimited(fipa, 'oauth', 60);
    });

    it('limits self-service requests naming one email address, from any address', async () => {
      const tenant = await createTenant(server, {
        rateLimits: { selfService: { identifier: { limit: 2, windowSeconds: 60 } } },
      });
      const verification = (email: string, ip: string) =>
        postJson(`${tenant.issuer}/flows/verification`, { client_id: tenant.clientId, email }, from(ip));
      expect((await verification(tenant.email, '203.0.113.10')).status).toBe(200);
      expect((await verification(` ${tenant.email.toUpperCase()} `, '203.0.113.11')).status).not.toBe(429);
      expectRateLimited(await verification(tenant.email, '203.0.113.12'), 'api', 60);
      // Recovery names the address in its first step: the same counter.
      const start = await postJson(
        `${tenant.issuer}/flows/recovery`,
        {
          client_id: tenant.clientId,
          redirect_uri: tenant.redirectUri,
          scope: 'openid',
          code_challenge: pkcePair().challenge,
          code_challenge_method: 'S256',
        },
        from('203.0.113.13'),
      );
      expect(start.status).toBe(200);
      const recovery = await postJson(
        `${tenant.issuer}/flows/recovery`,
        {
          flowId: start.body.flowId,
          selectedAuthenticator: {
            authenticatorId: Buffer.from('EmailRecovery:LOCAL').toString('base64url'),
            params: { email: tenant.email },
          },
        },
        from('203.0.113.14'),
      );
      expectRateLimited(recovery, 'api', 60);
      expect(
        (await verification(`someone-else-${randomBytes(3).toString('hex')}@example.com`, '203.0.113.12')).status,
      ).toBe(200);
    });

    it('limits token requests per client_id across addresses', async () => {
      const tenant = await createTenant(server, { rateLimits: { token: { client: { limit: 3, windowSeconds: 60 } } } });
      const answers: JsonResponse[] = [];
      for (let i = 0; i < 5; i++) answers.push(await badToken(tenant, from(`198.51.100.${i + 1}`)));
      expect(statuses(answers.slice(0, 3))).toEqual([400, 400, 400]);
      for (const answer of answers.slice(3)) expectRateLimited(answer, 'oauth', 60);
    });
  });

  describe('two replicas sharing Redis (KEYWAY_REDIS_URL)', () => {
    const redisUrl = 'redis://127.0.0.1:6379/13';
    const prefix = `kw-e2e-${randomBytes(6).toString('hex')}:`;
    const secretKey = randomBytes(32).toString('base64url');
    let servers: KeywayServer[] = [];
    let redis: Redis;
    const slug = `shared-${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      const env = {
        ...REAL_DEFAULTS,
        KEYWAY_REDIS_URL: redisUrl,
        KEYWAY_REDIS_KEY_PREFIX: prefix,
        KEYWAY_SECRET_KEY: secretKey,
      };
      servers = await Promise.all([startKeyway({ env }), startKeyway({ env })]);
      redis = new Redis(redisUrl);
      // The same project on both (each test server has its own database; real replicas share one).
      for (const server of servers) {
        const created = await adminApi(server).post('/projects', {
          slug,
          name: 'Shared',
          settings: { rateLimits: { login: { ip: { limit: 6, windowSeconds: 60 }, identifier: { limit: 1000 } } } },
        });
        expect(created.status).toBe(201);
      }
    }, 200_000);
    afterAll(async () => {
      const keys = (await redis?.keys(`${prefix}*`)) ?? [];
      if (keys.length) await redis.del(...keys);
      await redis?.quit();
      await Promise.all(servers.map((server) => server.stop()));
    });

    it('counts together: of 20 concurrent requests spread over both, exactly the limit passes', async () => {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => badAuthorize({ issuer: `${servers[i % 2]!.baseUrl}/t/${slug}` })),
      );
      expect(answers.filter((answer) => answer.status !== 429)).toHaveLength(6);
      for (const answer of answers.filter((a) => a.status === 429)) expectRateLimited(answer, 'oauth', 60);
    });

    it('keeps neither addresses nor identifiers in clear in Redis, and every key expires', async () => {
      // A self-service request naming an address (the login group's per-IP key is blocked by the test above).
      const email = `victim-${randomBytes(3).toString('hex')}@example.com`;
      expect(
        (await postJson(`${servers[0]!.baseUrl}/t/${slug}/flows/verification`, { client_id: 'nobody', email })).status,
      ).not.toBe(429);
      const keys = await redis.keys(`${prefix}*`);
      expect(keys.length).toBeGreaterThanOrEqual(2);
      expect(keys.some((key) => key.includes(':identifier:'))).toBe(true);
      for (const key of keys) {
        expect(key).not.toMatch(/127\.0\.0\.1|victim|example\.com/);
        expect(await redis.pttl(key)).toBeGreaterThan(0);
      }
    });
  });
});
