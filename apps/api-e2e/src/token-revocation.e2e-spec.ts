import { FlowSuccessResponse } from '@keyway/flow-types';
import * as oidc from 'openid-client';
import { adminApi, createTenant, get, postForm, startFlow, submitPassword, type Tenant } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

// Revocation (RFC 7009) and introspection (RFC 7662) driven by openid-client (a certified client): the app
// revokes its own tokens; a resource server (a confidential client) asks whether a token is active.

describe('token revocation and introspection', () => {
  let server: KeywayServer;
  let tenant: Tenant;
  let app: oidc.Configuration;
  let resourceServer: oidc.Configuration;
  let resourceSecret: string;

  beforeAll(async () => {
    server = await startKeyway();
    tenant = await createTenant(server);
    const created = await adminApi(server).post(`/projects/${tenant.slug}/applications`, {
      name: 'Orders API',
      type: 'confidential',
      redirectUris: ['https://orders.example.com/callback'],
    });
    expect(created.status).toBe(201);
    resourceSecret = created.body.clientSecret;
    const options = { execute: [oidc.allowInsecureRequests] };
    app = await oidc.discovery(new URL(tenant.issuer), tenant.clientId, undefined, oidc.None(), options);
    resourceServer = await oidc.discovery(
      new URL(tenant.issuer),
      created.body.clientId,
      undefined,
      oidc.ClientSecretBasic(resourceSecret),
      options,
    );
  });
  afterAll(() => server?.stop());

  /** A fresh login of the tenant's user through the app: its access and refresh tokens. */
  async function signIn(): Promise<{ access_token: string; refresh_token: string }> {
    const { response, verifier } = await startFlow(tenant);
    const done = await submitPassword(tenant, response.body.flowId, tenant.email, tenant.password);
    const { code, state } = FlowSuccessResponse.parse(done.body).authData;
    const tokens = await oidc.authorizationCodeGrant(
      app,
      new URL(`${tenant.redirectUri}?${new URLSearchParams({ code, state: state ?? '', iss: tenant.issuer })}`),
      { pkceCodeVerifier: verifier, expectedState: 'st-123' },
    );
    return { access_token: tokens.access_token, refresh_token: tokens.refresh_token! };
  }
  const userinfoStatus = async (accessToken: string) =>
    (await get(`${tenant.issuer}/oauth2/userinfo`, { authorization: `Bearer ${accessToken}` })).status;

  it('lists both endpoints and their client authentication methods in discovery', () => {
    expect(app.serverMetadata()).toMatchObject({
      revocation_endpoint: `${tenant.issuer}/oauth2/revoke`,
      introspection_endpoint: `${tenant.issuer}/oauth2/introspect`,
      revocation_endpoint_auth_methods_supported: [
        'none',
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
      ],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    });
  });

  it('introspects a live access token for a resource server: active, with its subject, client, scope and expiry', async () => {
    const { access_token } = await signIn();
    const introspected = await oidc.tokenIntrospection(resourceServer, access_token);
    expect(introspected).toMatchObject({
      active: true,
      sub: tenant.identityId,
      client_id: tenant.clientId,
      scope: 'openid profile email',
      token_type: 'Bearer',
      iss: tenant.issuer,
      exp: expect.any(Number),
      iat: expect.any(Number),
    });
    expect(introspected.exp! - introspected.iat!).toBe(900);
  });

  it('revokes an access token: userinfo refuses it and introspection calls it inactive; its refresh token lives on', async () => {
    const { access_token, refresh_token } = await signIn();
    expect(await userinfoStatus(access_token)).toBe(200);
    await oidc.tokenRevocation(app, access_token, { token_type_hint: 'access_token' });
    expect(await userinfoStatus(access_token)).toBe(401);
    expect(await oidc.tokenIntrospection(resourceServer, access_token)).toEqual({ active: false });
    // Revoking it again, or without a hint, is the same 200.
    await oidc.tokenRevocation(app, access_token);
    const refreshed = await oidc.refreshTokenGrant(app, refresh_token);
    expect(await userinfoStatus(refreshed.access_token)).toBe(200);
  });

  it('revokes a refresh token and the grant it belongs to: no refresh, and its rotated successor is dead too', async () => {
    const first = await signIn();
    const second = await oidc.refreshTokenGrant(app, first.refresh_token);
    // Revoking a token of the family (the spent first one, with the wrong hint) ends the whole grant.
    await oidc.tokenRevocation(app, first.refresh_token, { token_type_hint: 'access_token' });
    await expect(oidc.refreshTokenGrant(app, second.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('introspects a refresh token for the client it was issued to only, until it is rotated', async () => {
    const { refresh_token } = await signIn();
    // The resource server is another client: to it the app's refresh token is not there.
    expect(await oidc.tokenIntrospection(resourceServer, refresh_token)).toEqual({ active: false });

    // A confidential app (a web backend signing its users in app-natively) asks about its own refresh token.
    const redirectUri = 'https://web.example.com/callback';
    const web = await adminApi(server).post(`/projects/${tenant.slug}/applications`, {
      name: 'Web backend',
      type: 'confidential',
      appNative: true,
      redirectUris: [redirectUri],
    });
    const basic = `Basic ${Buffer.from(`${web.body.clientId}:${web.body.clientSecret}`).toString('base64')}`;
    const { response, verifier } = await startFlow({ ...tenant, clientId: web.body.clientId, redirectUri }, {}, basic);
    const done = await submitPassword(tenant, response.body.flowId, tenant.email, tenant.password);
    const { code } = FlowSuccessResponse.parse(done.body).authData;
    const webClient = await oidc.discovery(
      new URL(tenant.issuer),
      web.body.clientId,
      undefined,
      oidc.ClientSecretBasic(web.body.clientSecret),
      { execute: [oidc.allowInsecureRequests] },
    );
    const tokens = await oidc.authorizationCodeGrant(
      webClient,
      new URL(`${redirectUri}?${new URLSearchParams({ code, state: 'st-123', iss: tenant.issuer })}`),
      { pkceCodeVerifier: verifier, expectedState: 'st-123' },
    );
    expect(
      await oidc.tokenIntrospection(webClient, tokens.refresh_token!, { token_type_hint: 'refresh_token' }),
    ).toMatchObject({
      active: true,
      token_type: 'refresh_token',
      client_id: web.body.clientId,
      sub: tenant.identityId,
      scope: 'openid profile email',
    });
    await oidc.refreshTokenGrant(webClient, tokens.refresh_token!);
    expect(await oidc.tokenIntrospection(webClient, tokens.refresh_token!)).toEqual({ active: false });
  });

  it('answers 200 and changes nothing for a token that is unknown or issued to another client', async () => {
    await oidc.tokenRevocation(app, 'no-such-token');
    const { access_token, refresh_token } = await signIn();
    // The resource server (another client) cannot revoke the app's tokens.
    await oidc.tokenRevocation(resourceServer, access_token);
    await oidc.tokenRevocation(resourceServer, refresh_token);
    expect(await userinfoStatus(access_token)).toBe(200);
    expect((await oidc.refreshTokenGrant(app, refresh_token)).access_token).toEqual(expect.any(String));
    expect(await oidc.tokenIntrospection(resourceServer, 'no-such-token')).toEqual({ active: false });
  });

  it('refuses a public client, a wrong secret and a missing token with RFC 6749 errors', async () => {
    const introspect = (body: Record<string, string>, headers: Record<string, string> = {}) =>
      postForm(`${tenant.issuer}/oauth2/introspect`, body, headers);
    expect(await introspect({ token: 'x', client_id: tenant.clientId })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    const basic = (secret: string) =>
      `Basic ${Buffer.from(`${resourceServer.clientMetadata().client_id}:${secret}`).toString('base64')}`;
    expect(await introspect({ token: 'x' }, { authorization: basic('wrong') })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    expect(await introspect({}, { authorization: basic(resourceSecret) })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
    expect(await postForm(`${tenant.issuer}/oauth2/revoke`, { client_id: tenant.clientId })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
    expect(await postForm(`${tenant.issuer}/oauth2/revoke`, { token: 'x', client_id: 'nobody' })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
  });
});
