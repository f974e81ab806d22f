import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { eventually, SmtpSink } from '@keyway/e2e-support';
import { adminApi, createTenant, pkcePair, postForm, putJson, type Tenant } from './support/http';
import { Browser, decode, type Page } from './support/hosted-pages';
import { startKeyway, type KeywayServer } from './support/keyway-server';

// Hosted login end to end over real HTTP with a cookie jar: a browser at /oauth2/authorize without
// response_mode=direct, the engine's steps as pages, the code exchanged by openid-client, and single sign-on
// through the browser's cookie (and through the ID token's isk for app-native requests).

describe('hosted login (browser /oauth2/authorize)', () => {
  let server: KeywayServer;
  let tenant: Tenant;
  const sink = new SmtpSink();
  const apps: Record<
    'web' | 'other' | 'stepUp' | 'emailCode',
    { clientId: string; redirectUri: string; client: oidc.Configuration }
  > = {} as never;
  let user: { email: string; password: string; id: string };
  /**
   * The web app's back-channel logout endpoint: it answers each session's first logout token with a 500 (to be
   * retried) and keeps the tokens it accepted, by sid.
   */
  let receiver: Server;
  const attemptsBySid = new Map<string, number>();
  const acceptedBySid = new Map<string, string>();

  const authorizeUrl = (app: keyof typeof apps, challenge: string, extra: Record<string, string> = {}): string =>
    `${tenant.issuer}/oauth2/authorize?${new URLSearchParams({
      client_id: apps[app].clientId,
      response_type: 'code',
      redirect_uri: apps[app].redirectUri,
      scope: 'openid email profile',
      state: `state-${app}`,
      nonce: `nonce-${app}`,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    })}`;

  const signIn = (browser: Browser, page: Page, password = user.password) =>
    browser.submit(page, { username: user.email, password });

  const exchange = async (app: keyof typeof apps, location: string, verifier: string) =>
    oidc.authorizationCodeGrant(apps[app].client, new URL(location), {
      pkceCodeVerifier: verifier,
      expectedState: `state-${app}`,
      expectedNonce: `nonce-${app}`,
      idTokenExpected: true,
    });

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const token = new URLSearchParams(body).get('logout_token') ?? '';
        const sid = String(decodeJwt(token)['sid']);
        const attempts = (attemptsBySid.get(sid) ?? 0) + 1;
        attemptsBySid.set(sid, attempts);
        if (attempts > 1) acceptedBySid.set(sid, token);
        response.writeHead(attempts > 1 ? 200 : 500).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const backchannelUri = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/backchannel-logout`;
    server = await startKeyway({ env: { KEYWAY_EMAIL_POLL_MS: '100', KEYWAY_EMAIL_RETRY_BASE_MS: '100' } });
    tenant = await createTenant(server, { emailOtp: { resendIntervalSeconds: 0 } });
    await sink.start();
    const smtp = { host: '127.0.0.1', port: sink.port, tlsMode: 'none', fromAddress: 'login@hosted.example' };
    const configured = await putJson(`${server.baseUrl}/api/admin/v1/projects/${tenant.slug}/email/smtp`, smtp, {
      authorization: `Bearer ${server.adminToken}`,
    });
    expect(configured.status).toBe(200);
    const admin = adminApi(server);
    const flows: Record<keyof typeof apps, string[][]> = {
      web: [['BasicAuthenticator']],
      other: [['BasicAuthenticator']],
      stepUp: [['BasicAuthenticator'], ['totp']],
      emailCode: [['email-otp-authenticator']],
    };
    for (const name of Object.keys(flows) as Array<keyof typeof apps>) {
      const redirectUri = `https://${name.toLowerCase()}.example/callback`;
      const created = await admin.post(`/projects/${tenant.slug}/applications`, {
        name,
        type: 'public',
        redirectUris: [redirectUri],
        grantTypes: ['authorization_code', 'refresh_token'],
        appNative: name === 'web',
        loginFlow: flows[name],
        allowEnrollmentInFlow: name === 'stepUp',
        postLogoutRedirectUris: [`https://${name.toLowerCase()}.example/signed-out`],
        backchannelLogoutUri: name === 'web' ? backchannelUri : null,
      });
      if (created.status !== 201) throw new Error(JSON.stringify(created.body));
      const client = await oidc.discovery(new URL(tenant.issuer), created.body.clientId, undefined, oidc.None(), {
        execute: [oidc.allowInsecureRequests],
      });
      apps[name] = { clientId: created.body.clientId, redirectUri, client };
    }
    const email = `hosted-login-${randomBytes(4).toString('hex')}@example.com`;
    const password = `pw-${randomBytes(9).toString('base64url')}`;
    const created = await admin.post(`/projects/${tenant.slug}/identities`, {
      traits: { email, name: 'Hosted Login' },
      password,
    });
    expect(created.status).toBe(201);
    user = { email, password, id: created.body.id };
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
    await sink.stop();
  });

  it('signs in on the page (wrong password shown on it), redirects with code, state and iss, and sets the SSO cookie', async () => {
    const browser = new Browser();
    const pkce = pkcePair();
    const first = await browser.get(authorizeUrl('web', pkce.challenge, { login_hint: user.email }));
    expect(first.status).toBe(200);
    expect(first.title).toBe('Sign in');
    expect(first.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; style-src 'sha256-[^']+'; form-action 'self' https:\/\/web\.example; frame-ancestors 'none'; base-uri 'none'$/,
    );
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.form().action).toBe(`${tenant.issuer}/ui/login`);
    expect(first.form().fields).toEqual(['username', 'password']);
    // login_hint fills the identifier; the password field is a sign-in one.
    expect(first.inputTag('username')).toContain(`value="${user.email}"`);
    expect(first.inputTag('password')).toContain('autocomplete="current-password"');
    expect(first.links().map((link) => link.label)).toEqual(['Create an account', 'Forgot your password?']);

    const wrong = await signIn(browser, first, 'not-the-password');
    expect(wrong.status).toBe(200);
    expect(wrong.notices()).toEqual(['Invalid username or password.']);
    expect(wrong.html).not.toContain('not-the-password');

    const done = await signIn(browser, wrong);
    expect(done.status).toBe(303);
    const callback = new URL(done.location!);
    expect(`${callback.origin}${callback.pathname}`).toBe(apps.web.redirectUri);
    expect(callback.searchParams.get('state')).toBe('state-web');
    expect(callback.searchParams.get('iss')).toBe(tenant.issuer);
    expect(browser.cookie(`keyway-sso-${tenant.slug}`)).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(done.headers.getSetCookie().join('\n')).toMatch(
      new RegExp(`keyway-sso-${tenant.slug}=[^;]+; Max-Age=\\d+; Path=/; HttpOnly; SameSite=Lax`),
    );

    const tokens = await exchange('web', done.location!, pkce.verifier);
    expect(tokens.claims()).toMatchObject({ sub: user.id, amr: ['pwd'], email: user.email });
  });

  it('single sign-on: another app of the project gets a code at once; prompt=login, max_age=0 and a step-up ask again', async () => {
    const browser = new Browser();
    const first = pkcePair();
    const signedIn = await signIn(browser, await browser.get(authorizeUrl('web', first.challenge)));
    const webTokens = await exchange('web', signedIn.location!, first.verifier);

    const second = pkcePair();
    const sso = await browser.get(authorizeUrl('other', second.challenge));
    expect(sso.status).toBe(303);
    const otherTokens = await exchange('other', sso.location!, second.verifier);
    // One session, one login: the same sid and auth_time, the session's amr.
    expect(otherTokens.claims()).toMatchObject({
      sub: user.id,
      sid: webTokens.claims()!['sid'],
      auth_time: webTokens.claims()!['auth_time'],
      amr: ['pwd'],
    });

    for (const extra of [{ prompt: 'login' }, { max_age: '0' }] as Array<Record<string, string>>) {
      const again = await browser.get(authorizeUrl('other', pkcePair().challenge, extra));
      expect(again.status).toBe(200);
      expect(again.title).toBe('Sign in');
    }
    // An id_token_hint of this user is fine; the session answers.
    const hinted = await browser.get(
      authorizeUrl('other', pkcePair().challenge, { id_token_hint: webTokens.id_token! }),
    );
    expect(hinted.status).toBe(303);
    expect(new URL(hinted.location!).searchParams.get('code')).toBeTruthy();

    // The step-up app needs TOTP, which this session has not passed: its flow runs (prompt=none cannot).
    const stepUp = await browser.get(authorizeUrl('stepUp', pkcePair().challenge));
    expect(stepUp.title).toBe('Sign in');
    const none = await browser.get(authorizeUrl('stepUp', pkcePair().challenge, { prompt: 'none' }));
    expect(none.status).toBe(303);
    expect(Object.fromEntries(new URL(none.location!).searchParams)).toMatchObject({
      error: 'interaction_required',
      state: 'state-stepUp',
      iss: tenant.issuer,
    });
  });

  it('signs in with an email code on the pages: a wrong code refused and not shown again, a new code on request', async () => {
    const codes = async (count: number) =>
      eventually(async () => {
        const mails = sink.messages.filter(
          (m) => m.to && !Array.isArray(m.to) && m.to.value[0]?.address === user.email,
        );
        expect(mails.length).toBeGreaterThanOrEqual(count);
        return mails.map((mail) => /\b(\d{6,10})\b/.exec(mail.text ?? '')?.[1] ?? '');
      });
    const before = (await codes(0)).length;
    const browser = new Browser();
    const pkce = pkcePair();
    const first = await browser.get(authorizeUrl('emailCode', pkce.challenge));
    expect(first.title).toBe('Sign in with an email code');
    const sent = await browser.submit(first, { username: user.email });
    expect(sent.form().fields).toEqual(['OTPCode']);
    expect(sent.inputTag('OTPCode')).toContain('autocomplete="one-time-code"');
    expect(sent.html).toContain('>Send a new code</button>');
    const [firstCode] = (await codes(before + 1)).slice(before);

    const wrong = await browser.submit(sent, { OTPCode: firstCode === '000000' ? '111111' : '000000' });
    expect(wrong.notices()).toEqual(['Invalid verification code.']);
    expect(wrong.inputTag('OTPCode')).not.toContain('value=');

    // "Send a new code": the option selected again, without params.
    const resent = await browser.post(wrong.form().action, wrong.form().hidden);
    expect(resent.form().fields).toEqual(['OTPCode']);
    const [, secondCode] = (await codes(before + 2)).slice(before);
    const done = await browser.submit(resent, { OTPCode: secondCode! });
    expect(done.status).toBe(303);
    expect((await exchange('emailCode', done.location!, pkce.verifier)).claims()).toMatchObject({
      sub: user.id,
      amr: ['otp'],
    });
  });

  it('prompt=none without a session answers login_required at the redirect_uri', async () => {
    const page = await new Browser().get(authorizeUrl('web', pkcePair().challenge, { prompt: 'none' }));
    expect(page.status).toBe(303);
    expect(Object.fromEntries(new URL(page.location!).searchParams)).toMatchObject({
      error: 'login_required',
      state: 'state-web',
      iss: tenant.issuer,
    });
  });

  it('refuses on its own page until client and redirect_uri are known, and at the redirect_uri after', async () => {
    const browser = new Browser();
    const unknownClient = await browser.get(authorizeUrl('web', pkcePair().challenge, { client_id: 'nope' }));
    expect(unknownClient.status).toBe(400);
    expect(unknownClient.location).toBeNull();
    expect(unknownClient.html).toContain('unknown client_id');

    const foreignRedirect = await browser.get(
      authorizeUrl('web', pkcePair().challenge, { redirect_uri: 'https://evil.example/cb' }),
    );
    expect(foreignRedirect.status).toBe(400);
    expect(foreignRedirect.location).toBeNull();

    for (const [extra, error] of [
      [{ scope: 'openid admin' }, 'invalid_scope'],
      [{ prompt: 'none login' }, 'invalid_request'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
    ] as const) {
      const refused = await browser.get(authorizeUrl('web', pkcePair().challenge, extra));
      expect(refused.status).toBe(303);
      expect(Object.fromEntries(new URL(refused.location!).searchParams)).toMatchObject({
        error,
        state: 'state-web',
        iss: tenant.issuer,
      });
    }
  });

  it('answers response_mode=form_post with a self-submitting form to the redirect_uri', async () => {
    const browser = new Browser();
    const pkce = pkcePair();
    const page = await signIn(
      browser,
      await browser.get(authorizeUrl('web', pkce.challenge, { response_mode: 'form_post' })),
    );
    expect(page.status).toBe(200);
    const form = page.form();
    expect(form.action).toBe(apps.web.redirectUri);
    expect(form.hidden).toMatchObject({ code: expect.any(String), state: 'state-web', iss: tenant.issuer });
    expect(page.headers.get('content-security-policy')).toContain("script-src 'sha256-");
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self' https://web.example");
  });

  it('speaks German when ui_locales or Accept-Language asks for it', async () => {
    const page = await new Browser().get(authorizeUrl('web', pkcePair().challenge, { ui_locales: 'de-CH en' }));
    expect(page.html).toContain('<html lang="de">');
    expect(page.title).toBe('Anmelden');
    expect(page.html).toContain('Passwort');
    const byHeader = await fetch(authorizeUrl('web', pkcePair().challenge), {
      headers: { 'accept-language': 'fr;q=0.9, de-DE;q=0.8, en;q=0.5' },
    });
    expect(await byHeader.text()).toContain('<html lang="de">');
  });

  it('shows the project branding, and its CSP allows exactly the logo origin', async () => {
    const branded = await createTenant(server);
    const patched = await adminApi(server).patch(`/projects/${branded.slug}`, {
      settings: {
        branding: {
          displayName: 'Acme Accounts',
          logoUrl: 'https://cdn.acme.example/logo.svg',
          primaryColor: '#0f766e',
        },
      },
    });
    expect(patched.status).toBe(200);
    const app = await adminApi(server).post(`/projects/${branded.slug}/applications`, {
      name: 'Branded web',
      type: 'public',
      redirectUris: ['https://branded.example/cb'],
      grantTypes: ['authorization_code'],
    });
    const page = await new Browser().get(
      `${branded.issuer}/oauth2/authorize?${new URLSearchParams({
        client_id: app.body.clientId,
        response_type: 'code',
        redirect_uri: 'https://branded.example/cb',
        scope: 'openid',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
      })}`,
    );
    expect(page.status).toBe(200);
    expect(decode(page.html)).toContain('<p class="project">Acme Accounts</p>');
    expect(page.html).toContain('#0f766e');
    expect(page.headers.get('content-security-policy')).toContain('img-src https://cdn.acme.example;');
  });

  it('app-native SSO: the ID token’s isk, sent back as sessionId, continues the session; prompt=none without one is refused', async () => {
    const browser = new Browser();
    const pkce = pkcePair();
    const signedIn = await signIn(browser, await browser.get(authorizeUrl('web', pkce.challenge)));
    const tokens = await exchange('web', signedIn.location!, pkce.verifier);
    const isk = decodeJwt(tokens.id_token!)['isk'];
    expect(isk).toMatch(/^[A-Za-z0-9_-]{64}$/);

    const direct = (extra: Record<string, string>) =>
      postForm(`${tenant.issuer}/oauth2/authorize`, {
        client_id: apps.web.clientId,
        response_type: 'code',
        redirect_uri: apps.web.redirectUri,
        scope: 'openid',
        response_mode: 'direct',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        ...extra,
      });
    const continued = await direct({ sessionId: String(isk) });
    expect(continued.status).toBe(200);
    expect(continued.body).toMatchObject({ flowStatus: 'SUCCESS_COMPLETED', authData: { code: expect.any(String) } });

    // A tampered key names no session: the flow starts as usual.
    const tampered = await direct({ sessionId: `${String(isk).slice(0, 63)}${String(isk).endsWith('A') ? 'B' : 'A'}` });
    expect(tampered.body).toMatchObject({ flowStatus: 'INCOMPLETE' });
    const none = await direct({ prompt: 'none' });
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ error: 'login_required' });
  });

  describe('logout', () => {
    const signedInBrowser = async () => {
      const browser = new Browser();
      const pkce = pkcePair();
      const signedIn = await signIn(browser, await browser.get(authorizeUrl('web', pkce.challenge)));
      const tokens = await exchange('web', signedIn.location!, pkce.verifier);
      return { browser, tokens };
    };
    const logoutUrl = (params: Record<string, string>) =>
      `${tenant.issuer}/oauth2/logout?${new URLSearchParams(params)}`;
    const refreshFails = async (refreshToken: string) =>
      expect(oidc.refreshTokenGrant(apps.web.client, refreshToken)).rejects.toMatchObject({ error: 'invalid_grant' });

    it('RP-initiated with id_token_hint: ends the session and its refresh tokens, clears the cookie, returns to the app with state', async () => {
      const { browser, tokens } = await signedInBrowser();
      const done = await browser.get(
        logoutUrl({
          id_token_hint: tokens.id_token!,
          post_logout_redirect_uri: 'https://web.example/signed-out',
          state: 'bye',
        }),
      );
      expect(done.status).toBe(303);
      expect(done.location).toBe('https://web.example/signed-out?state=bye');
      expect(done.headers.getSetCookie().join('\n')).toMatch(new RegExp(`keyway-sso-${tenant.slug}=; Max-Age=0`));
      await refreshFails(tokens.refresh_token!);
      // The next authorization asks for the password again, even with the old cookie replayed.
      const again = await browser.get(authorizeUrl('other', pkcePair().challenge));
      expect(again.title).toBe('Sign in');
    });

    it('back-channel logout: the app gets a signed logout token for the ended session, retried until it answers 2xx', async () => {
      const { browser, tokens } = await signedInBrowser();
      const sid = String(tokens.claims()!['sid']);
      await browser.get(logoutUrl({ id_token_hint: tokens.id_token! }));
      const token = await eventually(async () => {
        expect(acceptedBySid.get(sid)).toBeDefined();
        return acceptedBySid.get(sid)!;
      });
      expect(attemptsBySid.get(sid)).toBe(2);
      const jwks = createRemoteJWKSet(new URL(`${tenant.issuer}/oauth2/jwks`));
      const { payload, protectedHeader } = await jwtVerify(token!, jwks, {
        issuer: tenant.issuer,
        audience: apps.web.clientId,
        typ: 'logout+jwt',
      });
      expect(payload).toMatchObject({
        sub: user.id,
        sid,
        events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
        jti: expect.any(String),
      });
      expect(payload['nonce']).toBeUndefined();
      expect(protectedHeader.alg).toBeDefined();
    });

    it('back-channel logout also follows a help-desk revocation of the sessions', async () => {
      const { tokens } = await signedInBrowser();
      const sid = String(tokens.claims()!['sid']);
      const revoked = await adminApi(server).post(
        `/projects/${tenant.slug}/identities/${user.id}/actions/revoke-sessions`,
        { reason: 'lost phone' },
      );
      expect(revoked.status).toBe(200);
      const token = await eventually(async () => {
        expect(acceptedBySid.get(sid)).toBeDefined();
        return acceptedBySid.get(sid)!;
      });
      expect(decodeJwt(token)).toMatchObject({ sid, sub: user.id, aud: apps.web.clientId });
    });

    it('asks first without a hint, and logs out once confirmed', async () => {
      const { browser, tokens } = await signedInBrowser();
      const question = await browser.get(logoutUrl({ client_id: apps.web.clientId }));
      expect(question.status).toBe(200);
      expect(question.title).toBe('Sign out');
      // Still signed in while unanswered.
      expect((await browser.get(authorizeUrl('other', pkcePair().challenge))).status).toBe(303);
      const done = await browser.submit(question, {});
      expect(done.status).toBe(200);
      expect(done.title).toBe('You have signed out');
      await refreshFails(tokens.refresh_token!);
      // A forged confirmation (no CSRF token of this browser) is asked again, not obeyed.
      const other = await signedInBrowser();
      const forged = await other.browser.post(`${tenant.issuer}/oauth2/logout`, {
        confirm: 'yes',
        csrf_token: 'x'.repeat(43),
      });
      expect(forged.title).toBe('Sign out');
      expect((await other.browser.get(authorizeUrl('other', pkcePair().challenge))).status).toBe(303);
    });

    it('refuses unregistered post-logout URIs and foreign hints on its own page, never redirecting', async () => {
      const { browser, tokens } = await signedInBrowser();
      for (const params of [
        { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://evil.example/' },
        { post_logout_redirect_uri: 'https://web.example/signed-out' },
        { id_token_hint: `${tokens.id_token!.slice(0, -4)}AAAA` },
        { id_token_hint: tokens.id_token!, client_id: apps.other.clientId },
      ] as Array<Record<string, string>>) {
        const refused = await browser.get(logoutUrl(params));
        expect(refused.status).toBe(400);
        expect(refused.location).toBeNull();
      }
      // Nothing was ended.
      expect((await oidc.refreshTokenGrant(apps.web.client, tokens.refresh_token!)).access_token).toBeTruthy();
    });

    it('native JSON logout by refresh token ends the session; a foreign id_token_hint is refused', async () => {
      const { tokens } = await signedInBrowser();
      const direct = (params: Record<string, string>) =>
        postForm(`${tenant.issuer}/oauth2/logout`, {
          response_mode: 'direct',
          client_id: apps.web.clientId,
          ...params,
        });
      const foreign = await direct({ client_id: apps.other.clientId, id_token_hint: tokens.id_token! });
      expect(foreign.status).toBe(400);
      expect(foreign.body).toMatchObject({ error: 'invalid_request' });
      expect(await direct({})).toMatchObject({ status: 400, body: { error: 'invalid_request' } });

      const out = await direct({ refresh_token: tokens.refresh_token! });
      expect(out.status).toBe(200);
      expect(out.body).toEqual({ status: 'logged_out' });
      await refreshFails(tokens.refresh_token!);
      // Idempotent: a second logout is answered the same.
      expect((await direct({ refresh_token: tokens.refresh_token! })).body).toEqual({ status: 'logged_out' });
      // The access token of the ended session no longer works at userinfo.
      const userinfo = await fetch(`${tenant.issuer}/oauth2/userinfo`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      expect(userinfo.status).toBe(401);
    });
  });
});
