import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { generate, generateSecret } from 'otplib';
import { FlowStepResponse, FlowSuccessResponse } from '@keyway/flow-types';
import {
  adminApi,
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

/** base64url("backup-code-authenticator:LOCAL") */
const BACKUP_CODE_AUTHENTICATOR_ID = Buffer.from('backup-code-authenticator:LOCAL').toString('base64url');
const TWO_STEP = [['BasicAuthenticator'], ['totp']];
const CODE_FORMAT = /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{2}$/;

const TOTP_OPTION = {
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
};
const BACKUP_CODE_OPTION = {
  authenticatorId: BACKUP_CODE_AUTHENTICATOR_ID,
  authenticator: 'Backup code',
  idp: 'LOCAL',
  metadata: {
    i18nKey: 'authenticator.backup.code',
    promptType: 'USER_PROMPT',
    params: [
      {
        param: 'code',
        type: 'STRING',
        order: 0,
        i18nKey: 'backup.code.param',
        displayName: 'Backup code',
        confidential: true,
      },
    ],
  },
  requiredParams: ['code'],
};

type App = Pick<Tenant, 'issuer' | 'clientId' | 'redirectUri'>;
interface User {
  email: string;
  password: string;
  secret: string;
  id: string;
}

/** Backup codes beside TOTP, and TOTP enrollment inside the login flow (per-application flag). */
describe('backup codes and in-flow enrollment', () => {
  let server: KeywayServer;
  let admin: ReturnType<typeof adminApi>;

  async function createProject(settings?: Record<string, unknown>) {
    const slug = `bc-${randomBytes(5).toString('hex')}`;
    const project = await admin.post('/projects', {
      slug,
      name: `Backup codes ${slug}`,
      ...(settings ? { settings } : {}),
    });
    expect(project.status).toBe(201);
    const redirectUri = 'com.example.app:/oauth2redirect';
    const createApp = async (body: Record<string, unknown>): Promise<App & { body: any }> => {
      const app = await admin.post(`/projects/${slug}/applications`, {
        name: 'Native app',
        type: 'public',
        redirectUris: [redirectUri],
        appNative: true,
        ...body,
      });
      expect(app.status).toBe(201);
      return { issuer: project.body.issuer, clientId: app.body.clientId, redirectUri, body: app.body };
    };
    const importUser = async ({ totp = true } = {}): Promise<User> => {
      const email = `user-${randomBytes(4).toString('hex')}@example.com`;
      const password = `pw-${randomBytes(9).toString('base64url')}`;
      const secret = generateSecret();
      const identity = await admin.post(`/projects/${slug}/identities`, {
        traits: { email },
        credentials: { password: { value: password }, ...(totp ? { totp: { secret } } : {}) },
      });
      expect(identity.status).toBe(201);
      return { email, password, secret, id: identity.body.id };
    };
    return {
      slug,
      issuer: project.body.issuer as string,
      twoStep: await createApp({ loginFlow: TWO_STEP }),
      passwordOnly: await createApp({}),
      createApp,
      importUser,
    };
  }

  async function passPasswordStep(app: App, user: User) {
    const { response, verifier } = await startFlow(app);
    expect(response.status).toBe(200);
    const step = await submitPassword(app, response.body.flowId, user.email, user.password);
    expect(step.status).toBe(200);
    expect(step.body.flowStatus).toBe('INCOMPLETE');
    return { flowId: response.body.flowId as string, verifier, step };
  }

  function submitBackupCode(app: Pick<App, 'issuer'>, flowId: string, code: string) {
    return postJson(`${app.issuer}/oauth2/authn`, {
      flowId,
      selectedAuthenticator: { authenticatorId: BACKUP_CODE_AUTHENTICATOR_ID, params: { code } },
    });
  }

  /** A Bearer header for the user, from a password-only login of the same project. */
  async function bearerFor(app: App, user: User): Promise<Record<string, string>> {
    const { response, verifier } = await startFlow(app);
    const done = await submitPassword(app, response.body.flowId, user.email, user.password);
    expect(done.body.flowStatus).toBe('SUCCESS_COMPLETED');
    const token = await postForm(`${app.issuer}/oauth2/token`, {
      grant_type: 'authorization_code',
      code: done.body.authData.code,
      redirect_uri: app.redirectUri,
      code_verifier: verifier,
      client_id: app.clientId,
    });
    expect(token.status).toBe(200);
    return { authorization: `Bearer ${token.body.access_token}` };
  }

  async function generateCodes(
    project: { issuer: string; passwordOnly: App },
    user: User,
    body: unknown = {},
  ): Promise<string[]> {
    const created = await postJson(
      `${project.issuer}/me/backup-codes`,
      body,
      await bearerFor(project.passwordOnly, user),
    );
    expect(created.status).toBe(201);
    return created.body.codes;
  }

  beforeAll(async () => {
    server = await startKeyway();
    admin = adminApi(server);
  });
  afterAll(() => server?.stop());

  describe('self-service (/me/backup-codes)', () => {
    it('generates a set shown once, reports what remains, and replaces the set on the next POST', async () => {
      const project = await createProject();
      const user = await project.importUser();
      const me = `${project.issuer}/me/backup-codes`;
      expect((await postJson(me, {})).status).toBe(401);
      expect((await get(me)).status).toBe(401);

      const bearer = await bearerFor(project.passwordOnly, user);
      expect((await get(me, bearer)).body).toEqual({ remaining: 0, createdAt: null });
      const first = await postJson(me, {}, bearer);
      expect(first.status).toBe(201);
      expect(first.body).toEqual({ codes: expect.any(Array), createdAt: expect.any(String) });
      expect(first.body.codes).toHaveLength(10);
      for (const code of first.body.codes) expect(code).toMatch(CODE_FORMAT);
      expect((await get(me, bearer)).body).toEqual({ remaining: 10, createdAt: first.body.createdAt });

      const second = await postJson(me, { count: 5 }, bearer);
      expect(second.status).toBe(201);
      expect(second.body.codes).toHaveLength(5);
      expect((await get(me, bearer)).body.remaining).toBe(5);
      expect((await postJson(me, { count: 1000 }, bearer)).status).toBe(400);

      // The old set stopped working.
      const { flowId } = await passPasswordStep(project.twoStep, user);
      const old = await submitBackupCode(project.twoStep, flowId, first.body.codes[0]);
      expect(old.body.nextStep.messages[0].messageId).toBe('msg_invalid_backup_code');
      expect((await submitBackupCode(project.twoStep, flowId, second.body.codes[0])).body.flowStatus).toBe(
        'SUCCESS_COMPLETED',
      );

      // Admin reads show the credential type, never the hashes.
      const identity = await admin.get(`/projects/${project.slug}/identities/${user.id}`);
      expect(identity.body.credentials).toEqual(
        expect.arrayContaining([
          { type: 'backup_codes', remaining: expect.any(Number), createdAt: expect.any(String) },
        ]),
      );
    });
  });

  describe('backup codes in a TOTP step', () => {
    let project: Awaited<ReturnType<typeof createProject>>;
    let user: User;
    let codes: string[];

    beforeAll(async () => {
      project = await createProject();
      user = await project.importUser();
      codes = await generateCodes(project, user);
    });

    it('offers TOTP and Backup code as a MULTI_OPTIONS_PROMPT; a backup code signs in, and the id_token lists pwd and otp', async () => {
      const app = project.twoStep;
      const client = await oidc.discovery(new URL(app.issuer), app.clientId, undefined, oidc.None(), {
        execute: [oidc.allowInsecureRequests],
      });
      const nonce = oidc.randomNonce();
      const { response, verifier } = await startFlow(app, { nonce });
      const second = await submitPassword(app, response.body.flowId, user.email, user.password);
      expect(FlowStepResponse.parse(second.body)).toBeTruthy();
      expect(second.body).toEqual({
        flowId: response.body.flowId,
        flowStatus: 'INCOMPLETE',
        flowType: 'AUTHENTICATION',
        nextStep: { stepType: 'MULTI_OPTIONS_PROMPT', authenticators: [TOTP_OPTION, BACKUP_CODE_OPTION] },
        links: [{ name: 'authentication', href: `${app.issuer}/oauth2/authn`, method: 'POST' }],
      });

      // As printed, in capitals: users copy codes off paper.
      const done = await submitBackupCode(app, response.body.flowId, (codes[0] ?? '').toUpperCase());
      expect(done.body).toEqual({
        flowStatus: 'SUCCESS_COMPLETED',
        authData: { code: expect.any(String), state: 'st-123', session_state: expect.any(String) },
      });
      const { code, state } = FlowSuccessResponse.parse(done.body).authData;
      const callback = new URL(
        `${app.redirectUri}?${new URLSearchParams({ code, state: state ?? '', iss: app.issuer })}`,
      );
      const tokens = await oidc.authorizationCodeGrant(client, callback, {
        pkceCodeVerifier: verifier,
        expectedState: 'st-123',
        expectedNonce: nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      expect(claims.sub).toBe(user.id);
      expect([...((claims.amr as string[] | undefined) ?? [])].sort()).toEqual(['otp', 'pwd']);
      expect(
        (await get(`${app.issuer}/me/backup-codes`, { authorization: `Bearer ${tokens.access_token}` })).body.remaining,
      ).toBe(9);
    });

    it('refuses a backup code that was already used, with remainingAttempts', async () => {
      const { flowId, step } = await passPasswordStep(project.twoStep, user);
      const reused = await submitBackupCode(project.twoStep, flowId, codes[0] ?? '');
      expect(reused.body).toEqual({
        flowId,
        flowStatus: 'FAIL_INCOMPLETE',
        flowType: 'AUTHENTICATION',
        nextStep: {
          ...step.body.nextStep,
          messages: [
            {
              type: 'ERROR',
              messageId: 'msg_backup_code_used',
              message: 'This backup code has already been used. Use another one.',
              i18nKey: 'message.msg_backup_code_used',
              context: [{ key: 'remainingAttempts', value: '4' }],
            },
          ],
        },
        links: step.body.links,
      });
    });

    it('answers a wrong code with msg_invalid_backup_code and remainingAttempts; TOTP still works in the same step', async () => {
      const { flowId } = await passPasswordStep(project.twoStep, user);
      const wrong = await submitBackupCode(project.twoStep, flowId, 'zzzz-zzzz-zz');
      expect(wrong.body.flowStatus).toBe('FAIL_INCOMPLETE');
      expect(wrong.body.nextStep.stepType).toBe('MULTI_OPTIONS_PROMPT');
      // The reuse above counted too: backup-code failures are counted per identity until a success.
      expect(wrong.body.nextStep.messages).toEqual([
        expect.objectContaining({
          messageId: 'msg_invalid_backup_code',
          i18nKey: 'message.msg_invalid_backup_code',
          context: [{ key: 'remainingAttempts', value: '3' }],
        }),
      ]);
      const malformed = await submitBackupCode(project.twoStep, flowId, 'not a code');
      expect(malformed.body.nextStep.messages[0].context).toEqual([{ key: 'remainingAttempts', value: '2' }]);
      expect((await submitTotp(project.twoStep, flowId, await generate({ secret: user.secret }))).body.flowStatus).toBe(
        'SUCCESS_COMPLETED',
      );
    });

    it('accepts two concurrent submissions of one code at most once', async () => {
      const [a, b] = await Promise.all([
        passPasswordStep(project.twoStep, user),
        passPasswordStep(project.twoStep, user),
      ]);
      const code = codes[1] ?? '';
      const results = await Promise.all([
        submitBackupCode(project.twoStep, a.flowId, code),
        submitBackupCode(project.twoStep, b.flowId, code),
      ]);
      expect(results.map((r) => r.body.flowStatus).sort()).toEqual(['FAIL_INCOMPLETE', 'SUCCESS_COMPLETED']);
    });

    it('keeps the single TOTP prompt of the reference when the user has no backup codes, and refuses the option there', async () => {
      const other = await project.importUser();
      const { flowId, step } = await passPasswordStep(project.twoStep, other);
      expect(step.body.nextStep).toEqual({ stepType: 'AUTHENTICATOR_PROMPT', authenticators: [TOTP_OPTION] });
      const refused = await submitBackupCode(project.twoStep, flowId, codes[2] ?? '');
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('FLW-60002');
    });

    it('is not an option of a password step', async () => {
      const { response } = await startFlow(project.twoStep);
      expect(response.body.nextStep.stepType).toBe('AUTHENTICATOR_PROMPT');
      expect((await submitBackupCode(project.twoStep, response.body.flowId, codes[2] ?? '')).status).toBe(400);
    });
  });

  it('locks the identity after too many wrong backup codes', async () => {
    const project = await createProject({ lockout: { maxAttempts: 3, durationSeconds: 60 } });
    const user = await project.importUser();
    const codes = await generateCodes(project, user);
    const { flowId } = await passPasswordStep(project.twoStep, user);
    const remaining: string[] = [];
    let last: any;
    for (let i = 0; i < 3; i++) {
      last = (await submitBackupCode(project.twoStep, flowId, `zzzz-zzzz-z${i}`)).body;
      if (last.flowStatus === 'FAIL_INCOMPLETE') remaining.push(last.nextStep.messages[0].context[0].value);
    }
    expect(remaining).toEqual(['2', '1']);
    expect(last).toEqual({
      flowId,
      flowStatus: 'FAIL_COMPLETED',
      flowType: 'AUTHENTICATION',
      messages: [expect.objectContaining({ messageId: 'msg_account_locked' })],
    });

    // The lock is on the identity: a valid code, or the password, is refused while it lasts.
    const { response } = await startFlow(project.twoStep);
    const whileLocked = await submitPassword(project.twoStep, response.body.flowId, user.email, user.password);
    expect(whileLocked.body.messages[0].messageId).toBe('msg_account_locked');
    expect(codes).toHaveLength(10);
  });

  describe('TOTP enrollment inside the login flow', () => {
    it('is off by default: a user without TOTP gets FAIL_COMPLETED', async () => {
      const project = await createProject();
      expect(project.twoStep.body.allowEnrollmentInFlow).toBe(false);
      const user = await project.importUser({ totp: false });
      const { flowId, step } = await passPasswordStep(project.twoStep, user);
      expect(step.body.nextStep).toEqual({ stepType: 'AUTHENTICATOR_PROMPT', authenticators: [TOTP_OPTION] });
      const result = await submitTotp(project.twoStep, flowId, '123456');
      expect(result.body).toEqual({
        flowId,
        flowStatus: 'FAIL_COMPLETED',
        flowType: 'AUTHENTICATION',
        messages: [expect.objectContaining({ type: 'ERROR', messageId: 'msg_totp_not_enrolled' })],
      });
    });

    it('when allowed, enrolls with the secret from the prompt: the first valid code confirms it and completes the step', async () => {
      const project = await createProject();
      const patched = await admin.patch(`/projects/${project.slug}/applications/${project.twoStep.clientId}`, {
        allowEnrollmentInFlow: true,
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ allowEnrollmentInFlow: true, loginFlow: TWO_STEP });
      const app = project.twoStep;
      const user = await project.importUser({ totp: false });

      const { flowId, verifier, step } = await passPasswordStep(app, user);
      expect(FlowStepResponse.parse(step.body)).toBeTruthy();
      expect(step.body.nextStep).toEqual({
        stepType: 'AUTHENTICATOR_PROMPT',
        authenticators: [
          {
            ...TOTP_OPTION,
            metadata: {
              ...TOTP_OPTION.metadata,
              additionalData: {
                enrollment: 'true',
                secret: expect.stringMatching(/^[A-Z2-7]{32}$/),
                otpauthUri: expect.any(String),
              },
            },
          },
        ],
      });
      const { secret, otpauthUri } = step.body.nextStep.authenticators[0].metadata.additionalData;
      const uri = new URL(otpauthUri);
      expect(uri.protocol).toBe('otpauth:');
      expect(uri.searchParams.get('secret')).toBe(secret);
      expect(decodeURIComponent(otpauthUri)).toContain(user.email);

      // A wrong code counts, and the step comes back with the same secret (the user has scanned it).
      const wrong = await submitTotp(app, flowId, (await generate({ secret })) === '000000' ? '000001' : '000000');
      expect(wrong.body.flowStatus).toBe('FAIL_INCOMPLETE');
      expect(wrong.body.nextStep.messages).toEqual([
        expect.objectContaining({ messageId: 'msg_invalid_totp', context: [{ key: 'remainingAttempts', value: '4' }] }),
      ]);
      expect(wrong.body.nextStep.authenticators[0].metadata.additionalData.secret).toBe(secret);

      const code = await generate({ secret });
      const done = await submitTotp(app, flowId, code);
      expect(done.body.flowStatus).toBe('SUCCESS_COMPLETED');
      const token = await postForm(`${app.issuer}/oauth2/token`, {
        grant_type: 'authorization_code',
        code: done.body.authData.code,
        redirect_uri: app.redirectUri,
        code_verifier: verifier,
        client_id: app.clientId,
      });
      const idToken = JSON.parse(Buffer.from(String(token.body.id_token).split('.')[1] ?? '', 'base64url').toString());
      expect([...idToken.amr].sort()).toEqual(['otp', 'pwd']);
      const identity = await admin.get(`/projects/${project.slug}/identities/${user.id}`);
      expect(identity.body.credentials).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'totp', confirmed: true, lastUsedAt: expect.any(String) }),
        ]),
      );

      // Enrolled now: the next login shows the plain TOTP prompt, and the enrolling code is spent.
      const next = await passPasswordStep(app, user);
      expect(next.step.body.nextStep).toEqual({ stepType: 'AUTHENTICATOR_PROMPT', authenticators: [TOTP_OPTION] });
      expect((await submitTotp(app, next.flowId, code)).body.nextStep.messages[0].messageId).toBe('msg_totp_reused');
      const later = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
      expect((await submitTotp(app, next.flowId, later)).body.flowStatus).toBe('SUCCESS_COMPLETED');
    });

    it('beside backup codes, TOTP enrollment is an option the user initiates; a forged secret is never trusted', async () => {
      const project = await createProject();
      const app = await project.createApp({ loginFlow: TWO_STEP, allowEnrollmentInFlow: true });
      expect(app.body.allowEnrollmentInFlow).toBe(true);
      const user = await project.importUser({ totp: false });
      await generateCodes(project, user);

      const { flowId, step } = await passPasswordStep(app, user);
      expect(step.body.nextStep).toEqual({
        stepType: 'MULTI_OPTIONS_PROMPT',
        authenticators: [
          {
            authenticatorId: TOTP_AUTHENTICATOR_ID,
            authenticator: 'TOTP',
            idp: 'LOCAL',
            metadata: { i18nKey: 'authenticator.totp' },
          },
          BACKUP_CODE_OPTION,
        ],
      });
      // A code for a secret of the client's choosing, before any secret was issued, proves nothing.
      const forged = await postJson(`${app.issuer}/oauth2/authn`, {
        flowId,
        selectedAuthenticator: {
          authenticatorId: TOTP_AUTHENTICATOR_ID,
          params: { token: await generate({ secret: generateSecret() }), secret: generateSecret() },
        },
      });
      expect(forged.body.nextStep.messages[0].messageId).toBe('msg_totp_enrollment_not_started');

      const initiated = await postJson(`${app.issuer}/oauth2/authn`, {
        flowId,
        selectedAuthenticator: { authenticatorId: TOTP_AUTHENTICATOR_ID },
      });
      expect(initiated.body.nextStep.stepType).toBe('AUTHENTICATOR_PROMPT');
      const { secret } = initiated.body.nextStep.authenticators[0].metadata.additionalData;
      expect((await submitTotp(app, flowId, await generate({ secret }))).body.flowStatus).toBe('SUCCESS_COMPLETED');
    });
  });
});
