import { randomBytes } from 'node:crypto';
import { FlowSuccessResponse } from '@keyway/flow-types';
import {
  adminApi,
  createTenant,
  del,
  postForm,
  postJson,
  putJson,
  startFlow,
  submitPassword,
  submitTotp,
  type JsonResponse,
  type Tenant,
} from './support/http';
import { Browser } from './support/hosted-pages';
import { startKeyway, type KeywayServer } from './support/keyway-server';
import { eventually, SmtpSink } from '@keyway/e2e-support';

// The help desk's side of the admin API end to end, with the root token (console users and API keys with the
// helpdesk role come with the access API): a user locked out at /oauth2/authn is found by email, unlocked with
// a reason and signs in again; the timeline shows the lock, the unlock and who did it and why; disable, factor
// removal, recovery mailed to the user (completed on the hosted page it links to), verification codes, session
// revocation, and the project's audit log with its filters.

const VERIFICATION_CODE_ID = Buffer.from('EmailCodeVerification:LOCAL').toString('base64url');
const TIMELINE_TYPES = (body: { items: Array<{ type: string }> }) => body.items.map((event) => event.type);

describe('admin API: help desk', () => {
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

  const auth = () => ({ authorization: `Bearer ${server.adminToken}` });
  const base = (tenant: Tenant) => `${server.baseUrl}/api/admin/v1/projects/${tenant.slug}`;
  const action = (tenant: Tenant, id: string, name: string, body: Record<string, unknown>) =>
    admin.post(`/projects/${tenant.slug}/identities/${id}/actions/${name}`, body);
  const deleteJson = async (url: string, body: unknown): Promise<JsonResponse> => {
    const response = await fetch(url, {
      method: 'DELETE',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  /** A project with an app-native client, one user, and the SMTP sink as its mail server. */
  const newTenant = async (settings?: Record<string, unknown>) => {
    const tenant = await createTenant(server, settings);
    const smtp = { host: '127.0.0.1', port: sink.port, tlsMode: 'none', fromAddress: 'help@acme.example' };
    expect((await putJson(`${base(tenant)}/email/smtp`, smtp, auth())).status).toBe(200);
    return tenant;
  };
  const mailTo = (address: string, subject: RegExp) =>
    eventually(async () => {
      const found = sink.messages.filter(
        (m) =>
          (m.to && !Array.isArray(m.to) ? m.to.value[0]?.address : undefined) === address &&
          subject.test(m.subject ?? ''),
      );
      expect(found.length).toBeGreaterThan(0);
      return found[found.length - 1]!;
    });
  /** The user signs in with a password at /oauth2/authn; the last answer. */
  const signIn = async (tenant: Tenant, password = tenant.password) => {
    const { response } = await startFlow(tenant);
    return submitPassword(tenant, response.body.flowId, tenant.email, password);
  };
  /** A signed-in user's tokens, refresh token included. */
  const tokensOf = async (tenant: Tenant) => {
    const { response, verifier } = await startFlow(tenant, { scope: 'openid email offline_access' });
    const done = await submitPassword(tenant, response.body.flowId, tenant.email, tenant.password);
    const { authData } = FlowSuccessResponse.parse(done.body);
    const tokens = await postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'authorization_code',
      client_id: tenant.clientId,
      code: authData.code,
      redirect_uri: tenant.redirectUri,
      code_verifier: verifier,
    });
    expect(tokens.status).toBe(200);
    return tokens.body as { refresh_token: string; access_token: string };
  };
  const refresh = (tenant: Tenant, refreshToken: string) =>
    postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'refresh_token',
      client_id: tenant.clientId,
      refresh_token: refreshToken,
    });

  it('a user locked out by wrong passwords is found by email, unlocked with a reason, and signs in; the timeline says who and why', async () => {
    const tenant = await newTenant();
    // Five wrong passwords (the default maxAttempts) lock the identity; the flow ends.
    const { response } = await startFlow(tenant);
    let last: JsonResponse | undefined;
    for (let i = 0; i < 5; i++)
      last = await submitPassword(tenant, response.body.flowId, tenant.email, 'wrong password!');
    expect(last?.body).toMatchObject({ flowStatus: 'FAIL_COMPLETED' });
    expect((await signIn(tenant)).body).toMatchObject({
      flowStatus: 'FAIL_COMPLETED',
      messages: [{ messageId: 'msg_account_locked' }],
    });

    // Found by the address they give on the phone, in another case and with a space.
    const found = await admin.get(
      `/projects/${tenant.slug}/identities?q=${encodeURIComponent(` ${tenant.email.toUpperCase()}`)}`,
    );
    expect(found.status).toBe(200);
    expect(found.body).toEqual({
      items: [expect.objectContaining({ id: tenant.identityId, lockedUntil: expect.any(String), state: 'active' })],
      nextCursor: null,
    });
    const detail = await admin.get(`/projects/${tenant.slug}/identities/${tenant.identityId}`);
    expect(detail.body).toMatchObject({
      lockedUntil: expect.any(String),
      credentials: [{ type: 'password', hashAlgorithm: 'argon2id', createdAt: expect.any(String) }],
      verifiableAddresses: [{ via: 'email', value: tenant.email, verified: false }],
    });
    expect(JSON.stringify(detail.body)).not.toMatch(/\$argon2|secret/i);

    const unlocked = await action(tenant, tenant.identityId, 'unlock', {
      reason: 'Caller verified by phone, ticket #4711',
    });
    expect(unlocked.status).toBe(200);
    expect(unlocked.body).toMatchObject({
      outcome: 'done',
      identity: { lockedUntil: null },
      lockedUntil: expect.any(String),
    });
    expect((await signIn(tenant)).body).toMatchObject({ flowStatus: 'SUCCESS_COMPLETED' });

    const timeline = await admin.get(`/projects/${tenant.slug}/identities/${tenant.identityId}/timeline`);
    expect(timeline.status).toBe(200);
    expect(TIMELINE_TYPES(timeline.body)).toEqual([
      'login.succeeded',
      'admin.identity.unlock',
      'identity.locked',
      'identity.created',
    ]);
    const [, unlock, lock] = timeline.body.items;
    expect(unlock).toMatchObject({
      actor: { kind: 'root', id: 'root', name: expect.stringContaining('root') },
      target: { type: 'identity', id: tenant.identityId },
      data: { role: 'root', reason: 'Caller verified by phone, ticket #4711', outcome: 'done' },
    });
    expect(lock).toMatchObject({ actor: null, data: { factor: 'password', lockCount: 1 } });
    // One event a page: the cursor walks the same list.
    const first = await admin.get(`/projects/${tenant.slug}/identities/${tenant.identityId}/timeline?limit=1`);
    const second = await admin.get(
      `/projects/${tenant.slug}/identities/${tenant.identityId}/timeline?limit=1&cursor=${first.body.nextCursor}`,
    );
    expect([first.body.items[0].id, second.body.items[0].id]).toEqual([timeline.body.items[0].id, unlock.id]);

    // Nothing to lift any more: a recorded no-op.
    expect((await action(tenant, tenant.identityId, 'unlock', { reason: 'double click' })).body.outcome).toBe('no-op');
  });

  it('refuses an action without a reason, naming the field, before doing anything', async () => {
    const tenant = await newTenant();
    for (const body of [{}, { reason: '  ' }, { reason: 'x'.repeat(501) }]) {
      const refused = await action(tenant, tenant.identityId, 'disable', body);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'KW-40000', fields: [expect.objectContaining({ field: 'reason' })] });
    }
    const unknownField = await action(tenant, tenant.identityId, 'unlock', { reason: 'ticket 1', force: true });
    expect(unknownField.body.fields).toEqual([
      expect.objectContaining({ field: 'force', messageId: 'msg_field_unknown' }),
    ]);
    expect((await deleteJson(`${base(tenant)}/identities/${tenant.identityId}`, {})).body.fields[0].field).toBe(
      'reason',
    );
    expect((await admin.get(`/projects/${tenant.slug}/identities/${tenant.identityId}`)).body.state).toBe('active');
    // Unknown identities are 404 (ids or not), unauthenticated callers 401.
    expect(
      (await action(tenant, '00000000-0000-4000-8000-000000000000', 'unlock', { reason: 'ticket 1' })).status,
    ).toBe(404);
    expect((await action(tenant, 'nope', 'unlock', { reason: 'ticket 1' })).status).toBe(404);
    expect(
      (await postJson(`${base(tenant)}/identities/${tenant.identityId}/actions/unlock`, { reason: 'ticket 1' })).status,
    ).toBe(401);
    // Bad list parameters name themselves.
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['state=locked', 'state'],
      ['cursor=xyz', 'cursor'],
      ['sort=asc', 'sort'],
    ] as const) {
      const bad = await admin.get(`/projects/${tenant.slug}/identities?${query}`);
      expect(bad.status).toBe(400);
      expect(bad.body.fields[0].field).toBe(field);
    }
  });

  it('disable refuses sign-in and ends sessions and refresh tokens; enable lets the user back in', async () => {
    const tenant = await newTenant();
    const tokens = await tokensOf(tenant);
    const sessions = await admin.get(`/projects/${tenant.slug}/identities/${tenant.identityId}/sessions`);
    expect(sessions.body).toEqual([
      expect.objectContaining({
        amr: ['pwd'],
        revoked: false,
        active: true,
        device: expect.objectContaining({ ip: expect.any(String) }),
      }),
    ]);

    const disabled = await action(tenant, tenant.identityId, 'disable', {
      reason: 'Account reported stolen, ticket 12',
    });
    expect(disabled.body).toMatchObject({ outcome: 'done', sessionsRevoked: 1, identity: { state: 'disabled' } });
    expect((await refresh(tenant, tokens.refresh_token)).body.error).toBe('invalid_grant');
    expect((await signIn(tenant)).body).toMatchObject({
      flowStatus: 'FAIL_COMPLETED',
      messages: [{ messageId: 'msg_account_unavailable' }],
    });
    const after = await admin.get(`/projects/${tenant.slug}/identities/${tenant.identityId}/sessions`);
    expect(after.body).toEqual([expect.objectContaining({ revoked: true, active: false })]);
    expect(
      (await admin.get(`/projects/${tenant.slug}/identities?state=disabled`)).body.items.map(
        (i: { id: string }) => i.id,
      ),
    ).toEqual([tenant.identityId]);

    expect(
      (await action(tenant, tenant.identityId, 'enable', { reason: 'Owner confirmed, ticket 12' })).body.outcome,
    ).toBe('done');
    expect((await signIn(tenant)).body.flowStatus).toBe('SUCCESS_COMPLETED');
  });

  it('revokes one session (and its refresh token) or all of them', async () => {
    const tenant = await newTenant();
    const first = await tokensOf(tenant);
    const second = await tokensOf(tenant);
    const [newest] = (await admin.get(`/projects/${tenant.slug}/identities/${tenant.identityId}/sessions`)).body;
    const revoked = await deleteJson(`${base(tenant)}/identities/${tenant.identityId}/sessions/${newest.id}`, {
      reason: 'Lost phone',
    });
    expect(revoked.body).toEqual({ outcome: 'done', sessionId: newest.id });
    expect((await refresh(tenant, second.refresh_token)).body.error).toBe('invalid_grant');
    const renewed = await refresh(tenant, first.refresh_token);
    expect(renewed.status).toBe(200);
    expect(
      (await deleteJson(`${base(tenant)}/identities/${tenant.identityId}/sessions/${newest.id}`, { reason: 'again' }))
        .body.outcome,
    ).toBe('no-op');
    const all = await action(tenant, tenant.identityId, 'revoke-sessions', { reason: 'Password leaked' });
    expect(all.body).toMatchObject({ outcome: 'done', sessionsRevoked: 1 });
    expect((await refresh(tenant, renewed.body.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('remove-totp: the login no longer finds a second factor (the flow says so)', async () => {
    const tenant = await newTenant();
    const twoStep = await admin.patch(`/projects/${tenant.slug}/applications/${tenant.clientId}`, {
      loginFlow: [['BasicAuthenticator'], ['totp']],
    });
    expect(twoStep.status).toBe(200);
    const email = `totp-${randomBytes(4).toString('hex')}@example.com`;
    const user = await admin.post(`/projects/${tenant.slug}/identities`, {
      traits: { email },
      credentials: { password: { value: tenant.password }, totp: { secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' } },
    });
    const person = { ...tenant, email, identityId: user.body.id as string };
    const before = await signIn(person);
    expect(before.body).toMatchObject({
      flowStatus: 'INCOMPLETE',
      nextStep: { authenticators: [{ authenticator: 'TOTP' }] },
    });

    const removed = await action(tenant, person.identityId, 'remove-totp', { reason: 'New phone, old one wiped' });
    expect(removed.body.outcome).toBe('done');
    const detail = await admin.get(`/projects/${tenant.slug}/identities/${person.identityId}`);
    expect(detail.body.credentials.map((c: { type: string }) => c.type)).toEqual(['password']);
    // The application still asks for a code after the password; the flow now says the user has no app set up.
    const after = await signIn(person);
    expect(after.body.flowStatus).toBe('INCOMPLETE');
    expect((await submitTotp(tenant, after.body.flowId, '123456')).body).toMatchObject({
      flowStatus: 'FAIL_COMPLETED',
      messages: [{ messageId: 'msg_totp_not_enrolled' }],
    });
    expect((await action(tenant, person.identityId, 'remove-totp', { reason: 'again' })).body.outcome).toBe('no-op');
    expect((await action(tenant, person.identityId, 'remove-backup-codes', { reason: 'none' })).body.outcome).toBe(
      'no-op',
    );
  });

  it('send-recovery mails a code the agent never sees; the user completes recovery on the page it links to', async () => {
    const tenant = await newTenant();
    const sent = await action(tenant, tenant.identityId, 'send-recovery', { reason: 'Forgot password, ticket 99' });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ outcome: 'done', sentTo: tenant.email, flowId: expect.any(String) });
    const mail = await mailTo(tenant.email, /recover/i);
    const code = /\b(\d{6})\b/.exec(mail.text ?? '')![1]!;
    expect(JSON.stringify(sent.body)).not.toContain(code);
    const link = /(http\S+\/ui\/recovery\?flow=\S+)/.exec(mail.text ?? '')![1]!;
    expect(link).toBe(`${tenant.issuer}/ui/recovery?flow=${sent.body.flowId}`);

    const browser = new Browser();
    const codePage = await browser.get(link);
    expect(codePage.status).toBe(200);
    expect(codePage.form().fields).toEqual(['code']);
    const passwordPage = await browser.submit(codePage, { code });
    expect(passwordPage.form().fields).toEqual(['password']);
    const done = await browser.submit(passwordPage, { password: 'a new password from the mail' });
    expect(done.status).toBe(200);
    expect(done.title).toBe('Your password was changed');
    expect((await signIn(tenant, 'a new password from the mail')).body.flowStatus).toBe('SUCCESS_COMPLETED');
    // The link works once.
    expect((await new Browser().get(link)).status).toBe(400);

    const [event] = (await admin.get(`/projects/${tenant.slug}/audit-events?type=admin.identity.send-recovery`)).body
      .items;
    expect(event).toMatchObject({
      identityId: tenant.identityId,
      data: { reason: 'Forgot password, ticket 99', sentTo: tenant.email },
    });
    expect(JSON.stringify(event)).not.toContain(code);
  });

  it('resend-verification mails a code for the identity’s flow; verify-address marks an address verified', async () => {
    const tenant = await newTenant();
    const sent = await action(tenant, tenant.identityId, 'resend-verification', {
      reason: 'Mail was in spam',
      address: tenant.email,
    });
    expect(sent.body).toMatchObject({ outcome: 'done', address: tenant.email, flowId: expect.any(String) });
    const mail = await mailTo(tenant.email, /verify/i);
    const code = /\b(\d{6})\b/.exec(mail.text ?? '')![1]!;
    const verified = await postJson(`${tenant.issuer}/flows/verification`, {
      flowId: sent.body.flowId,
      selectedAuthenticator: { authenticatorId: VERIFICATION_CODE_ID, params: { code } },
    });
    expect(verified.body).toMatchObject({ flowStatus: 'SUCCESS_COMPLETED', flowType: 'VERIFICATION' });
    const detail = await admin.get(`/projects/${tenant.slug}/identities/${tenant.identityId}`);
    expect(detail.body.verifiableAddresses).toEqual([expect.objectContaining({ value: tenant.email, verified: true })]);
    expect(
      (await action(tenant, tenant.identityId, 'resend-verification', { reason: 'again', address: tenant.email })).body,
    ).toMatchObject({
      outcome: 'no-op',
    });

    const other = await newTenant();
    const vouched = await action(other, other.identityId, 'verify-address', {
      reason: 'Seen their ID',
      address: other.email,
    });
    expect(vouched.body).toMatchObject({ outcome: 'done', address: other.email });
    const notTheirs = await action(other, other.identityId, 'verify-address', {
      reason: 'typo',
      address: 'x@example.com',
    });
    expect(notTheirs.status).toBe(400);
    expect(notTheirs.body.fields[0].field).toBe('address');
  });

  it('edits traits (taken values → 409 naming the field) and deletes identities, both audited', async () => {
    const tenant = await newTenant();
    const other = await admin.post(`/projects/${tenant.slug}/identities`, {
      traits: { email: `other-${randomBytes(4).toString('hex')}@example.com` },
    });
    const taken = await admin.patch(`/projects/${tenant.slug}/identities/${tenant.identityId}`, {
      traits: { email: other.body.traits.email },
      reason: 'User asked for a new address',
    });
    expect(taken.status).toBe(409);
    expect(taken.body.fields).toEqual([
      expect.objectContaining({ field: 'traits.email', messageId: 'msg_identifier_taken' }),
    ]);
    const renamed = `renamed-${randomBytes(4).toString('hex')}@example.com`;
    const changed = await admin.patch(`/projects/${tenant.slug}/identities/${tenant.identityId}`, {
      traits: { email: renamed, name: 'Test User' },
      reason: 'User asked for a new address',
    });
    expect(changed.body).toMatchObject({ outcome: 'done', identity: { traits: { email: renamed } } });
    expect((await signIn({ ...tenant, email: renamed })).body.flowStatus).toBe('SUCCESS_COMPLETED');

    const gone = await deleteJson(`${base(tenant)}/identities/${other.body.id}`, { reason: 'Erasure request' });
    expect(gone.body).toEqual({ outcome: 'done', id: other.body.id });
    expect((await admin.get(`/projects/${tenant.slug}/identities/${other.body.id}`)).status).toBe(404);
    const events = await admin.get(`/projects/${tenant.slug}/audit-events?identity=${other.body.id}`);
    expect(TIMELINE_TYPES(events.body)).toEqual(['admin.identity.deleted', 'identity.created']);
  });

  it('audit-events: filters by actor, identity, type prefix and time, pages, and names bad filters', async () => {
    const tenant = await newTenant();
    await action(tenant, tenant.identityId, 'revoke-sessions', { reason: 'check one' });
    await action(tenant, tenant.identityId, 'unlock', { reason: 'check two' });
    const patched = await admin.patch(`/projects/${tenant.slug}`, { settings: { lockout: { maxAttempts: 7 } } });
    expect(patched.status).toBe(200);
    const list = (query: string) => admin.get(`/projects/${tenant.slug}/audit-events?${query}`);

    expect(TIMELINE_TYPES((await list('type=admin.identity.*')).body)).toEqual([
      'admin.identity.unlock',
      'admin.identity.revoke-sessions',
    ]);
    const [projectUpdate] = (await list('type=project.updated')).body.items;
    expect(projectUpdate).toMatchObject({
      actor: { kind: 'root' },
      data: { changes: { 'settings.lockout.maxAttempts': { before: 5, after: 7 } } },
    });
    expect((await list('actor=root&limit=100')).body.items.length).toBeGreaterThanOrEqual(4);
    expect((await list(`identity=${tenant.identityId}`)).body.items).toHaveLength(3);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await list(`from=${encodeURIComponent(future)}`)).body).toEqual({ items: [], nextCursor: null });
    const paged = await list('limit=2');
    expect(paged.body.items).toHaveLength(2);
    const next = await list(`limit=2&cursor=${paged.body.nextCursor}`);
    expect(next.body.items[0].id).not.toBe(paged.body.items[1].id);

    // SMTP changes are diffed with the password redacted.
    await putJson(
      `${base(tenant)}/email/smtp`,
      {
        host: '127.0.0.1',
        port: sink.port,
        tlsMode: 'none',
        fromAddress: 'help@acme.example',
        username: 'u',
        password: 'hunter22',
      },
      auth(),
    );
    const [smtp] = (await list('type=email.smtp_updated')).body.items;
    expect(smtp.data.changes).toMatchObject({
      password: { before: null, after: '[REDACTED]' },
      username: { before: null, after: 'u' },
    });
    expect(JSON.stringify(smtp)).not.toContain('hunter22');

    for (const [query, field] of [
      ['identity=nobody', 'identity'],
      ['from=yesterday', 'from'],
      ['from=2026-12-02&to=2026-12-01', 'to'],
      ['type=Not%20A%20Type', 'type'],
      ['limit=500', 'limit'],
      ['colour=red', 'colour'],
    ] as const) {
      const bad = await list(query);
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ code: 'KW-40000', fields: [expect.objectContaining({ field })] });
    }
    expect((await del(`${base(tenant)}/audit-events`, auth())).status).toBe(404);
  });
});
