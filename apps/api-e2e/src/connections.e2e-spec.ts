import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import { adminApi, createTenant, type Tenant } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

// Federation connections through the admin API: presets filled in, generic OIDC discovered from a local provider
// (an HTTP server in this test serving discovery, JWKS and a token endpoint), the client secret write-only and
// redacted in the audit log, every refusal a 400/404/409, and the test endpoint's checks, which never send a secret.

interface TokenCall {
  authorization: string | undefined;
  body: string;
}

/** A minimal upstream OpenID provider on a loopback port; what it serves can be changed per test. */
async function startProvider() {
  const { publicKey } = await generateKeyPair('RS256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  const state = { jwksBody: JSON.stringify(jwks), issuerOverride: undefined as string | undefined };
  const tokenCalls: TokenCall[] = [];
  const readBody = (request: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => resolve(body));
    });
  const server: Server = createServer(async (request, response) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const json = (status: number, body: string) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(body);
    };
    if (request.url === '/.well-known/openid-configuration')
      return json(
        200,
        JSON.stringify({
          issuer: state.issuerOverride ?? base,
          authorization_endpoint: `${base}/authorize`,
          token_endpoint: `${base}/token`,
          userinfo_endpoint: `${base}/userinfo`,
          jwks_uri: `${base}/jwks`,
        }),
      );
    if (request.url === '/jwks') return json(200, state.jwksBody);
    if (request.url === '/token' && request.method === 'POST') {
      tokenCalls.push({ authorization: request.headers.authorization, body: await readBody(request) });
      return json(400, JSON.stringify({ error: 'invalid_request' }));
    }
    return json(404, '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    tokenCalls,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('connections (admin API)', () => {
  let server: KeywayServer;
  let admin: ReturnType<typeof adminApi>;
  let tenant: Tenant;
  let provider: Awaited<ReturnType<typeof startProvider>>;
  let base: string;
  let counter = 0;
  const uniqueName = (prefix: string) => `${prefix}-${++counter}`;

  beforeAll(async () => {
    server = await startKeyway();
    admin = adminApi(server);
    tenant = await createTenant(server);
    provider = await startProvider();
    base = `/projects/${tenant.slug}/connections`;
  });
  afterAll(async () => {
    await provider?.stop();
    await server?.stop();
  });

  it('creates a Google connection from its preset, reads, lists, changes and deletes it; the secret is never returned', async () => {
    const created = await admin.post(base, {
      name: 'google',
      preset: 'google',
      clientId: 'web.apps.googleusercontent.com',
      clientSecret: 'GOCSPX-never-shown',
      allowedAudiences: ['ios.apps.googleusercontent.com'],
      applications: [{ clientId: tenant.clientId, mode: 'native' }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'google',
      kind: 'oidc',
      preset: 'google',
      clientSecretSet: true,
      issuer: 'https://accounts.google.com',
      jwksUri: 'https://www.googleapis.com/oauth2/v3/certs',
      scopes: ['openid', 'email', 'profile'],
      claimMapping: { email: 'email', name: 'name' },
      trustEmailVerified: true,
      linkingPolicy: 'proof',
      applications: [{ clientId: tenant.clientId, mode: 'native' }],
    });
    const path = `${base}/${created.body.id}`;
    const read = await admin.get(path);
    expect(read.body).toEqual(created.body);
    expect((await admin.get(base)).body).toEqual([created.body]);

    const changed = await admin.patch(path, {
      clientSecret: 'GOCSPX-rotated',
      scopes: ['openid', 'email'],
      linkingPolicy: 'trust-verified-email',
      applications: [{ clientId: tenant.clientId, mode: 'both' }],
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      scopes: ['openid', 'email'],
      linkingPolicy: 'trust-verified-email',
      clientSecretSet: true,
      applications: [{ clientId: tenant.clientId, mode: 'both' }],
    });
    for (const response of [created, read, changed])
      expect(JSON.stringify(response.body)).not.toMatch(/GOCSPX|clientSecret"/);

    const events = await admin.get(`/projects/${tenant.slug}/audit-events?type=connection.updated`);
    const event = events.body.items[0];
    expect(event).toMatchObject({
      target: { type: 'connection', id: 'google' },
      data: {
        changes: {
          clientSecret: { before: '[REDACTED]', after: '[REDACTED]' },
          linkingPolicy: { before: 'proof', after: 'trust-verified-email' },
        },
      },
    });
    expect(JSON.stringify(events.body)).not.toContain('GOCSPX');

    const removedSecret = await admin.patch(path, { clientSecret: null });
    expect(removedSecret.body.clientSecretSet).toBe(false);

    const deleted = await admin.delete(path);
    expect([deleted.status, deleted.body]).toEqual([200, { linksRemoved: 0, identitiesStranded: 0 }]);
    expect((await admin.get(path)).status).toBe(404);
    expect((await admin.delete(path)).status).toBe(404);
    expect((await admin.get(`${base}/not-a-uuid`)).status).toBe(404);
  });

  it('fills Microsoft’s endpoints from the tenant and GitHub’s as OAuth 2.0', async () => {
    const microsoft = await admin.post(base, {
      name: uniqueName('entra'),
      preset: 'microsoft',
      clientId: 'app-id',
      tenant: 'contoso.onmicrosoft.com',
    });
    expect(microsoft.status).toBe(201);
    expect(microsoft.body).toMatchObject({
      kind: 'oidc',
      issuer: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0',
      clientSecretSet: false,
      trustEmailVerified: false,
    });
    const github = await admin.post(base, { name: uniqueName('github'), preset: 'github', clientId: 'Iv1.abc' });
    expect(github.body).toMatchObject({
      kind: 'oauth2',
      issuer: null,
      jwksUri: null,
      userinfoUrl: 'https://api.github.com/user',
      scopes: ['read:user', 'user:email'],
    });
  });

  it('refuses bad connections: malformed fields, unknown traits, taken names, unknown applications, missing or insecure endpoints', async () => {
    const google = { preset: 'google', clientId: 'web' };
    expect((await admin.post(base, { ...google, name: 'dup' })).status).toBe(201);
    expect((await admin.post(base, { ...google, name: 'dup' })).status).toBe(409);

    const refused = async (body: Record<string, unknown>, field?: string) => {
      const response = await admin.post(base, body);
      expect(response.status).toBe(400);
      if (field) expect(response.body.fields).toContainEqual(expect.objectContaining({ field }));
      return response;
    };
    await refused({ ...google, name: 'Not A Slug' }, 'name');
    await refused({ ...google, name: uniqueName('g'), preset: 'myspace' }, 'preset');
    await refused({ ...google, name: uniqueName('g'), clientSecretHash: 'x' });
    await refused({ ...google, name: uniqueName('g'), linkingPolicy: 'always' }, 'linkingPolicy');
    await refused({ ...google, name: uniqueName('g'), claimMapping: { picture: 'avatar' } }, 'claimMapping');
    const unknownApp = await refused({
      ...google,
      name: uniqueName('g'),
      applications: [{ clientId: 'no-such-app', mode: 'native' }],
    });
    expect(unknownApp.body.description).toContain('no-such-app');
    await refused({
      ...google,
      name: uniqueName('g'),
      applications: [{ clientId: tenant.clientId, mode: 'sometimes' }],
    });
    await refused(
      { name: uniqueName('o'), preset: 'oauth2', clientId: 'c', tokenUrl: 'https://idp.example/token' },
      'authorizationUrl',
    );
    await refused(
      {
        name: uniqueName('o'),
        preset: 'oauth2',
        clientId: 'c',
        authorizationUrl: 'http://idp.example/authorize',
        tokenUrl: 'https://idp.example/token',
        userinfoUrl: 'https://idp.example/me',
      },
      'authorizationUrl',
    );
    await refused({ name: uniqueName('d'), preset: 'oidc', clientId: 'c' }, 'discoveryUrl');

    const created = await admin.post(base, { ...google, name: uniqueName('g') });
    const path = `${base}/${created.body.id}`;
    expect((await admin.patch(path, {})).status).toBe(400);
    const renamed = await admin.patch(path, { name: 'other' });
    expect(renamed.status).toBe(400);
    const endpoint = await admin.patch(path, { tokenUrl: 'https://evil.example/token' });
    expect(endpoint.status).toBe(400);
    expect(endpoint.body.fields).toContainEqual(expect.objectContaining({ field: 'tokenUrl' }));
    expect((await admin.patch(path, { claimMapping: { email: 'nickname' } })).status).toBe(400);
    expect((await admin.patch(`${base}/00000000-0000-4000-8000-000000000000`, { clientId: 'x' })).status).toBe(404);
  });

  it('discovers a generic OIDC provider’s issuer and endpoints, and refuses one naming another issuer or unreachable', async () => {
    const created = await admin.post(base, {
      name: uniqueName('local'),
      preset: 'oidc',
      clientId: 'keyway',
      clientSecret: 'local-secret',
      discoveryUrl: provider.url,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'oidc',
      issuer: provider.url,
      discoveryUrl: `${provider.url}/.well-known/openid-configuration`,
      tokenUrl: `${provider.url}/token`,
      jwksUri: `${provider.url}/jwks`,
      userinfoUrl: `${provider.url}/userinfo`,
    });

    provider.state.issuerOverride = 'https://someone-else.example';
    try {
      const mismatch = await admin.post(base, {
        name: uniqueName('local'),
        preset: 'oidc',
        clientId: 'keyway',
        discoveryUrl: `${provider.url}/.well-known/openid-configuration`,
      });
      expect(mismatch.status).toBe(400);
      expect(mismatch.body.fields).toContainEqual(
        expect.objectContaining({ field: 'discoveryUrl', message: expect.stringContaining('someone-else') }),
      );
    } finally {
      provider.state.issuerOverride = undefined;
    }

    const unreachable = await admin.post(base, {
      name: uniqueName('local'),
      preset: 'oidc',
      clientId: 'keyway',
      discoveryUrl: 'http://127.0.0.1:9/',
    });
    expect(unreachable.status).toBe(400);
    expect(unreachable.body.fields).toContainEqual(expect.objectContaining({ field: 'discoveryUrl' }));
  });

  it('tests a connection without a user: discovery and issuer, JWKS, token endpoint; never sends the secret', async () => {
    const created = await admin.post(base, {
      name: uniqueName('tested'),
      preset: 'oidc',
      clientId: 'keyway',
      clientSecret: 'do-not-send-me',
      discoveryUrl: provider.url,
    });
    const testPath = `${base}/${created.body.id}/test`;
    const calls = provider.tokenCalls.length;
    const passed = await admin.post(testPath, {});
    expect(passed.status).toBe(200);
    expect(passed.body).toEqual({
      ok: true,
      checks: [
        { check: 'discovery', ok: true, detail: expect.any(String) },
        { check: 'jwks', ok: true, detail: expect.stringContaining('1 signing key') },
        { check: 'token_endpoint', ok: true, detail: expect.stringContaining('400') },
      ],
    });
    const tokenCalls = provider.tokenCalls.slice(calls);
    expect(tokenCalls).toHaveLength(1);
    expect(tokenCalls[0]!.authorization).toBeUndefined();
    expect(tokenCalls[0]!.body).not.toContain('do-not-send-me');
    expect(tokenCalls[0]!.body).not.toContain('client_secret');

    const saved = provider.state.jwksBody;
    provider.state.jwksBody = '{"keys": "nope"}';
    provider.state.issuerOverride = 'https://moved.example';
    try {
      const failed = await admin.post(testPath, {});
      expect(failed.body.ok).toBe(false);
      expect(failed.body.checks).toEqual([
        { check: 'discovery', ok: false, detail: expect.stringContaining('https://moved.example') },
        { check: 'jwks', ok: false, detail: expect.any(String) },
        { check: 'token_endpoint', ok: true, detail: expect.any(String) },
      ]);
    } finally {
      provider.state.jwksBody = saved;
      provider.state.issuerOverride = undefined;
    }
    expect((await admin.post(`${base}/00000000-0000-4000-8000-000000000000/test`, {})).status).toBe(404);
  });
});
