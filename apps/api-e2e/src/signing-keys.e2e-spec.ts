import { createHash } from 'node:crypto';
import { FlowSuccessResponse } from '@keyway/flow-types';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { adminApi, createTenant, get, postJson, startFlow, submitPassword, type Tenant } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

// ID tokens signed with the alg each application chose, validated by openid-client against the JWKS; and signing-key
// rotation through the admin API. JWKS max-age 1 s: a next key may sign 2 s after it was published (1 s for the
// replicas to re-read the keys, 1 s for clients' cached JWKS), so the test waits seconds, not minutes. That a retiring
// key leaves the JWKS at its retiresAt is in signing-keys.service.spec.ts, which moves the clock.

interface KeyView {
  kid: string;
  alg: string;
  use: string;
  status: 'next' | 'active' | 'retiring';
  createdAt: string;
  activatedAt: string | null;
  retiresAt: string | null;
}

describe('ID token algs and signing-key rotation', () => {
  let server: KeywayServer;
  let tenant: Tenant;
  const options = { execute: [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks] };

  beforeAll(async () => {
    server = await startKeyway({ env: { KEYWAY_JWKS_MAX_AGE_SECONDS: '1' } });
    tenant = await createTenant(server);
  });
  afterAll(() => server?.stop());

  const admin = () => adminApi(server);
  const listKeys = async (slug = tenant.slug) => {
    const listed = await admin().get<KeyView[]>(`/projects/${slug}/signing-keys`);
    expect(listed.status).toBe(200);
    return listed.body;
  };
  const rotate = (body: Record<string, unknown>, slug = tenant.slug) =>
    admin().post(`/projects/${slug}/signing-keys/rotate`, body);
  const jwks = async (): Promise<{ keys: JWK[] }> => (await get(`${tenant.issuer}/oauth2/jwks`)).body;
  const jwksKids = async () => (await jwks()).keys.map((key) => key.kid);

  /** A public native app of the tenant with the given ID-token alg (left out: the default). */
  async function registerApp(idTokenSignedResponseAlg?: string): Promise<string> {
    const created = await admin().post(`/projects/${tenant.slug}/applications`, {
      name: `App ${idTokenSignedResponseAlg ?? 'default'}`,
      type: 'public',
      appNative: true,
      redirectUris: [tenant.redirectUri],
      ...(idTokenSignedResponseAlg ? { idTokenSignedResponseAlg } : {}),
    });
    expect(created.status).toBe(201);
    return created.body.clientId;
  }

  /** The tenant's user signs in through the client; openid-client exchanges the code and validates the ID token. */
  async function signIn(clientId: string, alg?: string) {
    const client = await oidc.discovery(
      new URL(tenant.issuer),
      clientId,
      alg ? { id_token_signed_response_alg: alg } : {},
      oidc.None(),
      options,
    );
    const { response, verifier } = await startFlow({ ...tenant, clientId });
    const done = await submitPassword(tenant, response.body.flowId, tenant.email, tenant.password);
    const { code, state } = FlowSuccessResponse.parse(done.body).authData;
    const tokens = await oidc.authorizationCodeGrant(
      client,
      new URL(`${tenant.redirectUri}?${new URLSearchParams({ code, state: state ?? '', iss: tenant.issuer })}`),
      { pkceCodeVerifier: verifier, expectedState: 'st-123' },
    );
    return { idToken: tokens.id_token!, accessToken: tokens.access_token, claims: tokens.claims()! };
  }

  /** Waits (seconds at most) until the project's next keys have been published long enough to sign. */
  async function untilNextKeysMayActivate(): Promise<void> {
    const newest = Math.max(...(await listKeys()).map((key) => Date.parse(key.createdAt)));
    const wait = newest + 2_100 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  it('lists exactly the ID-token algs a project has keys for in discovery', async () => {
    const metadata = (await get(`${tenant.issuer}/.well-known/openid-configuration`)).body;
    expect(metadata.id_token_signing_alg_values_supported).toEqual(['RS256', 'ES256', 'EdDSA']);
    expect(metadata.access_token_signing_alg_values_supported).toEqual(['ES256']);
  });

  it('serves the JWKS with the configured cache lifetime', async () => {
    expect((await get(`${tenant.issuer}/oauth2/jwks`)).headers.get('cache-control')).toBe('public, max-age=1');
  });

  it('signs ID tokens RS256 for an application that chose nothing', async () => {
    const clientId = await registerApp();
    const view = await admin().get(`/projects/${tenant.slug}/applications/${clientId}`);
    expect(view.body.idTokenSignedResponseAlg).toBe('RS256');
    const { idToken } = await signIn(clientId);
    expect(decodeProtectedHeader(idToken).alg).toBe('RS256');
  });

  it.each([
    ['ES256', 'EC', 'sha256'],
    ['EdDSA', 'OKP', 'sha512'],
  ])(
    'signs ID tokens %s for an application registered with it; openid-client validates them against the JWKS',
    async (alg, kty, hash) => {
      const clientId = await registerApp(alg);
      const { idToken, accessToken, claims } = await signIn(clientId, alg);
      const header = decodeProtectedHeader(idToken);
      expect(header.alg).toBe(alg);
      const key = (await jwks()).keys.find((candidate) => candidate.kid === header.kid);
      expect(key).toMatchObject({ kty, alg, use: 'sig' });
      expect(claims).toMatchObject({ iss: tenant.issuer, aud: clientId, sub: tenant.identityId });
      // at_hash: the left half of the alg's hash of the access token (SHA-512 for Ed25519).
      const digest = createHash(hash).update(accessToken).digest();
      expect(claims['at_hash']).toBe(digest.subarray(0, digest.length / 2).toString('base64url'));
    },
  );

  it('changes and validates an application’s ID-token alg through the admin API', async () => {
    const clientId = await registerApp('ES256');
    const path = `/projects/${tenant.slug}/applications/${clientId}`;
    const changed = await admin().patch(path, { idTokenSignedResponseAlg: 'EdDSA' });
    expect(changed.status).toBe(200);
    expect(changed.body.idTokenSignedResponseAlg).toBe('EdDSA');
    for (const alg of ['none', 'HS256', 'PS256']) {
      const refused = await admin().patch(path, { idTokenSignedResponseAlg: alg });
      expect(refused.status).toBe(400);
    }
    expect((await admin().get(path)).body.idTokenSignedResponseAlg).toBe('EdDSA');
  });

  it('lists the signing keys without private material: an active and a next key per alg, both in the JWKS', async () => {
    const keys = await listKeys();
    expect(keys.map((key) => `${key.alg}:${key.status}`).sort()).toEqual([
      'ES256:active',
      'ES256:next',
      'EdDSA:active',
      'EdDSA:next',
      'RS256:active',
      'RS256:next',
    ]);
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(['activatedAt', 'alg', 'createdAt', 'kid', 'retiresAt', 'status', 'use']);
      expect(key.use).toBe('sig');
    }
    expect((await jwksKids()).sort()).toEqual(keys.map((key) => key.kid).sort());
    for (const key of (await jwks()).keys)
      for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(part);
  });

  it('rotates: the next key (published before) signs, the old one stays published as retiring and its tokens still verify', async () => {
    const before = await listKeys();
    const old = before.find((key) => key.alg === 'RS256' && key.status === 'active')!;
    const next = before.find((key) => key.alg === 'RS256' && key.status === 'next')!;
    const { idToken: signedBefore } = await signIn(tenant.clientId);
    expect(decodeProtectedHeader(signedBefore).kid).toBe(old.kid);
    // The key that will sign next is in the JWKS already, before anything is signed with it.
    expect(await jwksKids()).toContain(next.kid);

    await untilNextKeysMayActivate();
    const rotatedAt = Date.now();
    const rotated = await rotate({ alg: 'RS256' });
    expect(rotated.status).toBe(200);
    const after: KeyView[] = rotated.body;
    const retiring = after.find((key) => key.kid === old.kid)!;
    expect(retiring.status).toBe('retiring');
    // Until the longest token it may have signed (the 3600 s ID token) has expired, plus one key refresh (1 s).
    const retiresIn = Date.parse(retiring.retiresAt!) - rotatedAt;
    expect(retiresIn).toBeGreaterThanOrEqual(3601_000 - 1_000);
    expect(retiresIn).toBeLessThanOrEqual(3601_000 + 60_000);
    expect(after.find((key) => key.kid === next.kid)).toMatchObject({
      status: 'active',
      activatedAt: expect.any(String),
    });
    const newNext = after.find((key) => key.alg === 'RS256' && key.status === 'next')!;
    expect([old.kid, next.kid]).not.toContain(newNext.kid);
    // The other algs did not move.
    expect(
      after
        .filter((key) => key.alg !== 'RS256')
        .map((key) => key.kid)
        .sort(),
    ).toEqual(
      before
        .filter((key) => key.alg !== 'RS256')
        .map((key) => key.kid)
        .sort(),
    );

    const published = await jwks();
    expect(published.keys.map((key) => key.kid)).toEqual(expect.arrayContaining([old.kid, next.kid, newNext.kid]));
    await expect(
      jwtVerify(signedBefore, createLocalJWKSet(published), { issuer: tenant.issuer }),
    ).resolves.toBeDefined();
    const { idToken: signedAfter } = await signIn(tenant.clientId);
    expect(decodeProtectedHeader(signedAfter).kid).toBe(next.kid);

    const audit = await admin().get(`/projects/${tenant.slug}/audit-events?type=signing_keys.rotated`);
    expect(audit.body.items ?? audit.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'signing_keys.rotated',
          data: expect.objectContaining({
            algs: ['RS256'],
            retiring: [old.kid],
            active: [next.kid],
            next: [newNext.kid],
          }),
        }),
      ]),
    );
  });

  it('refuses to rotate again before the new next key has been published for the JWKS max-age (409)', async () => {
    await untilNextKeysMayActivate();
    expect((await rotate({ alg: 'ES256' })).status).toBe(200);
    const refused = await rotate({ alg: 'ES256' });
    expect(refused.status).toBe(409);
    expect(refused.body.description).toMatch(/next ES256 key .* may sign from/);
  });

  it('lets one of two simultaneous rotations win; the other is a 409, and each alg keeps one active and one next key', async () => {
    await untilNextKeysMayActivate();
    const outcomes = await Promise.all([rotate({}), rotate({})]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual([200, 409]);
    const keys = await listKeys();
    for (const alg of ['RS256', 'ES256', 'EdDSA']) {
      const statuses = keys.filter((key) => key.alg === alg).map((key) => key.status);
      expect(statuses.filter((status) => status === 'active')).toHaveLength(1);
      expect(statuses.filter((status) => status === 'next')).toHaveLength(1);
    }
  });

  it('refuses a bad rotation body (400) and a role without projects.write (403)', async () => {
    expect((await rotate({ alg: 'HS256' })).status).toBe(400);
    expect((await rotate({ alg: 'RS256', extra: true })).status).toBe(400);
    const created = await admin().post(`/projects/${tenant.slug}/api-keys`, { name: 'helpdesk', role: 'helpdesk' });
    expect(created.status).toBe(201);
    const auth = { authorization: `Bearer ${created.body.key}` };
    const base = `${server.baseUrl}/api/admin/v1/projects/${tenant.slug}/signing-keys`;
    expect((await get(base, auth)).status).toBe(200);
    const refused = await postJson(`${base}/rotate`, {}, auth);
    expect(refused.status).toBe(403);
  });
});
