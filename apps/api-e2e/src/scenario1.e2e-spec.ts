import * as oidc from 'openid-client';
import { FlowStepResponse, FlowSuccessResponse } from '@keyway/flow-types';
import {
  adminApi,
  BASIC_AUTHENTICATOR_ID,
  createTenant,
  get,
  postForm,
  startFlow,
  submitPassword,
  type Tenant,
} from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

/** Seed scenario 1 of the WSO2 app-native reference, then the token step through a certified client. */
describe('app-native password login (scenario 1)', () => {
  let server: KeywayServer;
  let tenant: Tenant;
  let client: oidc.Configuration;

  beforeAll(async () => {
    server = await startKeyway();
    tenant = await createTenant(server);
    client = await oidc.discovery(new URL(tenant.issuer), tenant.clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
  });
  afterAll(() => server?.stop());

  /** authorize → authn → code, as the app would. */
  async function login(nonce?: string): Promise<{ code: string; state?: string; verifier: string }> {
    const { response, verifier } = await startFlow(tenant, nonce ? { nonce } : {});
    const done = await submitPassword(tenant, response.body.flowId, tenant.email, tenant.password);
    expect(done.status).toBe(200);
    return { ...FlowSuccessResponse.parse(done.body).authData, verifier };
  }

  it('answers /oauth2/authorize with the first step, field for field', async () => {
    const { response } = await startFlow(tenant);
    expect(response.status).toBe(200);
    expect(FlowStepResponse.parse(response.body)).toBeTruthy();
    expect(response.body).toEqual({
      flowId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      flowStatus: 'INCOMPLETE',
      flowType: 'AUTHENTICATION',
      nextStep: {
        stepType: 'AUTHENTICATOR_PROMPT',
        authenticators: [
          {
            authenticatorId: BASIC_AUTHENTICATOR_ID,
            authenticator: 'Username & Password',
            idp: 'LOCAL',
            metadata: {
              i18nKey: 'authenticator.basic',
              promptType: 'USER_PROMPT',
              params: [
                {
                  param: 'username',
                  type: 'STRING',
                  order: 0,
                  i18nKey: 'username.param',
                  displayName: 'Username',
                  confidential: false,
                },
                {
                  param: 'password',
                  type: 'STRING',
                  order: 1,
                  i18nKey: 'password.param',
                  displayName: 'Password',
                  confidential: true,
                },
              ],
            },
            requiredParams: ['username', 'password'],
          },
        ],
      },
      links: [{ name: 'authentication', href: `${tenant.issuer}/oauth2/authn`, method: 'POST' }],
    });
  });

  it('accepts the authorization request as a GET with query parameters too', async () => {
    const query = new URLSearchParams({
      client_id: tenant.clientId,
      response_type: 'code',
      redirect_uri: tenant.redirectUri,
      scope: 'openid',
      response_mode: 'direct',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    const response = await get(`${tenant.issuer}/oauth2/authorize?${query}`);
    expect(response.status).toBe(200);
    expect(response.body.flowStatus).toBe('INCOMPLETE');
  });

  it('completes with a code, the state and a session_state', async () => {
    const { response } = await startFlow(tenant);
    const done = await submitPassword(tenant, response.body.flowId, tenant.email, tenant.password);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({
      flowStatus: 'SUCCESS_COMPLETED',
      authData: {
        code: expect.any(String),
        state: 'st-123',
        session_state: expect.stringMatching(/^[0-9a-f]{64}\.[A-Za-z0-9_-]+$/),
      },
    });
  });

  it('matches usernames case-insensitively', async () => {
    const { response } = await startFlow(tenant);
    const done = await submitPassword(tenant, response.body.flowId, tenant.email.toUpperCase(), tenant.password);
    expect(done.body.flowStatus).toBe('SUCCESS_COMPLETED');
  });

  it('exchanges the code with PKCE through openid-client, which validates the ID token', async () => {
    const nonce = oidc.randomNonce();
    const { code, state, verifier } = await login(nonce);
    const callback = new URL(
      `${tenant.redirectUri}?${new URLSearchParams({ code, state: state ?? '', iss: tenant.issuer })}`,
    );
    const tokens = await oidc.authorizationCodeGrant(client, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'st-123',
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      iss: tenant.issuer,
      sub: tenant.identityId,
      aud: tenant.clientId,
      nonce,
      amr: ['pwd'],
      email: tenant.email,
      name: 'Test User',
    });
    expect(claims.auth_time).toEqual(expect.any(Number));
    expect(claims['sid']).toEqual(expect.any(String));

    // RFC 9068 access token
    const [header, payload] = tokens.access_token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header.typ).toBe('at+jwt');
    expect(payload).toMatchObject({
      iss: tenant.issuer,
      sub: tenant.identityId,
      client_id: tenant.clientId,
      scope: 'openid profile email',
    });
    expect(payload.jti).toEqual(expect.any(String));

    const userinfo = await oidc.fetchUserInfo(client, tokens.access_token, tenant.identityId);
    expect(userinfo).toEqual({ sub: tenant.identityId, email: tenant.email, email_verified: false, name: 'Test User' });
  });

  it('rotates refresh tokens and revokes the family when a rotated one is reused', async () => {
    const { code, state, verifier } = await login();
    const callback = new URL(
      `${tenant.redirectUri}?${new URLSearchParams({ code, state: state ?? '', iss: tenant.issuer })}`,
    );
    const first = await oidc.authorizationCodeGrant(client, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'st-123',
    });

    const second = await oidc.refreshTokenGrant(client, first.refresh_token!);
    expect(second.refresh_token).toEqual(expect.any(String));
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    // OIDC Core §12.2: a new ID token for the same login (openid-client checks iss, aud, sub and at_hash).
    const [before, after] = [first.claims()!, second.claims()!];
    expect(after).toMatchObject({ sub: before.sub, auth_time: before.auth_time, sid: before['sid'] });
    expect(after.nonce).toBeUndefined();
    expect(after.iat).toBeGreaterThanOrEqual(before.iat);

    const third = await oidc.refreshTokenGrant(client, second.refresh_token!);
    expect(third.refresh_token).toEqual(expect.any(String));

    // Reusing a rotated token is theft or a bug: everything in the family dies.
    await expect(oidc.refreshTokenGrant(client, first.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(oidc.refreshTokenGrant(client, third.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('narrows the scope on refresh, and refuses a wider one without ending the login', async () => {
    const { code, verifier } = await login();
    const tokens = await postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: tenant.redirectUri,
      code_verifier: verifier,
      client_id: tenant.clientId,
    });
    const refresh = (refreshToken: string, scope: string) =>
      postForm(`${tenant.issuer}/oauth2/token`, {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: tenant.clientId,
        scope,
      });
    const wider = await refresh(tokens.body.refresh_token, 'openid email offline_access');
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_scope');
    const narrowed = await refresh(tokens.body.refresh_token, 'openid');
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('openid');
    expect(narrowed.body.id_token).toEqual(expect.any(String));
    // Without openid no ID token: only the access token is signed.
    const plain = await refresh(narrowed.body.refresh_token, 'profile');
    expect(plain.status).toBe(200);
    expect(plain.body.scope).toBe('profile');
    expect(plain.body.id_token).toBeUndefined();
  });

  it('refuses a replayed code and revokes what it issued', async () => {
    const { code, verifier } = await login();
    const exchange = () =>
      postForm(`${tenant.issuer}/oauth2/token`, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: tenant.redirectUri,
        code_verifier: verifier,
        client_id: tenant.clientId,
      });
    const first = await exchange();
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const replay = await exchange();
    expect(replay.status).toBe(400);
    expect(replay.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });

    const refresh = await postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token,
      client_id: tenant.clientId,
    });
    expect(refresh.body.error).toBe('invalid_grant');
    const userinfo = await get(`${tenant.issuer}/oauth2/userinfo`, {
      authorization: `Bearer ${first.body.access_token}`,
    });
    expect(userinfo.status).toBe(401);
    expect(userinfo.body.error).toBe('invalid_token');
  });

  it('leaves no live refresh token when a code is redeemed twice at once (10 rounds)', async () => {
    // Before: the loser revoked the session, but the winner wrote its refresh token after that and kept
    // refreshing in 8–10 of 10 rounds.
    for (let round = 0; round < 10; round++) {
      const { code, verifier } = await login();
      const exchange = () =>
        postForm(`${tenant.issuer}/oauth2/token`, {
          grant_type: 'authorization_code',
          code,
          redirect_uri: tenant.redirectUri,
          code_verifier: verifier,
          client_id: tenant.clientId,
        });
      const answers = await Promise.all([exchange(), exchange()]);
      expect(answers.filter((a) => a.status === 200).length).toBeLessThanOrEqual(1);
      for (const answer of answers.filter((a) => a.status !== 200)) expect(answer.body.error).toBe('invalid_grant');
      for (const answer of answers.filter((a) => a.body.refresh_token)) {
        const refresh = await postForm(`${tenant.issuer}/oauth2/token`, {
          grant_type: 'refresh_token',
          refresh_token: answer.body.refresh_token,
          client_id: tenant.clientId,
        });
        expect(refresh.status).toBe(400);
        expect(refresh.body.error).toBe('invalid_grant');
      }
    }
  });

  it('does not spend a refresh token presented to another tenant or client', async () => {
    const { code, verifier } = await login();
    const tokens = await postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: tenant.redirectUri,
      code_verifier: verifier,
      client_id: tenant.clientId,
    });
    const other = await createTenant(server);
    const elsewhere = await postForm(`${other.issuer}/oauth2/token`, {
      grant_type: 'refresh_token',
      refresh_token: tokens.body.refresh_token,
      client_id: other.clientId,
    });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error).toBe('invalid_grant');
    // Another client of the same tenant: refused too, and spends nothing.
    const otherClient = await adminApi(server).post(`/projects/${tenant.slug}/applications`, {
      name: 'Other app',
      type: 'public',
      redirectUris: ['com.example.other:/cb'],
      grantTypes: ['authorization_code', 'refresh_token'],
      appNative: true,
    });
    const sideways = await postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'refresh_token',
      refresh_token: tokens.body.refresh_token,
      client_id: otherClient.body.clientId,
    });
    expect(sideways.body.error).toBe('invalid_grant');

    // The owner's next refresh is a normal rotation, not a reuse that ends the login.
    const own = await postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'refresh_token',
      refresh_token: tokens.body.refresh_token,
      client_id: tenant.clientId,
    });
    expect(own.status).toBe(200);
    expect(own.body.refresh_token).toEqual(expect.any(String));
  });

  it('publishes discovery metadata and the signing keys', async () => {
    const discovery = await get(`${tenant.issuer}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(discovery.body).toMatchObject({
      issuer: tenant.issuer,
      authorization_endpoint: `${tenant.issuer}/oauth2/authorize`,
      token_endpoint: `${tenant.issuer}/oauth2/token`,
      userinfo_endpoint: `${tenant.issuer}/oauth2/userinfo`,
      jwks_uri: `${tenant.issuer}/oauth2/jwks`,
      code_challenge_methods_supported: ['S256'],
    });
    const jwks = await get(`${tenant.issuer}/oauth2/jwks`);
    // An active and a next key (published before it signs) per alg.
    expect(jwks.body.keys.map((k: { alg: string }) => k.alg).sort()).toEqual([
      'ES256',
      'ES256',
      'EdDSA',
      'EdDSA',
      'RS256',
      'RS256',
    ]);
    for (const key of jwks.body.keys) expect(key).not.toHaveProperty('d');
  });

  it('seeds the demo project with its public native client', async () => {
    const demo = {
      issuer: `${server.baseUrl}/t/demo`,
      clientId: 'demo-native-app',
      redirectUri: 'com.keyway.demo:/oauth2redirect',
    };
    const { response } = await startFlow(demo);
    expect(response.status).toBe(200);
    expect(response.body.nextStep.authenticators[0].authenticatorId).toBe(BASIC_AUTHENTICATOR_ID);
  });
});
