import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { adminApi, createTenant, get, postForm, postJson, startFlow, type Tenant } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

// External-token sign-in (issue 12) against real partners: a JWT signed with a key the test publishes on its own
// JWKS server, and an opaque-token callback server that checks Keyway's HMAC signature exactly as
// docs/external-tokens.md tells partners to. The client side is openid-client's generic grant request.

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const PARTNER_ISS = 'https://partner.example.com';
const EVERY_ISS = 'https://every.example.com';
const AUDIENCE = 'keyway-app';
const EXTERNAL_ID = Buffer.from('ExternalTokenAuthenticator:LOCAL').toString('base64url');

/** A local HTTP server; the handler answers each request. */
async function listen(handler: (request: IncomingMessage, body: string) => Promise<[number, unknown]>) {
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      void handler(request, body).then(([status, answer]) => {
        if (response.destroyed) return;
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The partner's check of Keyway's call, as docs/external-tokens.md spells it out. */
function verifyKeywaySignature(secret: string, request: IncomingMessage, body: string): boolean {
  const timestamp = String(request.headers['x-keyway-timestamp'] ?? '');
  const signature = String(request.headers['x-keyway-signature'] ?? '');
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('external-token sign-in', () => {
  let server: KeywayServer;
  let admin: ReturnType<typeof adminApi>;
  let tenant: Tenant;
  let app: oidc.Configuration;
  let resourceServer: oidc.Configuration;
  let partnerKey: CryptoKey;
  let strangerKey: CryptoKey;
  let jwks: Awaited<ReturnType<typeof listen>>;
  let callback: Awaited<ReturnType<typeof listen>>;
  /** The secret the partner's callback server holds (what Keyway showed once). */
  let partnerSecret = '';
  const callbackCalls: Array<{ signed: boolean; body: unknown }> = [];
  let opaqueIssuerId = '';
  let opaqueApp: { clientId: string };
  const options = { execute: [oidc.allowInsecureRequests] };
  const issuers = () => `/projects/${tenant.slug}/token-issuers`;

  beforeAll(async () => {
    server = await startKeyway();
    admin = adminApi(server);
    tenant = await createTenant(server);
    const pair = await generateKeyPair('ES256');
    partnerKey = pair.privateKey;
    strangerKey = (await generateKeyPair('ES256')).privateKey;
    const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'partner-1', alg: 'ES256', use: 'sig' };
    jwks = await listen(async () => [200, { keys: [publicJwk] }]);
    // The partner's token check: tokens say how to answer; the signature is checked first, like a partner would.
    callback = await listen(async (request, body) => {
      const signed = verifyKeywaySignature(partnerSecret, request, body);
      const parsed = JSON.parse(body) as { token: string; token_type_hint?: string };
      callbackCalls.push({ signed, body: parsed });
      if (!signed) return [401, { error: 'bad signature' }];
      const [kind, sub, name] = parsed.token.split('.');
      if (kind === 'ok')
        return [200, { user_id: sub, mail: `${sub}@partner.example`, display: name ?? 'Partner User' }];
      if (kind === 'boom') return [500, { error: 'down' }];
      if (kind === 'slow') {
        await new Promise((resolve) => setTimeout(resolve, 2_500).unref());
        return [200, { user_id: sub }];
      }
      if (kind === 'nosub') return [200, { mail: 'x@partner.example' }];
      return [401, { error: 'invalid token' }];
    });

    // The tenant's app-native public app may exchange; a confidential resource server introspects.
    expect(
      (
        await admin.patch(`/projects/${tenant.slug}/applications/${tenant.clientId}`, {
          grantTypes: ['authorization_code', 'refresh_token', EXCHANGE],
        })
      ).status,
    ).toBe(200);
    app = await oidc.discovery(new URL(tenant.issuer), tenant.clientId, undefined, oidc.None(), options);
    const api = await admin.post(`/projects/${tenant.slug}/applications`, {
      name: 'Resource server',
      type: 'confidential',
      redirectUris: ['https://api.example.com/cb'],
    });
    resourceServer = await oidc.discovery(
      new URL(tenant.issuer),
      api.body.clientId,
      undefined,
      oidc.ClientSecretBasic(api.body.clientSecret),
      options,
    );

    const jwtIssuer = await admin.post(issuers(), {
      name: 'partner',
      mode: 'jwt',
      issuer: PARTNER_ISS,
      audiences: [AUDIENCE],
      jwksUri: `${jwks.url}/jwks.json`,
      claimMapping: { email: 'email', name: 'name' },
      applications: [tenant.clientId],
    });
    expect(jwtIssuer.status).toBe(201);
    expect(jwtIssuer.body).toMatchObject({
      updatePolicy: 'first-login',
      allowedAlgs: expect.arrayContaining(['ES256']),
    });
    expect(jwtIssuer.body.callbackSecret).toBeUndefined();
    const every = await admin.post(issuers(), {
      name: 'every',
      mode: 'jwt',
      issuer: EVERY_ISS,
      audiences: [AUDIENCE],
      jwks: { keys: [publicJwk] },
      claimMapping: { email: 'email', name: 'name' },
      updatePolicy: 'every-login',
      applications: [tenant.clientId],
    });
    expect(every.status).toBe(201);

    const opaque = await admin.post(`/projects/${tenant.slug}/applications`, {
      name: 'Opaque partner app',
      type: 'public',
      appNative: true,
      redirectUris: ['com.example.opaque:/cb'],
      grantTypes: ['authorization_code', 'refresh_token', EXCHANGE],
    });
    opaqueApp = opaque.body;
    const created = await admin.post(issuers(), {
      name: 'backend',
      mode: 'opaque',
      callbackUrl: `${callback.url}/check`,
      callbackTimeoutMs: 1000,
      subjectClaim: 'user_id',
      claimMapping: { mail: 'email', display: 'name' },
      applications: [opaqueApp.clientId],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ mode: 'opaque', callbackSecretSet: true, callbackSecret: expect.any(String) });
    partnerSecret = created.body.callbackSecret;
    opaqueIssuerId = created.body.id;
  });

  afterAll(async () => {
    await server?.stop();
    jwks?.server.closeAllConnections();
    jwks?.server.close();
    callback?.server.closeAllConnections();
    callback?.server.close();
  });

  function partnerJwt(claims: Record<string, unknown>, options: { key?: CryptoKey; iss?: string; aud?: string } = {}) {
    return new SignJWT({ email: `${String(claims['sub'])}@partner.example`, name: 'Partner User', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'partner-1' })
      .setIssuer(options.iss ?? PARTNER_ISS)
      .setAudience(options.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(typeof claims['exp'] === 'number' ? claims['exp'] : '5m')
      .sign(options.key ?? partnerKey);
  }

  const exchange = (params: Record<string, string>, client = app) =>
    oidc.genericGrantRequest(client, EXCHANGE, {
      subject_token_type: JWT_TYPE,
      scope: 'openid profile email',
      ...params,
    });

  /** The raw token endpoint, for the refusals (openid-client throws on them). */
  const rawExchange = (params: Record<string, string>) =>
    postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: EXCHANGE,
      client_id: tenant.clientId,
      subject_token_type: JWT_TYPE,
      ...params,
    });

  const traitsOf = async (identityId: string) =>
    (await admin.get(`/projects/${tenant.slug}/identities/${identityId}`)).body.traits;

  it('advertises the grant type in discovery', async () => {
    const document = await get(`${tenant.issuer}/.well-known/openid-configuration`);
    expect(document.body.grant_types_supported).toContain(EXCHANGE);
  });

  it('exchanges a partner JWT for Keyway tokens, registering the partner user at first sight', async () => {
    const sub = `u-${randomBytes(4).toString('hex')}`;
    const tokens = await exchange({ subject_token: await partnerJwt({ sub, name: 'Grace Hopper' }) });
    expect(tokens).toMatchObject({
      token_type: 'bearer',
      issued_token_type: ACCESS_TOKEN_TYPE,
      scope: 'openid profile email',
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      id_token: expect.any(String),
    });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: tenant.issuer, aud: tenant.clientId, amr: ['ext'] });
    expect(await traitsOf(claims.sub)).toEqual({ email: `${sub}@partner.example`, name: 'Grace Hopper' });
    const identity = await admin.get(`/projects/${tenant.slug}/identities/${claims.sub}`);
    expect(identity.body.credentials.map((credential: { type: string }) => credential.type)).toEqual([
      'external_token',
    ]);
    // The same partner user again is the same identity.
    const again = await exchange({ subject_token: await partnerJwt({ sub }) });
    expect(again.claims()!.sub).toBe(claims.sub);
  });

  it('first-login issuers never update traits; every-login issuers write the mapped ones each time', async () => {
    const sub = `u-${randomBytes(4).toString('hex')}`;
    const first = (await exchange({ subject_token: await partnerJwt({ sub, name: 'Before' }) })).claims()!.sub;
    await exchange({ subject_token: await partnerJwt({ sub, name: 'After', email: `new.${sub}@partner.example` }) });
    expect(await traitsOf(first)).toEqual({ email: `${sub}@partner.example`, name: 'Before' });

    // Another issuer's user, with another address (an address held by an identity is never linked to).
    const every = (
      await exchange({
        subject_token: await partnerJwt({ sub, name: 'Before', email: `e.${sub}@partner.example` }, { iss: EVERY_ISS }),
      })
    ).claims()!.sub;
    // Another issuer's subject is another identity.
    expect(every).not.toBe(first);
    await exchange({
      subject_token: await partnerJwt({ sub, name: 'After', email: `new.${sub}@partner.example` }, { iss: EVERY_ISS }),
    });
    expect(await traitsOf(every)).toEqual({ email: `new.${sub}@partner.example`, name: 'After' });
  });

  it('is signed in while the session lives; native logout revokes it: introspection inactive, refresh refused', async () => {
    const tokens = await exchange({ subject_token: await partnerJwt({ sub: `u-${randomBytes(4).toString('hex')}` }) });
    expect(await oidc.tokenIntrospection(resourceServer, tokens.access_token)).toMatchObject({
      active: true,
      client_id: tenant.clientId,
    });
    const userinfo = await get(`${tenant.issuer}/oauth2/userinfo`, { authorization: `Bearer ${tokens.access_token}` });
    expect(userinfo.status).toBe(200);
    const out = await postForm(`${tenant.issuer}/oauth2/logout`, {
      response_mode: 'direct',
      client_id: tenant.clientId,
      refresh_token: tokens.refresh_token!,
    });
    expect(out).toMatchObject({ status: 200, body: { status: 'logged_out' } });
    expect(await oidc.tokenIntrospection(resourceServer, tokens.access_token)).toEqual({ active: false });
    await expect(oidc.refreshTokenGrant(app, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses bad partner JWTs with invalid_grant, never saying more', async () => {
    const sub = `u-${randomBytes(4).toString('hex')}`;
    const refusals = [
      await partnerJwt({ sub }, { key: strangerKey }),
      await partnerJwt({ sub }, { aud: 'someone-else' }),
      await partnerJwt({ sub }, { iss: 'https://unknown.example.com' }),
      await partnerJwt({ sub, exp: Math.floor(Date.now() / 1000) - 600 }),
      'not-a-jwt',
    ];
    for (const subject_token of refusals)
      expect(await rawExchange({ subject_token })).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant', error_description: 'the subject token is not valid' },
      });
  });

  it('refuses bad requests and clients not allowed with the RFC 6749 / 8693 errors', async () => {
    const token = await partnerJwt({ sub: 'u-x' });
    expect(await rawExchange({})).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await rawExchange({ subject_token: token, subject_token_type: 'urn:example:saml' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
    expect(await rawExchange({ subject_token: token, audience: 'https://api.example.com' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_target' },
    });
    expect(await rawExchange({ subject_token: token, actor_token: token, actor_token_type: JWT_TYPE })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
    expect(await rawExchange({ subject_token: token, scope: 'openid admin' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_scope' },
    });
    // An app the issuer does not list, and one without the grant type.
    expect(
      await postForm(`${tenant.issuer}/oauth2/token`, {
        grant_type: EXCHANGE,
        client_id: opaqueApp.clientId,
        subject_token: token,
        subject_token_type: JWT_TYPE,
      }),
    ).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
    const plain = await admin.post(`/projects/${tenant.slug}/applications`, {
      name: 'No exchange',
      type: 'public',
      redirectUris: ['com.example.plain:/cb'],
    });
    const listed = await admin.patch(`${issuers()}/${(await admin.get(issuers())).body[0].id}`, {
      applications: [tenant.clientId, plain.body.clientId],
    });
    expect(listed.body.applications).toContain(plain.body.clientId);
    expect(
      await postForm(`${tenant.issuer}/oauth2/token`, {
        grant_type: EXCHANGE,
        client_id: plain.body.clientId,
        subject_token: token,
        subject_token_type: JWT_TYPE,
      }),
    ).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
  });

  it("applies the project's requireVerifiedEmail, as a login flow does: an unverified partner user is refused", async () => {
    const strict = await createTenant(server, { requireVerifiedEmail: true });
    await admin.patch(`/projects/${strict.slug}/applications/${strict.clientId}`, {
      grantTypes: ['authorization_code', 'refresh_token', EXCHANGE],
    });
    const created = await admin.post(`/projects/${strict.slug}/token-issuers`, {
      name: 'partner',
      mode: 'jwt',
      issuer: PARTNER_ISS,
      audiences: [AUDIENCE],
      jwksUri: `${jwks.url}/jwks.json`,
      claimMapping: { email: 'email' },
      applications: [strict.clientId],
    });
    expect(created.status).toBe(201);
    const answer = await postForm(`${strict.issuer}/oauth2/token`, {
      grant_type: EXCHANGE,
      client_id: strict.clientId,
      subject_token: await partnerJwt({ sub: `u-${randomBytes(4).toString('hex')}` }),
      subject_token_type: JWT_TYPE,
    });
    expect(answer).toMatchObject({
      status: 400,
      body: {
        error: 'invalid_grant',
        error_description: "the user's email address must be verified before signing in",
      },
    });
  });

  it('concurrent first exchanges of one subject make one identity', async () => {
    const sub = `u-${randomBytes(4).toString('hex')}`;
    const token = await partnerJwt({ sub });
    const results = await Promise.all(Array.from({ length: 6 }, () => exchange({ subject_token: token })));
    expect(new Set(results.map((tokens) => tokens.claims()!.sub)).size).toBe(1);
    const found = await admin.get(
      `/projects/${tenant.slug}/identities?q=${encodeURIComponent(`${sub}@partner.example`)}`,
    );
    expect(found.body.items).toEqual([expect.objectContaining({ id: results[0]!.claims()!.sub })]);
  });

  describe('opaque tokens at the partner callback', () => {
    let opaqueClient: oidc.Configuration;
    beforeAll(async () => {
      opaqueClient = await oidc.discovery(new URL(tenant.issuer), opaqueApp.clientId, undefined, oidc.None(), options);
    });
    const opaque = (token: string) =>
      postForm(`${tenant.issuer}/oauth2/token`, {
        grant_type: EXCHANGE,
        client_id: opaqueApp.clientId,
        subject_token: token,
        subject_token_type: ACCESS_TOKEN_TYPE,
      });

    it("signs in with the partner's profile; the call is signed as the docs say", async () => {
      const sub = `p-${randomBytes(4).toString('hex')}`;
      callbackCalls.length = 0;
      const tokens = await oidc.genericGrantRequest(opaqueClient, EXCHANGE, {
        subject_token: `ok.${sub}.Ada`,
        subject_token_type: ACCESS_TOKEN_TYPE,
        scope: 'openid email profile',
      });
      expect(callbackCalls).toEqual([
        { signed: true, body: { token: `ok.${sub}.Ada`, token_type_hint: 'access_token' } },
      ]);
      expect(await traitsOf(tokens.claims()!.sub)).toEqual({ email: `${sub}@partner.example`, name: 'Ada' });
    });

    it('refuses a token the partner refuses, a profile without subject, a 500 and a slow answer', async () => {
      expect(await opaque('nope.x')).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant', error_description: 'the subject token is not valid' },
      });
      expect(await opaque('nosub.x')).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      const unavailable = {
        status: 400,
        body: {
          error: 'invalid_grant',
          error_description: 'the token issuer could not check the subject token; try again later',
        },
      };
      expect(await opaque('boom.x')).toMatchObject(unavailable);
      const started = Date.now();
      expect(await opaque(`slow.${randomBytes(4).toString('hex')}`)).toMatchObject(unavailable);
      // The issuer's 1 s timeout, not the partner's 2.5 s.
      expect(Date.now() - started).toBeLessThan(2_400);
    });

    it('a rotated secret is shown once; the partner still holding the old one refuses the calls', async () => {
      const rotated = await admin.post(`${issuers()}/${opaqueIssuerId}/rotate-secret`, {});
      expect(rotated.status).toBe(200);
      expect(rotated.body.callbackSecret).toEqual(expect.any(String));
      expect(rotated.body.callbackSecret).not.toBe(partnerSecret);
      expect((await admin.get(`${issuers()}/${opaqueIssuerId}`)).body.callbackSecret).toBeUndefined();
      callbackCalls.length = 0;
      expect(await opaque(`ok.p-${randomBytes(4).toString('hex')}`)).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });
      expect(callbackCalls).toEqual([expect.objectContaining({ signed: false })]);
      partnerSecret = rotated.body.callbackSecret;
      expect((await opaque(`ok.p-${randomBytes(4).toString('hex')}`)).status).toBe(200);
    });

    it('needs subject_issuer when the app trusts several opaque issuers', async () => {
      const second = await admin.post(issuers(), {
        name: 'backend-two',
        mode: 'opaque',
        callbackUrl: `${callback.url}/other`,
        applications: [opaqueApp.clientId],
      });
      expect(second.status).toBe(201);
      expect(await opaque('ok.x')).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      const named = await postForm(`${tenant.issuer}/oauth2/token`, {
        grant_type: EXCHANGE,
        client_id: opaqueApp.clientId,
        subject_token: `ok.p-${randomBytes(4).toString('hex')}`,
        subject_token_type: ACCESS_TOKEN_TYPE,
        subject_issuer: 'backend',
      });
      expect(named.status).toBe(200);
      expect((await admin.delete(`${issuers()}/${second.body.id}`)).status).toBe(204);
    });
  });

  it('signs in with ExternalTokenAuthenticator in an app-native login flow', async () => {
    const flowApp = await admin.post(`/projects/${tenant.slug}/applications`, {
      name: 'Flow app',
      type: 'public',
      appNative: true,
      redirectUris: ['com.example.flow:/cb'],
      loginFlow: [['ExternalTokenAuthenticator', 'BasicAuthenticator']],
    });
    expect(flowApp.status).toBe(201);
    const partner = (await admin.get(issuers())).body.find((issuer: { name: string }) => issuer.name === 'partner');
    const allowed = await admin.patch(`${issuers()}/${partner.id}`, {
      applications: [tenant.clientId, flowApp.body.clientId],
    });
    expect(allowed.body).toMatchObject({ applications: expect.arrayContaining([flowApp.body.clientId]) });
    const client = { issuer: tenant.issuer, clientId: flowApp.body.clientId, redirectUri: 'com.example.flow:/cb' };
    const { response, verifier } = await startFlow(client);
    expect(response.body.nextStep.authenticators).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          authenticatorId: EXTERNAL_ID,
          metadata: expect.objectContaining({ promptType: 'INTERNAL_PROMPT' }),
          requiredParams: ['subjectToken'],
        }),
      ]),
    );
    const authn = (flowId: string, subjectToken: string) =>
      postJson(`${tenant.issuer}/oauth2/authn`, {
        flowId,
        selectedAuthenticator: { authenticatorId: EXTERNAL_ID, params: { subjectToken } },
      });
    const refused = await authn(response.body.flowId, await partnerJwt({ sub: 'u-y' }, { key: strangerKey }));
    expect(refused.body).toMatchObject({
      flowStatus: 'FAIL_INCOMPLETE',
      nextStep: { messages: [expect.objectContaining({ messageId: 'msg_invalid_external_token' })] },
    });
    const sub = `u-${randomBytes(4).toString('hex')}`;
    const done = await authn(response.body.flowId, await partnerJwt({ sub }));
    expect(done.body).toMatchObject({ flowStatus: 'SUCCESS_COMPLETED', authData: { code: expect.any(String) } });
    const tokens = await postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'authorization_code',
      client_id: flowApp.body.clientId,
      code: done.body.authData.code,
      redirect_uri: 'com.example.flow:/cb',
      code_verifier: verifier,
    });
    expect(tokens.status).toBe(200);
    const idToken = decodeJwt(tokens.body.id_token);
    expect(idToken.amr).toEqual(['ext']);
    expect(await traitsOf(idToken.sub!)).toMatchObject({ email: `${sub}@partner.example` });
  });

  it('validates issuers in the admin API', async () => {
    const bad = async (body: Record<string, unknown>) => (await admin.post(issuers(), body)).status;
    const base = { name: 'checked', mode: 'jwt', issuer: PARTNER_ISS, audiences: [AUDIENCE] };
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    expect(await bad({ ...base, jwks: { keys: [await exportJWK(privateKey)] } })).toBe(400);
    expect(await bad({ ...base, jwksUri: 'http://partner.example.com/jwks' })).toBe(400);
    expect(await bad({ ...base, jwksUri: `${jwks.url}/j`, claimMapping: { x: 'no_such_trait' } })).toBe(400);
    expect(await bad({ ...base, jwksUri: `${jwks.url}/j`, callbackUrl: `${callback.url}/c` })).toBe(400);
    expect(await bad({ ...base })).toBe(400);
    expect(await bad({ name: 'checked', mode: 'opaque' })).toBe(400);
    expect(
      await bad({ name: 'checked', mode: 'opaque', callbackUrl: `${callback.url}/c`, callbackTimeoutMs: 60_000 }),
    ).toBe(400);
    expect(await bad({ ...base, name: 'partner', jwksUri: `${jwks.url}/j` })).toBe(409);
    const jwt = (await admin.get(issuers())).body.find((issuer: { mode: string }) => issuer.mode === 'jwt');
    expect((await admin.post(`${issuers()}/${jwt.id}/rotate-secret`, {})).status).toBe(400);
    expect((await admin.patch(`${issuers()}/${jwt.id}`, { callbackUrl: `${callback.url}/c` })).status).toBe(400);
  });
});
