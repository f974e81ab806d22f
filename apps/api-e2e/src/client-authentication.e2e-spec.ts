import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FlowSuccessResponse } from '@keyway/flow-types';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import { adminApi, createTenant, postForm, startFlow, submitPassword, type Tenant } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

// Client authentication fixed per application: private_key_jwt (RFC 7523) driven by openid-client's PrivateKeyJwt
// at the authorize, token, introspection and revocation endpoints, with the keys inline and at a jwks_uri served
// here; assertions refused (replayed, also concurrently; wrong aud; expired); a method other than the
// registered one refused; and what the admin API accepts as a client's authentication settings.

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const REDIRECT_URI = 'https://web.example.com/callback';

describe('client authentication', () => {
  let server: KeywayServer;
  let tenant: Tenant;
  let admin: ReturnType<typeof adminApi>;
  let privateKey: CryptoKey;
  let jwks: JSONWebKeySet;
  let keyServer: Server;
  let jwksUri: string;
  const options = { execute: [oidc.allowInsecureRequests] };

  beforeAll(async () => {
    server = await startKeyway();
    tenant = await createTenant(server);
    admin = adminApi(server);
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' }] };
    // The client's own key server, as a jwks_uri (http on loopback is allowed outside production).
    keyServer = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    jwksUri = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(async () => {
    keyServer?.close();
    await server?.stop();
  });

  const createApp = async (settings: Record<string, unknown>) => {
    const created = await admin.post(`/projects/${tenant.slug}/applications`, {
      name: 'Web backend',
      type: 'confidential',
      appNative: true,
      redirectUris: [REDIRECT_URI],
      ...settings,
    });
    expect(created.status).toBe(201);
    return created.body as { clientId: string; clientSecret?: string; tokenEndpointAuthMethod: string };
  };

  /** An assertion signed by the client's key; `claims` override the good ones (aud: the issuer). */
  const assertion = (clientId: string, claims: Record<string, unknown> = {}) =>
    new SignJWT({ jti: randomUUID(), aud: tenant.issuer, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'key-1' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(privateKey);

  /** The token endpoint's answer to an assertion with a code that never existed: invalid_grant once authenticated. */
  const tokenRequestWith = async (clientAssertion: string) =>
    postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'authorization_code',
      code: 'no-such-code',
      redirect_uri: REDIRECT_URI,
      client_assertion_type: JWT_BEARER,
      client_assertion: clientAssertion,
    });

  /** Signs the tenant's user in through a private_key_jwt app-native client, and redeems the code with openid-client. */
  async function signInWithPrivateKeyJwt(clientId: string) {
    const client = await oidc.discovery(
      new URL(tenant.issuer),
      clientId,
      undefined,
      oidc.PrivateKeyJwt(privateKey),
      options,
    );
    // The client authenticates at app-native /authorize too, before any credential is collected in its name.
    const { response, verifier } = await startFlow(
      { ...tenant, clientId, redirectUri: REDIRECT_URI },
      {
        client_assertion_type: JWT_BEARER,
        client_assertion: await assertion(clientId, { aud: `${tenant.issuer}/oauth2/authorize` }),
      },
    );
    expect(response.status).toBe(200);
    const done = await submitPassword(tenant, response.body.flowId, tenant.email, tenant.password);
    const { code } = FlowSuccessResponse.parse(done.body).authData;
    const tokens = await oidc.authorizationCodeGrant(
      client,
      new URL(`${REDIRECT_URI}?${new URLSearchParams({ code, state: 'st-123', iss: tenant.issuer })}`),
      { pkceCodeVerifier: verifier, expectedState: 'st-123' },
    );
    return { client, tokens };
  }

  it('lists private_key_jwt and its signing algorithms in discovery', async () => {
    const metadata = (await fetch(`${tenant.issuer}/.well-known/openid-configuration`).then((r) => r.json())) as Record<
      string,
      unknown
    >;
    expect(metadata).toMatchObject({
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      revocation_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      introspection_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA'],
    });
  });

  it('private_key_jwt with inline keys: authorize, token, introspection and revocation', async () => {
    const app = await createApp({ tokenEndpointAuthMethod: 'private_key_jwt', jwks });
    expect(app.clientSecret).toBeUndefined();
    const { client, tokens } = await signInWithPrivateKeyJwt(app.clientId);
    expect(tokens.claims()?.sub).toBe(tenant.identityId);
    expect(await oidc.tokenIntrospection(client, tokens.access_token)).toMatchObject({
      active: true,
      client_id: app.clientId,
    });
    await oidc.tokenRevocation(client, tokens.refresh_token!);
    await expect(oidc.refreshTokenGrant(client, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('private_key_jwt with keys at a jwks_uri', async () => {
    const app = await createApp({ tokenEndpointAuthMethod: 'private_key_jwt', jwksUri });
    const { client, tokens } = await signInWithPrivateKeyJwt(app.clientId);
    const refreshed = await oidc.refreshTokenGrant(client, tokens.refresh_token!);
    expect(refreshed.access_token).toEqual(expect.any(String));
  });

  it('refuses a replayed assertion', async () => {
    const app = await createApp({ tokenEndpointAuthMethod: 'private_key_jwt', jwks });
    const once = await assertion(app.clientId);
    expect((await tokenRequestWith(once)).body.error).toBe('invalid_grant');
    const replayed = await tokenRequestWith(once);
    expect(replayed.status).toBe(401);
    expect(replayed.body).toMatchObject({ error: 'invalid_client', error_description: expect.stringMatching(/used/) });
  });

  it('lets exactly one of concurrent requests with the same assertion through', async () => {
    const app = await createApp({ tokenEndpointAuthMethod: 'private_key_jwt', jwks });
    const shared = await assertion(app.clientId);
    const answers = await Promise.all(Array.from({ length: 6 }, () => tokenRequestWith(shared)));
    expect(answers.map((answer) => answer.body.error).sort()).toEqual([
      'invalid_client',
      'invalid_client',
      'invalid_client',
      'invalid_client',
      'invalid_client',
      'invalid_grant',
    ]);
  });

  it('refuses an assertion for another audience, or expired (openid-client building it)', async () => {
    const app = await createApp({ tokenEndpointAuthMethod: 'private_key_jwt', jwks });
    const clientWith = (change: (payload: Record<string, unknown>) => void) =>
      oidc.discovery(
        new URL(tenant.issuer),
        app.clientId,
        undefined,
        oidc.PrivateKeyJwt(privateKey, { [oidc.modifyAssertion]: (_header, payload) => change(payload) }),
        options,
      );
    const wrongAudience = await clientWith((payload) => {
      payload['aud'] = 'https://other-server.example.com';
    });
    await expect(oidc.refreshTokenGrant(wrongAudience, 'nope')).rejects.toMatchObject({
      error: 'invalid_client',
      error_description: expect.stringMatching(/"aud"/),
    });
    const expired = await clientWith((payload) => {
      payload['iat'] = Math.floor(Date.now() / 1000) - 600;
      payload['exp'] = Math.floor(Date.now() / 1000) - 300;
    });
    await expect(oidc.refreshTokenGrant(expired, 'nope')).rejects.toMatchObject({
      error: 'invalid_client',
      error_description: expect.stringMatching(/"exp"/),
    });
  });

  it('refuses a method other than the registered one: Basic answered with WWW-Authenticate: Basic', async () => {
    const post = await createApp({ tokenEndpointAuthMethod: 'client_secret_post' });
    const basic = Buffer.from(`${post.clientId}:${post.clientSecret}`).toString('base64');
    const refused = await postForm(
      `${tenant.issuer}/oauth2/token`,
      { grant_type: 'refresh_token', refresh_token: 'nope' },
      { authorization: `Basic ${basic}` },
    );
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('invalid_client');
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic/);
    const accepted = await postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'refresh_token',
      refresh_token: 'nope',
      client_id: post.clientId,
      client_secret: post.clientSecret!,
    });
    expect(accepted.body.error).toBe('invalid_grant');

    const keyClient = await createApp({ tokenEndpointAuthMethod: 'private_key_jwt', jwks });
    const guessed = await postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'refresh_token',
      refresh_token: 'nope',
      client_id: keyClient.clientId,
      client_secret: 'a guess',
    });
    expect(guessed.status).toBe(401);
    expect(guessed.headers.get('www-authenticate')).toBeNull();
  });

  it('refuses two methods in one request with invalid_request', async () => {
    const app = await createApp({ tokenEndpointAuthMethod: 'private_key_jwt', jwks });
    const both = await postForm(
      `${tenant.issuer}/oauth2/token`,
      {
        grant_type: 'refresh_token',
        refresh_token: 'nope',
        client_assertion_type: JWT_BEARER,
        client_assertion: await assertion(app.clientId),
      },
      { authorization: `Basic ${Buffer.from(`${app.clientId}:x`).toString('base64')}` },
    );
    expect(both.status).toBe(400);
    expect(both.body.error).toBe('invalid_request');
  });

  describe('admin API', () => {
    const patch = (clientId: string, body: unknown) =>
      admin.patch(`/projects/${tenant.slug}/applications/${clientId}`, body);

    it('defaults: none for public clients, client_secret_basic for confidential ones', async () => {
      const publicApp = await admin.post(`/projects/${tenant.slug}/applications`, {
        name: 'Native',
        type: 'public',
        redirectUris: ['com.example.app:/cb'],
      });
      expect(publicApp.body.tokenEndpointAuthMethod).toBe('none');
      expect((await createApp({})).tokenEndpointAuthMethod).toBe('client_secret_basic');
    });

    it.each<[string, Record<string, unknown>, RegExp]>([
      [
        'a public client with a secret method',
        { type: 'public', tokenEndpointAuthMethod: 'client_secret_basic' },
        /public client/,
      ],
      ['a confidential client without authentication', { tokenEndpointAuthMethod: 'none' }, /confidential client/],
      ['private_key_jwt without keys', { tokenEndpointAuthMethod: 'private_key_jwt' }, /jwks/],
      [
        'private_key_jwt with both key sources',
        {
          tokenEndpointAuthMethod: 'private_key_jwt',
          jwksUri: 'https://a.example/jwks',
          jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] },
        },
        /not both/,
      ],
      ['keys for a secret method', { jwksUri: 'https://a.example/jwks' }, /private_key_jwt only/],
      [
        'a jwks_uri over plain http',
        { tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'http://keys.example.com/jwks' },
        /jwksUri/,
      ],
      [
        'a symmetric key',
        { tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } },
        /kty/,
      ],
    ])('refuses %s', async (_name, settings, description) => {
      const created = await admin.post(`/projects/${tenant.slug}/applications`, {
        name: 'Bad',
        type: 'confidential',
        redirectUris: [REDIRECT_URI],
        ...settings,
      });
      expect(created.status).toBe(400);
      expect(created.body.description).toMatch(description);
    });

    it('refuses a private key', async () => {
      const { privateKey: key } = await generateKeyPair('ES256', { extractable: true });
      const created = await admin.post(`/projects/${tenant.slug}/applications`, {
        name: 'Bad',
        type: 'confidential',
        redirectUris: [REDIRECT_URI],
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwks: { keys: [await exportJWK(key)] },
      });
      expect(created.status).toBe(400);
      expect(created.body.description).toMatch(/private key member/);
    });

    it('switching to private_key_jwt drops the secret and refuses its rotation; switching back needs one', async () => {
      const app = await createApp({});
      const switched = await patch(app.clientId, { tokenEndpointAuthMethod: 'private_key_jwt', jwks });
      expect(switched.status).toBe(200);
      expect(switched.body).toMatchObject({ tokenEndpointAuthMethod: 'private_key_jwt', jwks });
      const basic = Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64');
      const withOldSecret = await postForm(
        `${tenant.issuer}/oauth2/token`,
        { grant_type: 'refresh_token', refresh_token: 'nope' },
        { authorization: `Basic ${basic}` },
      );
      expect(withOldSecret.body.error).toBe('invalid_client');
      const rotation = await admin.post(`/projects/${tenant.slug}/applications/${app.clientId}/secret`, {});
      expect(rotation.status).toBe(400);
      expect(rotation.body.description).toMatch(/no secret/);

      // Naming a jwks_uri replaces the inline keys.
      const byUri = await patch(app.clientId, { jwksUri });
      expect(byUri.body).toMatchObject({ jwksUri });
      expect(byUri.body).not.toHaveProperty('jwks');

      const back = await patch(app.clientId, { tokenEndpointAuthMethod: 'client_secret_basic' });
      expect(back.body).not.toHaveProperty('jwksUri');
      expect((await tokenRequestWith(await assertion(app.clientId))).body.error).toBe('invalid_client');
      const secret = (await admin.post(`/projects/${tenant.slug}/applications/${app.clientId}/secret`, {})).body
        .clientSecret as string;
      const withNewSecret = await postForm(
        `${tenant.issuer}/oauth2/token`,
        { grant_type: 'refresh_token', refresh_token: 'nope' },
        { authorization: `Basic ${Buffer.from(`${app.clientId}:${secret}`).toString('base64')}` },
      );
      expect(withNewSecret.body.error).toBe('invalid_grant');
    });

    it('keeps the console client on client_secret_basic', async () => {
      const changed = await admin.patch('/projects/keyway-admin/applications/keyway-console', {
        tokenEndpointAuthMethod: 'client_secret_post',
      });
      expect(changed.status).toBe(400);
    });
  });
});
