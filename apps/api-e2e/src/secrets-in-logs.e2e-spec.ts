import { randomBytes } from 'node:crypto';
import {
  adminApi,
  createTenant,
  get,
  postForm,
  postJson,
  startFlow,
  submitPassword,
  type Tenant,
} from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

// Credentials travel only where they belong (the admin token in the Authorization header), and none of
// them reaches the log, whichever place a client put it in: the test makes requests carrying each
// kind, then searches the server's whole output (info level, JSON) for every secret value.

describe('secrets in URLs and logs', () => {
  let server: KeywayServer;
  let tenant: Tenant;

  beforeAll(async () => {
    server = await startKeyway({ env: { KEYWAY_LOG_LEVEL: 'info', KEYWAY_LOG_FORMAT: 'json' } });
    tenant = await createTenant(server);
  }, 90_000);
  afterAll(() => server?.stop());

  it('accepts the admin token only in the Authorization header (RFC 6750 §2.3 query and §2.2 body forms refused)', async () => {
    const base = `${server.baseUrl}/api/admin/v1/projects`;
    expect((await get(base, { authorization: `Bearer ${server.adminToken}` })).status).toBe(200);
    expect((await get(`${base}?access_token=${server.adminToken}`)).status).toBe(401);
    const slug = `t-${randomBytes(4).toString('hex')}`;
    const inBody = await postJson(base, { access_token: server.adminToken, slug, name: 'Body token' });
    expect(inBody).toMatchObject({ status: 401, body: { code: 'KW-40100' } });
    const inForm = await postForm(base, { access_token: server.adminToken, slug, name: 'Form token' });
    expect(inForm.status).toBe(401);
    // Nothing was created by the refused requests.
    expect((await adminApi(server).get(`/projects/${slug}`)).status).toBe(404);
  });

  it('accepts an access token at /me and userinfo only in the Authorization header', async () => {
    const { response, verifier } = await startFlow(tenant);
    const done = await submitPassword(tenant, response.body.flowId, tenant.email, tenant.password);
    const tokens = await postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'authorization_code',
      code: done.body.authData.code,
      client_id: tenant.clientId,
      redirect_uri: tenant.redirectUri,
      code_verifier: verifier,
    });
    const accessToken = tokens.body.access_token as string;
    expect((await get(`${tenant.issuer}/oauth2/userinfo`, { authorization: `Bearer ${accessToken}` })).status).toBe(
      200,
    );
    expect((await get(`${tenant.issuer}/oauth2/userinfo?access_token=${accessToken}`)).status).toBe(401);
    expect((await get(`${tenant.issuer}/me/backup-codes?access_token=${accessToken}`)).status).toBe(401);
  });

  it('keeps every kind of credential out of the log, wherever the client put it', async () => {
    const secrets: Record<string, string> = { adminToken: server.adminToken };

    // A confidential client sending its secret on GET /authorize (in the query: it must not be logged), then by
    // Basic (refused, as the client is registered for client_secret_post, but logged all the same).
    const confidential = await adminApi(server).post(`/projects/${tenant.slug}/applications`, {
      name: 'Web',
      type: 'confidential',
      tokenEndpointAuthMethod: 'client_secret_post',
      redirectUris: ['https://app.example/cb'],
      appNative: true,
    });
    expect(confidential.status).toBe(201);
    secrets['clientSecret'] = confidential.body.clientSecret;
    await fetch(
      `${tenant.issuer}/oauth2/authorize?${new URLSearchParams({ client_id: confidential.body.clientId, client_secret: secrets['clientSecret']!, response_type: 'code', redirect_uri: 'https://app.example/cb', scope: 'openid', response_mode: 'direct' })}`,
      { headers: { accept: 'application/json' } },
    );
    await fetch(`${tenant.issuer}/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${confidential.body.clientId}:${secrets['clientSecret']}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=refresh_token&refresh_token=nope',
    });

    // A real code, access, refresh and ID token; each also sent in a query string, as careless clients do.
    const { response, verifier } = await startFlow(tenant);
    const done = await submitPassword(tenant, response.body.flowId, tenant.email, tenant.password);
    secrets['code'] = done.body.authData.code;
    secrets['codeVerifier'] = verifier;
    secrets['password'] = tenant.password;
    await fetch(`${tenant.issuer}/oauth2/token?code=${secrets['code']}&code_verifier=${verifier}`);
    const tokens = await postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'authorization_code',
      code: secrets['code']!,
      client_id: tenant.clientId,
      redirect_uri: tenant.redirectUri,
      code_verifier: verifier,
    });
    expect(tokens.status).toBe(200);
    secrets['accessToken'] = tokens.body.access_token;
    secrets['refreshToken'] = tokens.body.refresh_token;
    secrets['idToken'] = tokens.body.id_token;
    await fetch(`${tenant.issuer}/oauth2/userinfo?access_token=${secrets['accessToken']}`);
    await fetch(`${tenant.issuer}/oauth2/userinfo`, {
      headers: { authorization: `Bearer ${secrets['accessToken']}`, cookie: `session=${secrets['accessToken']}` },
    });
    await fetch(
      `${tenant.issuer}/oauth2/token?grant_type=refresh_token&refresh_token=${secrets['refreshToken']}&password=${encodeURIComponent(tenant.password)}`,
    );
    await fetch(`${tenant.issuer}/oauth2/authorize?client_id=${tenant.clientId}&id_token_hint=${secrets['idToken']}`);

    // The mailed verification link: its token is the only secret of the link.
    secrets['verificationToken'] = randomBytes(32).toString('base64url');
    await fetch(
      `${tenant.issuer}/ui/verification/confirm?flow=${randomBytes(8).toString('hex')}&token=${secrets['verificationToken']}`,
    );

    await new Promise((resolve) => setTimeout(resolve, 300));
    const log = server.output();
    // No secret is in there, in clear or URL-encoded…
    const leaked = Object.entries(secrets).filter(
      ([, value]) => log.includes(value) || log.includes(encodeURIComponent(value)),
    );
    expect(leaked.map(([kind]) => kind)).toEqual([]);
    // …though the requests were logged (so the search above meant something).
    expect(log).toContain('/ui/verification/confirm?flow=');
    expect(log).toContain('client_secret=[REDACTED]');
    expect(log).toContain('"authorization":"[REDACTED]"');
  });
});
