import { randomBytes } from 'node:crypto';
import { FlowFailedResponse, FlowStepResponse, FlowSuccessResponse } from '@keyway/flow-types';
import {
  adminApi,
  createTenant,
  pkcePair,
  postForm,
  postJson,
  putJson,
  startFlow,
  submitPassword,
  type Tenant,
} from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';
import { eventually, SmtpSink } from '@keyway/e2e-support';

// Standalone email verification end to end: the built API, a real SMTP server in this process, codes read
// out of the received mail, and what verification changes for login (requireVerifiedEmail, email_verified).

const CODE_ID = Buffer.from('EmailCodeVerification:LOCAL').toString('base64url');

/** What every flow answers for a step answer without its code (docs/errors.md, FLW-60003). */
const MISSING_CODE = {
  code: 'FLW-60003',
  message: 'Invalid request.',
  description: 'Missing required parameter(s) in selectedAuthenticator.params: code.',
  fields: [
    {
      field: 'selectedAuthenticator.params.code',
      messageId: 'msg_field_required',
      message: 'is required',
      i18nKey: 'message.msg_field_required',
    },
  ],
  traceId: expect.any(String),
};

describe('self-service verification (native JSON)', () => {
  let server: KeywayServer;
  let tenant: Tenant;
  const sink = new SmtpSink();

  const url = () => `${tenant.issuer}/flows/verification`;
  const start = (email: string) => postJson(url(), { client_id: tenant.clientId, email });
  const submit = (flowId: string, code: string) =>
    postJson(url(), { flowId, selectedAuthenticator: { authenticatorId: CODE_ID, params: { code } } });
  const mailTo = (address: string) =>
    sink.messages.filter((m) => (m.to && !Array.isArray(m.to) ? m.to.value[0]?.address : undefined) === address);
  const codeFrom = async (address: string, nth = 0): Promise<string> => {
    const mail = await eventually(async () => {
      const mail = mailTo(address)[nth];
      expect(mail).toBeDefined();
      return mail!;
    });
    const code = /\b(\d{6})\b/.exec(mail.text ?? '')?.[1];
    if (!code) throw new Error(`no code in: ${mail.text}`);
    return code;
  };
  const newUser = async () => {
    const email = `v-${randomBytes(4).toString('hex')}@example.com`;
    const password = `pw-${randomBytes(9).toString('base64url')}`;
    const created = await adminApi(server).post(`/projects/${tenant.slug}/identities`, {
      traits: { email, name: 'Verify Me' },
      password,
    });
    expect(created.status).toBe(201);
    return { email, password, id: created.body.id as string };
  };
  const verify = async (email: string) => {
    const started = await start(email);
    const code = await codeFrom(email);
    return submit(started.body.flowId, code);
  };
  const login = (email: string, password: string) =>
    startFlow(tenant).then(({ response, verifier }) =>
      submitPassword(tenant, response.body.flowId, email, password).then((done) => ({ done, verifier })),
    );
  const setRequireVerified = async (value: boolean) => {
    expect(
      (await adminApi(server).patch(`/projects/${tenant.slug}`, { settings: { requireVerifiedEmail: value } })).status,
    ).toBe(200);
  };

  beforeAll(async () => {
    await sink.start();
    server = await startKeyway({ env: { KEYWAY_EMAIL_POLL_MS: '100' } });
    tenant = await createTenant(server);
    const smtp = { host: '127.0.0.1', port: sink.port, tlsMode: 'none', fromAddress: 'accounts@acme.example' };
    const put = await putJson(`${server.baseUrl}/api/admin/v1/projects/${tenant.slug}/email/smtp`, smtp, {
      authorization: `Bearer ${server.adminToken}`,
    });
    expect(put.status).toBe(200);
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await sink.stop();
  });

  it('mails a code to an unverified address, marks it verified, and the id_token then says email_verified', async () => {
    const user = await newUser();
    const admin = adminApi(server);
    expect((await admin.get(`/projects/${tenant.slug}/identities/${user.id}`)).body.verifiableAddresses).toEqual([
      { via: 'email', value: user.email, verified: false, verifiedAt: null },
    ]);

    // Before verification the id_token states the address unverified.
    const before = await login(user.email, user.password);
    const beforeTokens = await exchange(FlowSuccessResponse.parse(before.done.body).authData.code, before.verifier);
    expect(decodeJwt(beforeTokens.id_token)).toMatchObject({ email: user.email, email_verified: false });

    const started = await start(user.email.toUpperCase());
    const step = FlowStepResponse.parse(started.body);
    expect(step).toMatchObject({
      flowStatus: 'INCOMPLETE',
      flowType: 'VERIFICATION',
      nextStep: {
        authenticators: [{ authenticatorId: CODE_ID, requiredParams: ['code'] }],
        messages: [{ type: 'INFO', messageId: 'msg_verification_code_sent' }],
      },
      links: [{ name: 'verification', href: `${tenant.issuer}/flows/verification`, method: 'POST' }],
    });
    const code = await codeFrom(user.email);
    const done = await submit(step.flowId, code);
    expect(done).toMatchObject({
      status: 200,
      body: { flowId: step.flowId, flowStatus: 'SUCCESS_COMPLETED', flowType: 'VERIFICATION' },
    });
    expect((await admin.get(`/projects/${tenant.slug}/identities/${user.id}`)).body.verifiableAddresses).toEqual([
      { via: 'email', value: user.email, verified: true, verifiedAt: expect.any(String) },
    ]);

    // The code is spent with the flow.
    expect(await submit(step.flowId, code)).toMatchObject({ status: 400, body: { code: 'FLW-60001' } });

    const after = await login(user.email, user.password);
    const tokens = await exchange(FlowSuccessResponse.parse(after.done.body).authData.code, after.verifier);
    expect(decodeJwt(tokens.id_token)).toMatchObject({ email: user.email, email_verified: true });
    const userinfo = await fetch(`${tenant.issuer}/oauth2/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(await userinfo.json()).toMatchObject({ sub: user.id, email: user.email, email_verified: true });
  });

  it('answers unknown and already verified addresses exactly like an unverified one, mails nothing, and fails their code like a wrong one', async () => {
    const unverified = await newUser();
    const verified = await newUser();
    expect((await verify(verified.email)).body.flowStatus).toBe('SUCCESS_COMPLETED');
    const unknown = `nobody-${randomBytes(4).toString('hex')}@example.com`;

    const shape = (body: any) => ({ ...body, flowId: undefined });
    const answers = await Promise.all([start(unverified.email), start(unknown), start(verified.email)]);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(shape(answer.body)).toEqual(shape(answers[0]!.body));
    }
    await codeFrom(unverified.email);
    // The outbox has sent the unverified address's mail by now; give a stray one a moment to show up.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(mailTo(unknown)).toHaveLength(0);
    expect(mailTo(verified.email)).toHaveLength(1);

    const wrong = await submit(answers[0]!.body.flowId, '000000');
    const forUnknown = await submit(answers[1]!.body.flowId, '000000');
    expect(wrong.body).toMatchObject({
      flowStatus: 'FAIL_INCOMPLETE',
      nextStep: {
        messages: [{ messageId: 'msg_invalid_verification_code', context: [{ key: 'remainingAttempts', value: '4' }] }],
      },
    });
    expect(shape(forUnknown.body)).toEqual(shape(wrong.body));
  });

  it('ends the flow after five wrong codes, and a later right code does not verify', async () => {
    const user = await newUser();
    const started = await start(user.email);
    const code = await codeFrom(user.email);
    const wrong = code === '111111' ? '222222' : '111111';
    for (let i = 0; i < 4; i++)
      expect((await submit(started.body.flowId, wrong)).body.flowStatus).toBe('FAIL_INCOMPLETE');
    const last = await submit(started.body.flowId, wrong);
    expect(FlowFailedResponse.parse(last.body)).toMatchObject({
      flowType: 'VERIFICATION',
      messages: [{ messageId: 'msg_too_many_attempts' }],
    });
    expect((await submit(started.body.flowId, code)).status).toBe(400);
    expect(
      (await adminApi(server).get(`/projects/${tenant.slug}/identities/${user.id}`)).body.verifiableAddresses[0]
        .verified,
    ).toBe(false);
  });

  it('answers a missing code with FLW-60003 before counting anything; the right code, spaced as in the mail, still works', async () => {
    const user = await newUser();
    const started = await start(user.email);
    const flowId = started.body.flowId as string;
    const code = await codeFrom(user.email);
    const answer = (params?: Record<string, string>) =>
      postJson(url(), { flowId, selectedAuthenticator: { authenticatorId: CODE_ID, ...(params ? { params } : {}) } });
    for (const params of [
      undefined,
      {},
      { code: '' },
      { code: '   ' },
      { code: ' - ' },
      { email: user.email },
    ] as Array<Record<string, string> | undefined>) {
      expect(await answer(params)).toMatchObject({ status: 400, body: MISSING_CODE });
    }
    // None of them was an attempt: the first wrong code leaves four of five.
    const wrong = await submit(flowId, code === '000000' ? '111111' : '000000');
    expect(wrong.body).toMatchObject({
      flowStatus: 'FAIL_INCOMPLETE',
      nextStep: {
        messages: [{ messageId: 'msg_invalid_verification_code', context: [{ key: 'remainingAttempts', value: '4' }] }],
      },
    });
    expect((await submit(flowId, ` ${code.slice(0, 3)} ${code.slice(3)}\n`)).body).toEqual({
      flowId,
      flowStatus: 'SUCCESS_COMPLETED',
      flowType: 'VERIFICATION',
    });
  });

  it('answers a malformed body with 400 KW-40000 naming each bad field by its path', async () => {
    const wrongType = await postJson(url(), {
      flowId: '00000000-0000-4000-8000-000000000000',
      selectedAuthenticator: { authenticatorId: CODE_ID, params: { code: 123456 } },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toMatchObject({
      code: 'KW-40000',
      description: expect.stringMatching(/^selectedAuthenticator\.params\.code: /),
      fields: [{ field: 'selectedAuthenticator.params.code', messageId: 'msg_field_invalid' }],
    });
    const noEmail = await postJson(url(), { client_id: tenant.clientId });
    expect(noEmail.body).toMatchObject({
      code: 'KW-40000',
      description: 'email: is required',
      fields: [{ field: 'email', messageId: 'msg_field_required' }],
    });
    const tooLong = await postJson(url(), {
      client_id: tenant.clientId,
      email: 'a@example.com',
      ui_locales: 'x'.repeat(300),
    });
    expect(tooLong.body).toMatchObject({
      code: 'KW-40000',
      fields: [{ field: 'ui_locales', messageId: 'msg_field_too_long' }],
    });
  });

  it('refuses a client that is not an app-native application of the project', async () => {
    expect((await postJson(url(), { client_id: 'no-such-client', email: 'a@example.com' })).status).toBe(400);
  });

  describe('requireVerifiedEmail', () => {
    afterAll(() => setRequireVerified(false));

    it('blocks the login of an unverified identity after its credentials, and lets it in once verified', async () => {
      const user = await newUser();
      await setRequireVerified(true);
      const blocked = await login(user.email, user.password);
      expect(FlowFailedResponse.parse(blocked.done.body)).toMatchObject({
        flowType: 'AUTHENTICATION',
        messages: [{ messageId: 'msg_email_not_verified' }],
      });

      // A wrong password still says only that: the flag tells nothing to someone without the password.
      const wrong = await login(user.email, 'not the password');
      expect(wrong.done.body.flowStatus).toBe('FAIL_INCOMPLETE');
      expect(JSON.stringify(wrong.done.body)).not.toContain('msg_email_not_verified');

      expect((await verify(user.email)).body.flowStatus).toBe('SUCCESS_COMPLETED');
      const allowed = await login(user.email, user.password);
      expect(allowed.done.status).toBe(200);
      expect(FlowSuccessResponse.parse(allowed.done.body).authData.code).toEqual(expect.any(String));
    });

    it('blocks it the same way through /oauth2/authorize-challenge (First-Party Apps), and lets it in once verified', async () => {
      const user = await newUser();
      await setRequireVerified(true);
      const challenge = () => {
        const pkce = pkcePair();
        const params = {
          client_id: tenant.clientId,
          response_type: 'code',
          scope: 'openid email',
          code_challenge: pkce.challenge,
          code_challenge_method: 'S256',
          username: user.email,
          password: user.password,
        };
        return postForm(`${tenant.issuer}/oauth2/authorize-challenge`, params);
      };
      const blocked = await challenge();
      // The flow is over: access_denied with why, and no auth_session to retry with.
      expect(blocked.status).toBe(400);
      expect(blocked.body).toEqual({
        error: 'access_denied',
        error_description: expect.any(String),
        messages: [expect.objectContaining({ messageId: 'msg_email_not_verified' })],
      });

      expect((await verify(user.email)).body.flowStatus).toBe('SUCCESS_COMPLETED');
      const allowed = await challenge();
      expect(allowed.status).toBe(200);
      expect(allowed.body).toEqual({ authorization_code: expect.any(String) });
    });
  });

  /** The payload only: the token came straight from the token endpoint, and its claims are what is under test. */
  function decodeJwt(token: string): Record<string, unknown> {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  }

  async function exchange(code: string, verifier: string): Promise<{ id_token: string; access_token: string }> {
    const tokens = await postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: tenant.redirectUri,
      code_verifier: verifier,
      client_id: tenant.clientId,
    });
    expect(tokens.status).toBe(200);
    return tokens.body;
  }
});
