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
    // What an admin registers at the provider: the hosted login's callback under this project's issuer.
    expect(await page().getByLabel('Redirect URI to register at each provider').inputValue()).toMatch(
      new RegExp(`/t/${slug}/ui/federation/callback$`),
    );
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
    await confirm.getByText(/linked account at it is removed too/).waitFor();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await list.getByRole('listitem').filter({ hasText: providerUrl }).waitFor({ state: 'detached' });
    await page().getByRole('status').getByText('local was deleted: 0 linked accounts were removed.').waitFor();
    await list.getByText('https://accounts.google.com').waitFor();
  });

  it('maps claims to traits and offers the connection on an application; an unknown trait is refused beside the mapping', async () => {
    const app = await session.rootAdmin('POST', `/projects/${slug}/applications`, {
      name: 'Shop app',
      type: 'public',
      redirectUris: ['com.example.shop:/cb'],
      grantTypes: ['authorization_code'],
      appNative: true,
    });
    expect(app.status).toBe(201);
    const { clientId } = (await app.json()) as { clientId: string };
    await page().reload();

    await page().getByRole('button', { name: 'New connection' }).click();
    const dialog = page().getByRole('dialog', { name: 'New connection' });
    await dialog.getByLabel('Provider').selectOption('google');
    await dialog.getByLabel('Name').fill('mapped');
    await dialog.getByLabel('Client id').fill('web.apps.googleusercontent.com');
    await dialog
      .getByLabel('Allowed audiences')
      .fill('ios.apps.googleusercontent.com\nandroid.apps.googleusercontent.com');
    await dialog.getByRole('button', { name: 'Add claim' }).click();
    await dialog.getByLabel('Claim 1').fill('given_name');
    await dialog.getByLabel('Trait 1').fill('nickname');
    await dialog.getByRole('list', { name: 'Applications' }).getByText('Shop app').click();
    await dialog.getByLabel(`Mode for ${clientId}`).selectOption('native');
    await dialog.getByRole('button', { name: 'Create connection' }).click();
    // The server's verdict, beside the mapping: the default schema has no trait `nickname`.
    await dialog.getByText('given_name → nickname: the identity schema has no such trait').waitFor();

    await dialog.getByLabel('Trait 1').fill('name');
    await dialog.getByRole('button', { name: 'Create connection' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page().reload();
    const row = page().getByRole('list', { name: 'Connections' }).getByRole('listitem').filter({ hasText: 'mapped' });
    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page().getByRole('dialog', { name: 'Edit mapped' });
    expect(await edit.getByLabel('Claim 1').inputValue()).toBe('given_name');
    expect(await edit.getByLabel('Trait 1').inputValue()).toBe('name');
    expect(await edit.getByLabel('Claim 2').count()).toBe(0);
    expect(await edit.getByLabel(`Mode for ${clientId}`).inputValue()).toBe('native');
    expect(await edit.getByLabel('Allowed audiences').inputValue()).toBe(
      'ios.apps.googleusercontent.com\nandroid.apps.googleusercontent.com',
    );
    await session.shot('81-connection-mapping');

    // Offered on no application any more, and the mapping kept: what was saved is what the API has.
    await edit.getByRole('list', { name: 'Applications' }).getByText('Shop app').click();
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    const saved = (await (await session.rootAdmin('GET', `/projects/${slug}/connections`)).json()) as {
      name: string;
      claimMapping: Record<string, string>;
      applications: unknown[];
    }[];
    expect(saved.find((connection) => connection.name === 'mapped')).toMatchObject({
      claimMapping: { given_name: 'name' },
      applications: [],
    });
  });
});
