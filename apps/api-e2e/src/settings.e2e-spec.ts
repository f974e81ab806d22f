import { randomBytes } from 'node:crypto';
import { generate } from 'otplib';
import {
  decodeAuthenticatorId,
  FlowStepResponse,
  SelfServiceCompletedResponse,
  type AuthenticatorOption,
} from '@keyway/flow-types';
import {
  decodeJson,
  encodeJson,
  SoftwareAuthenticator,
  type CreationOptions,
  type RequestOptions,
} from '@keyway/webauthn-testing';
import {
  adminApi,
  createTenant,
  del,
  get,
  patchJson,
  postForm,
  postJson,
  putJson,
  startFlow,
  submitPassword,
  type Tenant,
} from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';
import { eventually, SmtpSink } from '@keyway/e2e-support';

// Self-service settings end to end: the built API, tokens from a real password login, mail read from a
// real SMTP server, passkeys made by the software authenticator, the privileged window with real time.

const id = (name: string) => Buffer.from(`${name}:LOCAL`).toString('base64url');
const IDS = {
  passwordReauth: id('PasswordReauthentication'),
  passkeyReauth: id('PasskeyReauthentication'),
  updateProfile: id('UpdateProfile'),
  changePassword: id('ChangePassword'),
  enrollTotp: id('EnrollTotp'),
  removeTotp: id('RemoveTotp'),
  addPasskey: id('AddPasskey'),
  removePasskey: id('RemovePasskey'),
  backupCodes: id('RegenerateBackupCodes'),
  finish: id('FinishSettings'),
  verificationCode: id('EmailCodeVerification'),
};

interface Tokens {
  access_token: string;
  refresh_token: string;
}

const names = (body: any): string[] =>
  (body.nextStep.authenticators as AuthenticatorOption[]).map(
    (option) => decodeAuthenticatorId(option.authenticatorId)?.name ?? '?',
  );
const optionOf = (body: any, authenticatorId: string): AuthenticatorOption => {
  const found = (body.nextStep.authenticators as AuthenticatorOption[]).find(
    (option) => option.authenticatorId === authenticatorId,
  );
  if (!found) throw new Error(`option ${authenticatorId} not offered: ${JSON.stringify(body)}`);
  return found;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('self-service settings (native JSON)', () => {
  let server: KeywayServer;
  let origin: string;
  const sink = new SmtpSink();

  const mailTo = (address: string, subject?: RegExp) =>
    sink.messages.filter(
      (m) =>
        (m.to && !Array.isArray(m.to) ? m.to.value[0]?.address : undefined) === address &&
        (!subject || subject.test(m.subject ?? '')),
    );
  const codeFrom = async (address: string): Promise<string> => {
    const mail = await eventually(async () => {
      const [found] = mailTo(address).filter((m) => /\b\d{6}\b/.test(m.text ?? ''));
      expect(found).toBeDefined();
      return found!;
    });
    return /\b(\d{6})\b/.exec(mail.text ?? '')![1]!;
  };
  const newTenant = async (settings?: Record<string, unknown>) => {
    const tenant = await createTenant(server, settings);
    const smtp = { host: '127.0.0.1', port: sink.port, tlsMode: 'none', fromAddress: 'accounts@acme.example' };
    expect(
      (
        await putJson(`${server.baseUrl}/api/admin/v1/projects/${tenant.slug}/email/smtp`, smtp, {
          authorization: `Bearer ${server.adminToken}`,
        })
      ).status,
    ).toBe(200);
    return tenant;
  };
  const newUser = async (tenant: Tenant) => {
    const email = `other-${randomBytes(4).toString('hex')}@example.com`;
    const password = `pw-${randomBytes(9).toString('base64url')}`;
    const created = await adminApi(server).post(`/projects/${tenant.slug}/identities`, {
      traits: { email, name: 'Other' },
      password,
    });
    expect(created.status).toBe(201);
    return { email, password, id: created.body.id as string };
  };
  /** A password login through /oauth2/authn, exchanged for tokens (with a refresh token): one new session. */
  const login = async (tenant: Tenant, email: string, password: string): Promise<Tokens> => {
    const { response, verifier } = await startFlow(tenant, { scope: 'openid profile email offline_access' });
    const done = await submitPassword(tenant, response.body.flowId, email, password);
    expect(done.body.flowStatus).toBe('SUCCESS_COMPLETED');
    const tokens = await postForm(`${tenant.issuer}/oauth2/token`, {
      client_id: tenant.clientId,
      grant_type: 'authorization_code',
      code: done.body.authData.code,
      redirect_uri: tenant.redirectUri,
      code_verifier: verifier,
    });
    expect(tokens.status).toBe(200);
    return tokens.body;
  };
  const bearer = (tokens: Tokens) => ({ authorization: `Bearer ${tokens.access_token}` });
  const start = (tenant: Tenant, tokens: Tokens) => postJson(`${tenant.issuer}/flows/settings`, {}, bearer(tokens));
  const act = (
    tenant: Tenant,
    tokens: Tokens,
    flowId: string,
    authenticatorId: string,
    params?: Record<string, string>,
  ) =>
    postJson(
      `${tenant.issuer}/flows/settings`,
      { flowId, selectedAuthenticator: { authenticatorId, ...(params ? { params } : {}) } },
      bearer(tokens),
    );

  beforeAll(async () => {
    await sink.start();
    server = await startKeyway({ env: { KEYWAY_EMAIL_POLL_MS: '100' } });
    origin = new URL(server.baseUrl).origin;
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await sink.stop();
  });

  it('needs an access token, and binds the flow to the identity and session that started it', async () => {
    const tenant = await newTenant();
    const anonymous = await postJson(`${tenant.issuer}/flows/settings`, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ code: 'KW-40100' });
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);

    const mine = await login(tenant, tenant.email, tenant.password);
    const sameUserElsewhere = await login(tenant, tenant.email, tenant.password);
    const other = await newUser(tenant);
    const theirs = await login(tenant, other.email, other.password);
    const started = await start(tenant, mine);
    expect(started.status).toBe(200);
    const flowId: string = started.body.flowId;

    const unknown = await act(tenant, mine, '00000000-0000-4000-8000-000000000000', IDS.finish);
    for (const token of [theirs, sameUserElsewhere]) {
      const refused = await act(tenant, token, flowId, IDS.finish);
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({ ...unknown.body, traceId: expect.any(String) });
    }
    expect(unknown.body.code).toBe('FLW-60001');
    expect(
      (
        await postJson(`${tenant.issuer}/flows/settings`, {
          flowId,
          selectedAuthenticator: { authenticatorId: IDS.finish },
        })
      ).status,
    ).toBe(401);
    expect((await act(tenant, mine, flowId, id('BasicAuthenticator'))).body.code).toBe('FLW-60002');
    expect((await postJson(`${tenant.issuer}/flows/settings`, { flowId }, bearer(mine))).status).toBe(400);
    // The owner's session still answers it.
    expect((await act(tenant, mine, flowId, IDS.finish)).body).toEqual({
      flowId,
      flowStatus: 'SUCCESS_COMPLETED',
      flowType: 'SETTINGS',
    });
  });

  it('updates the profile, changes the password, manages TOTP, backup codes and passkeys, then finishes', async () => {
    const tenant = await newTenant();
    const other = await newUser(tenant);
    const before = await login(tenant, tenant.email, tenant.password);
    const tokens = await login(tenant, tenant.email, tenant.password);

    const started = await start(tenant, tokens);
    const step = FlowStepResponse.parse(started.body);
    expect(step).toMatchObject({
      flowStatus: 'INCOMPLETE',
      flowType: 'SETTINGS',
      nextStep: { stepType: 'MULTI_OPTIONS_PROMPT' },
      links: [{ name: 'settings', href: `${tenant.issuer}/flows/settings`, method: 'POST' }],
    });
    expect(names(started.body)).toEqual([
      'UpdateProfile',
      'ChangePassword',
      'EnrollTotp',
      'AddPasskey',
      'RegenerateBackupCodes',
      'FinishSettings',
    ]);
    expect(optionOf(started.body, IDS.updateProfile).metadata).toMatchObject({
      params: [{ param: 'traits.email' }, { param: 'traits.name' }],
      additionalData: { 'traits.email': tenant.email, 'traits.name': 'Test User' },
    });
    const flowId = step.flowId;

    // Profile: per-field errors as registration gives them, and a taken address that does not say whose it is.
    const bad = await act(tenant, tokens, flowId, IDS.updateProfile, {
      'traits.email': 'not-an-email',
      'traits.nickname': 'x',
    });
    expect(bad.body.flowStatus).toBe('FAIL_INCOMPLETE');
    expect(bad.body.nextStep.messages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'ERROR',
          messageId: 'msg_trait_unknown',
          context: [{ key: 'field', value: 'traits.nickname' }],
        }),
        expect.objectContaining({
          type: 'ERROR',
          messageId: 'msg_trait_format',
          context: [{ key: 'field', value: 'traits.email' }],
        }),
      ]),
    );
    const taken = await act(tenant, tokens, flowId, IDS.updateProfile, { 'traits.email': other.email.toUpperCase() });
    expect(taken.body.nextStep.messages).toEqual([
      {
        type: 'ERROR',
        messageId: 'msg_identifier_taken',
        message: expect.any(String),
        i18nKey: 'message.msg_identifier_taken',
        context: [{ key: 'field', value: 'traits.email' }],
      },
    ]);
    expect(JSON.stringify(taken.body)).not.toContain(other.id);

    const newEmail = `moved-${randomBytes(4).toString('hex')}@example.com`;
    const updated = await act(tenant, tokens, flowId, IDS.updateProfile, {
      'traits.email': newEmail,
      'traits.name': 'New Name',
    });
    expect(updated.body).toMatchObject({ flowStatus: 'INCOMPLETE', nextStep: { stepType: 'MULTI_OPTIONS_PROMPT' } });
    const [profileMessage, codeMessage] = updated.body.nextStep.messages;
    expect(profileMessage).toMatchObject({
      type: 'INFO',
      messageId: 'msg_profile_updated',
      context: [{ key: 'fields', value: 'traits.email,traits.name' }],
    });
    expect(codeMessage).toMatchObject({
      type: 'INFO',
      messageId: 'msg_verification_code_sent',
      context: [
        { key: 'field', value: 'traits.email' },
        { key: 'verificationFlowId', value: expect.any(String) },
      ],
    });
    expect(optionOf(updated.body, IDS.updateProfile).metadata.additionalData).toEqual({
      'traits.email': newEmail,
      'traits.name': 'New Name',
    });
    const identityAfter = await adminApi(server).get(`/projects/${tenant.slug}/identities/${tenant.identityId}`);
    expect(identityAfter.body.verifiableAddresses).toEqual([
      expect.objectContaining({ via: 'email', value: newEmail, verified: false }),
    ]);
    // The new address is verified with the code mailed to it, at the verification flow the message names.
    const verified = await postJson(`${tenant.issuer}/flows/verification`, {
      flowId: codeMessage.context[1].value,
      selectedAuthenticator: { authenticatorId: IDS.verificationCode, params: { code: await codeFrom(newEmail) } },
    });
    expect(SelfServiceCompletedResponse.parse(verified.body)).toMatchObject({
      flowStatus: 'SUCCESS_COMPLETED',
      flowType: 'VERIFICATION',
    });
    expect(
      (await adminApi(server).get(`/projects/${tenant.slug}/identities/${tenant.identityId}`)).body.verifiableAddresses,
    ).toEqual([expect.objectContaining({ value: newEmail, verified: true })]);
    // Login identifiers followed the traits.
    const oldIdentifier = await submitPassword(
      tenant,
      (await startFlow(tenant)).response.body.flowId,
      tenant.email,
      tenant.password,
    );
    expect(oldIdentifier.body.flowStatus).toBe('FAIL_INCOMPLETE');

    // Password: the policy, then every other session ends (this one goes on) and a notice is mailed.
    const weak = await act(tenant, tokens, flowId, IDS.changePassword, { password: 'short' });
    expect(weak.body).toMatchObject({
      flowStatus: 'FAIL_INCOMPLETE',
      nextStep: { messages: [{ messageId: 'msg_password_too_short', context: [{ key: 'field', value: 'password' }] }] },
    });
    const changed = await act(tenant, tokens, flowId, IDS.changePassword, { password: 'a brand new password' });
    expect(changed.body).toMatchObject({
      flowStatus: 'INCOMPLETE',
      nextStep: { messages: [{ type: 'INFO', messageId: 'msg_password_changed' }] },
    });
    expect(
      (
        await postForm(`${tenant.issuer}/oauth2/token`, {
          client_id: tenant.clientId,
          grant_type: 'refresh_token',
          refresh_token: before.refresh_token,
        })
      ).body.error,
    ).toBe('invalid_grant');
    expect((await get(`${tenant.issuer}/oauth2/userinfo`, bearer(before))).status).toBe(401);
    expect((await get(`${tenant.issuer}/oauth2/userinfo`, bearer(tokens))).body).toMatchObject({
      sub: tenant.identityId,
      email: newEmail,
    });
    const refreshed = await postForm(`${tenant.issuer}/oauth2/token`, {
      client_id: tenant.clientId,
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    const notice = await eventually(async () => {
      const [mail] = mailTo(newEmail, /password/i);
      expect(mail).toBeDefined();
      return mail!;
    });
    expect(notice.subject).toMatch(/password/i);
    await login(tenant, newEmail, 'a brand new password');

    // TOTP: the secret shown on selection, a wrong code refused, the right one enrolls; then removal.
    const enroll = await act(tenant, tokens, flowId, IDS.enrollTotp);
    expect(enroll.body.nextStep.stepType).toBe('AUTHENTICATOR_PROMPT');
    const prompt = optionOf(enroll.body, IDS.enrollTotp);
    expect(prompt).toMatchObject({
      metadata: { promptType: 'USER_PROMPT', params: [{ param: 'token' }], additionalData: { enrollment: 'true' } },
      requiredParams: ['token'],
    });
    const secret = prompt.metadata.additionalData!['secret']!;
    expect(new URL(prompt.metadata.additionalData!['otpauthUri']!).searchParams.get('secret')).toBe(secret);
    expect(
      optionOf((await act(tenant, tokens, flowId, IDS.enrollTotp)).body, IDS.enrollTotp).metadata.additionalData![
        'secret'
      ],
    ).toBe(secret);
    const now = Math.floor(Date.now() / 1000);
    const valid = await Promise.all([-60, -30, 0, 30, 60].map((offset) => generate({ secret, epoch: now + offset })));
    const wrongCode = ['000000', '111111', '222222', '333333', '444444', '555555'].find(
      (code) => !valid.includes(code),
    )!;
    const wrong = await act(tenant, tokens, flowId, IDS.enrollTotp, { token: wrongCode });
    expect(wrong.body).toMatchObject({
      flowStatus: 'FAIL_INCOMPLETE',
      nextStep: { stepType: 'AUTHENTICATOR_PROMPT', messages: [{ messageId: 'msg_invalid_totp' }] },
    });
    const enrolled = await act(tenant, tokens, flowId, IDS.enrollTotp, { token: await generate({ secret }) });
    expect(enrolled.body.nextStep.messages).toEqual([
      expect.objectContaining({ type: 'INFO', messageId: 'msg_totp_enrolled' }),
    ]);
    expect(names(enrolled.body)).toContain('RemoveTotp');
    expect(names(enrolled.body)).not.toContain('EnrollTotp');
    expect((await act(tenant, tokens, flowId, IDS.enrollTotp)).body.code).toBe('FLW-60002');
    const removedTotp = await act(tenant, tokens, flowId, IDS.removeTotp);
    expect(removedTotp.body.nextStep.messages).toEqual([expect.objectContaining({ messageId: 'msg_totp_removed' })]);
    expect(names(removedTotp.body)).toContain('EnrollTotp');

    // Backup codes: shown once, in the answer that made them.
    const codes = await act(tenant, tokens, flowId, IDS.backupCodes);
    expect(codes.body.nextStep.messages).toEqual([
      expect.objectContaining({ messageId: 'msg_backup_codes_generated', context: [{ key: 'count', value: '10' }] }),
    ]);
    expect(optionOf(codes.body, IDS.backupCodes).metadata.additionalData!['codes']!.split(',')).toHaveLength(10);
    expect((await get(`${tenant.issuer}/me/backup-codes`, bearer(tokens))).body.remaining).toBe(10);

    // Passkeys: creation options in challengeData, the authenticator's answer in tokenResponse.
    const authenticator = new SoftwareAuthenticator({ origin });
    const adding = await act(tenant, tokens, flowId, IDS.addPasskey);
    expect(adding.body.nextStep.stepType).toBe('AUTHENTICATOR_PROMPT');
    const addPrompt = optionOf(adding.body, IDS.addPasskey);
    expect(addPrompt).toMatchObject({ metadata: { promptType: 'INTERNAL_PROMPT' }, requiredParams: ['tokenResponse'] });
    const { requestId, publicKeyCredentialCreationOptions } = decodeJson<{
      requestId: string;
      publicKeyCredentialCreationOptions: CreationOptions;
    }>(addPrompt.metadata.additionalData!['challengeData']!);
    const credential = authenticator.create(publicKeyCredentialCreationOptions);
    const mismatched = await act(tenant, tokens, flowId, IDS.addPasskey, {
      tokenResponse: encodeJson({ requestId: 'other', credential }),
    });
    expect(mismatched.body.nextStep.messages).toEqual([
      expect.objectContaining({ messageId: 'msg_passkey_registration_failed' }),
    ]);
    const added = await act(tenant, tokens, flowId, IDS.addPasskey, {
      tokenResponse: encodeJson({ requestId, credential }),
      name: 'Laptop',
    });
    expect(added.body.nextStep.messages).toEqual([
      expect.objectContaining({ type: 'INFO', messageId: 'msg_passkey_added' }),
    ]);
    expect(optionOf(added.body, IDS.backupCodes).metadata.additionalData).toEqual({ remaining: '10' });
    expect(JSON.parse(optionOf(added.body, IDS.removePasskey).metadata.additionalData!['passkeys']!)).toEqual([
      { id: credential.id, name: 'Laptop', createdAt: expect.any(String), lastUsedAt: null },
    ]);
    expect((await get(`${tenant.issuer}/me/passkeys`, bearer(tokens))).body).toEqual([
      expect.objectContaining({ id: credential.id, name: 'Laptop' }),
    ]);
    const notMine = await act(tenant, tokens, flowId, IDS.removePasskey, { credentialId: 'AAAA' });
    expect(notMine.body).toMatchObject({
      flowStatus: 'FAIL_INCOMPLETE',
      nextStep: { messages: [{ messageId: 'msg_passkey_not_found' }] },
    });
    const removedPasskey = await act(tenant, tokens, flowId, IDS.removePasskey, { credentialId: credential.id });
    expect(removedPasskey.body.nextStep.messages).toEqual([
      expect.objectContaining({ messageId: 'msg_passkey_removed' }),
    ]);
    expect(names(removedPasskey.body)).not.toContain('RemovePasskey');
    expect((await get(`${tenant.issuer}/me/passkeys`, bearer(tokens))).body).toEqual([]);

    const done = await act(tenant, tokens, flowId, IDS.finish);
    expect(SelfServiceCompletedResponse.parse(done.body)).toEqual({
      flowId,
      flowStatus: 'SUCCESS_COMPLETED',
      flowType: 'SETTINGS',
    });
    expect((await act(tenant, tokens, flowId, IDS.backupCodes)).status).toBe(400);
  });

  it('writes its mails in the language the app asked for with ui_locales', async () => {
    const tenant = await newTenant();
    const tokens = await login(tenant, tenant.email, tenant.password);
    const started = await postJson(`${tenant.issuer}/flows/settings`, { ui_locales: 'de-AT en' }, bearer(tokens));
    const flowId = FlowStepResponse.parse(started.body).flowId;
    expect(
      (await act(tenant, tokens, flowId, IDS.changePassword, { password: 'ein ganz neues Passwort' })).body.flowStatus,
    ).toBe('INCOMPLETE');
    const notice = await eventually(async () => {
      const [mail] = mailTo(tenant.email, /Passwort/);
      expect(mail).toBeDefined();
      return mail!;
    });
    expect(notice.text).toContain('wurde am');
    expect(
      (await postJson(`${tenant.issuer}/flows/settings`, { ui_locales: 'x'.repeat(300) }, bearer(tokens))).status,
    ).toBe(400);
  });

  it('asks a session that signed in too long ago to re-authenticate, counted by the lockout like a login', async () => {
    const tenant = await newTenant({ privilegedSessionSeconds: 2, lockout: { maxAttempts: 3, durationSeconds: 600 } });
    const tokens = await login(tenant, tenant.email, tenant.password);
    await sleep(2100);

    // /me removals need the window too, and say where to re-authenticate.
    for (const refused of [
      await del(`${tenant.issuer}/me/totp`, bearer(tokens)),
      await del(`${tenant.issuer}/me/passkeys/AAAA`, bearer(tokens)),
      await postJson(`${tenant.issuer}/me/backup-codes`, {}, bearer(tokens)),
    ]) {
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({
        code: 'KW-40301',
        message: 'Re-authentication required.',
        description: expect.stringContaining('/flows/settings'),
        traceId: expect.any(String),
      });
    }

    const started = await start(tenant, tokens);
    expect(started.body).toMatchObject({
      flowStatus: 'INCOMPLETE',
      flowType: 'SETTINGS',
      nextStep: { stepType: 'AUTHENTICATOR_PROMPT' },
    });
    expect(names(started.body)).toEqual(['PasswordReauthentication']);
    expect(optionOf(started.body, IDS.passwordReauth)).toMatchObject({
      metadata: { promptType: 'USER_PROMPT', params: [{ param: 'password', confidential: true }] },
      requiredParams: ['password'],
    });
    const flowId: string = started.body.flowId;
    // A settings action first re-asks for the password and changes nothing.
    const early = await act(tenant, tokens, flowId, IDS.updateProfile, { 'traits.name': 'Sneaky' });
    expect(early.body).toMatchObject({
      flowStatus: 'INCOMPLETE',
      nextStep: { messages: [{ type: 'INFO', messageId: 'msg_reauthentication_required' }] },
    });
    expect(names(early.body)).toEqual(['PasswordReauthentication']);

    expect((await act(tenant, tokens, flowId, IDS.passwordReauth)).body.code).toBe('FLW-60003');
    const wrong = await act(tenant, tokens, flowId, IDS.passwordReauth, { password: 'not the password' });
    expect(wrong.body).toMatchObject({
      flowStatus: 'FAIL_INCOMPLETE',
      nextStep: {
        messages: [{ messageId: 'msg_invalid_password', context: [{ key: 'remainingAttempts', value: '2' }] }],
      },
    });
    // The same counter as the login's.
    const loginAttempt = await submitPassword(
      tenant,
      (await startFlow(tenant)).response.body.flowId,
      tenant.email,
      'also wrong',
    );
    expect(loginAttempt.body.nextStep.messages[0].context).toEqual([{ key: 'remainingAttempts', value: '1' }]);

    const reauthenticated = await act(tenant, tokens, flowId, IDS.passwordReauth, { password: tenant.password });
    expect(reauthenticated.body).toMatchObject({
      flowStatus: 'INCOMPLETE',
      nextStep: { stepType: 'MULTI_OPTIONS_PROMPT', messages: [{ type: 'INFO', messageId: 'msg_reauthenticated' }] },
    });
    expect(optionOf(reauthenticated.body, IDS.updateProfile).metadata.additionalData).toMatchObject({
      'traits.name': 'Test User',
    });
    // The Session row moved: /me opens as well, for the same access token.
    expect((await postJson(`${tenant.issuer}/me/backup-codes`, {}, bearer(tokens))).status).toBe(201);
    expect(
      (await act(tenant, tokens, flowId, IDS.updateProfile, { 'traits.name': 'Renamed' })).body.nextStep.messages[0]
        .messageId,
    ).toBe('msg_profile_updated');

    // The window lapses mid-flow: the next action asks again.
    await sleep(2100);
    const lapsed = await act(tenant, tokens, flowId, IDS.changePassword, { password: 'a brand new password' });
    expect(lapsed.body).toMatchObject({
      flowStatus: 'INCOMPLETE',
      nextStep: { messages: [{ messageId: 'msg_reauthentication_required' }] },
    });

    // Failures were reset by the success; three more lock the identity and end the flow.
    for (const remaining of ['2', '1']) {
      const again = await act(tenant, tokens, flowId, IDS.passwordReauth, { password: 'wrong again' });
      expect(again.body.nextStep.messages[0].context).toEqual([{ key: 'remainingAttempts', value: remaining }]);
    }
    const locked = await act(tenant, tokens, flowId, IDS.passwordReauth, { password: 'wrong again' });
    expect(locked.body).toEqual({
      flowId,
      flowStatus: 'FAIL_COMPLETED',
      flowType: 'SETTINGS',
      messages: [expect.objectContaining({ messageId: 'msg_account_locked' })],
    });
    expect((await act(tenant, tokens, flowId, IDS.passwordReauth, { password: tenant.password })).status).toBe(400);
    const lockedLogin = await submitPassword(
      tenant,
      (await startFlow(tenant)).response.body.flowId,
      tenant.email,
      tenant.password,
    );
    expect(lockedLogin.body.flowStatus).toBe('FAIL_COMPLETED');
  });

  it('answers a missing password or code with FLW-60003 before the lockout or the flow counts anything', async () => {
    const tenant = await newTenant({ privilegedSessionSeconds: 2, lockout: { maxAttempts: 3, durationSeconds: 600 } });
    const tokens = await login(tenant, tenant.email, tenant.password);
    const missing = (param: string) => ({
      code: 'FLW-60003',
      message: 'Invalid request.',
      description: `Missing required parameter(s) in selectedAuthenticator.params: ${param}.`,
      fields: [
        {
          field: `selectedAuthenticator.params.${param}`,
          messageId: 'msg_field_required',
          message: 'is required',
          i18nKey: 'message.msg_field_required',
        },
      ],
      traceId: expect.any(String),
    });
    const started = await start(tenant, tokens);
    const flowId: string = started.body.flowId;
    // In the window: an empty first code of a TOTP enrollment is no wrong code.
    expect((await act(tenant, tokens, flowId, IDS.enrollTotp)).body.flowStatus).toBe('INCOMPLETE');
    for (let i = 0; i < 3; i++)
      expect(await act(tenant, tokens, flowId, IDS.enrollTotp, { token: '' })).toMatchObject({
        status: 400,
        body: missing('token'),
      });

    // Out of it: an empty password costs no attempt (three would have locked the identity).
    await sleep(2100);
    for (const params of [undefined, {}, { password: '' }, { password: '' }, { password: '' }] as Array<
      Record<string, string> | undefined
    >) {
      expect(await act(tenant, tokens, flowId, IDS.passwordReauth, params)).toMatchObject({
        status: 400,
        body: missing('password'),
      });
    }
    const wrong = await act(tenant, tokens, flowId, IDS.passwordReauth, { password: 'not the password' });
    expect(wrong.body).toMatchObject({
      flowStatus: 'FAIL_INCOMPLETE',
      nextStep: {
        messages: [{ messageId: 'msg_invalid_password', context: [{ key: 'remainingAttempts', value: '2' }] }],
      },
    });
    expect((await act(tenant, tokens, flowId, IDS.passwordReauth, { password: tenant.password })).body).toMatchObject({
      flowStatus: 'INCOMPLETE',
      nextStep: { messages: [{ messageId: 'msg_reauthenticated' }] },
    });
  });

  it('answers a malformed body with 400 KW-40000 naming each bad field by its path', async () => {
    const tenant = await newTenant();
    const tokens = await login(tenant, tenant.email, tenant.password);
    const flowId: string = (await start(tenant, tokens)).body.flowId;
    const wrongType = await postJson(
      `${tenant.issuer}/flows/settings`,
      { flowId, selectedAuthenticator: { authenticatorId: IDS.updateProfile, params: { 'traits.name': null } } },
      bearer(tokens),
    );
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toMatchObject({
      code: 'KW-40000',
      description: expect.stringMatching(/^selectedAuthenticator\.params\.traits\.name: /),
      fields: [{ field: 'selectedAuthenticator.params.traits.name', messageId: 'msg_field_invalid' }],
    });
    const badStart = await postJson(`${tenant.issuer}/flows/settings`, { ui_locales: 5 }, bearer(tokens));
    expect(badStart.body).toMatchObject({
      code: 'KW-40000',
      fields: [{ field: 'ui_locales', messageId: 'msg_field_invalid' }],
    });
    const unknown = await postJson(`${tenant.issuer}/flows/settings`, { locale: 'de' }, bearer(tokens));
    expect(unknown.body).toMatchObject({
      code: 'KW-40000',
      fields: [{ field: 'locale', messageId: 'msg_field_unknown' }],
    });
  });

  it("re-authenticates with one of the identity's passkeys", async () => {
    const tenant = await newTenant({ privilegedSessionSeconds: 2 });
    const tokens = await login(tenant, tenant.email, tenant.password);
    const authenticator = new SoftwareAuthenticator({ origin });
    const options = await postJson(`${tenant.issuer}/me/passkeys/registration-options`, {}, bearer(tokens));
    expect(
      (
        await postJson(
          `${tenant.issuer}/me/passkeys`,
          { credential: authenticator.create(options.body) },
          bearer(tokens),
        )
      ).status,
    ).toBe(201);
    await sleep(2100);

    const started = await start(tenant, tokens);
    expect(started.body.nextStep.stepType).toBe('MULTI_OPTIONS_PROMPT');
    expect(names(started.body)).toEqual(['PasswordReauthentication', 'PasskeyReauthentication']);
    expect(optionOf(started.body, IDS.passkeyReauth)).toEqual({
      authenticatorId: IDS.passkeyReauth,
      authenticator: 'Passkey',
      idp: 'LOCAL',
      metadata: { i18nKey: 'action.passkey.reauthentication' },
    });
    const flowId: string = started.body.flowId;

    const challenge = await act(tenant, tokens, flowId, IDS.passkeyReauth);
    const prompt = optionOf(challenge.body, IDS.passkeyReauth);
    expect(prompt).toMatchObject({ metadata: { promptType: 'INTERNAL_PROMPT' }, requiredParams: ['tokenResponse'] });
    const { requestId, publicKeyCredentialRequestOptions } = decodeJson<{
      requestId: string;
      publicKeyCredentialRequestOptions: RequestOptions;
    }>(prompt.metadata.additionalData!['challengeData']!);
    const stranger = new SoftwareAuthenticator({ origin });
    stranger.create({ challenge: 'AAAA', rp: { name: 'x' }, user: { id: 'AAAA', name: 'x', displayName: 'x' } });
    const refused = await act(tenant, tokens, flowId, IDS.passkeyReauth, {
      tokenResponse: encodeJson({
        requestId,
        credential: stranger.get({ ...publicKeyCredentialRequestOptions, allowCredentials: [] }),
      }),
    });
    expect(refused.body).toMatchObject({
      flowStatus: 'FAIL_INCOMPLETE',
      nextStep: { messages: [{ messageId: 'msg_invalid_passkey' }] },
    });
    const answered = await act(tenant, tokens, flowId, IDS.passkeyReauth, {
      tokenResponse: encodeJson({ requestId, credential: authenticator.get(publicKeyCredentialRequestOptions) }),
    });
    expect(answered.body).toMatchObject({
      flowStatus: 'INCOMPLETE',
      nextStep: { stepType: 'MULTI_OPTIONS_PROMPT', messages: [{ messageId: 'msg_reauthenticated' }] },
    });
    expect(names(answered.body)).toContain('RemovePasskey');
  });

  it('asks for a recent sign-in before /me adds a passkey or an authenticator app, as before it removes one; listing needs none', async () => {
    const reauthenticationRequired = {
      code: 'KW-40301',
      message: 'Re-authentication required.',
      description: expect.stringContaining('/flows/settings'),
      traceId: expect.any(String),
    };
    const addFactors = async (tenant: Tenant, tokens: Tokens) => {
      const options = await postJson(`${tenant.issuer}/me/passkeys/registration-options`, {}, bearer(tokens));
      expect(options.status).toBe(200);
      expect(
        (
          await postJson(
            `${tenant.issuer}/me/passkeys`,
            { credential: new SoftwareAuthenticator({ origin }).create(options.body) },
            bearer(tokens),
          )
        ).status,
      ).toBe(201);
      const totp = await postJson(`${tenant.issuer}/me/totp`, {}, bearer(tokens));
      expect(totp.status).toBe(201);
      expect(
        (
          await postJson(
            `${tenant.issuer}/me/totp/verify`,
            { token: await generate({ secret: totp.body.secret }) },
            bearer(tokens),
          )
        ).status,
      ).toBe(200);
    };

    // A fresh sign-in adds factors at /me directly.
    const open = await newTenant();
    await addFactors(open, await login(open, open.email, open.password));

    // Three seconds rather than two: the additions after re-authentication below must fit in the window.
    const tenant = await newTenant({ privilegedSessionSeconds: 3 });
    const tokens = await login(tenant, tenant.email, tenant.password);
    await sleep(3100);
    // A well-formed passkey (for no options of ours): the refusal must come before its body is looked at.
    const stray = new SoftwareAuthenticator({ origin }).create({
      challenge: 'AAAA',
      rp: { name: 'x' },
      user: { id: 'AAAA', name: 'x', displayName: 'x' },
    });
    const additions = [
      await postJson(`${tenant.issuer}/me/passkeys/registration-options`, {}, bearer(tokens)),
      await postJson(`${tenant.issuer}/me/passkeys`, { credential: stray }, bearer(tokens)),
      await postJson(`${tenant.issuer}/me/totp`, {}, bearer(tokens)),
      await postJson(`${tenant.issuer}/me/totp/verify`, { token: '123456' }, bearer(tokens)),
    ];
    for (const refused of additions) {
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual(reauthenticationRequired);
    }
    // Reading stays open to any valid access token; a bad one is still 401 invalid_token, not 403.
    expect(await get(`${tenant.issuer}/me/passkeys`, bearer(tokens))).toMatchObject({ status: 200, body: [] });
    expect((await get(`${tenant.issuer}/me/backup-codes`, bearer(tokens))).status).toBe(200);
    const forged = await postJson(
      `${tenant.issuer}/me/totp`,
      {},
      { authorization: `Bearer ${tokens.access_token.slice(0, -4)}AAAA` },
    );
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);

    // Re-authenticating in the settings flow opens the window for the same access token.
    const started = await start(tenant, tokens);
    expect(names(started.body)).toEqual(['PasswordReauthentication']);
    const reauthenticated = await act(tenant, tokens, started.body.flowId, IDS.passwordReauth, {
      password: tenant.password,
    });
    expect(reauthenticated.body.nextStep.messages[0].messageId).toBe('msg_reauthenticated');
    await addFactors(tenant, tokens);
    expect(await get(`${tenant.issuer}/me/passkeys`, bearer(tokens))).toMatchObject({
      status: 200,
      body: [expect.objectContaining({ id: expect.any(String) })],
    });
  });

  it('keeps the privileged-window setting within its bounds', async () => {
    const tenant = await newTenant();
    expect((await adminApi(server).get(`/projects/${tenant.slug}`)).body.settings.privilegedSessionSeconds).toBe(900);
    const tooLong = await patchJson(
      `${server.baseUrl}/api/admin/v1/projects/${tenant.slug}`,
      { settings: { privilegedSessionSeconds: 86_401 } },
      { authorization: `Bearer ${server.adminToken}` },
    );
    expect(tooLong.status).toBe(400);
  });
});
