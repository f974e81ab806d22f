import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import * as oidc from 'openid-client';
import { startUpstreamProvider, type UpstreamProvider } from '@keyway/e2e-support';
import { launchChromium } from './support/browser';
import { adminApi } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

/**
 * Redirect-mode federation in the hosted login, in real Chromium: an app (a loopback listener) sends the browser to
 * Keyway, the user picks the provider (oidc-provider, OpenID certified, in this process), comes back through
 * Keyway's callback and lands on the app with a code. Then an existing account: the provider's login with the
 * same verified address asks for that account's password on the page before it links.
 */
describe('federated sign-in in Chromium (hosted login, redirect mode)', () => {
  let server: KeywayServer;
  let upstream: UpstreamProvider;
  let browser: Browser;
  let page: Page;
  let app: { server: Server; port: number };
  let issuer: string;
  let client: oidc.Configuration;
  const email = `existing-${randomBytes(4).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  let existingId: string;

  const login = async (extra: Record<string, string> = {}) => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(client, {
      redirect_uri: `http://127.0.0.1:${app.port}/callback`,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      ...extra,
    });
    await page.goto(url.toString());
    return { verifier, state };
  };

  const callback = async (started: { verifier: string; state: string }) => {
    await page.waitForURL(/127\.0\.0\.1:\d+\/callback\?/);
    return oidc.authorizationCodeGrant(client, new URL(page.url()), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      idTokenExpected: true,
    });
  };

  beforeAll(async () => {
    const listener = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>App</title><p>Back.</p>');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    app = { server: listener, port: (listener.address() as AddressInfo).port };

    server = await startKeyway();
    const admin = adminApi(server);
    const slug = `fed-${randomBytes(4).toString('hex')}`;
    const project = await admin.post('/projects', { slug, name: 'Federation' });
    expect(project.status).toBe(201);
    issuer = project.body.issuer;
    const created = await admin.post(`/projects/${slug}/applications`, {
      name: 'Web app',
      type: 'public',
      redirectUris: ['http://127.0.0.1/callback'],
      grantTypes: ['authorization_code'],
    });
    expect(created.status).toBe(201);
    const identity = await admin.post(`/projects/${slug}/identities`, {
      traits: { email, name: 'Existing' },
      password,
    });
    expect(identity.status).toBe(201);
    existingId = identity.body.id;

    upstream = await startUpstreamProvider(
      { 'keyway-browser': 'ES256' },
      { redirectUris: [`${issuer}/ui/federation/callback`] },
    );
    const connection = await admin.post(`/projects/${slug}/connections`, {
      name: 'acme',
      preset: 'oidc',
      clientId: 'keyway-browser',
      clientSecret: upstream.clientSecret,
      discoveryUrl: upstream.discoveryUrl,
      trustEmailVerified: true,
      applications: [{ clientId: created.body.clientId, mode: 'redirect' }],
    });
    expect(connection.status).toBe(201);

    client = await oidc.discovery(new URL(issuer), created.body.clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    browser = await launchChromium();
    page = await browser.newPage();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await upstream?.close();
    await server?.stop();
    await new Promise((resolve) => app?.server.close(resolve));
  });

  it('signs a new user up through the provider, then links an existing account after its password', async () => {
    const newcomer = `new-${randomBytes(4).toString('hex')}@example.com`;
    upstream.signInAs({ sub: 'browser-user-1', claims: { email: newcomer, email_verified: true, name: 'Newcomer' } });
    const first = await login();
    await page.getByRole('button', { name: 'Sign in with acme' }).click();
    const tokens = await callback(first);
    expect(tokens.claims()).toMatchObject({ email: newcomer, amr: ['fed'] });

    // The existing account, on another device (no session here nor at the provider): the same verified address at
    // the provider, so the page asks for the account's password first.
    page = await (await browser.newContext()).newPage();
    upstream.signInAs({ sub: 'browser-user-2', claims: { email, email_verified: true, name: 'Existing' } });
    const second = await login();
    await page.getByRole('button', { name: 'Sign in with acme' }).click();
    await page.getByText('An account with this email address exists.').waitFor();
    await page.getByRole('textbox', { name: 'Password' }).fill('not-the-password');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Invalid username or password.').waitFor();
    await page.getByRole('textbox', { name: 'Password' }).fill(password);
    await page.getByRole('button', { name: 'Continue' }).click();
    const linked = await callback(second);
    expect(linked.claims()).toMatchObject({ sub: existingId, email });
    expect(linked.claims()?.['amr']).toEqual(expect.arrayContaining(['fed', 'pwd']));
  });
});
