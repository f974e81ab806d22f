import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import {
  FlowFailedResponse,
  FlowStepResponse,
  FlowSuccessResponse,
  RegistrationSessionResponse,
} from '@keyway/flow-types';
import { adminApi, createTenant, pkcePair, postForm, postJson, putJson, type Tenant } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';
import { eventually, SmtpSink } from '@keyway/e2e-support';

// Self-service registration end to end: the built API, a real SMTP server in this process, codes read
// out of the received mail, tokens through openid-client.

const FORM_ID = Buffer.from('PasswordRegistration:LOCAL').toString('base64url');
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

describe('self-service registration (native JSON)', () => {
  let server: KeywayServer;
  let tenant: Tenant;
  let client: oidc.Configuration;
  const sink = new SmtpSink();

  const url = () => `${tenant.issuer}/flows/registration`;
  const start = async (extra: Record<string, string> = {}) => {
    const pkce = pkcePair();
    const nonce = oidc.randomNonce();
    const response = await postJson(url(), {
      client_id: tenant.clientId,
      redirect_uri: tenant.redirectUri,
      scope: 'openid profile email',
      state: 'reg-state',
      nonce,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      ...extra,
    });
    return { response, verifier: pkce.verifier, nonce };
  };
  const submit = (flowId: string, authenticatorId: string, params: Record<string, string>) =>
    postJson(url(), { flowId, selectedAuthenticator: { authenticatorId, params } });
  const mailTo = (address: string) =>
    sink.messages.filter((m) => (m.to && !Array.isArray(m.to) ? m.to.value[0]?.address : undefined) === address);
  const codeFrom = async (address: string): Promise<string> => {
    const mail = await eventually(async () => {
      const [first] = mailTo(address);
      expect(first).toBeDefined();
      return first!;
    });
    const code = /\b(\d{6})\b/.exec(mail.text ?? '')?.[1];
    if (!code) throw new Error(`no code in: ${mail.text}`);
    return code;
  };
  const newEmail = () => `new-${randomBytes(4).toString('hex')}@example.com`;

  beforeAll(async () => {
    await sink.start();
    server = await startKeyway({ env: { KEYWAY_EMAIL_POLL_MS: '100' } });
    tenant = await createTenant(server);
    const smtp = { host: '127.0.0.1', port: sink.port, tlsMode: 'none', fromAddress: 'accounts@acme.example' };
    const put = await putJson(`${server.baseUrl}/api/admin/v1/projects/${tenant.slug}/email/smtp`, smtp, {
      authorization: `Bearer ${server.adminToken}`,
    });
    expect(put.status).toBe(200);
    client = await oidc.discovery(new URL(tenant.issuer), tenant.clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await sink.stop();
  });

  it('offers the schema traits and a password, validated by the authorize pipeline', async () => {
    const { response } = await start();
    expect(response.status).toBe(200);
    const step = FlowStepResponse.parse(response.body);
    expect(step).toMatchObject({
      flowStatus: 'INCOMPLETE',
      flowType: 'REGISTRATION',
      links: [{ name: 'registration', href: `${tenant.issuer}/flows/registration`, method: 'POST' }],
    });
    const [option] = step.nextStep.authenticators;
    expect(option).toMatchObject({
      authenticatorId: FORM_ID,
      idp: 'LOCAL',
      metadata: { promptType: 'USER_PROMPT' },
      requiredParams: ['traits.email', 'password'],
    });
    expect(option!.metadata.params!.map((p) => [p.param, p.confidential])).toEqual([
      ['traits.email', false],
      ['traits.name', false],
      ['password', true],
    ]);

    // The same checks as /oauth2/authorize (PKCE for public clients, registered redirect_uri), answered in
    // the flow API's error shape.
    const noPkce = await start({
      code_challenge: undefined as unknown as string,
      code_challenge_method: undefined as unknown as string,
    });
    expect(noPkce.response).toMatchObject({
      status: 400,
      body: { description: expect.stringContaining('PKCE is required') },
    });
    const evil = await start({ redirect_uri: 'https://evil.example/cb' });
    expect(evil.response).toMatchObject({
      status: 400,
      body: { description: 'redirect_uri is not registered for this client' },
    });
  });

  it('registers, mails a code, verifies the address and answers an authorization code that openid-client exchanges', async () => {
    const email = newEmail();
    const { response, verifier, nonce } = await start();
    const flowId = response.body.flowId as string;
    const sent = await submit(flowId, FORM_ID, {
      'traits.email': email,
      'traits.name': 'Reg User',
      password: 'correct horse battery',
    });
    expect(sent.body).toMatchObject({
      flowStatus: 'INCOMPLETE',
      nextStep: {
        authenticators: [{ authenticatorId: CODE_ID, requiredParams: ['code'] }],
        messages: [{ type: 'INFO', messageId: 'msg_verification_code_sent' }],
      },
    });

    const code = await codeFrom(email);
    const done = await submit(flowId, CODE_ID, { code });
    const { authData } = FlowSuccessResponse.parse(done.body);
    expect(authData.state).toBe('reg-state');

    const callback = new URL(
      `${tenant.redirectUri}?${new URLSearchParams({ code: authData.code, state: 'reg-state', iss: tenant.issuer })}`,
    );
    const tokens = await oidc.authorizationCodeGrant(client, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'reg-state',
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: tenant.issuer, aud: tenant.clientId, email, name: 'Reg User', amr: ['pwd'] });

    const identity = await adminApi(server).get(`/projects/${tenant.slug}/identities/${claims.sub}`);
    expect(identity.body).toMatchObject({
      traits: { email, name: 'Reg User' },
      credentials: [{ type: 'password', hashAlgorithm: 'argon2id', createdAt: expect.any(String) }],
    });
    expect(identity.body.verifiableAddresses).toEqual([
      { via: 'email', value: email, verified: true, verifiedAt: expect.any(String) },
    ]);

    // The code is spent with the flow: a second answer finds no flow.
    expect((await submit(flowId, CODE_ID, { code })).status).toBe(400);
  });

  it('answers a taken email exactly like a new one, and mails its owner a notice instead of a code', async () => {
    const fresh = await start();
    const taken = await start();
    const params = (email: string) => ({ 'traits.email': email, password: 'another good password' });
    const a = await submit(fresh.response.body.flowId, FORM_ID, params(newEmail()));
    const b = await submit(taken.response.body.flowId, FORM_ID, params(tenant.email.toUpperCase()));
    const shape = (body: any) => ({ ...body, flowId: undefined });
    expect(shape(b.body)).toEqual(shape(a.body));
    expect(b.status).toBe(a.status);

    const notice = await eventually(async () => {
      const [mail] = mailTo(tenant.email);
      expect(mail).toBeDefined();
      return mail!;
    });
    expect(notice.subject).toContain('Someone tried to create');
    expect(notice.text ?? '').not.toMatch(/\b\d{6}\b/);
    // No code opens it: the step fails like a mistyped code, and no second account exists.
    const wrong = await submit(taken.response.body.flowId, CODE_ID, { code: '000000' });
    expect(wrong.body).toMatchObject({
      flowStatus: 'FAIL_INCOMPLETE',
      nextStep: {
        messages: [{ messageId: 'msg_invalid_verification_code', context: [{ key: 'remainingAttempts', value: '4' }] }],
      },
    });
    const identities = (await adminApi(server).get(`/projects/${tenant.slug}/identities?limit=100`)).body
      .items as Array<{
      traits: { email: string };
    }>;
    expect(identities.filter((i) => i.traits.email.toLowerCase() === tenant.email.toLowerCase())).toHaveLength(1);
  });

  it('answers a missing code with FLW-60003 before counting anything; the right code, spaced as in the mail, still works', async () => {
    const email = newEmail();
    const { response } = await start();
    const flowId = response.body.flowId as string;
    await submit(flowId, FORM_ID, { 'traits.email': email, password: 'a password for the code' });
    const code = await codeFrom(email);
    for (const params of [{}, { code: '' }, { code: '   ' }, { code: ' - ' }, { other: 'x' }] as Array<
      Record<string, string>
    >) {
      expect(await submit(flowId, CODE_ID, params)).toMatchObject({ status: 400, body: MISSING_CODE });
    }
    expect(await postJson(url(), { flowId, selectedAuthenticator: { authenticatorId: CODE_ID } })).toMatchObject({
      status: 400,
      body: MISSING_CODE,
    });
    // None of them was an attempt: the first wrong code leaves four of five.
    const wrong = await submit(flowId, CODE_ID, { code: code === '000000' ? '111111' : '000000' });
    expect(wrong.body).toMatchObject({
      flowStatus: 'FAIL_INCOMPLETE',
      nextStep: {
        messages: [{ messageId: 'msg_invalid_verification_code', context: [{ key: 'remainingAttempts', value: '4' }] }],
      },
    });
    const done = await submit(flowId, CODE_ID, { code: ` ${code.slice(0, 3)} ${code.slice(3)} ` });
    expect(done.body.flowStatus).toBe('SUCCESS_COMPLETED');
  });

  it('answers a malformed body with 400 KW-40000 naming each bad field by its path', async () => {
    const { response } = await start();
    const flowId = response.body.flowId as string;
    const wrongType = await postJson(url(), {
      flowId,
      selectedAuthenticator: { authenticatorId: FORM_ID, params: { 'traits.email': 42 } },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toEqual({
      code: 'KW-40000',
      message: 'Invalid request.',
      description: expect.stringMatching(/^selectedAuthenticator\.params\.traits\.email: /),
      fields: [
        {
          field: 'selectedAuthenticator.params.traits.email',
          messageId: 'msg_field_invalid',
          message: expect.any(String),
          i18nKey: 'message.msg_field_invalid',
        },
      ],
      traceId: expect.any(String),
    });
    const noAuthenticator = await postJson(url(), { flowId, selectedAuthenticator: { params: {} } });
    expect(noAuthenticator.body).toMatchObject({
      code: 'KW-40000',
      fields: [{ field: 'selectedAuthenticator.authenticatorId', messageId: 'msg_field_required' }],
    });
    const noScope = await postJson(url(), { client_id: tenant.clientId, redirect_uri: tenant.redirectUri });
    expect(noScope.body).toMatchObject({
      code: 'KW-40000',
      description: 'scope: is required',
      fields: [{ field: 'scope', messageId: 'msg_field_required' }],
    });
    const unknown = await postJson(url(), {
      client_id: tenant.clientId,
      redirect_uri: tenant.redirectUri,
      scope: 'openid',
      colour: 'red',
    });
    expect(unknown.body).toMatchObject({
      code: 'KW-40000',
      fields: [{ field: 'colour', messageId: 'msg_field_unknown' }],
    });
    const notAnObject = await postJson(url(), ['flowId']);
    expect(notAnObject).toMatchObject({
      status: 400,
      body: { code: 'KW-40000', fields: [{ field: 'body', messageId: 'msg_field_invalid' }] },
    });
  });

  it('ends the flow after five wrong codes; the right code then no longer works', async () => {
    const email = newEmail();
    const { response } = await start();
    const flowId = response.body.flowId as string;
    await submit(flowId, FORM_ID, { 'traits.email': email, password: 'yet another password' });
    const code = await codeFrom(email);
    const wrongCode = code === '999999' ? '999998' : '999999';
    for (let remaining = 4; remaining >= 1; remaining--) {
      expect((await submit(flowId, CODE_ID, { code: wrongCode })).body).toMatchObject({
        flowStatus: 'FAIL_INCOMPLETE',
        nextStep: { messages: [{ context: [{ value: String(remaining) }] }] },
      });
    }
    const dead = FlowFailedResponse.parse((await submit(flowId, CODE_ID, { code: wrongCode })).body);
    expect(dead.messages[0]?.messageId).toBe('msg_too_many_attempts');
    expect((await submit(flowId, CODE_ID, { code })).status).toBe(400);
  });

  it('validates custom schema fields per field and keeps the flow alive', async () => {
    const admin = adminApi(server);
    const schema = {
      type: 'object',
      required: ['email', 'age'],
      additionalProperties: false,
      properties: {
        email: {
          type: 'string',
          format: 'email',
          keyway: {
            credentials: { password: { identifier: true } },
            verification: { via: 'email' },
            display: { label: 'Email', order: 0 },
          },
        },
        age: { type: 'integer', minimum: 13, keyway: { display: { label: 'Age', order: 1 } } },
        plan: { type: 'string', enum: ['free', 'pro'], keyway: { display: { label: 'Plan', input: 'select' } } },
      },
    };
    expect((await admin.post(`/projects/${tenant.slug}/identity-schemas`, { schema, setDefault: true })).status).toBe(
      201,
    );
    try {
      const { response } = await start();
      expect(
        response.body.nextStep.authenticators[0].metadata.params.map(
          (p: { param: string; type: string }) => `${p.param}:${p.type}`,
        ),
      ).toEqual(['traits.email:STRING', 'traits.age:INTEGER', 'traits.plan:STRING', 'password:STRING']);
      const flowId = response.body.flowId as string;
      const bad = await submit(flowId, FORM_ID, {
        'traits.email': 'not-an-email',
        'traits.age': 'twelve',
        'traits.plan': 'gold',
        password: 'short',
      });
      const step = FlowStepResponse.parse(bad.body);
      expect(step.flowStatus).toBe('FAIL_INCOMPLETE');
      expect(step.nextStep.authenticators[0]?.authenticatorId).toBe(FORM_ID);
      const byField = Object.fromEntries(
        (step.nextStep.messages ?? []).map((m) => [m.context?.find((c) => c.key === 'field')?.value, m.messageId]),
      );
      expect(byField).toEqual({
        'traits.email': 'msg_trait_format',
        'traits.age': 'msg_trait_type',
        'traits.plan': 'msg_trait_enum',
        password: 'msg_password_too_short',
      });
      for (const message of step.nextStep.messages ?? []) expect(message.i18nKey).toBe(`message.${message.messageId}`);

      const missing = FlowStepResponse.parse(
        (await submit(flowId, FORM_ID, { 'traits.email': newEmail(), password: 'long enough pw' })).body,
      );
      expect(missing.nextStep.messages?.map((m) => [m.messageId, m.context?.[0]?.value])).toEqual([
        ['msg_trait_required', 'traits.age'],
      ]);

      // The same flow still registers once the fields are right.
      const email = newEmail();
      const ok = await submit(flowId, FORM_ID, {
        'traits.email': email,
        'traits.age': '30',
        'traits.plan': 'pro',
        password: 'long enough pw',
      });
      expect(ok.body.flowStatus).toBe('INCOMPLETE');
      const done = await submit(flowId, CODE_ID, { code: await codeFrom(email) });
      expect(done.body.flowStatus).toBe('SUCCESS_COMPLETED');
    } finally {
      expect(
        (
          await putJson(
            `${server.baseUrl}/api/admin/v1/projects/${tenant.slug}/identity-schemas/default`,
            { version: 1 },
            { authorization: `Bearer ${server.adminToken}` },
          )
        ).status,
      ).toBe(200);
    }
  });

  it('registers at once when the schema has no address to prove, and refuses a taken identifier on screen', async () => {
    const admin = adminApi(server);
    const schema = {
      type: 'object',
      required: ['username'],
      additionalProperties: false,
      properties: {
        username: {
          type: 'string',
          minLength: 3,
          keyway: { credentials: { password: { identifier: true } }, display: { label: 'Username', order: 0 } },
        },
      },
    };
    expect((await admin.post(`/projects/${tenant.slug}/identity-schemas`, { schema, setDefault: true })).status).toBe(
      201,
    );
    try {
      const username = `user-${randomBytes(4).toString('hex')}`;
      const first = (await start()).response.body.flowId as string;
      const registered = await submit(first, FORM_ID, { 'traits.username': username, password: 'long enough pw' });
      // One step: the identity is created with it and the flow ends with an authorization code.
      expect(registered.body.flowStatus).toBe('SUCCESS_COMPLETED');
      expect(registered.body.authData.code).toEqual(expect.any(String));

      const second = (await start()).response.body.flowId as string;
      const taken = FlowStepResponse.parse(
        (await submit(second, FORM_ID, { 'traits.username': username.toUpperCase(), password: 'long enough pw' })).body,
      );
      expect(taken.flowStatus).toBe('FAIL_INCOMPLETE');
      expect(taken.nextStep.messages?.map((m) => m.messageId)).toEqual(['msg_identifier_taken']);
      expect(taken.nextStep.authenticators[0]?.authenticatorId).toBe(FORM_ID);
      // Nothing of the refused answer was written: the same flow registers another name.
      const other = await submit(second, FORM_ID, { 'traits.username': `${username}-2`, password: 'long enough pw' });
      expect(other.body.flowStatus).toBe('SUCCESS_COMPLETED');
    } finally {
      expect(
        (
          await putJson(
            `${server.baseUrl}/api/admin/v1/projects/${tenant.slug}/identity-schemas/default`,
            { version: 1 },
            { authorization: `Bearer ${server.adminToken}` },
          )
        ).status,
      ).toBe(200);
    }
  });

  it('signs the app in at once (a session: the token response) when started with only a client_id', async () => {
    const email = newEmail();
    const started = await postJson(url(), { client_id: tenant.clientId, scope: 'openid email' });
    const step = FlowStepResponse.parse(started.body);
    expect(step.nextStep.authenticators[0]!.authenticatorId).toBe(FORM_ID);
    await submit(step.flowId, FORM_ID, {
      'traits.email': email,
      'traits.name': 'Session User',
      password: 'correct horse battery',
    });
    const done = await submit(step.flowId, CODE_ID, { code: await codeFrom(email) });

    const { session } = RegistrationSessionResponse.parse(done.body);
    expect(done.body).toMatchObject({ flowId: step.flowId, flowStatus: 'SUCCESS_COMPLETED', flowType: 'REGISTRATION' });
    expect(session).toMatchObject({
      token_type: 'Bearer',
      scope: 'openid email',
      id_token: expect.any(String),
      refresh_token: expect.any(String),
    });
    const userinfo = await fetch(`${tenant.issuer}/oauth2/userinfo`, {
      headers: { authorization: `Bearer ${session.access_token}` },
    });
    expect(await userinfo.json()).toMatchObject({ email, email_verified: true });
    // The refresh token is an ordinary one of the client: it rotates at the token endpoint.
    const refreshed = await postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'refresh_token',
      refresh_token: session.refresh_token!,
      client_id: tenant.clientId,
    });
    expect(refreshed).toMatchObject({
      status: 200,
      body: { access_token: expect.any(String), refresh_token: expect.any(String) },
    });
  });

  it('refuses a session start with a code_challenge, an unknown client or an unknown scope', async () => {
    const withPkce = await postJson(url(), { client_id: tenant.clientId, code_challenge: pkcePair().challenge });
    expect(withPkce.status).toBe(400);
    expect((await postJson(url(), { client_id: 'no-such-client' })).status).toBe(400);
    const badScope = await postJson(url(), { client_id: tenant.clientId, scope: 'openid launch-missiles' });
    expect(badScope).toMatchObject({ status: 400, body: { description: expect.stringContaining('launch-missiles') } });
  });

  it('refuses a registration flow at the login endpoint', async () => {
    const { response } = await start();
    const login = await postJson(`${tenant.issuer}/oauth2/authn`, {
      flowId: response.body.flowId,
      selectedAuthenticator: { authenticatorId: FORM_ID, params: { x: 'y' } },
    });
    expect(login.status).toBe(400);
  });
});
