import { randomBytes } from 'node:crypto';
import { startConsoleSession, type ConsoleSession } from './support/console-session';

/**
 * APIs and machine-to-machine access in Chromium against the built API and console: an API registered on the
 * APIs page gets scopes; a "Machine to machine" application (no redirect URI) is granted it with one scope on
 * its API access tab; with the secret shown once, the token endpoint then gives exactly that scope. The tests
 * share one browser session, in order.
 */
describe('APIs and machine-to-machine access', () => {
  let session: ConsoleSession;
  const slug = `apis-${randomBytes(3).toString('hex')}`;
  const identifier = 'https://api.example.com/orders';
  let apiId = '';

  const page = () => session.page;
  const json = async (method: string, path: string, body?: unknown) => {
    const response = await session.rootAdmin(method, path, body);
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    session = await startConsoleSession();
    expect((await json('POST', '/projects', { slug, name: 'Orders Co' })).status).toBe(201);
    await session.signInAsOwner();
  }, 180_000);

  afterAll(async () => {
    await session?.stop();
  });

  it('registers an API and gives it scopes; a bad scope name is refused beside the field', async () => {
    await page().goto(session.url(`/projects/${slug}`));
    await page().getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'APIs' }).click();
    await page().waitForURL(session.url(`/projects/${slug}/apis`));
    await page().getByText('No APIs yet').waitFor();
    await page().getByRole('button', { name: 'New API' }).click();
    const dialog = page().getByRole('dialog', { name: 'Register an API' });
    await dialog.getByLabel('Name').fill('Orders');
    await dialog.getByLabel('Identifier').fill('https://api.example.com/orders#x');
    await dialog.getByRole('button', { name: 'Create API' }).click();
    await dialog.getByText('No fragment').waitFor();
    await dialog.getByLabel('Identifier').fill(identifier);
    await dialog.getByRole('button', { name: 'Create API' }).click();
    await page().getByRole('heading', { name: 'Orders' }).waitFor();
    apiId = page().url().split('/').pop()!;

    await page().getByRole('button', { name: 'Add scope' }).click();
    await page().getByLabel('Scope 1 name').fill('orders read');
    await page().getByRole('button', { name: 'Save API' }).click();
    await page().getByText('orders read: no spaces').waitFor();
    await page().getByLabel('Scope 1 name').fill('orders:read');
    await page().getByLabel('Scope 1 description').fill('Read orders');
    await page().getByRole('button', { name: 'Add scope' }).click();
    await page().getByLabel('Scope 2 name').fill('orders:write');
    await page().getByLabel('Access token lifetime (seconds)').fill('600');
    await page().getByRole('button', { name: 'Save API' }).click();
    await page().getByText('Saved.').waitFor();
    await session.shot('70-api-resource');

    expect((await json('GET', `/projects/${slug}/api-resources/${apiId}`)).body).toMatchObject({
      identifier,
      name: 'Orders',
      accessTokenTtlSeconds: 600,
      scopes: [
        { name: 'orders:read', description: 'Read orders' },
        { name: 'orders:write', description: '' },
      ],
    });
  });

  it('creates a machine-to-machine app, grants it one scope of the API, and the token endpoint agrees', async () => {
    await page().goto(session.url(`/projects/${slug}/applications/new`));
    await page()
      .getByRole('radio', { name: /Machine to machine/ })
      .check();
    await page().getByLabel('Name', { exact: true }).fill('Nightly export');
    expect(await page().getByLabel('Redirect URIs').count()).toBe(0);
    await page().getByRole('button', { name: 'Create application' }).click();
    const clientId = (await page().getByTestId('created-client-id').textContent()) ?? '';
    const clientSecret = (await page().getByTestId('secret-once').textContent()) ?? '';
    await page().getByRole('link', { name: 'Open the application' }).click();
    await page().getByRole('heading', { name: 'Nightly export' }).waitFor();

    await page().getByRole('tab', { name: 'API access' }).click();
    await page()
      .getByRole('checkbox', { name: /Orders/ })
      .check();
    await page()
      .getByRole('checkbox', { name: /orders:read/ })
      .check();
    await page().getByRole('button', { name: 'Save API access' }).click();
    await page().getByText('Saved.').waitFor();
    await session.shot('71-application-api-access');
    expect((await json('GET', `/projects/${slug}/applications/${clientId}/resource-grants`)).body).toEqual({
      grants: [{ resource: identifier, resourceId: apiId, name: 'Orders', scopes: ['orders:read'] }],
    });

    const issuer = (await json('GET', `/projects/${slug}`)).body.issuer as string;
    const token = await fetch(`${issuer}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: identifier }).toString(),
    });
    expect(token.status).toBe(200);
    expect(await token.json()).toMatchObject({ token_type: 'Bearer', scope: 'orders:read', expires_in: 600 });
  });
});
