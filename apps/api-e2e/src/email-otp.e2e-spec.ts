import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { FlowSuccessResponse } from '@keyway/flow-types';
import { adminApi, postJson, putJson, startFlow, submitPassword } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';
import { eventually, SmtpSink } from '@keyway/e2e-support';

/** base64url("email-otp-authenticator:LOCAL") */
const EMAIL_OTP_ID = Buffer.from('email-otp-authenticator:LOCAL').toString('base64url');
const CODE_PARAM = {
  param: 'OTPCode',
  type: 'STRING',
  order: 0,
  i18nKey: 'otp.code.param',
  displayName: 'Code',
  confidential: false,
};

// The built API mails codes through a real SMTP server in this process; codes are read out of the messages.
describe('email OTP authenticator', () => {
  let server: KeywayServer;
  let admin: ReturnType<typeof adminApi>;
  const sink = new SmtpSink();

  beforeAll(async () => {
    await sink.start();
    server = await startKeyway({ env: { KEYWAY_EMAIL_POLL_MS: '100' } });
    admin = adminApi(server);
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await sink.stop();
  });

  async function createProject(loginFlow: string[][], settings: Record<string, unknown> = {}) {
    const slug = `otp-${randomBytes(5).toString('hex')}`;
    const project = await admin.post('/projects', { slug, name: `OTP ${slug}`, settings });
    expect(project.status).toBe(201);
    const smtp = { host: '127.0.0.1', port: sink.port, tlsMode: 'none', fromAddress: 'login@otp.example' };
    expect(
      (
        await putJson(`${server.baseUrl}/api/admin/v1/projects/${slug}/email/smtp`, smtp, {
          authorization: `Bearer ${server.adminToken}`,
        })
      ).status,
    ).toBe(200);
    const redirectUri = 'com.example.app:/oauth2redirect';
    const app = await admin.post(`/projects/${slug}/applications`, {
      name: 'Native',
      type: 'public',
      redirectUris: [redirectUri],
      appNative: true,
      loginFlow,
    });
    expect(app.status).toBe(201);
    const email = `user-${randomBytes(4).toString('hex')}@example.com`;
    const password = `pw-${randomBytes(9).toString('base64url')}`;
    const identity = await admin.post(`/projects/${slug}/identities`, { traits: { email }, password });
    expect(identity.status).toBe(201);
    return {
      slug,
      issuer: project.body.issuer as string,
      clientId: app.body.clientId as string,
      redirectUri,
      email,
      password,
      identityId: identity.body.id as string,
    };
  }
  type Project = Awaited<ReturnType<typeof createProject>>;

  const mailsTo = (address: string) =>
    sink.messages.filter((m) => m.to && !Array.isArray(m.to) && m.to.value[0]?.address === address);
  /** The code of the `n`th mail (1-based) sent to the address, once it arrived. */
  async function codeFromMail(address: string, n = 1): Promise<string> {
    const mail = await eventually(async () => {
      const received = mailsTo(address);
      expect(received.length).toBeGreaterThanOrEqual(n);
      return received[n - 1]!;
    });
    expect(mail.subject).toContain('sign-in code');
    const code = /\b(\d{6,10})\b/.exec(mail.text ?? '')?.[1];
    expect(code).toBeDefined();
    return code!;
  }
  const select = (p: Project, flowId: string, params?: Record<string, string>) =>
    postJson(`${p.issuer}/oauth2/authn`, {
      flowId,
      selectedAuthenticator: { authenticatorId: EMAIL_OTP_ID, ...(params ? { params } : {}) },
    });
  const remaining = (body: any) =>
    body.nextStep.messages[0].context.find((c: any) => c.key === 'remainingAttempts')?.value;

  async function afterPassword(p: Project) {
    const { response, verifier } = await startFlow(p);
    const step = await submitPassword(p, response.body.flowId, p.email, p.password);
    return { flowId: response.body.flowId as string, step, verifier };
  }

  it('second step: mails a code to the identity, which completes the flow; the id_token carries amr pwd + otp', async () => {
    const p = await createProject([['BasicAuthenticator'], ['email-otp-authenticator']]);
    const client = await oidc.discovery(new URL(p.issuer), p.clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const nonce = oidc.randomNonce();
    const { response, verifier } = await startFlow(p, { nonce });
    const step = await submitPassword(p, response.body.flowId, p.email, p.password);
    expect(step.body.nextStep).toEqual({
      stepType: 'AUTHENTICATOR_PROMPT',
      authenticators: [
        {
          authenticatorId: EMAIL_OTP_ID,
          authenticator: 'Email OTP',
          idp: 'LOCAL',
          metadata: { i18nKey: 'authenticator.email.otp', promptType: 'USER_PROMPT', params: [CODE_PARAM] },
          requiredParams: ['OTPCode'],
        },
      ],
    });
    const code = await codeFromMail(p.email);
    expect(code).toMatch(/^\d{6}$/);
    const done = await select(p, response.body.flowId, { OTPCode: code });
    expect(done.body.flowStatus).toBe('SUCCESS_COMPLETED');
    const { code: authCode, state } = FlowSuccessResponse.parse(done.body).authData;
    const callback = new URL(
      `${p.redirectUri}?${new URLSearchParams({ code: authCode, state: state ?? '', iss: p.issuer })}`,
    );
    const tokens = await oidc.authorizationCodeGrant(client, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'st-123',
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    expect(tokens.claims()!.sub).toBe(p.identityId);
    expect([...((tokens.claims()!.amr as string[] | undefined) ?? [])].sort()).toEqual(['otp', 'pwd']);
  });

  it('first step: user-initiated in a MULTI_OPTIONS_PROMPT, asks for the username, then the code', async () => {
    const p = await createProject([['BasicAuthenticator', 'email-otp-authenticator']], { emailOtp: { length: 8 } });
    const { response } = await startFlow(p);
    expect(response.body.nextStep.stepType).toBe('MULTI_OPTIONS_PROMPT');
    expect(response.body.nextStep.authenticators[1]).toEqual({
      authenticatorId: EMAIL_OTP_ID,
      authenticator: 'Email OTP',
      idp: 'LOCAL',
      metadata: { i18nKey: 'authenticator.email.otp' },
    });
    const flowId = response.body.flowId as string;
    const asked = await select(p, flowId);
    expect(asked.body.nextStep.authenticators[0].requiredParams).toEqual(['username']);
    const codeStep = await select(p, flowId, { username: p.email.toUpperCase() });
    expect(codeStep.body.flowStatus).toBe('INCOMPLETE');
    expect(codeStep.body.nextStep.authenticators[0].requiredParams).toEqual(['OTPCode']);
    const code = await codeFromMail(p.email);
    expect(code).toMatch(/^\d{8}$/);
    expect((await select(p, flowId, { OTPCode: code })).body.flowStatus).toBe('SUCCESS_COMPLETED');
  });

  it('answers an unknown username exactly like a known one, sends no mail, and counts its codes like wrong ones', async () => {
    const p = await createProject([['BasicAuthenticator', 'email-otp-authenticator']]);
    const known = await startFlow(p);
    await select(p, known.response.body.flowId);
    const knownStep = await select(p, known.response.body.flowId, { username: p.email });
    const unknown = await startFlow(p);
    await select(p, unknown.response.body.flowId);
    const nobody = `nobody-${randomBytes(4).toString('hex')}@example.com`;
    const unknownStep = await select(p, unknown.response.body.flowId, { username: nobody });
    expect(unknownStep.status).toBe(knownStep.status);
    expect({ ...unknownStep.body, flowId: 'x' }).toEqual({ ...knownStep.body, flowId: 'x' });
    const wrong = await select(p, unknown.response.body.flowId, { OTPCode: '000000' });
    expect(wrong.body.flowStatus).toBe('FAIL_INCOMPLETE');
    expect(wrong.body.nextStep.messages[0].messageId).toBe('msg_invalid_email_otp');
    expect(remaining(wrong.body)).toBe('4');
    await codeFromMail(p.email);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(mailsTo(nobody)).toHaveLength(0);
  });

  it('refuses a wrong code with remainingAttempts, an expired code, and a code of an earlier step', async () => {
    const p = await createProject([['BasicAuthenticator'], ['email-otp-authenticator'], ['email-otp-authenticator']], {
      emailOtp: { ttlSeconds: 1 },
    });
    const { flowId } = await afterPassword(p);
    const code = await codeFromMail(p.email);
    const wrong = await select(p, flowId, { OTPCode: code === '000000' ? '111111' : '000000' });
    expect(wrong.body.flowStatus).toBe('FAIL_INCOMPLETE');
    expect(remaining(wrong.body)).toBe('4');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const expired = await select(p, flowId, { OTPCode: code });
    expect(expired.body.nextStep.messages[0].messageId).toBe('msg_email_otp_expired');
    expect(remaining(expired.body)).toBe('3');

    // A longer ttl: step 2 succeeds, and its code does not answer step 3 (single use).
    expect(
      (
        await admin.patch(`/projects/${p.slug}`, {
          settings: { emailOtp: { ttlSeconds: 300, resendIntervalSeconds: 0 } },
        })
      ).status,
    ).toBe(200);
    expect((await select(p, flowId)).body.flowStatus).toBe('INCOMPLETE');
    const fresh = await codeFromMail(p.email, 2);
    const third = await select(p, flowId, { OTPCode: fresh });
    expect(third.body.flowStatus).toBe('INCOMPLETE');
    const reused = await select(p, flowId, { OTPCode: fresh });
    expect(reused.body.flowStatus).toBe('FAIL_INCOMPLETE');
    expect(reused.body.nextStep.messages[0].messageId).toBe('msg_invalid_email_otp');
    expect((await select(p, flowId, { OTPCode: await codeFromMail(p.email, 3) })).body.flowStatus).toBe(
      'SUCCESS_COMPLETED',
    );
  });

  it('limits resends: too soon, then after maxResends, with a FAIL_INCOMPLETE message', async () => {
    const p = await createProject([['BasicAuthenticator'], ['email-otp-authenticator']], {
      emailOtp: { maxResends: 1, resendIntervalSeconds: 30 },
    });
    const { flowId } = await afterPassword(p);
    await codeFromMail(p.email);
    const soon = await select(p, flowId);
    expect(soon.status).toBe(200);
    expect(soon.body.flowStatus).toBe('FAIL_INCOMPLETE');
    expect(soon.body.nextStep.messages[0].messageId).toBe('msg_email_otp_resend_too_soon');
    expect(
      (await admin.patch(`/projects/${p.slug}`, { settings: { emailOtp: { resendIntervalSeconds: 0 } } })).status,
    ).toBe(200);
    expect((await select(p, flowId)).body.flowStatus).toBe('INCOMPLETE');
    const second = await codeFromMail(p.email, 2);
    const limit = await select(p, flowId);
    expect(limit.body.flowStatus).toBe('FAIL_INCOMPLETE');
    expect(limit.body.nextStep.messages[0].messageId).toBe('msg_email_otp_resend_limit');
    expect((await select(p, flowId, { OTPCode: second })).body.flowStatus).toBe('SUCCESS_COMPLETED');
  });

  it('answers a missing code with FLW-60003 before the lockout counts anything; the right code, spaced as in the mail, still works', async () => {
    const p = await createProject([['BasicAuthenticator'], ['email-otp-authenticator']], {
      lockout: { maxAttempts: 3 },
    });
    const { flowId } = await afterPassword(p);
    const code = await codeFromMail(p.email);
    const missing = {
      code: 'FLW-60003',
      message: 'Invalid request.',
      description: 'Missing required parameter(s) in selectedAuthenticator.params: OTPCode.',
      fields: [
        {
          field: 'selectedAuthenticator.params.OTPCode',
          messageId: 'msg_field_required',
          message: 'is required',
          i18nKey: 'message.msg_field_required',
        },
      ],
      traceId: expect.any(String),
    };
    // Three would have locked the identity had they counted.
    for (const params of [
      { OTPCode: '' },
      { OTPCode: '   ' },
      { OTPCode: ' - ' },
      { OTPCode: '\t' },
      { code },
    ] as Array<Record<string, string>>) {
      expect(await select(p, flowId, params)).toMatchObject({ status: 400, body: missing });
    }
    const wrong = await select(p, flowId, { OTPCode: code === '000000' ? '111111' : '000000' });
    expect(wrong.body.nextStep.messages[0].messageId).toBe('msg_invalid_email_otp');
    expect(remaining(wrong.body)).toBe('2');
    expect((await select(p, flowId, { OTPCode: ` ${code.slice(0, 3)} ${code.slice(3)} ` })).body.flowStatus).toBe(
      'SUCCESS_COMPLETED',
    );
  });

  it('answers a malformed body with 400 KW-40000 naming each bad field by its path', async () => {
    const p = await createProject([['BasicAuthenticator'], ['email-otp-authenticator']]);
    const { flowId } = await afterPassword(p);
    const wrongType = await postJson(`${p.issuer}/oauth2/authn`, {
      flowId,
      selectedAuthenticator: { authenticatorId: EMAIL_OTP_ID, params: { OTPCode: 123456 } },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toMatchObject({
      code: 'KW-40000',
      description: expect.stringMatching(/^selectedAuthenticator\.params\.OTPCode: /),
      fields: [{ field: 'selectedAuthenticator.params.OTPCode', messageId: 'msg_field_invalid' }],
    });
    const noFlow = await postJson(`${p.issuer}/oauth2/authn`, {
      selectedAuthenticator: { authenticatorId: EMAIL_OTP_ID },
    });
    expect(noFlow.body).toMatchObject({
      code: 'KW-40000',
      fields: [{ field: 'flowId', messageId: 'msg_field_required' }],
    });
  });

  it('locks the identity after lockout.maxAttempts wrong codes (FAIL_COMPLETED)', async () => {
    const p = await createProject([['BasicAuthenticator'], ['email-otp-authenticator']], {
      lockout: { maxAttempts: 2 },
    });
    const { flowId } = await afterPassword(p);
    const code = await codeFromMail(p.email);
    const bad = code === '000000' ? '111111' : '000000';
    expect(remaining((await select(p, flowId, { OTPCode: bad })).body)).toBe('1');
    const locked = await select(p, flowId, { OTPCode: bad });
    expect(locked.body.flowStatus).toBe('FAIL_COMPLETED');
    expect(JSON.stringify(locked.body)).toContain('msg_account_locked');
  });
});
