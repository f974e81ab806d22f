import * as oidc from 'openid-client';
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

// Self-service recovery end to end: the built API, a real SMTP server in this process, the code read out
// of the received mail, the new session's code exchanged with openid-client.

const EMAIL_ID = Buffer.from('EmailRecovery:LOCAL').toString('base64url');
const CODE_ID = Buffer.from('EmailCodeRecovery:LOCAL').toString('base64url');
const PASSWORD_ID = Buffer.from('PasswordReset:LOCAL').toString('base64url');

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

describe('self-service recovery (native JSON)', () => {
  let server: KeywayServer;
  const sink = new SmtpSink();

  const url = (tenant: Tenant) => `${tenant.issuer}/flows/recovery`;
  const start = async (tenant: Tenant) => {
    const pkce = pkcePair();
    const nonce = oidc.randomNonce();
    const response = await postJson(url(tenant), {
      client_id: tenant.clientId,
      redirect_uri: tenant.redirectUri,
      scope: 'openid profile email offline_access',
      state: 'rec-state',
      nonce,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });
    expect(response.status).toBe(200);
    return { flowId: response.body.flowId as string, body: response.body, verifier: pkce.verifier, nonce };
  };
  const submit = (tenant: Tenant, flowId: string, authenticatorId: string, params: Record<string, string>) =>
    postJson(url(tenant), { flowId, selectedAuthenticator: { authenticatorId, params } });
  const mailTo = (address: string, subject?: RegExp) =>
    sink.messages.filter(
      (m) =>
        (m.to && !Array.isArray(m.to) ? m.to.value[0]?.address : undefined) === address &&
        (!subject || subject.test(m.subject ?? '')),
    );
  const codeFrom = async (address: string, index = 0): Promise<string> => {
    const mail = await eventually(async () => {
      const found = mailTo(address).filter((m) => /\b\d{6}\b/.test(m.text ?? ''));
      expect(found.length).toBeGreaterThan(index);
      return found[index]!;
    });
    return /\b(\d{6})\b/.exec(mail.text ?? '')![1]!;
  };
  const newTenant = async (settings?: Record<string, unknown>) => {
    const tenant = await createTenant(server, settings);
    const smtp = { host: '127.0.0.1', port: sink.port, tlsMode: 'none', fromAddress: 'accounts@acme.example' };
    const put = await putJson(`${server.baseUrl}/api/admin/v1/projects/${tenant.slug}/email/smtp`, smtp, {
      authorization: `Bearer ${server.adminToken}`,
    });
    expect(put.status).toBe(200);
    return tenant;
  };
  const token = (tenant: Tenant, params: Record<string, string>) =>
    postForm(`${tenant.issuer}/oauth2/token`, { client_id: tenant.clientId, ...params });
  /** A password login through /oauth2/authn; returns the tokens (with a refresh token). */
  const login = async (tenant: Tenant, password: string) => {
    const { response, verifier } = await startFlow(tenant, { scope: 'openid profile email offline_access' });
    const done = await submitPassword(tenant, response.body.flowId, tenant.email, password);
    const { authData } = FlowSuccessResponse.parse(done.body);
    const tokens = await token(tenant, {
      grant_type: 'authorization_code',
      code: authData.code,
      redirect_uri: tenant.redirectUri,
      code_verifier: verifier,
    });
    expect(tokens.status).toBe(200);
    return tokens.body as { refresh_token: string };
  };
  const recover = async (tenant: Tenant, newPassword: string) => {
    const flow = await start(tenant);
    const asked = await submit(tenant, flow.flowId, EMAIL_ID, { email: tenant.email.toUpperCase() });
    expect(asked.body).toMatchObject({
      flowStatus: 'INCOMPLETE',
      flowType: 'RECOVERY',
      nextStep: { authenticators: [{ authenticatorId: CODE_ID }], messages: [{ messageId: 'msg_recovery_code_sent' }] },
    });
    const code = await codeFrom(tenant.email);
    const privileged = await submit(tenant, flow.flowId, CODE_ID, { code });
    expect(privileged.body).toMatchObject({
      flowStatus: 'INCOMPLETE',
      nextStep: {
        authenticators: [
          {
            authenticatorId: PASSWORD_ID,
            requiredParams: ['password'],
            metadata: { params: [{ param: 'password', confidential: true }] },
          },
        ],
      },
    });
    const done = await submit(tenant, flow.flowId, PASSWORD_ID, { password: newPassword });
    return { ...flow, code, done };
  };

  beforeAll(async () => {
    await sink.start();
    server = await startKeyway({ env: { KEYWAY_EMAIL_POLL_MS: '100' } });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await sink.stop();
  });

  it('mails a code, sets a new password, revokes every other session and answers a code for a fresh one', async () => {
    const tenant = await newTenant();
    const before = await login(tenant, tenant.password);
    const flow = await start(tenant);
    expect(FlowStepResponse.parse(flow.body)).toMatchObject({
      flowType: 'RECOVERY',
      links: [{ name: 'recovery', href: `${tenant.issuer}/flows/recovery`, method: 'POST' }],
      nextStep: { authenticators: [{ authenticatorId: EMAIL_ID, requiredParams: ['email'] }] },
    });

    await submit(tenant, flow.flowId, EMAIL_ID, { email: ` ${tenant.email.toUpperCase()} ` });
    const code = await codeFrom(tenant.email);
    expect(mailTo(tenant.email)[0]!.subject).toMatch(/recover|reset|code/i);
    // A too-short password keeps the privileged flow at the password step.
    expect((await submit(tenant, flow.flowId, CODE_ID, { code })).body.flowStatus).toBe('INCOMPLETE');
    const weak = await submit(tenant, flow.flowId, PASSWORD_ID, { password: 'short' });
    expect(weak.body).toMatchObject({
      flowStatus: 'FAIL_INCOMPLETE',
      nextStep: { messages: [{ messageId: 'msg_password_too_short' }] },
    });
    const done = await submit(tenant, flow.flowId, PASSWORD_ID, { password: 'a brand new password' });
    const { authData } = FlowSuccessResponse.parse(done.body);
    expect(authData).toMatchObject({ code: expect.any(String), state: 'rec-state', session_state: expect.any(String) });

    const client = await oidc.discovery(new URL(tenant.issuer), tenant.clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const callback = new URL(
      `${tenant.redirectUri}?${new URLSearchParams({ code: authData.code, state: 'rec-state', iss: tenant.issuer })}`,
    );
    const tokens = await oidc.authorizationCodeGrant(client, callback, {
      pkceCodeVerifier: flow.verifier,
      expectedState: 'rec-state',
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    expect(tokens.claims()).toMatchObject({ sub: tenant.identityId, email: tenant.email });

    // The session from before recovery is gone with its refresh token; the new one works.
    expect((await token(tenant, { grant_type: 'refresh_token', refresh_token: before.refresh_token })).body.error).toBe(
      'invalid_grant',
    );
    const oldPassword = await submitPassword(
      tenant,
      (await startFlow(tenant)).response.body.flowId,
      tenant.email,
      tenant.password,
    );
    expect(oldPassword.body.flowStatus).not.toBe('SUCCESS_COMPLETED');
    await login(tenant, 'a brand new password');

    const notice = await eventually(async () => {
      const [mail] = mailTo(tenant.email, /password/i).filter((m) => !/\b\d{6}\b/.test(m.text ?? ''));
      expect(mail).toBeDefined();
      return mail!;
    });
    expect(notice.subject).toMatch(/password/i);
    // The code and the flow are spent.
    expect((await submit(tenant, flow.flowId, CODE_ID, { code })).status).toBe(400);
    expect((await submit(tenant, flow.flowId, PASSWORD_ID, { password: 'yet another password' })).status).toBe(400);
  });

  it('answers an unknown address exactly like a known one and mails nobody', async () => {
    const tenant = await newTenant();
    const known = await start(tenant);
    const unknown = await start(tenant);
    const a = await submit(tenant, known.flowId, EMAIL_ID, { email: tenant.email });
    const b = await submit(tenant, unknown.flowId, EMAIL_ID, { email: 'nobody@example.com' });
    const shape = (body: any) => ({ ...body, flowId: undefined });
    expect(b.status).toBe(a.status);
    expect(shape(b.body)).toEqual(shape(a.body));
    await codeFrom(tenant.email);
    // The code sent to the known address opens nothing in the other flow, which fails like a mistyped code.
    const wrong = await submit(tenant, unknown.flowId, CODE_ID, { code: await codeFrom(tenant.email) });
    expect(wrong.body).toMatchObject({
      flowStatus: 'FAIL_INCOMPLETE',
      nextStep: {
        messages: [{ messageId: 'msg_invalid_verification_code', context: [{ key: 'remainingAttempts', value: '4' }] }],
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(mailTo('nobody@example.com')).toHaveLength(0);
  });

  it('ends the flow after five wrong codes; the right code then no longer works', async () => {
    const tenant = await newTenant();
    const flow = await start(tenant);
    await submit(tenant, flow.flowId, EMAIL_ID, { email: tenant.email });
    const code = await codeFrom(tenant.email);
    const wrongCode = code === '999999' ? '999998' : '999999';
    for (let remaining = 4; remaining >= 1; remaining--) {
      expect((await submit(tenant, flow.flowId, CODE_ID, { code: wrongCode })).body).toMatchObject({
        flowStatus: 'FAIL_INCOMPLETE',
        nextStep: { messages: [{ context: [{ value: String(remaining) }] }] },
      });
    }
    const dead = FlowFailedResponse.parse((await submit(tenant, flow.flowId, CODE_ID, { code: wrongCode })).body);
    expect(dead.messages[0]?.messageId).toBe('msg_too_many_attempts');
    expect((await submit(tenant, flow.flowId, CODE_ID, { code })).status).toBe(400);
  });

  it('answers a missing code with FLW-60003 before counting anything; the right code, spaced as in the mail, still works', async () => {
    const tenant = await newTenant();
    const flow = await start(tenant);
    await submit(tenant, flow.flowId, EMAIL_ID, { email: tenant.email });
    const code = await codeFrom(tenant.email);
    for (const params of [{}, { code: '' }, { code: '   ' }, { code: '--' }, { email: tenant.email }] as Array<
      Record<string, string>
    >) {
      expect(await submit(tenant, flow.flowId, CODE_ID, params)).toMatchObject({ status: 400, body: MISSING_CODE });
    }
    expect(
      await postJson(url(tenant), { flowId: flow.flowId, selectedAuthenticator: { authenticatorId: CODE_ID } }),
    ).toMatchObject({ status: 400, body: MISSING_CODE });
    // None of them was an attempt: the first wrong code leaves four of five.
    const wrong = await submit(tenant, flow.flowId, CODE_ID, { code: code === '000000' ? '111111' : '000000' });
    expect(wrong.body).toMatchObject({
      flowStatus: 'FAIL_INCOMPLETE',
      nextStep: {
        messages: [{ messageId: 'msg_invalid_verification_code', context: [{ key: 'remainingAttempts', value: '4' }] }],
      },
    });
    const privileged = await submit(tenant, flow.flowId, CODE_ID, { code: `${code.slice(0, 3)}-${code.slice(3)}` });
    expect(privileged.body).toMatchObject({
      flowStatus: 'INCOMPLETE',
      nextStep: { authenticators: [{ authenticatorId: PASSWORD_ID }] },
    });
  });

  it('answers a malformed body with 400 KW-40000 naming each bad field by its path', async () => {
    const tenant = await newTenant();
    const flow = await start(tenant);
    const wrongType = await postJson(url(tenant), {
      flowId: flow.flowId,
      selectedAuthenticator: { authenticatorId: EMAIL_ID, params: { email: ['a@example.com'] } },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toMatchObject({
      code: 'KW-40000',
      description: expect.stringMatching(/^selectedAuthenticator\.params\.email: /),
      fields: [{ field: 'selectedAuthenticator.params.email', messageId: 'msg_field_invalid' }],
    });
    const noFlowId = await postJson(url(tenant), {
      flowId: '',
      selectedAuthenticator: { authenticatorId: EMAIL_ID, params: { email: tenant.email } },
    });
    expect(noFlowId.body).toMatchObject({
      code: 'KW-40000',
      fields: [{ field: 'flowId', messageId: 'msg_field_required' }],
    });
  });

  it('refuses a reused code and an action the step does not offer', async () => {
    const tenant = await newTenant();
    const flow = await start(tenant);
    expect((await submit(tenant, flow.flowId, CODE_ID, { code: '123456' })).status).toBe(400);
    await submit(tenant, flow.flowId, EMAIL_ID, { email: tenant.email });
    const code = await codeFrom(tenant.email);
    expect((await submit(tenant, flow.flowId, CODE_ID, { code })).body.flowStatus).toBe('INCOMPLETE');
    // Once used, the code no longer answers any step: the flow now wants a password.
    expect((await submit(tenant, flow.flowId, CODE_ID, { code })).status).toBe(400);
  });

  it('lets a locked identity recover, and lifts the lock', async () => {
    const tenant = await newTenant({ lockout: { maxAttempts: 2, durationSeconds: 600 } });
    for (let i = 0; i < 2; i++)
      await submitPassword(tenant, (await startFlow(tenant)).response.body.flowId, tenant.email, 'wrong password');
    const locked = await submitPassword(
      tenant,
      (await startFlow(tenant)).response.body.flowId,
      tenant.email,
      tenant.password,
    );
    expect(locked.body.flowStatus).toBe('FAIL_COMPLETED');

    const { done } = await recover(tenant, 'unlocked new password');
    expect(done.body.flowStatus).toBe('SUCCESS_COMPLETED');
    await login(tenant, 'unlocked new password');
    const identity = await adminApi(server).get(`/projects/${tenant.slug}/identities/${tenant.identityId}`);
    expect(identity.status).toBe(200);
  });
});
