import { pbkdf2Sync, randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import * as oidc from 'openid-client';
import { generate, generateSecret } from 'otplib';
import { FlowStepResponse, FlowSuccessResponse } from '@keyway/flow-types';
import {
  adminApi,
  BASIC_AUTHENTICATOR_ID,
  get,
  postForm,
  postJson,
  startFlow,
  submitPassword,
  submitTotp,
  TOTP_AUTHENTICATOR_ID,
  type Tenant,
} from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TWO_STEP = [['BasicAuthenticator'], ['totp']];

interface TwoStepTenant extends Omit<Tenant, 'email' | 'password' | 'identityId'> {
  /** Imports a user with a password and, unless told otherwise, a TOTP secret. */
  importUser(options?: {
    totp?: boolean;
    credentials?: Record<string, unknown>;
  }): Promise<{ email: string; password: string; secret: string; id: string }>;
}

/** Seed scenario 2 of the WSO2 app-native reference: password, then TOTP; users imported with their factors. */
describe('app-native password + TOTP login (scenario 2)', () => {
  let server: KeywayServer;
  let tenant: TwoStepTenant;
  let admin: ReturnType<typeof adminApi>;

  async function createTwoStepTenant(settings?: Record<string, unknown>): Promise<TwoStepTenant> {
    const slug = `s2-${randomBytes(5).toString('hex')}`;
    const project = await admin.post('/projects', {
      slug,
      name: `Scenario 2 ${slug}`,
      ...(settings ? { settings } : {}),
    });
    expect(project.status).toBe(201);
    const redirectUri = 'com.example.app:/oauth2redirect';
    const app = await admin.post(`/projects/${slug}/applications`, {
      name: 'Native app',
      type: 'public',
      redirectUris: [redirectUri],
      appNative: true,
      loginFlow: TWO_STEP,
    });
    expect(app.status).toBe(201);
    expect(app.body.loginFlow).toEqual(TWO_STEP);
    return {
      slug,
      issuer: project.body.issuer,
      clientId: app.body.clientId,
      redirectUri,
      async importUser({ totp = true, credentials } = {}) {
        const email = `user-${randomBytes(4).toString('hex')}@example.com`;
        const password = `pw-${randomBytes(9).toString('base64url')}`;
        const secret = generateSecret();
        const identity = await admin.post(`/projects/${slug}/identities`, {
          traits: { email, name: 'Two Step' },
          credentials: credentials ?? { password: { value: password }, ...(totp ? { totp: { secret } } : {}) },
        });
        expect(identity.status).toBe(201);
        return { email, password, secret, id: identity.body.id };
      },
    };
  }

  /** A code no authenticator app would show now (none of the three steps the server accepts). */
  async function wrongCode(secret: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const valid = await Promise.all([-60, -30, 0, 30, 60].map((offset) => generate({ secret, epoch: now + offset })));
    let code = '000000';
    while (valid.includes(code)) code = String(Number(code) + 1).padStart(6, '0');
    return code;
  }

  async function passPasswordStep(
    t: Pick<Tenant, 'issuer' | 'clientId' | 'redirectUri'>,
    user: { email: string; password: string },
    extra: Record<string, string> = {},
  ) {
    const { response, verifier } = await startFlow(t, extra);
    expect(response.status).toBe(200);
    const step = await submitPassword(t, response.body.flowId, user.email, user.password);
    expect(step.status).toBe(200);
    expect(step.body.flowStatus).toBe('INCOMPLETE');
    return { flowId: response.body.flowId as string, verifier, step };
  }

  beforeAll(async () => {
    server = await startKeyway();
    admin = adminApi(server);
    tenant = await createTwoStepTenant();
  });
  afterAll(() => server?.stop());

  it('runs password then TOTP exactly as the reference shows, and the id_token lists both factors', async () => {
    const user = await tenant.importUser();
    const client = await oidc.discovery(new URL(tenant.issuer), tenant.clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const nonce = oidc.randomNonce();

    // Step 1: /authorize offers only the password (the first configured step).
    const { response, verifier } = await startFlow(tenant, { nonce });
    expect(response.status).toBe(200);
    expect(response.body.nextStep.authenticators.map((a: { authenticatorId: string }) => a.authenticatorId)).toEqual([
      BASIC_AUTHENTICATOR_ID,
    ]);

    // Step 2: the password answers with the TOTP step, field for field as in the reference.
    const second = await submitPassword(tenant, response.body.flowId, user.email, user.password);
    expect(second.status).toBe(200);
    expect(FlowStepResponse.parse(second.body)).toBeTruthy();
    expect(second.body).toEqual({
      flowId: response.body.flowId,
      flowStatus: 'INCOMPLETE',
      flowType: 'AUTHENTICATION',
      nextStep: {
        stepType: 'AUTHENTICATOR_PROMPT',
        authenticators: [
          {
            authenticatorId: 'dG90cDpMT0NBTA',
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
      },
      links: [{ name: 'authentication', href: `${tenant.issuer}/oauth2/authn`, method: 'POST' }],
    });
    expect(Buffer.from(TOTP_AUTHENTICATOR_ID, 'base64url').toString()).toBe('totp:LOCAL');

    // Step 3: a real code from the user's secret completes the flow.
    const done = await submitTotp(tenant, response.body.flowId, await generate({ secret: user.secret }));
    expect(done.status).toBe(200);
    expect(done.body).toEqual({
      flowStatus: 'SUCCESS_COMPLETED',
      authData: { code: expect.any(String), state: 'st-123', session_state: expect.any(String) },
    });

    const { code, state } = FlowSuccessResponse.parse(done.body).authData;
    const callback = new URL(
      `${tenant.redirectUri}?${new URLSearchParams({ code, state: state ?? '', iss: tenant.issuer })}`,
    );
    const tokens = await oidc.authorizationCodeGrant(client, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'st-123',
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: tenant.issuer, sub: user.id, aud: tenant.clientId, nonce, email: user.email });
    expect(claims.amr).toEqual(expect.arrayContaining(['pwd', 'otp']));
    expect(claims.amr).toHaveLength(2);
    const accessToken = JSON.parse(Buffer.from(tokens.access_token.split('.')[1] ?? '', 'base64url').toString());
    expect(accessToken.amr).toEqual(expect.arrayContaining(['pwd', 'otp']));
  });

  it('answers a wrong code with FAIL_INCOMPLETE, the TOTP step again and remainingAttempts; the right code still works', async () => {
    const user = await tenant.importUser();
    const { flowId, step } = await passPasswordStep(tenant, user);
    const failed = await submitTotp(tenant, flowId, await wrongCode(user.secret));
    expect(failed.status).toBe(200);
    expect(failed.body).toEqual({
      flowId,
      flowStatus: 'FAIL_INCOMPLETE',
      flowType: 'AUTHENTICATION',
      nextStep: {
        ...step.body.nextStep,
        messages: [
          {
            type: 'ERROR',
            messageId: 'msg_invalid_totp',
            message: 'Invalid verification code.',
            i18nKey: 'message.msg_invalid_totp',
            context: [{ key: 'remainingAttempts', value: '4' }],
          },
        ],
      },
      links: step.body.links,
    });
    const done = await submitTotp(tenant, flowId, await generate({ secret: user.secret }));
    expect(done.body.flowStatus).toBe('SUCCESS_COMPLETED');
  });

  it('refuses a code that was already accepted (replay inside its window)', async () => {
    const user = await tenant.importUser();
    const code = await generate({ secret: user.secret });
    const first = await passPasswordStep(tenant, user);
    expect((await submitTotp(tenant, first.flowId, code)).body.flowStatus).toBe('SUCCESS_COMPLETED');

    const second = await passPasswordStep(tenant, user);
    const replayed = await submitTotp(tenant, second.flowId, code);
    expect(replayed.status).toBe(200);
    expect(replayed.body.flowStatus).toBe('FAIL_INCOMPLETE');
    expect(replayed.body.nextStep.authenticators[0].authenticatorId).toBe(TOTP_AUTHENTICATOR_ID);
    expect(replayed.body.nextStep.messages).toEqual([
      expect.objectContaining({
        type: 'ERROR',
        messageId: 'msg_totp_reused',
        context: [{ key: 'remainingAttempts', value: '5' }],
      }),
    ]);
  });

  it('does not count a resubmitted code as a guess: an app retrying its last code cannot lock its user out', async () => {
    const user = await tenant.importUser();
    const code = await generate({ secret: user.secret });
    const first = await passPasswordStep(tenant, user);
    expect((await submitTotp(tenant, first.flowId, code)).body.flowStatus).toBe('SUCCESS_COMPLETED');

    const second = await passPasswordStep(tenant, user);
    // More resubmissions than the lockout allows failures (5 by default).
    for (let i = 0; i < 7; i++) {
      const replayed = await submitTotp(tenant, second.flowId, code);
      expect(replayed.body.flowStatus).toBe('FAIL_INCOMPLETE');
      expect(replayed.body.nextStep.messages[0]).toEqual(
        expect.objectContaining({ messageId: 'msg_totp_reused', context: [{ key: 'remainingAttempts', value: '5' }] }),
      );
    }
    // A wrong code is still a guess.
    const wrong = await submitTotp(tenant, second.flowId, await wrongCode(user.secret));
    expect(wrong.body.nextStep.messages[0]).toEqual(
      expect.objectContaining({ messageId: 'msg_invalid_totp', context: [{ key: 'remainingAttempts', value: '4' }] }),
    );
  });

  it('accepts two concurrent submissions of one code at most once', async () => {
    const user = await tenant.importUser();
    const code = await generate({ secret: user.secret });
    const [a, b] = await Promise.all([passPasswordStep(tenant, user), passPasswordStep(tenant, user)]);
    const results = await Promise.all([submitTotp(tenant, a.flowId, code), submitTotp(tenant, b.flowId, code)]);
    expect(results.map((r) => r.body.flowStatus).sort()).toEqual(['FAIL_INCOMPLETE', 'SUCCESS_COMPLETED']);
  });

  it('refuses skipping the password step: TOTP is not an option of the first step', async () => {
    const user = await tenant.importUser();
    const { response } = await startFlow(tenant);
    const skipped = await submitTotp(tenant, response.body.flowId, await generate({ secret: user.secret }));
    expect(skipped.status).toBe(400);
    expect(skipped.body).toEqual({
      code: 'FLW-60002',
      message: expect.any(String),
      description: expect.any(String),
      traceId: expect.any(String),
    });
  });

  it('ends the flow when the user has no TOTP set up', async () => {
    const user = await tenant.importUser({ totp: false });
    const { flowId } = await passPasswordStep(tenant, user);
    const result = await submitTotp(tenant, flowId, '123456');
    expect(result.body).toEqual({
      flowId,
      flowStatus: 'FAIL_COMPLETED',
      flowType: 'AUTHENTICATION',
      messages: [expect.objectContaining({ type: 'ERROR', messageId: 'msg_totp_not_enrolled' })],
    });
  });

  it('locks the identity after too many wrong codes (every factor refused), and unlocks after the lock time', async () => {
    const locking = await createTwoStepTenant({ lockout: { maxAttempts: 3, durationSeconds: 2 } });
    const user = await locking.importUser();
    const { flowId } = await passPasswordStep(locking, user);
    const wrong = await wrongCode(user.secret);
    const remaining: string[] = [];
    let last: any;
    for (let i = 0; i < 3; i++) {
      last = (await submitTotp(locking, flowId, wrong)).body;
      if (last.flowStatus === 'FAIL_INCOMPLETE') remaining.push(last.nextStep.messages[0].context[0].value);
    }
    expect(remaining).toEqual(['2', '1']);
    expect(last).toEqual({
      flowId,
      flowStatus: 'FAIL_COMPLETED',
      flowType: 'AUTHENTICATION',
      messages: [expect.objectContaining({ type: 'ERROR', messageId: 'msg_account_locked' })],
    });

    // The lock is on the identity: even the right password is refused while it lasts.
    const { response } = await startFlow(locking);
    const whileLocked = await submitPassword(locking, response.body.flowId, user.email, user.password);
    expect(whileLocked.body.flowStatus).toBe('FAIL_COMPLETED');
    expect(whileLocked.body.messages[0].messageId).toBe('msg_account_locked');

    await sleep(2200);
    const again = await passPasswordStep(locking, user);
    const done = await submitTotp(locking, again.flowId, await generate({ secret: user.secret }));
    expect(done.body.flowStatus).toBe('SUCCESS_COMPLETED');
  });

  describe('login-flow configuration', () => {
    it.each([
      [[], /at least one step/],
      [[['BasicAuthenticator'], []], /step 2: is empty/],
      [
        [['BasicAuthenticator'], ['sms-otp']],
        /step 2: unknown authenticator 'sms-otp' \(known: BasicAuthenticator, totp\b/,
      ],
      [[['BasicAuthenticator', 'BasicAuthenticator']], /offers 'BasicAuthenticator' more than once/],
      [[['totp']], /cannot be offered in the first step/],
    ])('refuses loginFlow %j with a description', async (loginFlow, description) => {
      const created = await admin.post(`/projects/${tenant.slug}/applications`, {
        name: 'Bad flow',
        type: 'public',
        redirectUris: ['com.example.app:/cb'],
        loginFlow,
      });
      expect(created.status).toBe(400);
      expect(created.body).toEqual({
        code: 'KW-40000',
        message: 'Invalid request.',
        description: expect.stringMatching(description),
        traceId: expect.any(String),
      });

      const patched = await admin.patch(`/projects/${tenant.slug}/applications/${tenant.clientId}`, { loginFlow });
      expect(patched.status).toBe(400);
      expect(patched.body.description).toMatch(description);
    });

    it('refuses malformed PATCH bodies and unknown clients', async () => {
      expect((await admin.patch(`/projects/${tenant.slug}/applications/${tenant.clientId}`, {})).status).toBe(400);
      expect(
        (await admin.patch(`/projects/${tenant.slug}/applications/${tenant.clientId}`, { type: 'confidential' }))
          .status,
      ).toBe(400);
      expect(
        (await admin.patch(`/projects/${tenant.slug}/applications/${tenant.clientId}`, { loginFlow: 'totp' })).status,
      ).toBe(400);
      const unknown = await admin.patch(`/projects/${tenant.slug}/applications/no-such-client`, { name: 'x' });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('KW-40400');
    });

    it('applies a PATCHed login flow at once, and PATCH changes the other settings too', async () => {
      const other = await createTwoStepTenant();
      const user = await other.importUser();
      const passwordOnly = await admin.patch(`/projects/${other.slug}/applications/${other.clientId}`, {
        loginFlow: [['BasicAuthenticator']],
        name: 'Renamed',
      });
      expect(passwordOnly.status).toBe(200);
      expect(passwordOnly.body).toMatchObject({
        clientId: other.clientId,
        name: 'Renamed',
        loginFlow: [['BasicAuthenticator']],
        appNative: true,
      });

      // The application was cached by the flows above; the change must not wait for the cache to expire.
      const { response } = await startFlow(other);
      expect((await submitPassword(other, response.body.flowId, user.email, user.password)).body.flowStatus).toBe(
        'SUCCESS_COMPLETED',
      );

      expect(
        (await admin.patch(`/projects/${other.slug}/applications/${other.clientId}`, { loginFlow: TWO_STEP })).status,
      ).toBe(200);
      const { step } = await passPasswordStep(other, user);
      expect(step.body.nextStep.authenticators[0].authenticatorId).toBe(TOTP_AUTHENTICATOR_ID);

      const nativeOff = await admin.patch(`/projects/${other.slug}/applications/${other.clientId}`, {
        appNative: false,
        redirectUris: ['com.example.other:/cb'],
        grantTypes: ['authorization_code'],
      });
      expect(nativeOff.body).toMatchObject({
        appNative: false,
        redirectUris: ['com.example.other:/cb'],
        grantTypes: ['authorization_code'],
      });
      const list = await admin.get(`/projects/${other.slug}/applications`);
      expect(list.body[0]).toMatchObject({ clientId: other.clientId, appNative: false, loginFlow: TWO_STEP });
    });
  });

  describe('importing users with their factors', () => {
    const ab64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '').replace(/\+/g, '.');
    const passlibPbkdf2 = (password: string, iterations = 29000, salt = randomBytes(16)) =>
      `$pbkdf2-sha256$${iterations}$${ab64(salt)}$${ab64(pbkdf2Sync(password, salt, iterations, 32, 'sha256'))}`;

    it.each([
      ['bcrypt', (password: string) => bcrypt.hashSync(password, 8)],
      ['pbkdf2-sha256', (password: string) => passlibPbkdf2(password)],
    ])('signs in with an imported %s hash and upgrades it to argon2id', async (algorithm, hashOf) => {
      const password = `imported-${randomBytes(6).toString('hex')}`;
      const secret = generateSecret();
      const user = await tenant.importUser({ credentials: { password: { hash: hashOf(password) }, totp: { secret } } });
      const before = await admin.get(`/projects/${tenant.slug}/identities/${user.id}`);
      expect(before.body.credentials).toEqual([
        expect.objectContaining({ type: 'password', hashAlgorithm: algorithm }),
        expect.objectContaining({ type: 'totp', confirmed: true, lastUsedAt: null }),
      ]);

      // A wrong password is still wrong.
      const { response } = await startFlow(tenant);
      expect((await submitPassword(tenant, response.body.flowId, user.email, `${password}x`)).body.flowStatus).toBe(
        'FAIL_INCOMPLETE',
      );

      const first = await passPasswordStep(tenant, { email: user.email, password });
      expect((await submitTotp(tenant, first.flowId, await generate({ secret }))).body.flowStatus).toBe(
        'SUCCESS_COMPLETED',
      );
      const after = await admin.get(`/projects/${tenant.slug}/identities/${user.id}`);
      expect(after.body.credentials[0]).toMatchObject({ type: 'password', hashAlgorithm: 'argon2id' });

      // The upgraded hash verifies the same password.
      await passPasswordStep(tenant, { email: user.email, password });
    });

    it('keeps accepting a top-level password, and an argon2id hash as it is', async () => {
      const email = `plain-${randomBytes(4).toString('hex')}@example.com`;
      const created = await admin.post(`/projects/${tenant.slug}/identities`, {
        traits: { email },
        password: 'a-plain-password',
      });
      expect(created.status).toBe(201);
      expect((await admin.get(`/projects/${tenant.slug}/identities/${created.body.id}`)).body.credentials).toEqual([
        { type: 'password', hashAlgorithm: 'argon2id', createdAt: expect.any(String), updatedAt: expect.any(String) },
      ]);
    });

    it.each([
      [{ totp: { secret: 'not base32!' } }, /credentials\.totp\.secret: must be a base32 secret/],
      [{ totp: { secret: 'JBSWY3DP' } }, /credentials\.totp\.secret/],
      [
        { password: { hash: '{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=' } },
        /credentials\.password\.hash: unknown hash format/,
      ],
      [{ password: { hash: bcrypt.hashSync('x', 4).replace('$04$', '$31$') } }, /bcrypt cost/],
      [{ password: { value: 'long-enough', hash: bcrypt.hashSync('x', 4) } }, /exactly one of value or hash/],
      [{ password: {} }, /exactly one of value or hash/],
      [{ webauthn: {} }, /Unrecognized key/],
    ])('refuses credentials %j', async (credentials, description) => {
      const response = await admin.post(`/projects/${tenant.slug}/identities`, {
        traits: { email: `bad-${randomBytes(4).toString('hex')}@example.com` },
        credentials,
      });
      expect(response.status).toBe(400);
      expect(response.body.description).toMatch(description);
    });

    it('refuses a password given twice', async () => {
      const response = await admin.post(`/projects/${tenant.slug}/identities`, {
        traits: { email: `twice-${randomBytes(4).toString('hex')}@example.com` },
        password: 'a-plain-password',
        credentials: { password: { value: 'another-password' } },
      });
      expect(response.status).toBe(400);
      expect(response.body.description).toMatch(/either as password or as credentials\.password/);
    });

    it('never returns secrets', async () => {
      const user = await tenant.importUser();
      const read = await get(`${server.baseUrl}/api/admin/v1/projects/${tenant.slug}/identities/${user.id}`, {
        authorization: `Bearer ${server.adminToken}`,
      });
      expect(JSON.stringify(read.body)).not.toContain(user.secret);
      expect(JSON.stringify(read.body)).not.toMatch(/\$argon2/);
    });
  });

  describe('self-service TOTP enrollment (/me/totp)', () => {
    it('enrolls with a Bearer access token, is then required at login, and can be removed', async () => {
      // A password-only app of the same project gives the user an access token before any TOTP exists.
      const passwordApp = await admin.post(`/projects/${tenant.slug}/applications`, {
        name: 'Password-only app',
        type: 'public',
        redirectUris: [tenant.redirectUri],
        appNative: true,
      });
      const passwordOnly = { ...tenant, clientId: passwordApp.body.clientId as string };
      const user = await tenant.importUser({ totp: false });
      const { response, verifier } = await startFlow(passwordOnly);
      const done = await submitPassword(passwordOnly, response.body.flowId, user.email, user.password);
      const token = await postForm(`${tenant.issuer}/oauth2/token`, {
        grant_type: 'authorization_code',
        code: done.body.authData.code,
        redirect_uri: tenant.redirectUri,
        code_verifier: verifier,
        client_id: passwordOnly.clientId,
      });
      expect(token.status).toBe(200);
      const bearer = { authorization: `Bearer ${token.body.access_token}` };
      const me = `${tenant.issuer}/me/totp`;

      const anonymous = await postJson(me, {});
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual({
        code: 'KW-40100',
        message: 'Unauthorized.',
        description: expect.any(String),
        traceId: expect.any(String),
      });
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
      const forged = await postJson(me, {}, { authorization: `Bearer ${token.body.access_token.slice(0, -4)}AAAA` });
      expect(forged.status).toBe(401);

      const started = await postJson(me, {}, bearer);
      expect(started.status).toBe(201);
      const secret: string = started.body.secret;
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      const uri = new URL(started.body.otpauthUri);
      expect(uri.protocol).toBe('otpauth:');
      expect(uri.searchParams.get('secret')).toBe(secret);
      expect(decodeURIComponent(started.body.otpauthUri)).toContain(user.email);

      // Not yet confirmed: the two-step login does not accept it.
      const early = await passPasswordStep(tenant, user);
      expect((await submitTotp(tenant, early.flowId, await generate({ secret }))).body.messages[0].messageId).toBe(
        'msg_totp_not_enrolled',
      );

      const wrong = await postJson(`${me}/verify`, { token: await wrongCode(secret) }, bearer);
      expect(wrong.status).toBe(400);
      const confirmed = await postJson(`${me}/verify`, { token: await generate({ secret }) }, bearer);
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toEqual({ confirmed: true });
      expect((await postJson(me, {}, bearer)).status).toBe(409);
      expect((await postJson(`${me}/verify`, { token: await generate({ secret }) }, bearer)).status).toBe(409);

      // The code that confirmed enrollment is spent; the next step's code signs in.
      const login = await passPasswordStep(tenant, user);
      const next = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
      expect((await submitTotp(tenant, login.flowId, next)).body.flowStatus).toBe('SUCCESS_COMPLETED');

      const removed = await fetch(me, { method: 'DELETE', headers: bearer });
      expect(removed.status).toBe(204);
      expect((await fetch(me, { method: 'DELETE', headers: bearer })).status).toBe(404);
      const after = await passPasswordStep(tenant, user);
      expect((await submitTotp(tenant, after.flowId, '123456')).body.messages[0].messageId).toBe(
        'msg_totp_not_enrolled',
      );
    });
  });
});
