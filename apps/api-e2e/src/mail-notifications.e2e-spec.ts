import { randomBytes } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { FlowSuccessResponse } from '@keyway/flow-types';
import {
  adminApi,
  BASIC_AUTHENTICATOR_ID,
  createTenant,
  pkcePair,
  postJson,
  putJson,
  startFlow,
  type Tenant,
} from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';
import { eventually, SmtpSink } from '@keyway/e2e-support';

// The mails that follow what users do, end to end through a real SMTP server: the locale each is written in
// (identity `locale` trait, then ui_locales, then the project default), the welcome mail after registration
// and the new-sign-in alert for a device the identity never signed in from.

const FORM_ID = Buffer.from('PasswordRegistration:LOCAL').toString('base64url');
const REGISTRATION_CODE_ID = Buffer.from('EmailCodeVerification:LOCAL').toString('base64url');
const RECOVERY_EMAIL_ID = Buffer.from('EmailRecovery:LOCAL').toString('base64url');
const RECOVERY_CODE_ID = Buffer.from('EmailCodeRecovery:LOCAL').toString('base64url');
const PASSWORD_RESET_ID = Buffer.from('PasswordReset:LOCAL').toString('base64url');

const PHONE =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';
const LAPTOP = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const LAPTOP_UPDATED = 'Mozilla/5.0 (X11; Linux x86_64; rv:129.0) Gecko/20100101 Firefox/129.0';

describe('mail notifications: locale, welcome and new sign-in', () => {
  let server: KeywayServer;
  const sink = new SmtpSink();

  const mailTo = (address: string): ParsedMail[] =>
    sink.messages.filter(
      (m) => (m.to && !Array.isArray(m.to) ? m.to.value[0]?.address : undefined) === address.toLowerCase(),
    );
  const nthMail = (address: string, n: number) =>
    eventually(async () => {
      const found = mailTo(address);
      expect(found.length).toBeGreaterThanOrEqual(n);
      return found[n - 1]!;
    });
  const codeIn = (mail: ParsedMail): string => /\b(\d{6})\b/.exec(mail.text ?? '')![1]!;
  /** The kinds the outbox holds for an address, oldest first: written in the transaction of what caused them. */
  const outboxKinds = async (tenant: Tenant, address: string): Promise<string[]> => {
    const listed = await adminApi(server).get(`/projects/${tenant.slug}/email/outbox`);
    return (listed.body as { kind: string; to: string }[])
      .filter((m) => m.to === address.toLowerCase())
      .map((m) => m.kind)
      .reverse();
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
  const selfServiceStart = (tenant: Tenant, flow: 'registration' | 'recovery', extra: Record<string, string> = {}) =>
    postJson(`${tenant.issuer}/flows/${flow}`, {
      client_id: tenant.clientId,
      redirect_uri: tenant.redirectUri,
      scope: 'openid email',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
      ...extra,
    });
  const answer = (
    tenant: Tenant,
    flow: 'registration' | 'recovery',
    flowId: string,
    authenticatorId: string,
    params: Record<string, string>,
    headers: Record<string, string> = {},
  ) =>
    postJson(`${tenant.issuer}/flows/${flow}`, { flowId, selectedAuthenticator: { authenticatorId, params } }, headers);
  /** Registers through the self-service flow; the request answering the code (which completes the login) comes from `userAgent`. */
  const register = async (tenant: Tenant, email: string, userAgent: string, uiLocales?: string) => {
    const started = await selfServiceStart(tenant, 'registration', uiLocales ? { ui_locales: uiLocales } : {});
    expect(started.status).toBe(200);
    const flowId = started.body.flowId as string;
    expect(
      (
        await answer(tenant, 'registration', flowId, FORM_ID, {
          'traits.email': email,
          'traits.name': 'Greta',
          password: 'correct horse battery',
        })
      ).status,
    ).toBe(200);
    const verification = await nthMail(email, 1);
    const done = await answer(
      tenant,
      'registration',
      flowId,
      REGISTRATION_CODE_ID,
      { code: codeIn(verification) },
      { 'user-agent': userAgent },
    );
    FlowSuccessResponse.parse(done.body);
    return verification;
  };
  /** A password login whose completing request (/oauth2/authn) carries these headers. */
  const login = async (tenant: Tenant, email: string, password: string, headers: Record<string, string>) => {
    const { response } = await startFlow(tenant);
    const done = await postJson(
      `${tenant.issuer}/oauth2/authn`,
      {
        flowId: response.body.flowId,
        selectedAuthenticator: { authenticatorId: BASIC_AUTHENTICATOR_ID, params: { username: email, password } },
      },
      headers,
    );
    FlowSuccessResponse.parse(done.body);
  };
  const newEmail = () => `greta-${randomBytes(4).toString('hex')}@example.com`;

  beforeAll(async () => {
    await sink.start();
    // The test client plays the reverse proxy: its X-Forwarded-For is the sign-in's address (trusted from loopback only).
    server = await startKeyway({ env: { KEYWAY_EMAIL_POLL_MS: '100', KEYWAY_TRUST_PROXY: 'loopback' } });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await sink.stop();
  });

  it('writes a registration started with ui_locales in German (skipping a language without templates), welcomes in German, and sends no alert for the first sign-in', async () => {
    const tenant = await newTenant();
    const email = newEmail();
    const verification = await register(tenant, email, PHONE, 'fr de en');
    expect(verification.subject).toBe(`Bestätigen Sie Ihre E-Mail-Adresse für Test ${tenant.slug}`);
    expect(verification.html).toContain('<html lang="de">');
    expect(verification.text).toContain('Hallo Greta,');

    const welcome = await nthMail(email, 2);
    expect(welcome.subject).toBe(`Willkommen bei Test ${tenant.slug}`);
    expect(welcome.text).toContain(`Ihr Konto für ${email} ist eingerichtet.`);
    // The registration's session is the identity's first: nothing to compare its device with, no alert.
    expect(await outboxKinds(tenant, email)).toEqual(['verification_code', 'welcome']);

    // The device registered from is known from then on: a login from it is no news either.
    await login(tenant, email, 'correct horse battery', { 'user-agent': PHONE });
    expect(await outboxKinds(tenant, email)).toEqual(['verification_code', 'welcome']);
  });

  it('mails new_sign_in for a device the identity never signed in from, with the device and IP address, once', async () => {
    const tenant = await newTenant();
    // First sign-in ever (the identity was created by an admin): no alert.
    await login(tenant, tenant.email, tenant.password, { 'user-agent': PHONE });
    expect(await outboxKinds(tenant, tenant.email)).toEqual([]);

    await login(tenant, tenant.email, tenant.password, { 'user-agent': LAPTOP, 'x-forwarded-for': '203.0.113.9' });
    const alert = await nthMail(tenant.email, 1);
    expect(alert.subject).toBe(`New sign-in to your Test ${tenant.slug} account`);
    expect(alert.text).toContain('Hi Test User,');
    expect(alert.text).toMatch(
      new RegExp(
        `Your account ${tenant.email} was signed in to on \\w+ \\d{1,2}, \\d{4} at \\d{1,2}:\\d{2} [AP]M UTC from ${LAPTOP.replace(/[()/.;]/g, '\\$&')} \\(203\\.0\\.113\\.9\\)\\.`,
      ),
    );
    expect(alert.html).toContain('203.0.113.9');

    // The same laptop again, after a browser update and from another network: the same device.
    await login(tenant, tenant.email, tenant.password, {
      'user-agent': LAPTOP_UPDATED,
      'x-forwarded-for': '198.51.100.4',
    });
    await login(tenant, tenant.email, tenant.password, { 'user-agent': PHONE });
    expect(await outboxKinds(tenant, tenant.email)).toEqual(['new_sign_in']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(mailTo(tenant.email)).toHaveLength(1);
  });

  it('sends neither welcome nor new_sign_in when the project turns them off', async () => {
    const tenant = await newTenant({ emails: { welcome: false, newSignIn: false } });
    const email = newEmail();
    await register(tenant, email, PHONE);
    await login(tenant, email, 'correct horse battery', { 'user-agent': LAPTOP });
    await login(tenant, tenant.email, tenant.password, { 'user-agent': PHONE });
    await login(tenant, tenant.email, tenant.password, { 'user-agent': LAPTOP });
    expect(await outboxKinds(tenant, email)).toEqual(['verification_code']);
    expect(await outboxKinds(tenant, tenant.email)).toEqual([]);

    // Turned back on (settings merge field by field), the next new device is reported.
    const patched = await adminApi(server).patch(`/projects/${tenant.slug}`, {
      settings: { emails: { newSignIn: true } },
    });
    expect(patched.body.settings.emails).toEqual({ welcome: false, newSignIn: true });
    await login(tenant, tenant.email, tenant.password, { 'user-agent': 'KeywayTestClient/1.0 (tablet)' });
    expect(await outboxKinds(tenant, tenant.email)).toEqual(['new_sign_in']);
  });

  it('writes a recovery started with ui_locales=de-CH in German (falling back to de), dates included', async () => {
    const tenant = await newTenant();
    const started = await selfServiceStart(tenant, 'recovery', { ui_locales: 'de-CH' });
    const flowId = started.body.flowId as string;
    await answer(tenant, 'recovery', flowId, RECOVERY_EMAIL_ID, { email: tenant.email });
    const code = await nthMail(tenant.email, 1);
    expect(code.subject).toBe(`Ihr Konto bei Test ${tenant.slug} wiederherstellen`);
    expect(code.html).toContain('<html lang="de">');
    expect(code.text).toMatch(/Der Code ist \d+ Minuten lang gültig./);
    await answer(tenant, 'recovery', flowId, RECOVERY_CODE_ID, { code: codeIn(code) });
    FlowSuccessResponse.parse(
      (await answer(tenant, 'recovery', flowId, PASSWORD_RESET_ID, { password: 'a brand new password' })).body,
    );
    const changed = await nthMail(tenant.email, 2);
    expect(changed.subject).toBe(`Ihr Passwort für Test ${tenant.slug} wurde geändert`);
    expect(changed.text).toMatch(/wurde am \d{1,2}\. \p{L}+ \d{4} um \d{2}:\d{2} UTC geändert\./u);
  });

  it("prefers the identity's locale trait to ui_locales, and uses the project default when nothing else has templates", async () => {
    const tenant = await newTenant({ defaultLocale: 'de' });
    const admin = adminApi(server);
    const schema = {
      type: 'object',
      properties: {
        email: {
          type: 'string',
          format: 'email',
          keyway: {
            credentials: { password: { identifier: true } },
            verification: { via: 'email' },
            recovery: { via: 'email' },
          },
        },
        locale: { type: 'string', maxLength: 35 },
      },
      required: ['email'],
      additionalProperties: false,
    };
    expect((await admin.post(`/projects/${tenant.slug}/identity-schemas`, { schema, setDefault: true })).status).toBe(
      201,
    );
    const german = newEmail();
    const english = newEmail();
    expect(
      (
        await admin.post(`/projects/${tenant.slug}/identities`, {
          traits: { email: german, locale: 'de-AT' },
          password: 'correct horse battery',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await admin.post(`/projects/${tenant.slug}/identities`, {
          traits: { email: english, locale: 'en-GB' },
          password: 'correct horse battery',
        })
      ).status,
    ).toBe(201);
    const verify = (email: string, uiLocales: string) =>
      postJson(`${tenant.issuer}/flows/verification`, { client_id: tenant.clientId, email, ui_locales: uiLocales });

    expect((await verify(german, 'en')).status).toBe(200);
    expect((await nthMail(german, 1)).subject).toMatch(/^Bestätigen Sie Ihre E-Mail-Adresse/);
    expect((await verify(english, 'de')).status).toBe(200);
    expect((await nthMail(english, 1)).subject).toMatch(/^Verify your email address/);
    // The admin-made user has no locale trait; Japanese has no template, so the project default (de) applies.
    expect((await verify(tenant.email, 'ja')).status).toBe(200);
    expect((await nthMail(tenant.email, 1)).subject).toMatch(/^Bestätigen Sie Ihre E-Mail-Adresse/);

    expect((await admin.patch(`/projects/${tenant.slug}`, { settings: { defaultLocale: 'not a tag' } })).status).toBe(
      400,
    );
    expect(
      (
        await postJson(`${tenant.issuer}/flows/verification`, {
          client_id: tenant.clientId,
          email: german,
          ui_locales: 'x'.repeat(300),
        })
      ).status,
    ).toBe(400);
  });
});
