import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { FlowStepResponse, FlowSuccessResponse } from '@keyway/flow-types';
import { decodeJson, encodeJson, SoftwareAuthenticator, type CeremonyOverrides } from '@keyway/webauthn-testing';
import { adminApi, BASIC_AUTHENTICATOR_ID, get, postForm, postJson, startFlow, submitPassword } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

/** base64url("FIDOAuthenticator:LOCAL"), as in the reference's scenario 3. */
const FIDO_AUTHENTICATOR_ID = 'RklET0F1dGhlbnRpY2F0b3I6TE9DQUw';
const PASSWORD_OR_PASSKEY = [['BasicAuthenticator', 'FIDOAuthenticator']];
const PASSWORD_THEN_PASSKEY = [['BasicAuthenticator'], ['FIDOAuthenticator']];
const REDIRECT_URI = 'com.example.app:/oauth2redirect';

interface User {
  id: string;
  email: string;
  password: string;
}

interface PasskeyTenant {
  slug: string;
  issuer: string;
  /** Password only: how users get the access token that lets them enroll a passkey. */
  passwordClientId: string;
  clientIdFor(loginFlow: string[][]): Promise<string>;
}

/**
 * Seed scenario 3 of the WSO2 app-native reference (a step offering password or passkey), passkeys as
 * a second factor, and self-service enrollment — with real WebAuthn data from a software authenticator
 * (ES256 keys, authenticatorData, clientDataJSON, 'none' attestation).
 */
describe('passkeys (scenario 3)', () => {
  let server: KeywayServer;
  let admin: ReturnType<typeof adminApi>;
  let tenant: PasskeyTenant;
  /** The default relying party: KEYWAY_PUBLIC_URL's host and origin. */
  let origin: string;

  async function createTenant(settings?: Record<string, unknown>): Promise<PasskeyTenant> {
    const slug = `s3-${randomBytes(5).toString('hex')}`;
    const project = await admin.post('/projects', {
      slug,
      name: `Scenario 3 ${slug}`,
      ...(settings ? { settings } : {}),
    });
    expect(project.status).toBe(201);
    const clients = new Map<string, string>();
    const clientIdFor = async (loginFlow: string[][]) => {
      const key = JSON.stringify(loginFlow);
      if (!clients.has(key)) {
        const app = await admin.post(`/projects/${slug}/applications`, {
          name: `App ${key}`,
          type: 'public',
          redirectUris: [REDIRECT_URI],
          appNative: true,
          loginFlow,
        });
        expect(app.status).toBe(201);
        clients.set(key, app.body.clientId);
      }
      return clients.get(key)!;
    };
    return {
      slug,
      issuer: project.body.issuer,
      passwordClientId: await clientIdFor([['BasicAuthenticator']]),
      clientIdFor,
    };
  }

  async function newUser(t: PasskeyTenant = tenant): Promise<User> {
    const email = `user-${randomBytes(4).toString('hex')}@example.com`;
    const password = `pw-${randomBytes(9).toString('base64url')}`;
    const identity = await admin.post(`/projects/${t.slug}/identities`, {
      traits: { email, name: 'Passkey User' },
      password,
    });
    expect(identity.status).toBe(201);
    return { id: identity.body.id, email, password };
  }

  const app = (t: PasskeyTenant, clientId: string) => ({ issuer: t.issuer, clientId, redirectUri: REDIRECT_URI });

  /** A password login on the password-only app, exchanged for tokens: what enrollment needs. */
  async function accessToken(user: User, t: PasskeyTenant = tenant): Promise<string> {
    const client = app(t, t.passwordClientId);
    const { response, verifier } = await startFlow(client);
    const done = await submitPassword(client, response.body.flowId, user.email, user.password);
    const token = await postForm(`${t.issuer}/oauth2/token`, {
      grant_type: 'authorization_code',
      code: done.body.authData.code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      client_id: t.passwordClientId,
    });
    expect(token.status).toBe(200);
    return token.body.access_token;
  }

  /** Registers a passkey through /me/passkeys, as an app would after a password login. */
  async function enroll(user: User, authenticator: SoftwareAuthenticator, t: PasskeyTenant = tenant): Promise<string> {
    const bearer = { authorization: `Bearer ${await accessToken(user, t)}` };
    const options = await postJson(`${t.issuer}/me/passkeys/registration-options`, {}, bearer);
    expect(options.status).toBe(200);
    const registered = await postJson(
      `${t.issuer}/me/passkeys`,
      { credential: authenticator.create(options.body), name: 'Phone' },
      bearer,
    );
    expect(registered.status).toBe(201);
    return registered.body.id;
  }

  function authn(t: PasskeyTenant, body: unknown) {
    return postJson(`${t.issuer}/oauth2/authn`, body);
  }

  /** Selecting the passkey option without params initiates it. */
  function selectPasskey(t: PasskeyTenant, flowId: string) {
    return authn(t, { flowId, selectedAuthenticator: { authenticatorId: FIDO_AUTHENTICATOR_ID } });
  }

  function challengeOf(step: { body: any }): { requestId: string; publicKeyCredentialRequestOptions: any } {
    const [option] = step.body.nextStep.authenticators;
    return decodeJson(option.metadata.additionalData.challengeData);
  }

  /** What the app does with an INTERNAL_PROMPT: hand the options to the platform, return its answer. */
  function answer(
    t: PasskeyTenant,
    flowId: string,
    step: { body: any },
    authenticator: SoftwareAuthenticator,
    overrides: CeremonyOverrides & { requestId?: string } = {},
  ) {
    const { requestId, publicKeyCredentialRequestOptions } = challengeOf(step);
    const credential = authenticator.get(publicKeyCredentialRequestOptions, overrides);
    const tokenResponse = encodeJson({ requestId: overrides.requestId ?? requestId, credential });
    return authn(t, {
      flowId,
      selectedAuthenticator: { authenticatorId: FIDO_AUTHENTICATOR_ID, params: { tokenResponse } },
    });
  }

  /** Starts a password-or-passkey flow and selects the passkey. */
  async function passwordlessStep(t: PasskeyTenant = tenant) {
    const clientId = await t.clientIdFor(PASSWORD_OR_PASSKEY);
    const { response, verifier } = await startFlow(app(t, clientId));
    const flowId: string = response.body.flowId;
    const step = await selectPasskey(t, flowId);
    expect(step.status).toBe(200);
    return { flowId, step, verifier, clientId };
  }

  function expectInvalidPasskey(result: { body: any }, remainingAttempts?: string) {
    expect(result.body.flowStatus).toBe('FAIL_INCOMPLETE');
    expect(result.body.nextStep.messages).toEqual([
      {
        type: 'ERROR',
        messageId: 'msg_invalid_passkey',
        message: expect.any(String),
        i18nKey: 'message.msg_invalid_passkey',
        ...(remainingAttempts ? { context: [{ key: 'remainingAttempts', value: remainingAttempts }] } : {}),
      },
    ]);
  }

  beforeAll(async () => {
    server = await startKeyway();
    admin = adminApi(server);
    origin = new URL(server.baseUrl).origin;
    tenant = await createTenant();
  });
  afterAll(() => server?.stop());

  it('offers password or passkey exactly as the reference shows; selecting the passkey answers its challenge', async () => {
    const clientId = await tenant.clientIdFor(PASSWORD_OR_PASSKEY);
    const { response } = await startFlow(app(tenant, clientId));
    expect(response.status).toBe(200);
    expect(FlowStepResponse.parse(response.body)).toBeTruthy();
    const links = [{ name: 'authentication', href: `${tenant.issuer}/oauth2/authn`, method: 'POST' }];
    expect(response.body).toEqual({
      flowId: expect.any(String),
      flowStatus: 'INCOMPLETE',
      flowType: 'AUTHENTICATION',
      nextStep: {
        stepType: 'MULTI_OPTIONS_PROMPT',
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
          // A user-initiated option: only its id and name until selected.
          {
            authenticatorId: FIDO_AUTHENTICATOR_ID,
            authenticator: 'Passkey',
            idp: 'LOCAL',
            metadata: { i18nKey: 'authenticator.Fido' },
          },
        ],
      },
      links,
    });
    expect(Buffer.from(FIDO_AUTHENTICATOR_ID, 'base64url').toString()).toBe('FIDOAuthenticator:LOCAL');

    const flowId = response.body.flowId;
    const step = await selectPasskey(tenant, flowId);
    expect(step.status).toBe(200);
    expect(step.body).toEqual({
      flowId,
      flowStatus: 'INCOMPLETE',
      flowType: 'AUTHENTICATION',
      nextStep: {
        stepType: 'AUTHENTICATOR_PROMPT',
        authenticators: [
          {
            authenticatorId: FIDO_AUTHENTICATOR_ID,
            authenticator: 'Passkey',
            idp: 'LOCAL',
            metadata: {
              i18nKey: 'authenticator.Fido',
              promptType: 'INTERNAL_PROMPT',
              additionalData: { challengeData: expect.stringMatching(/^[A-Za-z0-9_-]+$/) },
            },
            requiredParams: ['tokenResponse'],
          },
        ],
      },
      links,
    });
    // Passwordless: no credentials listed (the platform offers its discoverable passkeys), user verification required.
    expect(challengeOf(step)).toEqual({
      requestId: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      publicKeyCredentialRequestOptions: {
        challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        rpId: new URL(server.baseUrl).hostname,
        timeout: expect.any(Number),
        userVerification: 'required',
      },
    });
    // Selecting again issues a new challenge: the previous one no longer counts.
    const again = await selectPasskey(tenant, flowId);
    expect(challengeOf(again).requestId).not.toBe(challengeOf(step).requestId);
  });

  it('enrolls a passkey after a password login, then signs in with it alone; the tokens say how', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator({ origin });
    const passkeyId = await enroll(user, authenticator);

    const { flowId, step, verifier, clientId } = await passwordlessStep();
    const client = await oidc.discovery(new URL(tenant.issuer), clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const done = await answer(tenant, flowId, step, authenticator);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({
      flowStatus: 'SUCCESS_COMPLETED',
      authData: { code: expect.any(String), state: 'st-123', session_state: expect.any(String) },
    });

    const { code, state } = FlowSuccessResponse.parse(done.body).authData;
    const tokens = await oidc.authorizationCodeGrant(
      client,
      new URL(`${REDIRECT_URI}?${new URLSearchParams({ code, state: state ?? '', iss: tenant.issuer })}`),
      {
        pkceCodeVerifier: verifier,
        expectedState: 'st-123',
        idTokenExpected: true,
      },
    );
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: tenant.issuer, sub: user.id, aud: clientId, email: user.email });
    // RFC 8176: proof of possession of a (device-bound) key, with the user verified by the authenticator.
    expect(claims.amr).toEqual(['hwk', 'user']);

    const list = await get(`${tenant.issuer}/me/passkeys`, { authorization: `Bearer ${tokens.access_token}` });
    expect(list.body).toEqual([
      {
        id: passkeyId,
        name: 'Phone',
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        transports: ['internal'],
        backedUp: false,
      },
    ]);

    // The same assertion again, in a new flow: its requestId and challenge belong to the finished one.
    const replay = await passwordlessStep();
    const tokenResponse = encodeJson({
      requestId: challengeOf(step).requestId,
      credential: authenticator.get(challengeOf(step).publicKeyCredentialRequestOptions),
    });
    const replayed = await authn(tenant, {
      flowId: replay.flowId,
      selectedAuthenticator: { authenticatorId: FIDO_AUTHENTICATOR_ID, params: { tokenResponse } },
    });
    expectInvalidPasskey(replayed, '4');
    // The flow that succeeded is gone.
    expect((await answer(tenant, flowId, step, authenticator)).status).toBe(400);
  });

  it('uses a passkey as the second factor after the password', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator({ origin, synced: true, counts: false });
    const passkeyId = await enroll(user, authenticator);
    const clientId = await tenant.clientIdFor(PASSWORD_THEN_PASSKEY);
    const { response } = await startFlow(app(tenant, clientId));
    expect(response.body.nextStep.authenticators.map((a: any) => a.authenticatorId)).toEqual([BASIC_AUTHENTICATOR_ID]);

    // A step with only the passkey is initiated at once: the app gets the challenge with the password's answer.
    const step = await submitPassword(app(tenant, clientId), response.body.flowId, user.email, user.password);
    expect(step.body).toMatchObject({ flowStatus: 'INCOMPLETE', nextStep: { stepType: 'AUTHENTICATOR_PROMPT' } });
    expect(step.body.nextStep.authenticators[0]).toMatchObject({
      authenticatorId: FIDO_AUTHENTICATOR_ID,
      metadata: { promptType: 'INTERNAL_PROMPT' },
      requiredParams: ['tokenResponse'],
    });
    expect(challengeOf(step).publicKeyCredentialRequestOptions).toMatchObject({
      allowCredentials: [{ id: passkeyId, type: 'public-key', transports: ['internal'] }],
      userVerification: 'preferred',
    });

    // Presence without verification is enough after a password.
    const done = await answer(tenant, response.body.flowId, step, authenticator, {
      userVerified: false,
      omitUserHandle: true,
    });
    expect(done.body.flowStatus).toBe('SUCCESS_COMPLETED');
  });

  it('lists the factors in amr for password + synced passkey', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator({ origin, synced: true, counts: false });
    await enroll(user, authenticator);
    const clientId = await tenant.clientIdFor(PASSWORD_THEN_PASSKEY);
    const { response, verifier } = await startFlow(app(tenant, clientId));
    const step = await submitPassword(app(tenant, clientId), response.body.flowId, user.email, user.password);
    const done = await answer(tenant, response.body.flowId, step, authenticator, { userVerified: false });
    const token = await postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'authorization_code',
      code: done.body.authData.code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      client_id: clientId,
    });
    expect(token.status).toBe(200);
    const idToken = JSON.parse(Buffer.from(token.body.id_token.split('.')[1], 'base64url').toString());
    // A synced passkey is a software-secured key; without user verification no "user".
    expect(idToken.amr).toEqual(['pwd', 'swk']);
  });

  describe('failures', () => {
    it.each<[string, CeremonyOverrides & { requestId?: string }]>([
      ['a wrong challenge', { challenge: randomBytes(32).toString('base64url') }],
      ['a wrong origin', { origin: 'https://evil.example' }],
      ['a wrong RP ID', { rpId: 'evil.example' }],
      ['a wrong requestId', { requestId: randomBytes(32).toString('base64url') }],
      ['no user verification (passwordless)', { userVerified: false }],
      ['a registration instead of an assertion', { type: 'webauthn.create' }],
    ])('refuses an assertion with %s, counts it, and still accepts the right one', async (_, overrides) => {
      const user = await newUser();
      const authenticator = new SoftwareAuthenticator({ origin });
      await enroll(user, authenticator);
      const { flowId, step } = await passwordlessStep();
      const failed = await answer(tenant, flowId, step, authenticator, overrides);
      expectInvalidPasskey(failed, '4');
      // The multi-option step is offered again; the app re-initiates the passkey for a new challenge.
      expect(failed.body.nextStep.stepType).toBe('MULTI_OPTIONS_PROMPT');
      const retry = await selectPasskey(tenant, flowId);
      expect((await answer(tenant, flowId, retry, authenticator)).body.flowStatus).toBe('SUCCESS_COMPLETED');
    });

    it('refuses a signature counter that does not increase (a cloned authenticator or a replay)', async () => {
      const user = await newUser();
      const authenticator = new SoftwareAuthenticator({ origin });
      await enroll(user, authenticator);
      const first = await passwordlessStep();
      expect((await answer(tenant, first.flowId, first.step, authenticator, { counter: 10 })).body.flowStatus).toBe(
        'SUCCESS_COMPLETED',
      );
      const second = await passwordlessStep();
      expectInvalidPasskey(await answer(tenant, second.flowId, second.step, authenticator, { counter: 10 }), '4');
      const third = await selectPasskey(tenant, second.flowId);
      expectInvalidPasskey(await answer(tenant, second.flowId, third, authenticator, { counter: 9 }), '3');
      const fourth = await selectPasskey(tenant, second.flowId);
      expect((await answer(tenant, second.flowId, fourth, authenticator, { counter: 11 })).body.flowStatus).toBe(
        'SUCCESS_COMPLETED',
      );
    });

    it('answers an unknown passkey with a generic failure and counts nothing', async () => {
      const stranger = new SoftwareAuthenticator({ origin });
      stranger.create({
        challenge: 'AAAA',
        rp: { id: new URL(origin).hostname, name: 'x' },
        user: { id: 'AAAA', name: 'x', displayName: 'x' },
      });
      const { flowId, step } = await passwordlessStep();
      expectInvalidPasskey(await answer(tenant, flowId, step, stranger));
      const garbage = await authn(tenant, {
        flowId,
        selectedAuthenticator: { authenticatorId: FIDO_AUTHENTICATOR_ID, params: { tokenResponse: 'bm90LWpzb24' } },
      });
      expectInvalidPasskey(garbage);
    });

    it("refuses another identity's passkey at the second-factor step", async () => {
      const [user, other] = [await newUser(), await newUser()];
      const mine = new SoftwareAuthenticator({ origin });
      const theirs = new SoftwareAuthenticator({ origin });
      await enroll(user, mine);
      await enroll(other, theirs);
      const clientId = await tenant.clientIdFor(PASSWORD_THEN_PASSKEY);
      const { response } = await startFlow(app(tenant, clientId));
      const step = await submitPassword(app(tenant, clientId), response.body.flowId, user.email, user.password);
      // The other identity's passkey signs this flow's challenge perfectly well — and is still refused.
      // (A platform would not offer a passkey outside allowCredentials; a modified app can send one anyway.)
      const failed = await answer(tenant, response.body.flowId, step, theirs, {
        credentialId: theirs.credentials[0]!.id,
      });
      expectInvalidPasskey(failed, '4');
      // A single-option step is re-initiated at once: the retry uses the new challenge.
      expect(failed.body.nextStep.authenticators[0].metadata.promptType).toBe('INTERNAL_PROMPT');
      expect((await answer(tenant, response.body.flowId, failed, mine)).body.flowStatus).toBe('SUCCESS_COMPLETED');
    });

    it('ends a second-factor flow when the user has no passkey', async () => {
      const user = await newUser();
      const clientId = await tenant.clientIdFor(PASSWORD_THEN_PASSKEY);
      const { response } = await startFlow(app(tenant, clientId));
      const step = await submitPassword(app(tenant, clientId), response.body.flowId, user.email, user.password);
      const stranger = new SoftwareAuthenticator({ origin });
      stranger.create({ challenge: 'AAAA', rp: { name: 'x' }, user: { id: 'AAAA', name: 'x', displayName: 'x' } });
      const result = await answer(tenant, response.body.flowId, step, stranger);
      expect(result.body).toMatchObject({
        flowStatus: 'FAIL_COMPLETED',
        messages: [expect.objectContaining({ messageId: 'msg_passkey_not_enrolled' })],
      });
    });

    it('refuses selecting the passkey where it is not offered', async () => {
      const { response } = await startFlow(app(tenant, tenant.passwordClientId));
      const selected = await selectPasskey(tenant, response.body.flowId);
      expect(selected.status).toBe(400);
      expect(selected.body).toEqual({
        code: 'FLW-60002',
        message: expect.any(String),
        description: expect.any(String),
        traceId: expect.any(String),
      });
    });

    it('locks the identity after repeated passkey failures; every factor is refused until the lock ends', async () => {
      const locking = await createTenant({ lockout: { maxAttempts: 3, durationSeconds: 2 } });
      const user = await newUser(locking);
      const authenticator = new SoftwareAuthenticator({ origin });
      await enroll(user, authenticator, locking);
      const { flowId } = await passwordlessStep(locking);
      const results: any[] = [];
      for (let i = 0; i < 3; i++) {
        const step = await selectPasskey(locking, flowId);
        results.push((await answer(locking, flowId, step, authenticator, { origin: 'https://evil.example' })).body);
      }
      expect(results.slice(0, 2).map((r) => r.nextStep.messages[0].context[0].value)).toEqual(['2', '1']);
      expect(results[2]).toEqual({
        flowId,
        flowStatus: 'FAIL_COMPLETED',
        flowType: 'AUTHENTICATION',
        messages: [expect.objectContaining({ messageId: 'msg_account_locked' })],
      });

      const next = await passwordlessStep(locking);
      expect((await answer(locking, next.flowId, next.step, authenticator)).body).toMatchObject({
        flowStatus: 'FAIL_COMPLETED',
        messages: [expect.objectContaining({ messageId: 'msg_account_locked' })],
      });
      const password = await startFlow(app(locking, locking.passwordClientId));
      expect(
        (
          await submitPassword(
            app(locking, locking.passwordClientId),
            password.response.body.flowId,
            user.email,
            user.password,
          )
        ).body.flowStatus,
      ).toBe('FAIL_COMPLETED');

      await new Promise((resolve) => setTimeout(resolve, 2200));
      const after = await passwordlessStep(locking);
      expect((await answer(locking, after.flowId, after.step, authenticator)).body.flowStatus).toBe(
        'SUCCESS_COMPLETED',
      );
    });
  });

  describe('self-service passkeys (/me/passkeys)', () => {
    it('needs an access token', async () => {
      const anonymous = await postJson(`${tenant.issuer}/me/passkeys/registration-options`, {});
      expect(anonymous.status).toBe(401);
      expect((await get(`${tenant.issuer}/me/passkeys`)).status).toBe(401);
    });

    it('spends a registration challenge once, refuses a wrong origin, validates the body and removes passkeys', async () => {
      const user = await newUser();
      const bearer = { authorization: `Bearer ${await accessToken(user)}` };
      const authenticator = new SoftwareAuthenticator({ origin });
      const me = `${tenant.issuer}/me/passkeys`;

      expect((await postJson(me, { credential: { id: 'x' } }, bearer)).status).toBe(400);
      expect(
        (
          await postJson(
            me,
            {
              credential: authenticator.create({
                challenge: 'AAAA',
                rp: { name: 'x' },
                user: { id: 'AAAA', name: 'x', displayName: 'x' },
              }),
            },
            bearer,
          )
        ).status,
      ).toBe(409);

      const options = await postJson(`${me}/registration-options`, {}, bearer);
      expect(options.body).toMatchObject({
        rp: { id: new URL(origin).hostname, name: `Scenario 3 ${tenant.slug}` },
        user: { name: user.email, displayName: 'Passkey User' },
        attestation: 'none',
        authenticatorSelection: { residentKey: 'required' },
        excludeCredentials: [],
      });
      const phishing = await postJson(
        me,
        { credential: authenticator.create(options.body, { origin: 'https://evil.example' }) },
        bearer,
      );
      expect(phishing.status).toBe(400);
      expect(phishing.body.description).toMatch(/origin/);
      // The challenge was spent by the wrong answer.
      expect((await postJson(me, { credential: authenticator.create(options.body) }, bearer)).status).toBe(409);

      const fresh = await postJson(`${me}/registration-options`, {}, bearer);
      const created = await postJson(me, { credential: authenticator.create(fresh.body) }, bearer);
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        name: null,
        createdAt: expect.any(String),
        lastUsedAt: null,
        transports: ['internal'],
        backedUp: false,
      });
      const next = await postJson(`${me}/registration-options`, {}, bearer);
      expect(next.body.excludeCredentials).toEqual([
        { id: created.body.id, type: 'public-key', transports: ['internal'] },
      ]);

      const identity = await admin.get(`/projects/${tenant.slug}/identities/${user.id}`);
      expect(identity.body.credentials).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'webauthn', passkeys: [expect.objectContaining({ id: created.body.id })] }),
        ]),
      );
      expect(JSON.stringify(identity.body)).not.toContain('publicKey');

      const removed = await fetch(`${me}/${created.body.id}`, { method: 'DELETE', headers: bearer });
      expect(removed.status).toBe(204);
      expect((await fetch(`${me}/${created.body.id}`, { method: 'DELETE', headers: bearer })).status).toBe(404);
      expect((await get(me, bearer)).body).toEqual([]);
      // A removed passkey is unknown to sign-in.
      const { flowId, step } = await passwordlessStep();
      expectInvalidPasskey(await answer(tenant, flowId, step, authenticator));
    });
  });

  describe('per-project relying party', () => {
    it('verifies against the configured RP ID and origins, including an Android app origin', async () => {
      const androidOrigin = `android:apk-key-hash:${randomBytes(32).toString('base64url')}`;
      const custom = await createTenant({
        webauthn: { rpId: 'login.example.com', rpName: 'Example', origins: ['https://login.example.com'] },
      });
      // The Android app comes later: PATCH merges the new origins over the project's settings.
      const patched = await admin.patch(`/projects/${custom.slug}`, {
        settings: { webauthn: { origins: ['https://login.example.com', androidOrigin] } },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.settings).toMatchObject({
        lockout: { maxAttempts: 5 },
        webauthn: {
          rpId: 'login.example.com',
          rpName: 'Example',
          origins: ['https://login.example.com', androidOrigin],
        },
      });
      const outside = await admin.patch(`/projects/${custom.slug}`, {
        settings: { webauthn: { origins: ['https://example.org'] } },
      });
      expect(outside.status).toBe(400);
      expect(outside.body.description).toMatch(
        /^settings\.webauthn\.origins\[0\]: host 'example.org' is not rpId 'login.example.com'/,
      );
      // Checked on the merged settings, and named by field like the body's own problems (a form shows it there).
      expect(outside.body.fields).toEqual([
        {
          field: 'settings.webauthn.origins[0]',
          messageId: 'msg_field_invalid',
          message: "host 'example.org' is not rpId 'login.example.com' or a subdomain of it",
          i18nKey: 'message.msg_field_invalid',
        },
      ]);
      expect((await admin.patch(`/projects/${custom.slug}`, {})).status).toBe(400);
      expect((await admin.patch('/projects/no-such-project', { name: 'x' })).status).toBe(404);
      const user = await newUser(custom);
      const web = new SoftwareAuthenticator({ origin: 'https://login.example.com' });
      await enroll(user, web, custom);
      const { flowId, step } = await passwordlessStep(custom);
      expect(challengeOf(step).publicKeyCredentialRequestOptions.rpId).toBe('login.example.com');
      // The same passkey used through the Android app: clientDataJSON carries the app's origin.
      expect((await answer(custom, flowId, step, web, { origin: androidOrigin })).body.flowStatus).toBe(
        'SUCCESS_COMPLETED',
      );

      const other = await passwordlessStep(custom);
      expectInvalidPasskey(await answer(custom, other.flowId, other.step, web, { origin }), '4');

      const refused = await admin.post('/projects', {
        slug: `s3-${randomBytes(4).toString('hex')}`,
        name: 'Bad',
        settings: { webauthn: { rpId: 'example.com', origins: ['https://example.org'] } },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.description).toMatch(/not rpId 'example.com'/);
    });
  });
});
