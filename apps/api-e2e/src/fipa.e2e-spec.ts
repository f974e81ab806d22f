import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { generate, generateSecret } from 'otplib';
import { AuthorizationChallengeCodeResponse, AuthorizationChallengeErrorResponse } from '@keyway/flow-types';
import {
  adminApi,
  BASIC_AUTHENTICATOR_ID,
  createTenant,
  get,
  pkcePair,
  postForm,
  TOTP_AUTHENTICATOR_ID,
  type Tenant,
} from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TWO_STEP = [['BasicAuthenticator'], ['totp']];
/** 256 bits, base64url. */
const AUTH_SESSION = /^[A-Za-z0-9_-]{43}$/;

/** The TOTP step object, exactly as the app-native flow presents it (scenario 2). */
const TOTP_STEP = {
  stepType: 'AUTHENTICATOR_PROMPT',
  authenticators: [
    {
      authenticatorId: TOTP_AUTHENTICATOR_ID,
      authenticator: 'TOTP',
      idp: 'LOCAL',
      metadata: {
        i18nKey: 'authenticator.totp',
        promptType: 'USER_PROMPT',
        params: [
          {
            param: 'token',
            type: 'STRING',
            order: 0,
            i18nKey: 'totp.authenticator',
            displayName: 'Token',
            confidential: false,
          },
        ],
      },
      requiredParams: ['token'],
    },
  ],
};

type Client = Pick<Tenant, 'issuer' | 'clientId'>;

/** OAuth 2.0 for First-Party Applications (draft-ietf-oauth-first-party-apps-04) through /oauth2/authorize-challenge. */
describe('First-Party Apps: /oauth2/authorize-challenge', () => {
  let server: KeywayServer;
  let admin: ReturnType<typeof adminApi>;
  /** Password-only project (createTenant's user). */
  let tenant: Tenant;
  /** Password + TOTP project. */
  let twoStep: Client & { slug: string };

  const challenge = (
    client: Pick<Tenant, 'issuer'>,
    params: Record<string, string>,
    headers: Record<string, string> = {},
  ) => postForm(`${client.issuer}/oauth2/authorize-challenge`, params, headers);

  /** A first request as a public client: PKCE S256, no redirect_uri. */
  function begin(client: Client, extra: Record<string, string> = {}) {
    const pkce = pkcePair();
    const response = challenge(client, {
      client_id: client.clientId,
      response_type: 'code',
      scope: 'openid profile email',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      ...extra,
    });
    return response.then((r) => ({ response: r, verifier: pkce.verifier }));
  }

  async function oidcClient(client: Client): Promise<oidc.Configuration> {
    const config = await oidc.discovery(new URL(client.issuer), client.clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    // Verify the ID token's signature against the JWKS too, not only its claims.
    oidc.enableNonRepudiationChecks(config);
    return config;
  }

  /** Token request as draft §6 describes it: code and verifier, no redirect_uri. */
  function redeem(config: oidc.Configuration, code: string, verifier: string) {
    return oidc.genericGrantRequest(config, 'authorization_code', { code, code_verifier: verifier });
  }

  async function importTwoStepUser(): Promise<{ email: string; password: string; secret: string; id: string }> {
    const email = `fipa-${randomBytes(4).toString('hex')}@example.com`;
    const password = `pw-${randomBytes(9).toString('base64url')}`;
    const secret = generateSecret();
    const identity = await admin.post(`/projects/${twoStep.slug}/identities`, {
      traits: { email, name: 'First Party' },
      credentials: { password: { value: password }, totp: { secret } },
    });
    expect(identity.status).toBe(201);
    return { email, password, secret, id: identity.body.id };
  }

  async function createApp(slug: string, body: Record<string, unknown> = {}) {
    const app = await admin.post(`/projects/${slug}/applications`, {
      name: 'Another app',
      type: 'public',
      redirectUris: ['com.example.other:/cb'],
      grantTypes: ['authorization_code', 'refresh_token'],
      appNative: true,
      ...body,
    });
    expect(app.status).toBe(201);
    return app.body as { clientId: string; clientSecret?: string };
  }

  beforeAll(async () => {
    server = await startKeyway();
    admin = adminApi(server);
    tenant = await createTenant(server);
    const slug = `fipa-${randomBytes(5).toString('hex')}`;
    const project = await admin.post('/projects', { slug, name: `FiPA ${slug}` });
    expect(project.status).toBe(201);
    const app = await createApp(slug, { loginFlow: TWO_STEP });
    twoStep = { slug, issuer: project.body.issuer, clientId: app.clientId };
  });
  afterAll(() => server?.stop());

  it('is listed in discovery as authorization_challenge_endpoint', async () => {
    const discovery = await get(`${tenant.issuer}/.well-known/openid-configuration`);
    expect(discovery.body.authorization_challenge_endpoint).toBe(`${tenant.issuer}/oauth2/authorize-challenge`);
  });

  it('runs password then TOTP, and openid-client redeems the code with PKCE and validates the ID token', async () => {
    const user = await importTwoStepUser();
    const nonce = oidc.randomNonce();

    // First request with the password: the TOTP step is still missing.
    const { response: first, verifier } = await begin(twoStep, {
      username: user.email,
      password: user.password,
      nonce,
    });
    expect(first.status).toBe(403);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(AuthorizationChallengeErrorResponse.parse(first.body)).toBeTruthy();
    expect(first.body).toEqual({
      error: 'insufficient_authorization',
      error_description: expect.any(String),
      auth_session: expect.stringMatching(AUTH_SESSION),
      next_step: TOTP_STEP,
    });
    const authSession: string = first.body.auth_session;

    // Follow-up: the auth_session names the flow and the client; a real code completes it.
    const done = await challenge(twoStep, {
      auth_session: authSession,
      token: await generate({ secret: user.secret }),
    });
    expect(done.status).toBe(200);
    expect(done.headers.get('cache-control')).toBe('no-store');
    expect(done.body).toEqual({ authorization_code: expect.any(String) });
    AuthorizationChallengeCodeResponse.parse(done.body);

    const tokens = await redeem(await oidcClient(twoStep), done.body.authorization_code, verifier);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.claims()).toMatchObject({
      iss: twoStep.issuer,
      aud: twoStep.clientId,
      sub: user.id,
      nonce,
      amr: ['pwd', 'otp'],
      email: user.email,
    });

    // The flow is finished: its auth_session is as good as unknown.
    const reused = await challenge(twoStep, {
      auth_session: authSession,
      token: await generate({ secret: user.secret }),
    });
    expect(reused.status).toBe(400);
    expect(reused.body).toEqual({ error: 'invalid_session', error_description: expect.any(String) });
  });

  it('answers the first step without credentials, then each step in its own request', async () => {
    const user = await importTwoStepUser();
    const { response: first, verifier } = await begin(twoStep, { login_hint: user.email });
    expect(first.status).toBe(403);
    expect(first.body.next_step.authenticators[0].authenticatorId).toBe(BASIC_AUTHENTICATOR_ID);
    const authSession: string = first.body.auth_session;

    // Asking again without an answer describes the same step.
    const again = await challenge(twoStep, { auth_session: authSession, client_id: twoStep.clientId });
    expect(again.status).toBe(403);
    expect(again.body).toEqual(first.body);

    // login_hint stands in for the username when the password comes with it.
    const second = await challenge(twoStep, {
      auth_session: authSession,
      login_hint: user.email,
      password: user.password,
    });
    expect(second.status).toBe(403);
    expect(second.body.next_step).toEqual(TOTP_STEP);
    expect(second.body.auth_session).toBe(authSession);

    const done = await challenge(twoStep, {
      auth_session: authSession,
      token: await generate({ secret: user.secret }),
    });
    expect(done.status).toBe(200);
    const tokens = await redeem(await oidcClient(twoStep), done.body.authorization_code, verifier);
    expect(tokens.claims()?.amr).toEqual(['pwd', 'otp']);
  });

  it('runs every step a single request answers (password and TOTP code at once, draft Appendix A.3)', async () => {
    const user = await importTwoStepUser();
    const { response } = await begin(twoStep, {
      username: user.email,
      password: user.password,
      token: await generate({ secret: user.secret }),
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ authorization_code: expect.any(String) });
  });

  it('returns a code at once for a password-only flow, bound to no redirect_uri', async () => {
    const client = await oidcClient(tenant);
    const { response, verifier } = await begin(tenant, { username: tenant.email, password: tenant.password });
    expect(response.status).toBe(200);
    const tokens = await redeem(client, response.body.authorization_code, verifier);
    expect(tokens.claims()).toMatchObject({ sub: tenant.identityId, amr: ['pwd'] });

    // A redirect_uri sent for a code that was bound to none is refused (and spends the code).
    const other = await begin(tenant, { username: tenant.email, password: tenant.password });
    const withRedirect = await postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'authorization_code',
      code: other.response.body.authorization_code,
      redirect_uri: tenant.redirectUri,
      code_verifier: other.verifier,
      client_id: tenant.clientId,
    });
    expect(withRedirect.status).toBe(400);
    expect(withRedirect.body.error).toBe('invalid_grant');
  });

  it('binds the code to a redirect_uri when the request sends one (RFC 6749 §4.1.3 at the token endpoint)', async () => {
    const unregistered = await begin(tenant, { redirect_uri: 'com.evil.app:/cb' });
    expect(unregistered.response.status).toBe(400);
    expect(unregistered.response.body.error).toBe('invalid_request');

    const token = (code: string, verifier: string, extra: Record<string, string>) =>
      postForm(`${tenant.issuer}/oauth2/token`, {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        client_id: tenant.clientId,
        ...extra,
      });
    const a = await begin(tenant, {
      redirect_uri: tenant.redirectUri,
      username: tenant.email,
      password: tenant.password,
    });
    expect(a.response.status).toBe(200);
    expect((await token(a.response.body.authorization_code, a.verifier, {})).body.error).toBe('invalid_request');
    const b = await begin(tenant, {
      redirect_uri: tenant.redirectUri,
      username: tenant.email,
      password: tenant.password,
    });
    const ok = await token(b.response.body.authorization_code, b.verifier, { redirect_uri: tenant.redirectUri });
    expect(ok.status).toBe(200);
    expect(ok.body.access_token).toEqual(expect.any(String));
  });

  it('answers a wrong password with access_denied and the same auth_session, and a retry with it succeeds', async () => {
    const { response: wrong, verifier } = await begin(tenant, {
      username: tenant.email,
      password: `${tenant.password}x`,
    });
    expect(wrong.status).toBe(400);
    expect(AuthorizationChallengeErrorResponse.parse(wrong.body)).toBeTruthy();
    expect(wrong.body).toMatchObject({ error: 'access_denied', auth_session: expect.stringMatching(AUTH_SESSION) });
    expect(wrong.body.next_step.authenticators[0].authenticatorId).toBe(BASIC_AUTHENTICATOR_ID);
    expect(wrong.body.next_step.messages).toEqual([
      expect.objectContaining({
        type: 'ERROR',
        messageId: 'msg_invalid_un_pw',
        context: [{ key: 'remainingAttempts', value: expect.stringMatching(/^\d+$/) }],
      }),
    ]);

    const retry = await challenge(tenant, {
      auth_session: wrong.body.auth_session,
      username: tenant.email,
      password: tenant.password,
    });
    expect(retry.status).toBe(200);
    const tokens = await redeem(await oidcClient(tenant), retry.body.authorization_code, verifier);
    expect(tokens.access_token).toEqual(expect.any(String));
  });

  it('ends the flow when the identity locks: access_denied with messages and no auth_session, then invalid_session', async () => {
    const locking = await createTenant(server, { lockout: { maxAttempts: 2, durationSeconds: 60 } });
    const first = await begin(locking, { username: locking.email, password: 'wrong-1' });
    expect(first.response.status).toBe(400);
    const authSession: string = first.response.body.auth_session;
    const locked = await challenge(locking, {
      auth_session: authSession,
      username: locking.email,
      password: 'wrong-2',
    });
    expect(locked.status).toBe(400);
    expect(locked.body).toEqual({
      error: 'access_denied',
      error_description: expect.any(String),
      messages: [expect.objectContaining({ messageId: 'msg_account_locked' })],
    });
    const after = await challenge(locking, {
      auth_session: authSession,
      username: locking.email,
      password: locking.password,
    });
    expect(after.body.error).toBe('invalid_session');
  });

  it('answers invalid_session for a made-up auth_session, and for one of another client', async () => {
    const garbage = await challenge(tenant, {
      auth_session: randomBytes(32).toString('base64url'),
      client_id: tenant.clientId,
    });
    expect(garbage.status).toBe(400);
    expect(garbage.body).toEqual({ error: 'invalid_session', error_description: expect.any(String) });
    expect((await challenge(tenant, { auth_session: 'x' })).body.error).toBe('invalid_session');

    // Another client of the same project presenting a valid auth_session learns nothing.
    const other = await createApp(tenant.slug);
    const { response } = await begin(tenant);
    const authSession: string = response.body.auth_session;
    const foreign = await challenge(tenant, {
      auth_session: authSession,
      client_id: other.clientId,
      username: tenant.email,
      password: tenant.password,
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error).toBe('invalid_session');
    // Nor does the same auth_session under another tenant's issuer.
    const otherTenant = await createTenant(server);
    expect((await challenge(otherTenant, { auth_session: authSession })).body.error).toBe('invalid_session');

    // The rightful client's flow is unharmed.
    const own = await challenge(tenant, {
      auth_session: authSession,
      username: tenant.email,
      password: tenant.password,
    });
    expect(own.status).toBe(200);
  });

  it('answers invalid_session once the flow has expired', async () => {
    const shortLived = await createTenant(server, { flowTtlSeconds: 30 });
    const { response } = await begin(shortLived);
    expect(response.status).toBe(403);
    await sleep(31_000);
    const expired = await challenge(shortLived, {
      auth_session: response.body.auth_session,
      username: shortLived.email,
      password: shortLived.password,
    });
    expect(expired.status).toBe(400);
    expect(expired.body.error).toBe('invalid_session');
  }, 60_000);

  it('runs the authorization request checks of /authorize: PKCE for public clients, response_type, client', async () => {
    const noPkce = await challenge(tenant, {
      client_id: tenant.clientId,
      response_type: 'code',
      scope: 'openid',
      username: tenant.email,
      password: tenant.password,
    });
    expect(noPkce.status).toBe(400);
    expect(noPkce.body).toEqual({
      error: 'invalid_request',
      error_description: expect.stringMatching(/PKCE is required/),
    });

    const plain = await begin(tenant, { code_challenge_method: 'plain' });
    expect(plain.response.body.error).toBe('invalid_request');
    const missingType = await challenge(tenant, {
      client_id: tenant.clientId,
      scope: 'openid',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    });
    expect(missingType.body.error).toBe('invalid_request');
    expect((await begin(tenant, { response_type: 'token' })).response.body.error).toBe('unsupported_response_type');
    const unknown = await begin({ issuer: tenant.issuer, clientId: 'no-such-client' });
    expect(unknown.response.body.error).toBe('invalid_client');
    expect((await begin(tenant, { scope: 'openid admin' })).response.body.error).toBe('invalid_scope');

    const json = await fetch(`${tenant.issuer}/oauth2/authorize-challenge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('requires a confidential client to authenticate on every request', async () => {
    const confidential = await createApp(tenant.slug, { type: 'confidential' });
    const client = { issuer: tenant.issuer, clientId: confidential.clientId };
    const basic = {
      authorization: `Basic ${Buffer.from(`${confidential.clientId}:${confidential.clientSecret}`).toString('base64')}`,
    };

    const anonymous = await challenge(client, { client_id: client.clientId, response_type: 'code', scope: 'openid' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('invalid_client');

    const first = await challenge(client, { response_type: 'code', scope: 'openid' }, basic);
    expect(first.status).toBe(403);
    const authSession: string = first.body.auth_session;
    const unauthenticated = await challenge(client, {
      auth_session: authSession,
      username: tenant.email,
      password: tenant.password,
    });
    expect(unauthenticated.body.error).toBe('invalid_client');
    const done = await challenge(
      client,
      { auth_session: authSession, username: tenant.email, password: tenant.password },
      basic,
    );
    expect(done.status).toBe(200);
    const token = await postForm(
      `${tenant.issuer}/oauth2/token`,
      { grant_type: 'authorization_code', code: done.body.authorization_code },
      basic,
    );
    expect(token.status).toBe(200);
  });
});
