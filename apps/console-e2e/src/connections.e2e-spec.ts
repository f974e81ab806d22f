import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startConsoleSession, type ConsoleSession } from './support/console-session';

/**
 * The Connections page in Chromium against the built API and console: a Google connection from the preset picker
 * (its secret never shown back), a generic OIDC one discovered from a provider started here, its Test button
 * showing each check, and a deletion confirmed. The tests share one browser session, in order.
 */
describe('Connections page', () => {
  let session: ConsoleSession;
  let provider: Server;
  let providerUrl = '';
  const slug = `conn-${randomBytes(3).toString('hex')}`;
  const page = () => session.page;

  beforeAll(async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwks = JSON.stringify({
      keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }],
    });
    provider = createServer((request, response) => {
      response.writeHead(request.url === '/token' ? 400 : 200, { 'content-type': 'application/json' });
      if (request.url === '/jwks') return response.end(jwks);
      if (request.url === '/token') return response.end('{"error":"invalid_request"}');
      response.end(
        JSON.stringify({
          issuer: providerUrl,
          authorization_endpoint: `${providerUrl}/authorize`,
          token_endpoint: `${providerUrl}/token`,
          jwks_uri: `${providerUrl}/jwks`,
        }),
      );
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
    session = await startConsoleSession();
    const project = await session.rootAdmin('POST', '/projects', { slug, name: 'Connections Co' });
    expect(project.status).toBe(201);
    await session.signInAsOwner();
  }, 180_000);

  afterAll(async () => {
    await session?.stop();
    await new Promise((resolve) => provider?.close(resolve));
  });

  it('creates a Google connection from the preset picker; the secret is write-only', async () => {
    await page().goto(session.url(`/projects/${slug}`));
    await page().getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Connections' }).click();
    await page().waitForURL(session.url(`/projects/${slug}/connections`));
    await page().getByText('No connections yet').waitFor();
    await page().getByRole('button', { name: 'New connection' }).click();
    const dialog = page().getByRole('dialog', { name: 'New connection' });
    await dialog.getByLabel('Provider').selectOption('google');
    await dialog.getByLabel('Name').fill('Google Login');
    await dialog.getByLabel('Client id').fill('web.apps.googleusercontent.com');
    await dialog.getByLabel('Client secret').fill('GOCSPX-console-secret');
    await dialog.getByRole('button', { name: 'Create connection' }).click();
    await dialog.getByText(/lower-case letters/).waitFor();
    await dialog.getByLabel('Name').fill('google');
    await dialog.getByRole('button', { name: 'Create connection' }).click();
    await page().getByRole('list', { name: 'Connections' }).getByText('https://accounts.google.com').waitFor();

    await page().getByRole('button', { name: 'Edit' }).click();
    const edit = page().getByRole('dialog', { name: 'Edit google' });
    await edit.getByText('A secret is set; it is never shown.').waitFor();
    expect(await edit.getByLabel('Client secret').inputValue()).toBe('');
    expect(await page().content()).not.toContain('GOCSPX-console-secret');
    await edit.getByRole('button', { name: 'Cancel' }).click();
    await session.shot('80-connections');
  });

  it('discovers an OIDC provider, tests it check by check, and deletes it after confirmation', async () => {
    await page().getByRole('button', { name: 'New connection' }).click();
    const dialog = page().getByRole('dialog', { name: 'New connection' });
    await dialog.getByLabel('Provider').selectOption('oidc');
    await dialog.getByLabel('Name').fill('local');
    await dialog.getByLabel('Client id').fill('keyway');
    await dialog.getByLabel('Discovery URL or issuer').fill(providerUrl);
    await dialog.getByRole('button', { name: 'Create connection' }).click();
    const list = page().getByRole('list', { name: 'Connections' });
    const row = list.getByRole('listitem').filter({ hasText: providerUrl });
    await row.waitFor();

    await row.getByRole('button', { name: 'Test' }).click();
    const result = page().getByRole('list', { name: 'Test of local' });
    await result.getByText('✓ discovery').waitFor();
    await result.getByText('✓ jwks').waitFor();
    await result.getByText(/✓ token_endpoint: .*400/).waitFor();

    await row.getByRole('button', { name: 'Delete' }).click();
    const confirm = page().getByRole('dialog', { name: 'Delete local?' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await list.getByRole('listitem').filter({ hasText: providerUrl }).waitFor({ state: 'detached' });
    await list.getByText('https://accounts.google.com').waitFor();
  });
});
