import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { FlowSuccessResponse } from '@keyway/flow-types';
import {
  adminApi,
  createTenant,
  pkcePair,
  postJson,
  putJson,
  startFlow,
  submitPassword,
  type Tenant,
} from './support/http';
import { launchChromium } from './support/browser';
import { Browser, decode } from './support/hosted-pages';
import { startKeyway, type KeywayServer } from './support/keyway-server';
import { eventually, SmtpSink } from '@keyway/e2e-support';

// The hosted self-service pages end to end, as a browser uses them: real HTTP with a cookie jar, forms read
// out of the served HTML and posted back form-encoded, codes and links read out of mail received by a real
// SMTP server, the final redirect's code exchanged with openid-client (PKCE, state, RFC 9207 iss).

describe('hosted self-service pages', () => {
  let server: KeywayServer;
  let tenant: Tenant;
  /** A browser web app: not app-native, which the hosted pages do not need. */
  let web: { clientId: string; redirectUri: string };
  let client: oidc.Configuration;
  const sink = new SmtpSink();

  const mailTo = (address: string) =>
    sink.messages.filter((m) => (m.to && !Array.isArray(m.to) ? m.to.value[0]?.address : undefined) === address);
  const mailFor = (address: string, nth = 0) =>
    eventually(async () => {
      const mail = mailTo(address)[nth];
      expect(mail).toBeDefined();
      return mail!;
    });
  const codeFrom = async (address: string, nth = 0) => {
    const mail = await mailFor(address, nth);
    const code = /\b(\d{6})\b/.exec(mail.text ?? '')?.[1];
    if (!code) throw new Error(`no code in: ${mail.text}`);
    return code;
  };
  const newEmail = () => `hosted-${randomBytes(4).toString('hex')}@example.com`;
  const newUser = async () => {
    const email = newEmail();
    const password = `pw-${randomBytes(9).toString('base64url')}`;
    const created = await adminApi(server).post(`/projects/${tenant.slug}/identities`, {
      traits: { email, name: 'Hosted User' },
      password,
    });
    expect(created.status).toBe(201);
    return { email, password, id: created.body.id as string };
  };
  const registrationUrl = (params: Record<string, string>) =>
    `${tenant.issuer}/ui/registration?${new URLSearchParams(params)}`;
  const oauthParams = (challenge: string, extra: Record<string, string> = {}) => ({
    client_id: web.clientId,
    response_type: 'code',
    redirect_uri: web.redirectUri,
    scope: 'openid email profile',
    state: 'hosted-state',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });

  beforeAll(async () => {
    await sink.start();
    server = await startKeyway({ env: { KEYWAY_EMAIL_POLL_MS: '100' } });
    tenant = await createTenant(server);
    const smtp = { host: '127.0.0.1', port: sink.port, tlsMode: 'none', fromAddress: 'accounts@acme.example' };
    expect(
      (
        await putJson(`${server.baseUrl}/api/admin/v1/projects/${tenant.slug}/email/smtp`, smtp, {
          authorization: `Bearer ${server.adminToken}`,
        })
      ).status,
    ).toBe(200);
    const redirectUri = 'https://app.example/callback';
    const app = await adminApi(server).post(`/projects/${tenant.slug}/applications`, {
      name: 'Web app',
      type: 'public',
      redirectUris: [redirectUri],
      grantTypes: ['authorization_code', 'refresh_token'],
      appNative: false,
    });
    expect(app.status).toBe(201);
    web = { clientId: app.body.clientId, redirectUri };
    client = await oidc.discovery(new URL(tenant.issuer), web.clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await sink.stop();
  });

  it('registers through the pages: per-field errors, the mailed code, then a 303 to redirect_uri whose code openid-client exchanges', async () => {
    const browser = new Browser();
    const pkce = pkcePair();
    const first = await browser.get(registrationUrl(oauthParams(pkce.challenge)));
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(first.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; form-action 'self' https:\/\/app\.example; frame-ancestors 'none'; base-uri 'none'$/,
    );
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.headers.get('referrer-policy')).toBe('no-referrer');
    expect(first.headers.getSetCookie()[0]).toMatch(/^keyway-csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(first.title).toBe('Create your account');
    expect(first.html).toContain('<html lang="en">');
    const form = first.form();
    expect(form.fields).toEqual(['traits.email', 'traits.name', 'password']);
    expect(form.hidden).toMatchObject({ flowId: expect.any(String), csrf_token: browser.cookie('keyway-csrf') });
    expect(first.inputTag('password')).toContain('type="password"');

    // Invalid input: each problem beside its field, what was typed shown again (never the password).
    const invalid = await browser.submit(first, {
      'traits.email': 'not-an-email',
      'traits.name': 'Hosted <b>Reg</b>',
      password: 'short',
    });
    expect(invalid.status).toBe(200);
    expect(invalid.title).toBe('Create your account');
    expect(invalid.fieldError('traits.email')).toBeDefined();
    expect(invalid.fieldError('password')).toMatch(/at least/);
    expect(invalid.fieldError('traits.name')).toBeUndefined();
    expect(invalid.inputTag('traits.email')).toContain('aria-invalid="true"');
    expect(invalid.inputTag('traits.name')).toContain('value="Hosted &lt;b&gt;Reg&lt;&#x2F;b&gt;"');
    expect(invalid.html).not.toContain('short"');

    // The flow belongs to the pages: the JSON API does not answer it.
    const viaJson = await postJson(`${tenant.issuer}/flows/registration`, {
      flowId: form.hidden['flowId'],
      selectedAuthenticator: { authenticatorId: form.hidden['authenticatorId'], params: {} },
    });
    expect(viaJson.status).toBe(400);

    const email = newEmail();
    const codeStep = await browser.submit(invalid, {
      'traits.email': email,
      'traits.name': 'Hosted Reg',
      password: 'correct horse battery staple',
    });
    expect(codeStep.status).toBe(200);
    expect(codeStep.title).toBe('Check your email');
    expect(codeStep.notices()).toEqual([
      'If this address can be used, we sent a verification code to it. Enter it to finish.',
    ]);
    expect(codeStep.form().fields).toEqual(['code']);
    expect(codeStep.inputTag('code')).toContain('autocomplete="one-time-code"');

    // An empty code field is no wrong code: the same step, the field marked, nothing counted.
    const blank = await browser.submit(codeStep, { code: ' ' });
    expect(blank.status).toBe(200);
    expect(blank.title).toBe('Check your email');
    expect(blank.fieldError('code')).toBe('is required');
    expect(blank.form().fields).toEqual(['code']);
    const wrong = await browser.submit(blank, { code: '000000' === (await codeFrom(email)) ? '111111' : '000000' });
    expect(wrong.notices()).toEqual(['Invalid verification code.']);
    const done = await browser.submit(wrong, { code: await codeFrom(email) });
    expect(done.status).toBe(303);
    const callback = new URL(done.location!);
    expect(callback.origin + callback.pathname).toBe(web.redirectUri);
    expect(Object.fromEntries(callback.searchParams)).toMatchObject({
      code: expect.any(String),
      state: 'hosted-state',
      iss: tenant.issuer,
    });

    const tokens = await oidc.authorizationCodeGrant(client, callback, {
      pkceCodeVerifier: pkce.verifier,
      expectedState: 'hosted-state',
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      iss: tenant.issuer,
      aud: web.clientId,
      email,
      email_verified: true,
      name: 'Hosted Reg',
    });
    const identity = await adminApi(server).get(`/projects/${tenant.slug}/identities/${claims.sub}`);
    expect(identity.body.verifiableAddresses).toEqual([
      { via: 'email', value: email, verified: true, verifiedAt: expect.any(String) },
    ]);
    // The browser is signed in too: the app's next authorization request is answered at once (SSO cookie).
    expect(browser.cookie(`keyway-sso-${tenant.slug}`)).toBeDefined();
    const sso = pkcePair();
    const again = await browser.get(
      `${tenant.issuer}/oauth2/authorize?${new URLSearchParams(oauthParams(sso.challenge))}`,
    );
    expect(again.status).toBe(303);
    const ssoTokens = await oidc.authorizationCodeGrant(client, new URL(again.location!), {
      pkceCodeVerifier: sso.verifier,
      expectedState: 'hosted-state',
    });
    expect(ssoTokens.claims()).toMatchObject({ sub: claims.sub, sid: claims['sid'] });
  });

  it('shows request errors on its own page until redirect_uri is known good, and redirects them with state and iss after', async () => {
    const browser = new Browser();
    const { challenge } = pkcePair();
    const evil = await browser.get(
      registrationUrl(oauthParams(challenge, { redirect_uri: 'https://evil.example/callback' })),
    );
    expect(evil.status).toBe(400);
    expect(evil.location).toBeNull();
    expect(evil.title).toBe('We could not continue');
    expect(evil.html).toContain('redirect_uri is not registered for this client');
    expect(evil.html).not.toContain('<form');

    const unknownClient = await browser.get(registrationUrl(oauthParams(challenge, { client_id: 'nobody' })));
    expect(unknownClient).toMatchObject({ status: 400 });
    expect(unknownClient.location).toBeNull();

    const badScope = await browser.get(registrationUrl(oauthParams(challenge, { scope: 'openid admin' })));
    expect(badScope.status).toBe(303);
    const back = new URL(badScope.location!);
    expect(back.origin + back.pathname).toBe(web.redirectUri);
    expect(Object.fromEntries(back.searchParams)).toEqual({
      error: 'invalid_scope',
      error_description: 'unsupported scope: admin',
      state: 'hosted-state',
      iss: tenant.issuer,
    });

    const noPkce = await browser.get(
      registrationUrl(oauthParams(challenge, { code_challenge: '', code_challenge_method: '' })),
    );
    expect(noPkce.status).toBe(303);
    expect(new URL(noPkce.location!).searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses a post without the matching CSRF token (403) and leaves the flow as it was', async () => {
    const browser = new Browser();
    const page = await browser.get(registrationUrl(oauthParams(pkcePair().challenge)));
    const email = newEmail();
    const typed = { 'traits.email': email, password: 'a perfectly fine password' };

    const missing = await browser.submit(page, typed, { csrf_token: '' });
    expect(missing.status).toBe(403);
    expect(missing.title).toBe('This form has expired');
    expect(missing.html).not.toContain('<form');
    // Another browser's cookie/token pair does not fit this browser's cookie either.
    const other = new Browser();
    await other.get(registrationUrl(oauthParams(pkcePair().challenge)));
    expect((await browser.submit(page, typed, { csrf_token: other.cookie('keyway-csrf')! })).status).toBe(403);
    // A form posted from another site arrives without the cookie.
    const crossSite = await fetch(page.form().action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...page.form().hidden, ...typed }).toString(),
    });
    expect(crossSite.status).toBe(403);

    // Nothing reached the flow: no account, no mail, and the same form still answers at its first step.
    expect(mailTo(email)).toHaveLength(0);
    const accepted = await browser.submit(page, typed);
    expect(accepted.status).toBe(200);
    expect(accepted.title).toBe('Check your email');
    await mailFor(email);
  });

  it('verifies an address by the mailed link in any browser, once; a used link gets the expired page', async () => {
    const user = await newUser();
    const browser = new Browser();
    const start = await browser.get(`${tenant.issuer}/ui/verification?client_id=${encodeURIComponent(web.clientId)}`);
    expect(start.status).toBe(200);
    expect(start.title).toBe('Verify your email address');
    expect(start.form().fields).toEqual(['email']);
    expect(start.form().hidden).toMatchObject({ client_id: web.clientId });

    const empty = await browser.submit(start, { email: '' });
    expect(empty.fieldError('email')).toBe('is required');

    const sent = await browser.submit(start, { email: user.email.toUpperCase() });
    expect(sent.status).toBe(200);
    expect(sent.title).toBe('Check your email');
    expect(sent.notices()).toEqual([
      'If this address belongs to an account that still needs verifying, we sent a link to it. Open it to verify the address; you can close this page.',
    ]);
    expect(sent.html).not.toContain('<form');

    const mail = await mailFor(user.email);
    expect(mail.subject).toBe(`Verify your email address for Test ${tenant.slug}`);
    expect(mail.text ?? '').not.toMatch(/\b\d{6}\b/);
    const link = /(http:\/\/\S+\/ui\/verification\/confirm\?\S+)/.exec(mail.text ?? '')?.[1];
    expect(link).toBeDefined();
    const url = new URL(link!);
    expect(url.origin + url.pathname).toBe(`${tenant.issuer}/ui/verification/confirm`);
    expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The HTML part's button opens the same link (mustache entity-encodes it; mail clients decode).
    const hrefs = [...String(mail.html).matchAll(/<a href="([^"]+)"/g)].map((m) => decode(m[1]!));
    expect(hrefs).toEqual([link, link]);

    // A wrong token opens nothing and spends nothing.
    const forged = new URL(link!);
    forged.searchParams.set('token', randomBytes(32).toString('base64url'));
    const wrong = await new Browser().get(forged.toString());
    expect(wrong.status).toBe(400);
    expect(wrong.title).toBe('This link has expired');
    const admin = adminApi(server);
    expect(
      (await admin.get(`/projects/${tenant.slug}/identities/${user.id}`)).body.verifiableAddresses[0].verified,
    ).toBe(false);

    // Opened on another device: no cookie of the page that asked for it.
    const opened = await new Browser().get(link!);
    expect(opened.status).toBe(200);
    expect(opened.title).toBe('Your email address is verified');
    expect(opened.headers.get('referrer-policy')).toBe('no-referrer');
    expect((await admin.get(`/projects/${tenant.slug}/identities/${user.id}`)).body.verifiableAddresses).toEqual([
      { via: 'email', value: user.email, verified: true, verifiedAt: expect.any(String) },
    ]);

    const again = await new Browser().get(link!);
    expect(again.status).toBe(400);
    expect(again.title).toBe('This link has expired');
    expect(again.links()).toEqual([
      {
        href: `${tenant.issuer}/ui/verification?client_id=${encodeURIComponent(web.clientId)}`,
        label: 'Request a new link',
      },
    ]);
  });

  it('answers an unknown address exactly like a known one, and mails nothing', async () => {
    const user = await newUser();
    const unknown = newEmail();
    const browser = new Browser();
    const start = await browser.get(`${tenant.issuer}/ui/verification?client_id=${encodeURIComponent(web.clientId)}`);
    const forUnknown = await browser.submit(start, { email: unknown });
    const forKnown = await browser.submit(start, { email: user.email });
    expect(forUnknown.status).toBe(forKnown.status);
    expect(forUnknown.html).toBe(forKnown.html);
    await mailFor(user.email);
    expect(mailTo(unknown)).toHaveLength(0);
  });

  it('recovers an account through the pages, ending on the done page without a redirect_uri', async () => {
    const user = await newUser();
    const browser = new Browser();
    const start = await browser.get(`${tenant.issuer}/ui/recovery?client_id=${encodeURIComponent(web.clientId)}`);
    expect(start.status).toBe(200);
    expect(start.title).toBe('Recover your account');
    expect(start.headers.get('content-security-policy')).toContain("form-action 'self';");
    const codeStep = await browser.submit(start, { email: user.email });
    expect(codeStep.title).toBe('Check your email');
    expect(codeStep.form().fields).toEqual(['code']);

    const blank = await browser.submit(codeStep, { code: '' });
    expect(blank.fieldError('code')).toBe('is required');
    const passwordStep = await browser.submit(blank, { code: await codeFrom(user.email) });
    expect(passwordStep.title).toBe('Choose a new password');
    expect(passwordStep.inputTag('password')).toContain('autocomplete="new-password"');
    const weak = await browser.submit(passwordStep, { password: 'short' });
    expect(weak.fieldError('password')).toMatch(/at least/);

    const newPassword = 'a brand new hosted password';
    const done = await browser.submit(weak, { password: newPassword });
    expect(done.status).toBe(200);
    expect(done.title).toBe('Your password was changed');
    expect(done.location).toBeNull();

    const { response, verifier } = await startFlow(tenant);
    const login = await submitPassword(tenant, response.body.flowId, user.email, newPassword);
    expect(FlowSuccessResponse.safeParse(login.body).success).toBe(true);
    expect(verifier).toBeDefined();
    const old = await startFlow(tenant);
    expect((await submitPassword(tenant, old.response.body.flowId, user.email, user.password)).body.flowStatus).toBe(
      'FAIL_INCOMPLETE',
    );
  });

  it('works in a real browser: the stylesheet passes the CSP, the forms post with their cookie, the redirect reaches a loopback app', async () => {
    // RFC 8252 §7.3: a native app listening on a loopback port, registered without the port.
    const received: string[] = [];
    const loopback = createServer((request, response) => {
      received.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'text/plain' }).end('signed in');
    });
    await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve));
    const port = (loopback.address() as AddressInfo).port;
    const app = await adminApi(server).post(`/projects/${tenant.slug}/applications`, {
      name: 'Loopback app',
      type: 'public',
      redirectUris: ['http://127.0.0.1/callback'],
      grantTypes: ['authorization_code'],
      appNative: false,
    });
    expect(app.status).toBe(201);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
      });
      const pkce = pkcePair();
      const redirectUri = `http://127.0.0.1:${port}/callback`;
      await page.goto(
        registrationUrl({ ...oauthParams(pkce.challenge), client_id: app.body.clientId, redirect_uri: redirectUri }),
      );
      expect(await page.locator('h1').textContent()).toBe('Create your account');
      // The inline stylesheet applied: the card is centred and narrow.
      expect(await page.evaluate(`getComputedStyle(document.querySelector('main')).maxWidth`)).toBe('420px');
      const email = newEmail();
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password').fill('a browser chosen password');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Check your email' }).waitFor();
      await page.getByLabel('Verification code').fill(await codeFrom(email));
      await Promise.all([page.waitForURL(`${redirectUri}?**`), page.getByRole('button', { name: 'Verify' }).click()]);
      const callback = new URL(page.url());
      expect(Object.fromEntries(callback.searchParams)).toMatchObject({
        code: expect.any(String),
        state: 'hosted-state',
        iss: tenant.issuer,
      });
      // form-action allowed the post's 303 to reach the app (Chromium applies it to redirects too).
      expect(received.filter((url) => url.startsWith('/callback?'))).toHaveLength(1);
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
      await new Promise((resolve) => loopback.close(resolve));
    }
  });

  it('answers a step of an unknown or finished flow with an error page offering to start again', async () => {
    const browser = new Browser();
    const page = await browser.get(`${tenant.issuer}/ui/recovery?client_id=${encodeURIComponent(web.clientId)}`);
    const gone = await browser.submit(
      page,
      { email: 'x@example.com' },
      { flowId: '00000000-0000-4000-8000-000000000000' },
    );
    expect(gone.status).toBe(400);
    expect(gone.html).toContain('Invalid or expired flowId');
    expect(gone.links()).toEqual([
      { href: `${tenant.issuer}/ui/recovery?client_id=${encodeURIComponent(web.clientId)}`, label: 'Start again' },
    ]);
    const repeated = await fetch(`${tenant.issuer}/ui/registration?client_id=a&client_id=b`);
    expect(repeated.status).toBe(400);
    expect(repeated.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });
});
