import { addVirtualAuthenticator, freePort, launchChromium, startKeyway, type KeywayServer } from '@keyway/e2e-support';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startConsole, type ConsoleServer } from './support/console-server';

/** Screenshots of every page the suite visits (git-ignored, under dist/). */
const SCREENSHOTS = path.resolve(__dirname, '../../../dist/console-e2e/screenshots');
const OWNER = 'owner@keyway.local';
/** The system project's access tokens live this long here (the minimum), so the session must refresh one. */
const ACCESS_TOKEN_TTL_SECONDS = 60;

/**
 * The console as its users meet it, in real Chromium against the built API and the production build of the
 * console: signing in through Keyway's app-native API (the console's server as the `keyway-console`
 * client), the shell, creating and switching projects, CSRF refusals, sign-out, token refresh and passkeys.
 * The tests run in order and share one browser session, as one person's visit would.
 */
describe('the console in Chromium', () => {
  let api: KeywayServer;
  let consoleServer: ConsoleServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let ownerPassword: string;
  let signedInAt = 0;
  const slug = `acme-${randomBytes(3).toString('hex')}`;

  const url = (pathname: string) => `${consoleServer.url}${pathname}`;
  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const rootAdmin = (method: string, pathname: string, body?: unknown) =>
    fetch(`${api.baseUrl}/api/admin/v1${pathname}`, {
      method,
      headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  async function signInWithPassword(password: string): Promise<void> {
    await page.getByRole('textbox', { name: 'Username' }).fill(OWNER);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  /** The browser's cookies for the console, as a Cookie header (for requests the test sends itself). */
  async function cookieHeader(): Promise<{ header: string; csrf: string; session: string | undefined }> {
    const cookies = await context.cookies(consoleServer.url);
    return {
      header: cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join('; '),
      csrf: cookies.find((cookie) => cookie.name === 'keyway-console-csrf')?.value ?? '',
      session: cookies.find((cookie) => cookie.name === 'keyway-console-session')?.value,
    };
  }

  beforeAll(async () => {
    const port = await freePort();
    api = await startKeyway({ env: { KEYWAY_CONSOLE_URL: `http://localhost:${port}` } });
    try {
      consoleServer = await startConsole({ port, apiUrl: api.baseUrl, dataDir: api.dataDir });
    } catch (error) {
      await api.stop();
      throw error;
    }
    if (api.databaseUrl) {
      // PostgreSQL gets no first owner by itself: the command line makes one, as an operator would.
      ownerPassword = `pw-${randomBytes(12).toString('base64url')}`;
      const created = await api.command(['create-owner', '--email', OWNER, '--password', ownerPassword]);
      if (created.exitCode !== 0) throw new Error(`create-owner failed:\n${created.output}`);
    } else ownerPassword = readFileSync(path.join(api.dataDir, 'owner-password'), 'utf8').trim();
    const configured = await rootAdmin('PATCH', '/projects/keyway-admin', {
      settings: { accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS },
    });
    expect(configured.status).toBe(200);
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await consoleServer?.stop();
    await api?.stop();
  });

  it('sends a visitor to sign-in, and shows a wrong password as an error on the same form', async () => {
    const response = await page.goto(url('/'));
    expect(page.url()).toBe(url('/sign-in'));
    // Nothing of the console answers a visitor without a session, not even the API's health.
    expect((await fetch(url('/api/keyway-health'))).status).toBe(401);
    // Never framed, never sniffed.
    expect(response?.headers()).toMatchObject({
      'x-frame-options': 'DENY',
      'content-security-policy': "frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
    });
    await page.getByRole('textbox', { name: 'Username' }).waitFor();
    await shot('01-sign-in');

    await signInWithPassword('not-the-password');
    const error = page.getByRole('alert').filter({ hasText: 'Invalid username or password' });
    await error.waitFor();
    expect(await error.textContent()).toBe('Invalid username or password. 4 attempts left.');
    // The same step again: the username is kept, the password is not.
    expect(await page.getByRole('textbox', { name: 'Username' }).inputValue()).toBe(OWNER);
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    await shot('02-sign-in-wrong-password');
  });

  it('signs the owner in with the password: the shell shows the user and the keyway-admin project', async () => {
    // By keyboard alone: the step's first field has the focus (the username, kept), Tab to the password, Enter.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('username');
    await page.keyboard.press('Tab');
    await page.keyboard.type(ownerPassword);
    await page.keyboard.press('Enter');
    await page.waitForURL(url('/'));
    signedInAt = Date.now();
    await page.getByTestId('signed-in-user').filter({ hasText: OWNER }).waitFor();
    await page.getByText('Instance owner', { exact: true }).waitFor();
    const systemProject = page.getByRole('link', { name: /Keyway console/ }).filter({ hasText: 'keyway-admin' });
    await systemProject.first().waitFor();
    await shot('03-projects');

    // The browser holds ids only: the session (httpOnly, Lax) and the CSRF cookie; no token, no pending sign-in.
    const cookies = await context.cookies(consoleServer.url);
    expect(cookies.map((cookie) => cookie.name).sort()).toEqual(['keyway-console-csrf', 'keyway-console-session']);
    for (const cookie of cookies) {
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
      expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it('creates a project, showing the API’s complaints beside their fields, then switches between projects', async () => {
    await page.getByRole('link', { name: 'Create project' }).first().click();
    await page.waitForURL(url('/projects/new'));
    await page.getByLabel('Name', { exact: true }).fill('Acme Corp');
    // The slug follows the name until it is edited.
    expect(await page.getByLabel('Slug', { exact: true }).inputValue()).toBe('acme-corp');

    await page.getByLabel('Slug', { exact: true }).fill('Not A Slug');
    await page.getByRole('button', { name: 'Create project' }).click();
    const slugError = page.getByRole('alert').filter({ hasText: 'Slug must be 1-63 lowercase letters' });
    await slugError.waitFor();
    expect(await page.getByLabel('Slug', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await shot('04-create-project-invalid');

    await page.getByLabel('Slug', { exact: true }).fill('keyway-admin');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('alert').filter({ hasText: "The slug 'keyway-admin' is reserved." }).waitFor();

    await page.getByLabel('Slug', { exact: true }).fill(slug);
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL(url(`/projects/${slug}`));
    await page.getByRole('heading', { name: 'Acme Corp' }).waitFor();
    const issuer = page.getByTestId('project-issuer');
    await issuer.waitFor();
    expect(await issuer.textContent()).toBe(`${api.baseUrl}/t/${slug}`);
    const permissions = page.getByTestId('project-permissions');
    await permissions.waitFor();
    expect(await permissions.textContent()).toContain('delete');
    await shot('05-project-overview');

    // The switcher lists the caller's projects with their roles; the new one is theirs as owner.
    const switcher = page.getByRole('button', { name: /^Project/ });
    await switcher.click();
    const projects = page.getByRole('list', { name: 'Your projects' });
    await projects.waitFor();
    expect(await switcher.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Escape');
    await projects.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-expanded'))).toBe('false');
    await page.keyboard.press('Enter');
    await projects.waitFor();
    expect(await projects.getByRole('link', { name: /Acme Corp/ }).textContent()).toContain('owner');
    await shot('06-project-switcher');
    await projects.getByRole('link', { name: /Keyway console/ }).click();
    await page.waitForURL(url('/projects/keyway-admin'));
    await page.getByRole('heading', { name: 'Keyway console' }).waitFor();
    await page.getByText('The system project').waitFor();
    await shot('07-system-project');

    await page.getByRole('button', { name: /^Project/ }).click();
    await page
      .getByRole('list', { name: 'Your projects' })
      .getByRole('link', { name: /Acme Corp/ })
      .click();
    await page.waitForURL(url(`/projects/${slug}`));
    await page.getByRole('heading', { name: 'Acme Corp' }).waitFor();
  });

  it('creates a native app from its preset and designs a two-step login flow (password, then TOTP)', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Applications' }).click();
    await page.waitForURL(url(`/projects/${slug}/applications`));
    await page.getByText('No applications yet').waitFor();
    await shot('20-applications-empty');
    await page.getByRole('link', { name: 'New application' }).click();
    await page.waitForURL(url(`/projects/${slug}/applications/new`));
    await page.getByRole('radio', { name: /Native app/ }).check();
    await page.getByLabel('Name', { exact: true }).fill('Acme Mobile');
    // Checked before sending: a web URL over plain http is refused beside the field.
    await page.getByLabel('Redirect URIs').fill('http://acme.example/callback');
    await page.getByRole('button', { name: 'Create application' }).click();
    await page.getByText('http is for loopback addresses only').waitFor();
    expect(await page.getByLabel('Redirect URIs').getAttribute('aria-invalid')).toBe('true');
    await shot('21-create-application-invalid');
    await page.getByLabel('Redirect URIs').fill('com.acme.mobile:/callback');
    await page.getByRole('button', { name: 'Create application' }).click();
    const clientIdCell = page.getByTestId('created-client-id');
    await clientIdCell.waitFor();
    const clientId = (await clientIdCell.textContent()) ?? '';
    // A public client: no secret to show.
    expect(await page.getByTestId('secret-once').count()).toBe(0);
    await page.getByRole('link', { name: 'Open the application' }).click();
    await page.waitForURL(url(`/projects/${slug}/applications/${clientId}`));
    await page.getByRole('heading', { name: 'Acme Mobile' }).waitFor();
    await shot('22-application-settings');

    await page.getByRole('tab', { name: 'Login flow' }).click();
    const steps = page.getByRole('list', { name: 'Login steps' });
    await steps.waitFor();
    // A second factor is not offered in step 1.
    const firstStepChoices = await page.getByLabel('Add an option to step 1').locator('option').allTextContents();
    expect(firstStepChoices.some((choice) => choice.includes('second factor'))).toBe(false);
    // The first prompt the app will get, from the API's engine, follows the design as it changes.
    const firstPrompt = page.getByRole('region', { name: 'The app’s first prompt' });
    await firstPrompt.getByText('AUTHENTICATOR_PROMPT', { exact: true }).waitFor();
    await firstPrompt.getByText('Asks for Username, Password (secret)').waitFor();
    await page.getByLabel('Add an option to step 1').selectOption('FIDOAuthenticator');
    await firstPrompt.getByText('MULTI_OPTIONS_PROMPT', { exact: true }).waitFor();
    await firstPrompt.getByRole('list', { name: 'Options of the first prompt' }).getByText('Passkey').waitFor();
    await page.getByRole('button', { name: 'Remove Passkey from step 1' }).click();
    await firstPrompt.getByText('AUTHENTICATOR_PROMPT', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Add step' }).click();
    await page.getByLabel('Add an option to step 2').selectOption('totp');
    await page.getByRole('list', { name: 'Options of step 2' }).getByText('second factor').waitFor();
    // Moving the second factor first is refused before sending.
    await page.getByRole('button', { name: 'Move step 2 up' }).click();
    await page.getByRole('button', { name: 'Save login flow' }).click();
    await page.getByRole('alert').filter({ hasText: 'cannot be in the first step' }).waitFor();
    await shot('23-login-flow-invalid');
    await page.getByRole('button', { name: 'Move step 1 down' }).click();
    await page.getByRole('button', { name: 'Save login flow' }).click();
    await page.getByText('Login flow saved.').waitFor();
    await shot('24-login-flow');

    const stored = await rootAdmin('GET', `/projects/${slug}/applications/${clientId}`);
    expect(stored.status).toBe(200);
    expect(await stored.json()).toMatchObject({
      type: 'public',
      appNative: true,
      redirectUris: ['com.acme.mobile:/callback'],
      loginFlow: [['BasicAuthenticator'], ['totp']],
    });

    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('list', { name: 'Applications' }).getByText('Acme Mobile').waitFor();
    await shot('25-applications');
  });

  it('finds a user by email, disables them with a reason and enables them again; the timeline says why', async () => {
    const email = `jane-${randomBytes(3).toString('hex')}@acme.example`;
    const created = await rootAdmin('POST', `/projects/${slug}/identities`, {
      traits: { email },
      password: 'correct horse battery',
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Users' }).click();
    await page.waitForURL(url(`/projects/${slug}/users`));
    await page.getByLabel('Search users').fill(email.slice(0, 8));
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.getByRole('row').filter({ hasText: email });
    await row.waitFor();
    expect(await row.textContent()).toContain('active');
    await shot('26-users');
    await row.getByRole('link', { name: email }).click();
    await page.waitForURL(url(`/projects/${slug}/users/${id}`));
    await page.getByRole('heading', { name: email }).waitFor();

    await page.getByRole('button', { name: 'Disable' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disable this account' });
    await dialog.waitFor();
    // The reason is checked before sending.
    await dialog.getByLabel('Reason').fill('no');
    await dialog.getByRole('button', { name: 'Disable' }).click();
    await dialog.getByText('at least 3 characters').waitFor();
    await shot('27-user-disable-dialog');
    await dialog.getByLabel('Reason').fill('Ticket #4521: lost laptop');
    await dialog.getByRole('button', { name: 'Disable' }).click();
    await dialog.getByText('Done').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('heading', { name: email }).getByText('disabled').waitFor();

    await page.getByRole('button', { name: 'Enable' }).click();
    const enable = page.getByRole('dialog', { name: 'Enable this account' });
    await enable.getByLabel('Reason').fill('Ticket #4521: laptop found');
    await enable.getByRole('button', { name: 'Enable' }).click();
    await enable.getByText('Done').waitFor();
    await enable.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('heading', { name: email }).getByText('active').waitFor();

    const timeline = page.getByTestId('identity-timeline');
    await timeline.getByText('admin.identity.enable').waitFor();
    await timeline.getByText('Reason: Ticket #4521: lost laptop').waitFor();
    await timeline.getByText('Reason: Ticket #4521: laptop found').waitFor();
    await shot('28-user-detail');

    // Back to the project's overview, where the next tests expect the page.
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: 'Acme Corp' }).waitFor();
  });

  it('refuses a state-changing request without the CSRF token, with another token, or from another origin', async () => {
    const post = (headers: Record<string, string>) =>
      page.evaluate(
        async ([body, extra]) => {
          const response = await fetch('/api/admin/v1/projects', {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...extra },
            body,
          });
          return { status: response.status, body: await response.json() };
        },
        [JSON.stringify({ slug: 'csrf-probe', name: 'CSRF probe' }), headers] as const,
      );
    // From the console's own page (right Origin), with the session cookie: the token is what is missing.
    expect(await post({})).toMatchObject({ status: 403, body: { code: 'KW-40300' } });
    expect(await post({ 'x-keyway-csrf': 'a'.repeat(43) })).toMatchObject({ status: 403, body: { code: 'KW-40300' } });
    const signOut = await page.evaluate(async () => (await fetch('/api/auth/sign-out', { method: 'POST' })).status);
    expect(signOut).toBe(403);

    // Cookies and token right, Origin wrong (a page elsewhere cannot do better); then all right, as a control.
    const { header, csrf } = await cookieHeader();
    const send = (origin: string, slugToCreate: string) =>
      fetch(url('/api/admin/v1/projects'), {
        method: 'POST',
        headers: { cookie: header, origin, 'x-keyway-csrf': csrf, 'content-type': 'application/json' },
        body: JSON.stringify({ slug: slugToCreate, name: 'Probe' }),
      });
    const foreign = await send('https://evil.example', 'csrf-probe');
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ code: 'KW-40300', description: expect.stringContaining('evil') });
    expect((await send(consoleServer.url, `${slug}-control`)).status).toBe(201);

    const me = await page.evaluate(async () => (await fetch('/api/admin/v1/me')).json());
    const slugs = (me.projects as Array<{ slug: string }>).map((project) => project.slug);
    expect(slugs).toEqual(expect.arrayContaining(['keyway-admin', slug, `${slug}-control`]));
    expect(slugs).not.toContain('csrf-probe');
  });

  it('shows a console user without projects the empty state, and ends a locked sign-in with a way to start again', async () => {
    // A console user who is no member of anything: an identity of the system project, made with the root token.
    const email = `staff-${randomBytes(3).toString('hex')}@example.com`;
    const password = `pw-${randomBytes(12).toString('base64url')}`;
    const created = await rootAdmin('POST', '/projects/keyway-admin/identities', { traits: { email }, password });
    expect(created.status).toBe(201);
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const staff = await other.newPage();
      await staff.goto(url('/'));
      const fill = async (secret: string) => {
        await staff.getByRole('textbox', { name: 'Username' }).fill(email);
        await staff.getByLabel('Password', { exact: true }).fill(secret);
        await staff.getByRole('button', { name: 'Continue' }).click();
      };
      await fill(password);
      await staff.waitForURL(url('/'));
      await staff.getByRole('heading', { name: 'No projects yet' }).waitFor();
      await staff.getByText('You are not a member of any project').waitFor();
      expect(await staff.getByRole('link', { name: 'Create project' }).count()).toBe(0);
      await staff.screenshot({ path: path.join(SCREENSHOTS, '08-no-projects.png'), fullPage: true });
      await staff.goto(url('/projects/new'));
      await staff.getByText('Only an owner of this instance may create projects').waitFor();

      // Five wrong passwords lock the account (the project's default lockout): the flow is over.
      await staff.getByRole('button', { name: 'Sign out' }).click();
      await staff.waitForURL(url('/sign-in'));
      for (let attempt = 1; attempt <= 4; attempt++) {
        await fill('wrong-password');
        await staff
          .getByRole('alert')
          .filter({ hasText: `${5 - attempt} attempt${5 - attempt === 1 ? '' : 's'} left` })
          .waitFor();
      }
      await fill('wrong-password');
      await staff.getByRole('alert').filter({ hasText: 'The account is locked' }).waitFor();
      expect(await staff.getByRole('textbox', { name: 'Username' }).count()).toBe(0);
      await staff.screenshot({ path: path.join(SCREENSHOTS, '09-sign-in-locked.png'), fullPage: true });
      await staff.getByRole('button', { name: 'Start again' }).click();
      await staff.getByRole('textbox', { name: 'Username' }).waitFor();
    } finally {
      await other.close();
    }
  });

  it('keeps the session past its access token’s lifetime by refreshing it', async () => {
    // The session's first access token expired ACCESS_TOKEN_TTL_SECONDS after sign-in; wait for that if needed.
    const wait = signedInAt + (ACCESS_TOKEN_TTL_SECONDS + 2) * 1000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await page.reload();
    await page.getByRole('heading', { name: 'Acme Corp' }).waitFor();
    await page.getByTestId('project-issuer').waitFor();
    const me = await page.evaluate(async () => {
      const response = await fetch('/api/admin/v1/me');
      return { status: response.status, body: await response.json() };
    });
    expect(me).toMatchObject({ status: 200, body: { name: OWNER, instanceOwner: true } });
  }, 120_000);

  it('signs out: back to sign-in, and the old session cookie opens nothing', async () => {
    const { header } = await cookieHeader();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(url('/sign-in'));
    await page.getByRole('textbox', { name: 'Username' }).waitFor();
    await shot('10-signed-out');

    const replayed = await fetch(url('/api/admin/v1/me'), { headers: { cookie: header } });
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toMatchObject({ code: 'KW-40100' });
    await page.goto(url(`/projects/${slug}`));
    expect(page.url()).toBe(url(`/sign-in?returnTo=${encodeURIComponent(`/projects/${slug}`)}`));

    // Signing in from there returns to the page asked for.
    await page.getByRole('textbox', { name: 'Username' }).waitFor();
    await signInWithPassword(ownerPassword);
    await page.waitForURL(url(`/projects/${slug}`));
    await page.getByRole('heading', { name: 'Acme Corp' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(url('/sign-in'));
  });

  it('signs in with a passkey (CDP virtual authenticator) registered through /me/passkeys', async () => {
    // The API binds the system project's passkeys to the console (KEYWAY_CONSOLE_URL) by itself.
    const system = await (await rootAdmin('GET', '/projects/keyway-admin')).json();
    expect(system.settings.webauthn).toEqual({ rpId: 'localhost', origins: [consoleServer.url] });
    await addVirtualAuthenticator(page);
    // The owner registers a passkey for the console's origin, as a settings page would: options from the
    // API, navigator.credentials.create() in the console's page, the answer back to the API.
    const issuer = `${api.baseUrl}/t/keyway-admin`;
    const accessToken = await ownerAccessToken(api, consoleServer.url, ownerPassword);
    const auth = { authorization: `Bearer ${accessToken}` };
    const options = await (
      await fetch(`${issuer}/me/passkeys/registration-options`, { method: 'POST', headers: auth })
    ).json();
    const credential = await page.evaluate(createPasskey, options);
    const registered = await fetch(`${issuer}/me/passkeys`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Console e2e', credential }),
    });
    expect(registered.status).toBe(201);

    await page.goto(url('/sign-in'));
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL(url('/'));
    await page.getByTestId('signed-in-user').filter({ hasText: OWNER }).waitFor();
    await shot('11-signed-in-with-passkey');
  });
});

/**
 * An access token of the owner from the console's client, fresh enough for adding a factor (the API's
 * privileged window): the app-native flow by hand, with the client secret the API wrote to its data dir.
 */
async function ownerAccessToken(api: KeywayServer, consoleUrl: string, password: string): Promise<string> {
  const issuer = `${api.baseUrl}/t/keyway-admin`;
  const secret = readFileSync(path.join(api.dataDir, 'console-client-secret'), 'utf8').trim();
  const basic = `Basic ${Buffer.from(`keyway-console:${secret}`).toString('base64')}`;
  const verifier = randomBytes(32).toString('base64url');
  const redirectUri = `${consoleUrl}/auth/callback`;
  const form = (params: Record<string, string>) => ({
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(params).toString(),
  });
  const started = await (
    await fetch(
      `${issuer}/oauth2/authorize`,
      form({
        client_id: 'keyway-console',
        response_type: 'code',
        response_mode: 'direct',
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }),
    )
  ).json();
  const answered = await (
    await fetch(`${issuer}/oauth2/authn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        flowId: started.flowId,
        selectedAuthenticator: {
          authenticatorId: 'QmFzaWNBdXRoZW50aWNhdG9yOkxPQ0FM',
          params: { username: OWNER, password },
        },
      }),
    })
  ).json();
  const tokens = await (
    await fetch(
      `${issuer}/oauth2/token`,
      form({
        grant_type: 'authorization_code',
        code: answered.authData.code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      }),
    )
  ).json();
  return tokens.access_token;
}

/** Runs in the page: PublicKeyCredentialCreationOptionsJSON → navigator.credentials.create() → RegistrationResponseJSON. */
async function createPasskey(options: any): Promise<unknown> {
  const toBytes = (value: string) =>
    Uint8Array.from(atob(value.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const toBase64url = (buffer: ArrayBuffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer)))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
  const credential = (await navigator.credentials.create({
    publicKey: {
      ...options,
      challenge: toBytes(options.challenge),
      user: { ...options.user, id: toBytes(options.user.id) },
      excludeCredentials: (options.excludeCredentials ?? []).map((c: any) => ({ ...c, id: toBytes(c.id) })),
    },
  })) as PublicKeyCredential;
  const response = credential.response as AuthenticatorAttestationResponse;
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      attestationObject: toBase64url(response.attestationObject),
      transports: response.getTransports(),
    },
    clientExtensionResults: credential.getClientExtensionResults(),
  };
}
