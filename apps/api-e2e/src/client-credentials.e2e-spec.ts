import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { adminApi, createTenant, get, postForm, type Tenant } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

// The client_credentials grant (RFC 6749 §4.4) for API resources (RFC 8707), driven by openid-client: a backend
// worker gets a JWT access token (RFC 9068) for one API, verified here against the JWKS as a resource server
// would; every refusal; such a token is no user's token; introspection and revocation treat it like any other.

const ORDERS = 'https://api.example.com/orders';
const BILLING = 'urn:example:billing';

describe('client_credentials with API resources', () => {
  let server: KeywayServer;
  let admin: ReturnType<typeof adminApi>;
  let tenant: Tenant;
  let worker: { clientId: string; clientSecret: string };
  let workerClient: oidc.Configuration;
  let resourceServer: oidc.Configuration;
  const options = { execute: [oidc.allowInsecureRequests] };

  beforeAll(async () => {
    server = await startKeyway();
    admin = adminApi(server);
    tenant = await createTenant(server);
    const resources = `/projects/${tenant.slug}/api-resources`;
    const orders = await admin.post(resources, {
      identifier: ORDERS,
      name: 'Orders',
      scopes: [
        { name: 'orders:read', description: 'Read orders' },
        { name: 'orders:write', description: 'Place and change orders' },
        { name: 'orders:admin', description: 'Everything' },
      ],
      accessTokenTtlSeconds: 300,
    });
    expect(orders.status).toBe(201);
    expect(
      (await admin.post(resources, { identifier: BILLING, name: 'Billing', scopes: [{ name: 'invoices:read' }] }))
        .status,
    ).toBe(201);

    // An API-only client: confidential, client_credentials alone, no redirect URI.
    const created = await admin.post(`/projects/${tenant.slug}/applications`, {
      name: 'Nightly export',
      type: 'confidential',
      grantTypes: ['client_credentials'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ grantTypes: ['client_credentials'], redirectUris: [] });
    worker = created.body;
    const granted = await admin.put(`/projects/${tenant.slug}/applications/${worker.clientId}/resource-grants`, {
      grants: [
        { resource: ORDERS, scopes: ['orders:read', 'orders:write'] },
        { resource: BILLING, scopes: ['invoices:read'] },
      ],
    });
    expect(granted.status).toBe(200);
    workerClient = await oidc.discovery(
      new URL(tenant.issuer),
      worker.clientId,
      undefined,
      oidc.ClientSecretBasic(worker.clientSecret),
      options,
    );
    const api = await admin.post(`/projects/${tenant.slug}/applications`, {
      name: 'Orders API',
      type: 'confidential',
      redirectUris: ['https://orders.example.com/callback'],
    });
    resourceServer = await oidc.discovery(
      new URL(tenant.issuer),
      api.body.clientId,
      undefined,
      oidc.ClientSecretBasic(api.body.clientSecret),
      options,
    );
  });
  afterAll(() => server?.stop());

  const ordersToken = (scope?: string) =>
    oidc.clientCredentialsGrant(workerClient, { resource: ORDERS, ...(scope ? { scope } : {}) });
  /**
   * The OAuth error of a refused request. openid-client rejects with the body's `error`, except for a 401 with a
   * WWW-Authenticate challenge (invalid_client), whose body it leaves unread.
   */
  const refusal = async (request: Promise<unknown>) => {
    const error = await request.then(
      () => {
        throw new Error('expected a refusal');
      },
      (rejected: { error?: string; status?: number; response?: Response }) => rejected,
    );
    const body = error.error ? undefined : ((await error.response?.json()) as { error?: string } | undefined);
    return { error: error.error ?? body?.error, status: error.status };
  };

  it('is listed in discovery', () => {
    expect(workerClient.serverMetadata().grant_types_supported).toContain('client_credentials');
  });

  it('mints an RFC 9068 JWT for the requested resource and scopes, without refresh or ID token', async () => {
    const tokens = await ordersToken('orders:read');
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 300, scope: 'orders:read' });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.id_token).toBeUndefined();

    const jwks = createRemoteJWKSet(new URL(workerClient.serverMetadata().jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: tenant.issuer,
      audience: ORDERS,
      typ: 'at+jwt',
    });
    expect(protectedHeader).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    expect(payload).toEqual({
      iss: tenant.issuer,
      aud: ORDERS,
      sub: worker.clientId,
      client_id: worker.clientId,
      scope: 'orders:read',
      jti: expect.any(String),
      iat: expect.any(Number),
      exp: payload.iat! + 300,
    });
  });

  it('grants every granted scope of the resource when no scope is asked for', async () => {
    const tokens = await ordersToken();
    expect(tokens.scope).toBe('orders:read orders:write');
  });

  it('without a resource, answers for the only granted one; with several granted it must be named', async () => {
    const created = await admin.post(`/projects/${tenant.slug}/applications`, {
      name: 'Billing job',
      type: 'confidential',
      grantTypes: ['client_credentials'],
      tokenEndpointAuthMethod: 'client_secret_post',
    });
    await admin.put(`/projects/${tenant.slug}/applications/${created.body.clientId}/resource-grants`, {
      grants: [{ resource: BILLING, scopes: ['invoices:read'] }],
    });
    const billingJob = await oidc.discovery(
      new URL(tenant.issuer),
      created.body.clientId,
      undefined,
      oidc.ClientSecretPost(created.body.clientSecret),
      options,
    );
    const tokens = await oidc.clientCredentialsGrant(billingJob);
    expect(tokens.scope).toBe('invoices:read');
    // The project's default access-token lifetime (the resource sets none).
    expect(tokens.expires_in).toBe(900);
    expect(decodeProtectedHeader(tokens.access_token).typ).toBe('at+jwt');

    expect(await refusal(oidc.clientCredentialsGrant(workerClient))).toEqual({ error: 'invalid_target', status: 400 });
  });

  it('refuses two resources in one request (invalid_target)', async () => {
    const params = new URLSearchParams([
      ['resource', ORDERS],
      ['resource', BILLING],
    ]);
    expect(await refusal(oidc.clientCredentialsGrant(workerClient, params))).toEqual({
      error: 'invalid_target',
      status: 400,
    });
  });

  it('refuses an unknown or malformed resource (invalid_target)', async () => {
    for (const resource of ['https://api.example.com/unknown', 'not-a-uri', `${ORDERS}#fragment`])
      expect(await refusal(oidc.clientCredentialsGrant(workerClient, { resource }))).toEqual({
        error: 'invalid_target',
        status: 400,
      });
  });

  it('refuses a scope the client is not granted, and a user scope (invalid_scope)', async () => {
    expect(await refusal(ordersToken('orders:read orders:admin'))).toEqual({ error: 'invalid_scope', status: 400 });
    expect(await refusal(ordersToken('openid'))).toEqual({ error: 'invalid_scope', status: 400 });
  });

  it('refuses a wrong secret (invalid_client)', async () => {
    const impostor = await oidc.discovery(
      new URL(tenant.issuer),
      worker.clientId,
      undefined,
      oidc.ClientSecretBasic('not-the-secret'),
      options,
    );
    expect(await refusal(oidc.clientCredentialsGrant(impostor, { resource: ORDERS }))).toEqual({
      error: 'invalid_client',
      status: 401,
    });
  });

  it('refuses a public client (unauthorized_client), and one whose grant types lack client_credentials', async () => {
    const publicApp = await oidc.discovery(new URL(tenant.issuer), tenant.clientId, undefined, oidc.None(), options);
    expect(await refusal(oidc.clientCredentialsGrant(publicApp, { resource: ORDERS }))).toEqual({
      error: 'unauthorized_client',
      status: 400,
    });
    expect(await refusal(oidc.clientCredentialsGrant(resourceServer, { resource: ORDERS }))).toEqual({
      error: 'unauthorized_client',
      status: 400,
    });
  });

  it('is no user token: userinfo and the /me endpoints refuse it', async () => {
    const { access_token } = await ordersToken();
    const bearer = { authorization: `Bearer ${access_token}` };
    for (const path of ['oauth2/userinfo', 'me/passkeys']) {
      const response = await get(`${tenant.issuer}/${path}`, bearer);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('invalid_token');
    }
  });

  it('is introspected for a resource server: active, with the client, audience and scope', async () => {
    const { access_token } = await ordersToken('orders:write');
    const introspected = await oidc.tokenIntrospection(resourceServer, access_token);
    expect(introspected).toEqual({
      active: true,
      client_id: worker.clientId,
      sub: worker.clientId,
      aud: ORDERS,
      scope: 'orders:write',
      token_type: 'Bearer',
      iss: tenant.issuer,
      jti: expect.any(String),
      iat: expect.any(Number),
      exp: introspected.iat! + 300,
    });
  });

  it('is revoked by its client: introspection then calls it inactive', async () => {
    const { access_token } = await ordersToken();
    // Another client cannot revoke it (RFC 7009 §2.1: 200 all the same).
    await oidc.tokenRevocation(resourceServer, access_token);
    expect(await oidc.tokenIntrospection(resourceServer, access_token)).toMatchObject({ active: true });
    await oidc.tokenRevocation(workerClient, access_token, { token_type_hint: 'access_token' });
    expect(await oidc.tokenIntrospection(resourceServer, access_token)).toEqual({ active: false });
  });

  it('follows the grants as the admin changes them: a scope taken off the resource is not granted any more', async () => {
    const resources = (await admin.get(`/projects/${tenant.slug}/api-resources`)).body as Array<{
      id: string;
      identifier: string;
    }>;
    const billing = resources.find((resource) => resource.identifier === BILLING)!;
    const changed = await admin.patch(`/projects/${tenant.slug}/api-resources/${billing.id}`, {
      scopes: [{ name: 'invoices:write', description: 'Issue invoices' }],
    });
    expect(changed.status).toBe(200);
    const grants = await admin.get(`/projects/${tenant.slug}/applications/${worker.clientId}/resource-grants`);
    expect(grants.body.grants).toEqual([
      { resource: ORDERS, resourceId: expect.any(String), name: 'Orders', scopes: ['orders:read', 'orders:write'] },
      { resource: BILLING, resourceId: billing.id, name: 'Billing', scopes: [] },
    ]);
    expect(
      await refusal(oidc.clientCredentialsGrant(workerClient, { resource: BILLING, scope: 'invoices:read' })),
    ).toEqual({
      error: 'invalid_scope',
      status: 400,
    });
  });

  it('answers no-store, and takes only the client’s registered authentication method', async () => {
    const basic = `Basic ${Buffer.from(`${worker.clientId}:${worker.clientSecret}`).toString('base64')}`;
    const response = await postForm(
      `${tenant.issuer}/oauth2/token`,
      { grant_type: 'client_credentials', resource: ORDERS },
      { authorization: basic },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    // The worker is registered for client_secret_basic: its secret in the body is refused.
    const posted = await postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'client_credentials',
      client_id: worker.clientId,
      client_secret: worker.clientSecret,
      resource: ORDERS,
    });
    expect(posted.status).toBe(401);
    expect(posted.body).toMatchObject({ error: 'invalid_client' });
  });
});

describe('admin API: API resources and resource grants', () => {
  let server: KeywayServer;
  let admin: ReturnType<typeof adminApi>;
  let tenant: Tenant;
  let base: string;

  beforeAll(async () => {
    server = await startKeyway();
    admin = adminApi(server);
    tenant = await createTenant(server);
    base = `/projects/${tenant.slug}/api-resources`;
  });
  afterAll(() => server?.stop());

  it('creates, reads, changes and deletes an API resource; the identifier never changes', async () => {
    const created = await admin.post(base, {
      identifier: 'https://api.example.com/catalog',
      name: 'Catalog',
      scopes: [{ name: 'catalog:read', description: 'Read the catalog' }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      identifier: 'https://api.example.com/catalog',
      name: 'Catalog',
      scopes: [{ name: 'catalog:read', description: 'Read the catalog' }],
      accessTokenTtlSeconds: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const path = `${base}/${created.body.id}`;
    expect((await admin.get(path)).body).toEqual(created.body);
    expect((await admin.get(base)).body).toEqual([created.body]);

    const changed = await admin.patch(path, { name: 'Product catalog', accessTokenTtlSeconds: 120 });
    expect(changed.body).toMatchObject({ name: 'Product catalog', accessTokenTtlSeconds: 120 });
    const renamed = await admin.patch(path, { identifier: 'https://api.example.com/other' });
    expect(renamed.status).toBe(400);
    expect(renamed.body.fields).toContainEqual(
      expect.objectContaining({ field: 'identifier', messageId: 'msg_field_unknown' }),
    );

    const events = await admin.get(`/projects/${tenant.slug}/audit-events?type=api_resource.updated`);
    expect(events.body.items[0]).toMatchObject({
      target: { type: 'api_resource', id: 'https://api.example.com/catalog' },
    });

    expect((await admin.delete(path)).status).toBe(204);
    expect((await admin.get(path)).status).toBe(404);
    expect((await admin.delete(path)).status).toBe(404);
    expect((await admin.get(`${base}/not-a-uuid`)).status).toBe(404);
  });

  it('refuses bad resources: malformed or fragment identifiers, the issuer, duplicates, repeated or bad scope names', async () => {
    const valid = { identifier: 'https://api.example.com/dup', name: 'Dup' };
    expect((await admin.post(base, valid)).status).toBe(201);
    expect((await admin.post(base, valid)).status).toBe(409);
    for (const body of [
      { ...valid, identifier: '/relative' },
      { ...valid, identifier: 'https://api.example.com/x#frag' },
      { ...valid, identifier: tenant.issuer },
      { ...valid, identifier: 'https://api.example.com/s', scopes: [{ name: 'a' }, { name: 'a' }] },
      { ...valid, identifier: 'https://api.example.com/s', scopes: [{ name: 'has space' }] },
      { ...valid, identifier: 'https://api.example.com/s', accessTokenTtlSeconds: 5 },
      { ...valid, identifier: 'https://api.example.com/s', name: '' },
    ]) {
      const response = await admin.post(base, body);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
    }
  });

  it('grants resources to confidential applications only, and only scopes the resource defines', async () => {
    await admin.post(base, {
      identifier: 'https://api.example.com/stock',
      name: 'Stock',
      scopes: [{ name: 'stock:read' }],
    });
    const confidential = await admin.post(`/projects/${tenant.slug}/applications`, {
      name: 'Job',
      type: 'confidential',
      grantTypes: ['client_credentials'],
    });
    const grants = `/projects/${tenant.slug}/applications/${confidential.body.clientId}/resource-grants`;
    expect((await admin.get(grants)).body).toEqual({ grants: [] });
    for (const grant of [
      { resource: 'https://api.example.com/unknown', scopes: [] },
      { resource: 'https://api.example.com/stock', scopes: ['stock:write'] },
    ]) {
      const response = await admin.put(grants, { grants: [grant] });
      expect(response.status).toBe(400);
    }
    const twice = await admin.put(grants, {
      grants: [
        { resource: 'https://api.example.com/stock', scopes: [] },
        { resource: 'https://api.example.com/stock', scopes: [] },
      ],
    });
    expect(twice.status).toBe(400);
    const granted = await admin.put(grants, {
      grants: [{ resource: 'https://api.example.com/stock', scopes: ['stock:read'] }],
    });
    expect(granted.body).toEqual({
      grants: [
        {
          resource: 'https://api.example.com/stock',
          resourceId: expect.any(String),
          name: 'Stock',
          scopes: ['stock:read'],
        },
      ],
    });

    const publicGrants = `/projects/${tenant.slug}/applications/${tenant.clientId}/resource-grants`;
    expect(
      (await admin.put(publicGrants, { grants: [{ resource: 'https://api.example.com/stock', scopes: [] }] })).status,
    ).toBe(400);
    expect((await admin.get(`/projects/${tenant.slug}/applications/nobody/resource-grants`)).status).toBe(404);
  });

  it('refuses client_credentials for a public application, and a browser app without redirect URIs', async () => {
    const apps = `/projects/${tenant.slug}/applications`;
    const publicApp = await admin.post(apps, { name: 'SPA', type: 'public', grantTypes: ['client_credentials'] });
    expect(publicApp.status).toBe(400);
    expect(publicApp.body.description).toContain('client_credentials is for confidential applications');
    const patched = await admin.patch(`${apps}/${tenant.clientId}`, { grantTypes: ['client_credentials'] });
    expect(patched.status).toBe(400);
    const noRedirect = await admin.post(apps, { name: 'Web', type: 'confidential' });
    expect(noRedirect.status).toBe(400);
    expect(noRedirect.body.fields).toEqual([expect.objectContaining({ field: 'redirectUris' })]);
  });
});
