import { randomBytes } from 'node:crypto';
import { adminApi, del, putJson } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';
import { eventually, SmtpSink } from '@keyway/e2e-support';

// Email end to end: the built API sends through a real SMTP server in this process, read back with
// mailparser. Retry timing is shortened by env; assertions are about outcomes, not wall-clock.

describe('email: templates, SMTP settings and the durable outbox', () => {
  let server: KeywayServer;
  let admin: ReturnType<typeof adminApi>;
  const credentials = { user: 'mailer', pass: `pw-${randomBytes(8).toString('hex')}` };
  const sink = new SmtpSink(credentials);
  const slug = `mail-${randomBytes(4).toString('hex')}`;
  const projectName = 'Acme <b>&</b> Co';
  const auth = () => ({ authorization: `Bearer ${server.adminToken}` });
  const url = (path: string) => `${server.baseUrl}/api/admin/v1/projects/${slug}/email${path}`;
  const outbox = async (status?: string) =>
    (await admin.get(`/projects/${slug}/email/outbox${status ? `?status=${status}` : ''}`)).body as any[];
  const sendTest = async (to: string) => {
    const response = await admin.post(`/projects/${slug}/email/test`, { to });
    expect(response.status).toBe(202);
    return response.body.id as string;
  };

  beforeAll(async () => {
    await sink.start();
    server = await startKeyway({
      env: {
        KEYWAY_EMAIL_RETRY_BASE_MS: '100',
        KEYWAY_EMAIL_RETRY_MAX_MS: '800',
        KEYWAY_EMAIL_POLL_MS: '100',
        KEYWAY_EMAIL_MAX_ATTEMPTS: '1000',
      },
    });
    admin = adminApi(server);
    expect((await admin.post('/projects', { slug, name: projectName })).status).toBe(201);
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await sink.stop();
  });

  it('stores SMTP settings with the password sealed and never returned', async () => {
    expect((await admin.get(`/projects/${slug}/email/smtp`)).status).toBe(404);
    const settings = {
      host: '127.0.0.1',
      port: sink.port,
      tlsMode: 'none',
      username: credentials.user,
      password: credentials.pass,
      fromName: 'Acme Accounts',
      fromAddress: 'accounts@acme.example',
    };
    const put = await putJson(url('/smtp'), settings, auth());
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      host: '127.0.0.1',
      port: sink.port,
      tlsMode: 'none',
      username: 'mailer',
      passwordSet: true,
      fromName: 'Acme Accounts',
      fromAddress: 'accounts@acme.example',
      updatedAt: expect.any(String),
    });
    expect(JSON.stringify(put.body)).not.toContain(credentials.pass);
    // Without `password` the stored one is kept.
    const { password: _omitted, ...withoutPassword } = settings;
    void _omitted;
    const again = await putJson(url('/smtp'), withoutPassword, auth());
    expect(again.body.passwordSet).toBe(true);
    expect((await admin.get(`/projects/${slug}/email/smtp`)).body).toMatchObject({
      passwordSet: true,
      port: sink.port,
    });
    expect(JSON.stringify(server.output())).not.toContain(credentials.pass);

    for (const bad of [
      { ...settings, tlsMode: 'ssl' },
      { ...settings, port: 0 },
      { ...settings, fromAddress: 'nope' },
      { ...settings, fromName: 'a\r\nBcc: x@y' },
    ]) {
      expect((await putJson(url('/smtp'), bad, auth())).status).toBe(400);
    }
  });

  it('sends a test email through the outbox: subject, from, text and escaped HTML', async () => {
    const id = await sendTest('alice@example.com');
    await eventually(async () => expect(sink.count(id)).toBe(1));
    const mail = sink.messages.find((m) => m.messageId === `<${id}@outbox.keyway>`)!;
    expect(mail.subject).toBe(`Test email from ${projectName}`);
    expect(mail.from?.value).toEqual([{ name: 'Acme Accounts', address: 'accounts@acme.example' }]);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined).toBe('alice@example.com');
    expect(mail.text).toContain(`this test email from ${projectName} went through the outbox`);
    expect(mail.html).toContain('Acme &lt;b&gt;&amp;&lt;&#x2F;b&gt; Co');
    expect(mail.html).not.toContain('<b>&</b>');
    await eventually(async () =>
      expect((await outbox('sent')).find((m) => m.id === id)).toMatchObject({
        status: 'sent',
        attempts: 1,
        lastError: null,
        to: 'alice@example.com',
        kind: 'test',
      }),
    );
    const listed = (await outbox())[0];
    expect(listed).not.toHaveProperty('html');
    expect(listed).not.toHaveProperty('text');
    expect(listed).not.toHaveProperty('subject');
    expect((await admin.get(`/projects/${slug}/email/outbox?status=bogus`)).status).toBe(400);
  });

  it('keeps messages pending while SMTP refuses connections, then delivers each exactly once', async () => {
    await sink.stop();
    const ids = [await sendTest('b1@example.com'), await sendTest('b2@example.com'), await sendTest('b3@example.com')];
    await eventually(async () => {
      const pending = (await outbox('pending')).filter((m) => ids.includes(m.id));
      expect(pending).toHaveLength(3);
      for (const message of pending) {
        expect(message.attempts).toBeGreaterThanOrEqual(2);
        expect(message.lastError).toMatch(/ECONNREFUSED/);
      }
    });

    await sink.start();
    await eventually(async () => expect((await outbox('sent')).filter((m) => ids.includes(m.id))).toHaveLength(3));
    // Give a would-be duplicate time to show up (several poll intervals) before counting.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(ids.map((id) => sink.count(id))).toEqual([1, 1, 1]);
  });

  it('keeps pending messages across an API restart and delivers them afterwards', async () => {
    await sink.stop();
    const ids = [await sendTest('c1@example.com'), await sendTest('c2@example.com')];
    await eventually(async () =>
      expect((await outbox('pending')).filter((m) => ids.includes(m.id) && m.attempts >= 1)).toHaveLength(2),
    );

    await server.restart();
    // Still there, not sent (the new worker may be holding one for an attempt at this moment).
    const afterRestart = (await outbox()).filter((m) => ids.includes(m.id));
    expect(afterRestart).toHaveLength(2);
    for (const message of afterRestart) expect(['pending', 'sending']).toContain(message.status);

    await sink.start();
    await eventually(async () => expect((await outbox('sent')).filter((m) => ids.includes(m.id))).toHaveLength(2));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(ids.map((id) => sink.count(id))).toEqual([1, 1]);
  }, 90_000);

  it('lists, reads, validates, stores and reverts templates per kind and locale', async () => {
    const list = await admin.get(`/projects/${slug}/email/templates`);
    expect(list.status).toBe(200);
    expect(list.body.map((k: { kind: string }) => k.kind)).toEqual([
      'verification_code',
      'verification_link',
      'recovery_code',
      'login_otp',
      'welcome',
      'registration_attempt',
      'password_changed',
      'new_sign_in',
      'member_invitation',
    ]);
    expect(list.body[0]).toEqual({
      kind: 'verification_code',
      variables: expect.arrayContaining(['code', 'projectName']),
      shippedLocales: ['en', 'de'],
      customLocales: [],
    });

    // Shipped German for de-CH (its language); a language Keyway does not ship falls back to English.
    const shipped = await admin.get(`/projects/${slug}/email/templates/login_otp/de-CH`);
    expect(shipped.body).toMatchObject({
      kind: 'login_otp',
      locale: 'de-CH',
      resolvedLocale: 'de',
      source: 'default',
      subject: 'Ihr Anmeldecode für {{projectName}}',
    });
    const french = await admin.get(`/projects/${slug}/email/templates/login_otp/fr-CH`);
    expect(french.body).toMatchObject({
      kind: 'login_otp',
      locale: 'fr-CH',
      resolvedLocale: 'en',
      source: 'default',
      subject: 'Your {{projectName}} sign-in code',
    });

    const invalid = await putJson(
      url('/templates/login_otp/de'),
      { subject: 'Code {{code}}', html: '<p>{{password}}</p>', text: '{{#code}}x' },
      auth(),
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.description).toMatch(/html: unknown variable 'password'/);
    expect(invalid.body.description).toMatch(/text: Unclosed section/);
    expect((await putJson(url('/templates/nope/de'), { subject: 'x', html: 'x', text: 'x' }, auth())).status).toBe(404);
    expect(
      (await putJson(url('/templates/login_otp/not_a_locale!'), { subject: 'x', html: 'x', text: 'x' }, auth())).status,
    ).toBe(400);

    const german = {
      subject: 'Ihr Anmeldecode für {{projectName}}',
      html: '<p>Code: <strong>{{code}}</strong></p>',
      text: 'Code: {{code}}',
    };
    const saved = await putJson(url('/templates/login_otp/DE'), german, auth());
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ locale: 'de', resolvedLocale: 'de', source: 'custom', ...german });
    expect((await admin.get(`/projects/${slug}/email/templates/login_otp/de-CH`)).body).toMatchObject({
      resolvedLocale: 'de',
      source: 'custom',
    });
    expect(
      (await admin.get(`/projects/${slug}/email/templates`)).body.find((k: { kind: string }) => k.kind === 'login_otp')
        .customLocales,
    ).toEqual(['de']);

    expect((await del(url('/templates/login_otp/de'), auth())).status).toBe(204);
    expect((await admin.get(`/projects/${slug}/email/templates/login_otp/de-CH`)).body).toMatchObject({
      source: 'default',
      resolvedLocale: 'de',
    });
  });

  it('removes SMTP settings (the project falls back to the instance default)', async () => {
    expect((await del(url('/smtp'), auth())).status).toBe(204);
    expect((await admin.get(`/projects/${slug}/email/smtp`)).status).toBe(404);
    // Without an instance default either, a message waits with the reason visible.
    const id = await sendTest('d@example.com');
    await eventually(async () =>
      expect((await outbox('pending')).find((m) => m.id === id)?.lastError).toMatch(/No SMTP server/),
    );
  });
});
