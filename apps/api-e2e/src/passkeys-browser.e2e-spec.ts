import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { addVirtualAuthenticator, launchChromium, resolveChromium } from './support/browser';
import { adminApi, postForm, postJson, startFlow, submitPassword } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

const FIDO_AUTHENTICATOR_ID = 'RklET0F1dGhlbnRpY2F0b3I6TE9DQUw';
const REDIRECT_URI = 'com.example.app:/oauth2redirect';

/**
 * The web app's side of passkeys, as a page would ship it: WebAuthn's binary fields travel as base64url
 * in our JSON, so options are decoded into ArrayBuffers for the browser and its credentials encoded back
 * (by hand rather than with PublicKeyCredential.toJSON, which older browsers lack).
 */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>Keyway passkeys</title>
<script>
const toBytes = (b64url) => Uint8Array.from(atob(b64url.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(b64url.length / 4) * 4, '=')), (c) => c.charCodeAt(0));
const toB64url = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
const fromJsonB64 = (value) => JSON.parse(new TextDecoder().decode(toBytes(value)));
const toJsonB64 = (value) => toB64url(new TextEncoder().encode(JSON.stringify(value)));
const descriptors = (list) => (list || []).map((c) => ({ ...c, id: toBytes(c.id) }));

window.keyway = {
  /** Enrollment: options from /me/passkeys/registration-options, navigator.credentials.create(), POST /me/passkeys. */
  async registerPasskey(issuerPath, accessToken) {
    const auth = { authorization: 'Bearer ' + accessToken };
    const options = await (await fetch(issuerPath + '/me/passkeys/registration-options', { method: 'POST', headers: auth })).json();
    const credential = await navigator.credentials.create({
      publicKey: { ...options, challenge: toBytes(options.challenge), user: { ...options.user, id: toBytes(options.user.id) }, excludeCredentials: descriptors(options.excludeCredentials) },
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
          transports: credential.response.getTransports ? credential.response.getTransports() : [],
        },
        clientExtensionResults: credential.getClientExtensionResults(),
        authenticatorAttachment: credential.authenticatorAttachment,
      },
    };
    const response = await fetch(issuerPath + '/me/passkeys', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  },

  /** The app-native passkey step: challengeData → navigator.credentials.get() → tokenResponse to /oauth2/authn. */
  async signInWithPasskey(issuerPath, flowId, challengeData) {
    const { requestId, publicKeyCredentialRequestOptions: options } = fromJsonB64(challengeData);
    const assertion = await navigator.credentials.get({
      publicKey: { ...options, challenge: toBytes(options.challenge), allowCredentials: descriptors(options.allowCredentials) },
    });
    const credential = {
      id: assertion.id,
      rawId: toB64url(assertion.rawId),
      type: assertion.type,
      response: {
        clientDataJSON: toB64url(assertion.response.clientDataJSON),
        authenticatorData: toB64url(assertion.response.authenticatorData),
        signature: toB64url(assertion.response.signature),
        userHandle: assertion.response.userHandle ? toB64url(assertion.response.userHandle) : undefined,
      },
      clientExtensionResults: assertion.getClientExtensionResults(),
      authenticatorAttachment: assertion.authenticatorAttachment,
    };
    const body = { flowId, selectedAuthenticator: { authenticatorId: '${FIDO_AUTHENTICATOR_ID}', params: { tokenResponse: toJsonB64({ requestId, credential }) } } };
    const response = await fetch(issuerPath + '/oauth2/authn', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  },
};
</script>`;

/**
 * A web origin for the page: serves the page and passes every other request through to the API, as a
 * web app behind its own reverse proxy would (same origin for the page, so no CORS). http://localhost
 * is a secure context, where WebAuthn runs.
 */
async function startWebApp(apiBaseUrl: string): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer(async (request, response) => {
    if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'authorization', 'accept']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const upstream = await fetch(`${apiBaseUrl}${request.url}`, {
      method: request.method,
      headers,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    response.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream',
    });
    response.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://localhost:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Registration and passwordless sign-in in real Chromium, with CDP's virtual authenticator as the device. */
describe('passkeys in Chromium (virtual authenticator)', () => {
  let server: KeywayServer;
  let webApp: Awaited<ReturnType<typeof startWebApp>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startKeyway();
    webApp = await startWebApp(server.baseUrl);
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(`${webApp.origin}/`);
    await addVirtualAuthenticator(page);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await webApp?.close();
    await server?.stop();
  });

  it('registers a passkey through /me/passkeys, then signs in passwordless through the app-native flow', async () => {
    const admin = adminApi(server);
    const slug = `cr-${randomBytes(5).toString('hex')}`;
    // The page's origin is http://localhost:<port>; the RP ID must be its host.
    const project = await admin.post('/projects', {
      slug,
      name: 'Chromium',
      settings: { webauthn: { rpId: 'localhost', origins: [webApp.origin] } },
    });
    expect(project.status).toBe(201);
    const issuer: string = project.body.issuer;
    const issuerPath = new URL(issuer).pathname;
    const createApp = async (loginFlow: string[][]) =>
      (
        await admin.post(`/projects/${slug}/applications`, {
          name: 'App',
          type: 'public',
          redirectUris: [REDIRECT_URI],
          appNative: true,
          loginFlow,
        })
      ).body.clientId as string;
    const passwordApp = { issuer, clientId: await createApp([['BasicAuthenticator']]), redirectUri: REDIRECT_URI };
    const passkeyApp = {
      issuer,
      clientId: await createApp([['BasicAuthenticator', 'FIDOAuthenticator']]),
      redirectUri: REDIRECT_URI,
    };
    const email = `chromium-${randomBytes(4).toString('hex')}@example.com`;
    const password = `pw-${randomBytes(9).toString('base64url')}`;
    const identity = await admin.post(`/projects/${slug}/identities`, {
      traits: { email, name: 'Chromium User' },
      password,
    });

    // A password login gives the access token that enrollment needs.
    const login = await startFlow(passwordApp);
    const loggedIn = await submitPassword(passwordApp, login.response.body.flowId, email, password);
    const token = await postForm(`${issuer}/oauth2/token`, {
      grant_type: 'authorization_code',
      code: loggedIn.body.authData.code,
      redirect_uri: REDIRECT_URI,
      code_verifier: login.verifier,
      client_id: passwordApp.clientId,
    });
    expect(token.status).toBe(200);

    const registered = await page.evaluate(
      ([path, accessToken]) => (globalThis as any).keyway.registerPasskey(path, accessToken),
      [issuerPath, token.body.access_token as string],
    );
    expect(registered).toEqual({
      status: 201,
      body: {
        id: expect.any(String),
        name: 'Chromium',
        createdAt: expect.any(String),
        lastUsedAt: null,
        transports: expect.arrayContaining(['internal']),
        backedUp: false,
      },
    });

    // authorize → select the passkey → navigator.credentials.get() → tokenResponse.
    const { response, verifier } = await startFlow(passkeyApp);
    const flowId: string = response.body.flowId;
    const selected = await postJson(`${issuer}/oauth2/authn`, {
      flowId,
      selectedAuthenticator: { authenticatorId: FIDO_AUTHENTICATOR_ID },
    });
    const challengeData: string = selected.body.nextStep.authenticators[0].metadata.additionalData.challengeData;
    const signedIn = await page.evaluate(
      ([path, id, data]) => (globalThis as any).keyway.signInWithPasskey(path, id, data),
      [issuerPath, flowId, challengeData],
    );
    expect(signedIn).toEqual({
      status: 200,
      body: {
        flowStatus: 'SUCCESS_COMPLETED',
        authData: { code: expect.any(String), state: 'st-123', session_state: expect.any(String) },
      },
    });

    const tokens = await postForm(`${issuer}/oauth2/token`, {
      grant_type: 'authorization_code',
      code: signedIn.body.authData.code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      client_id: passkeyApp.clientId,
    });
    expect(tokens.status).toBe(200);
    const idToken = JSON.parse(Buffer.from(tokens.body.id_token.split('.')[1], 'base64url').toString());
    expect(idToken).toMatchObject({ sub: identity.body.id, amr: ['hwk', 'user'] });
  });
});

describe('the test browser (support/browser.ts)', () => {
  it('takes CHROMIUM_PATH first, and otherwise a browser from npm or Playwright, never a system package', async () => {
    expect(await resolveChromium({ CHROMIUM_PATH: process.execPath })).toEqual({
      executablePath: process.execPath,
      source: 'CHROMIUM_PATH',
    });
    await expect(resolveChromium({ CHROMIUM_PATH: '/nonexistent/chromium' })).rejects.toThrow(
      /CHROMIUM_PATH=\/nonexistent\/chromium does not exist/,
    );
    const resolved = await resolveChromium({});
    expect(['playwright', '@sparticuz/chromium']).toContain(resolved.source);
    expect(resolved.executablePath).not.toBe('/usr/bin/chromium');
  });
});
