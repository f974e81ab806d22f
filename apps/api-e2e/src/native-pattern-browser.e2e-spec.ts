import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import * as oidc from 'openid-client';
import { generate } from 'otplib';
import { addVirtualAuthenticator, launchChromium } from './support/browser';
import { adminApi } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

const TOTP_PERIOD = 30;

/** Runs in the page: WebAuthn registration through the settings API (/me/passkeys), as an app's settings screen would. */
const REGISTER_PASSKEY = `async ([issuerPath, accessToken]) => {
  const auth = { authorization: 'Bearer ' + accessToken };
  const options = await (await fetch(issuerPath + '/me/passkeys/registration-options', { method: 'POST', headers: auth })).json();
  const toBytes = (b64url) => Uint8Array.from(atob(b64url.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(b64url.length / 4) * 4, '=')), (c) => c.charCodeAt(0));
  const toB64url = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const credential = await navigator.credentials.create({
    publicKey: { ...options, challenge: toBytes(options.challenge), user: { ...options.user, id: toBytes(options.user.id) }, excludeCredentials: [] },
  });
  const body = {
    name: 'Chromium',
    credential: {
      id: credential.id,
      rawId: toB64url(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: toB64url(credential.response.clientDataJSON),
        attestationObject: toB64url(credential.response.attestationObject),
        transports: credential.response.getTransports(),
      },
      clientExtensionResults: credential.getClientExtensionResults(),
    },
  };
  const saved = await fetch(issuerPath + '/me/passkeys', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return saved.status;
}`;

/**
 * The native-app pattern of ../shared/reference/wristband-native-integration.md, end to end in real Chromium: a
 * test "app" (a loopback HTTP listener, RFC 8252 §7.3) builds the PKCE authorization URL with openid-client, the
 * user signs in on the hosted page in the in-device browser, the browser lands on the loopback callback with
 * code, state and iss, and the app exchanges, refreshes, revokes and finally logs out through the browser.
 */
describe('native app pattern in Chromium (hosted login, loopback redirect)', () => {
  let server: KeywayServer;
  let browser: Browser;
  let page: Page;
  let app: { server: Server; port: number; callbacks: URL[] };
  let issuer: string;
  let client: oidc.Configuration;
  /** A second app of the project: password, then a passkey as the second factor. */
  let passkeyFactorClient: oidc.Configuration;
  const email = `native-${randomBytes(4).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  let lastTotpStep = 0;

  /** A TOTP code the server has not seen yet: this step's, or the next one (it allows one step of skew). */
  const totpCode = async (secret: string) => {
    const step = Math.max(Math.floor(Date.now() / 1000 / TOTP_PERIOD), lastTotpStep + 1);
    lastTotpStep = step;
    return generate({ secret, epoch: step * TOTP_PERIOD });
  };

  /** The app's login route: a fresh PKCE pair and state, the browser sent to the authorization endpoint. */
  const login = async (extra: Record<string, string> = {}, using = client) => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(using, {
      redirect_uri: `http://127.0.0.1:${app.port}/callback`,
      scope: 'openid email profile offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      ...extra,
    });
    await page.goto(url.toString());
    return { verifier, state };
  };

  /** The app's callback route: the URL the browser landed on, exchanged by openid-client. */
  const callback = async (started: { verifier: string; state: string }, using = client) => {
    await page.waitForURL(/\/callback\?/);
    const landed = new URL(page.url());
    expect(landed.searchParams.get('iss')).toBe(issuer);
    return oidc.authorizationCodeGrant(using, landed, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      idTokenExpected: true,
    });
  };

  beforeAll(async () => {
    const callbacks: URL[] = [];
    const listener = createServer((request, response) => {
      callbacks.push(new URL(request.url ?? '/', 'http://127.0.0.1'));
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><title>App</title><p>Back in the app.</p>');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    app = { server: listener, port: (listener.address() as AddressInfo).port, callbacks };

    server = await startKeyway({ publicHost: 'localhost' });
    const admin = adminApi(server);
    const slug = `np-${randomBytes(4).toString('hex')}`;
    const origin = new URL(server.baseUrl).port;
    const project = await admin.post('/projects', {
      slug,
      name: 'Native Pattern',
      settings: { webauthn: { rpId: 'localhost', origins: [`http://localhost:${origin}`] } },
    });
    expect(project.status).toBe(201);
    issuer = project.body.issuer;
    const created = await admin.post(`/projects/${slug}/applications`, {
      name: 'Native app',
      type: 'public',
      // RFC 8252 §7.3: registered without a port, any port at run time.
      redirectUris: ['http://127.0.0.1/callback'],
      postLogoutRedirectUris: [`http://127.0.0.1:${app.port}/signed-out`],
      grantTypes: ['authorization_code', 'refresh_token'],
      loginFlow: [['BasicAuthenticator', 'FIDOAuthenticator'], ['totp']],
      allowEnrollmentInFlow: true,
    });
    expect(created.status).toBe(201);
    const identity = await admin.post(`/projects/${slug}/identities`, {
      traits: { email, name: 'Native User' },
      password,
    });
    expect(identity.status).toBe(201);
    client = await oidc.discovery(new URL(issuer), created.body.clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const passkeyFactorApp = await admin.post(`/projects/${slug}/applications`, {
      name: 'Passkey as second factor',
      type: 'public',
      redirectUris: ['http://127.0.0.1/callback'],
      loginFlow: [['BasicAuthenticator'], ['FIDOAuthenticator']],
    });
    expect(passkeyFactorApp.status).toBe(201);
    passkeyFactorClient = await oidc.discovery(
      new URL(issuer),
      passkeyFactorApp.body.clientId,
      undefined,
      oidc.None(),
      { execute: [oidc.allowInsecureRequests] },
    );

    browser = await launchChromium();
    page = await browser.newPage();
    await addVirtualAuthenticator(page);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise((resolve) => app?.server.close(resolve));
  });

  it('signs in (password, then TOTP enrolled from the QR page), refreshes, revokes, adds a passkey, logs out, signs in again with the passkey, and steps up for another app', async () => {
    // 1. Password, then the in-flow TOTP enrollment (QR code and key on the page).
    const first = await login();
    await page.getByRole('textbox', { name: 'Username' }).fill(email);
    await page.getByRole('textbox', { name: 'Password' }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('img', { name: 'QR code' }).waitFor();
    const secret = (await page.locator('#totp-secret').textContent())!.trim();
    await page.getByRole('textbox', { name: 'Verification code' }).fill(await totpCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    const tokens = await callback(first);
    expect(tokens.claims()).toMatchObject({ email, amr: ['pwd', 'otp'] });

    // 2. Refresh rotates; revoking the new refresh token kills it.
    const refreshed = await oidc.refreshTokenGrant(client, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await expect(oidc.refreshTokenGrant(client, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await oidc.tokenRevocation(client, refreshed.refresh_token!);
    await expect(oidc.refreshTokenGrant(client, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });

    // 3. SSO: the app's next login skips the pages (the browser's session cookie).
    const again = await login();
    const ssoTokens = await callback(again);
    expect(ssoTokens.claims()!['sid']).toBe(tokens.claims()!['sid']);

    // 4. A passkey for this account, made in the browser (the settings API with the access token).
    // On a page of the issuer's origin (localhost: the RP ID), as a settings page of the app's web view would be.
    await page.goto(`${issuer}/.well-known/openid-configuration`);
    const registered = await page.evaluate(
      `(${REGISTER_PASSKEY})(${JSON.stringify([new URL(issuer).pathname, ssoTokens.access_token])})`,
    );
    expect(registered).toBe(201);

    // 5. Logout through the browser: back to the app's post-logout URI with state; the session is gone.
    const endSession = oidc.buildEndSessionUrl(client, {
      id_token_hint: ssoTokens.id_token!,
      post_logout_redirect_uri: `http://127.0.0.1:${app.port}/signed-out`,
      state: 'logged-out',
    });
    await page.goto(endSession.toString());
    await page.waitForURL(/\/signed-out\?state=logged-out$/);
    await expect(oidc.refreshTokenGrant(client, ssoTokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });

    // 6. The next login asks again, and the passkey answers it: the page offers it in the username field's
    // autofill (conditional mediation), which the virtual authenticator accepts at once, as a user picking the
    // suggestion would. Then TOTP, the app's second step.
    const third = await login();
    await page.getByRole('textbox', { name: 'Verification code' }).fill(await totpCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    const passkeyTokens = await callback(third);
    expect(passkeyTokens.claims()).toMatchObject({ email, amr: ['hwk', 'user', 'otp'] });
    expect(passkeyTokens.claims()!['sid']).not.toBe(tokens.claims()!['sid']);

    // 7. Another app asks for a password, then a passkey. The session (passkey, TOTP) has no password, so that
    // app's flow runs (a step-up): the password page, then the passkey button runs the ceremony.
    const stepUp = await login({}, passkeyFactorClient);
    await page.getByRole('textbox', { name: 'Username' }).fill(email);
    await page.getByRole('textbox', { name: 'Password' }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Use your passkey' }).click();
    const stepUpTokens = await callback(stepUp, passkeyFactorClient);
    expect(stepUpTokens.claims()).toMatchObject({ email, amr: ['pwd', 'hwk', 'user'] });

    // prompt=login forces a new login even with the new session (the pages again, not the callback; the passkey
    // autofill answers the first step, TOTP is asked); prompt=none without a session is login_required.
    await login({ prompt: 'login' });
    await page.getByRole('textbox', { name: 'Verification code' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(new URL(`${issuer}/ui/login`).pathname);
    const verifier = oidc.randomPKCECodeVerifier();
    // A browser without the session (its own context, no cookies).
    const isolated = await (await browser.newContext()).newPage();
    await isolated.goto(
      oidc
        .buildAuthorizationUrl(client, {
          redirect_uri: `http://127.0.0.1:${app.port}/callback`,
          scope: 'openid',
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state: 'none',
          prompt: 'none',
        })
        .toString(),
    );
    const refused = new URL(isolated.url());
    expect(refused.pathname).toBe('/callback');
    expect(refused.searchParams.get('error')).toBe('login_required');
    expect(refused.searchParams.get('state')).toBe('none');
  });
});
