import { randomBytes } from 'node:crypto';
import { startConsoleSession, type ConsoleSession } from './support/console-session';

/**
 * The Token issuers page in Chromium against the built API and console: an opaque-token issuer whose callback
 * secret is shown once (and never again), a rotation showing a new one, a JWT issuer refused then created, its
 * update policy edited, and a deletion confirmed. The tests share one browser session, in order.
 */
describe('Token issuers page', () => {
  let session: ConsoleSession;
  const slug = `xt-${randomBytes(3).toString('hex')}`;
  const page = () => session.page;

  beforeAll(async () => {
    session = await startConsoleSession();
    const project = await session.rootAdmin('POST', '/projects', { slug, name: 'Partner Co' });
    expect(project.status).toBe(201);
    await session.signInAsOwner();
  }, 180_000);

  afterAll(() => session?.stop());

  it('creates an opaque-token issuer; its callback secret is shown once, and a rotation shows a new one', async () => {
    await page().goto(session.url(`/projects/${slug}`));
    await page().getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Token issuers' }).click();
    await page().waitForURL(session.url(`/projects/${slug}/token-issuers`));
    await page().getByText('No token issuers yet').waitFor();
    await page().getByRole('button', { name: 'New token issuer' }).click();
    const dialog = page().getByRole('dialog', { name: 'New token issuer' });
    await dialog.getByLabel('Kind of token').selectOption('opaque');
    await dialog.getByLabel('Name').fill('backend');
    await dialog.getByLabel('Callback URL').fill('http://127.0.0.1:9/check');
    await dialog.getByRole('button', { name: 'Create token issuer' }).click();
    const secret = await page().getByTestId('secret-once').textContent();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await page().getByRole('button', { name: 'Done' }).click();
    await page().getByRole('list', { name: 'Token issuers' }).getByText('http://127.0.0.1:9/check').waitFor();
    await page().reload();
    await page().getByRole('list', { name: 'Token issuers' }).getByText('http://127.0.0.1:9/check').waitFor();
    expect(await page().content()).not.toContain(secret!);

    await page().getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = await page().getByTestId('secret-once').textContent();
    expect(rotated).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated).not.toBe(secret);
    await session.shot('85-token-issuers');
    await page().getByRole('button', { name: 'Done' }).click();
  });

  it('refuses a JWT issuer without https keys, creates it with them, edits its policy and deletes it', async () => {
    await page().getByRole('button', { name: 'New token issuer' }).click();
    const dialog = page().getByRole('dialog', { name: 'New token issuer' });
    await dialog.getByLabel('Name').fill('partner');
    await dialog.getByLabel('Issuer (iss)').fill('https://partner.example.com');
    await dialog.getByLabel('Audiences (aud)').fill('keyway-app');
    await dialog.getByLabel('JWKS URL').fill('http://partner.example.com/jwks');
    await dialog.getByRole('button', { name: 'Create token issuer' }).click();
    await dialog.getByText(/must be https/).waitFor();
    await dialog.getByLabel('JWKS URL').fill('https://partner.example.com/jwks');
    await dialog.getByRole('button', { name: 'Create token issuer' }).click();
    const list = page().getByRole('list', { name: 'Token issuers' });
    const row = list.getByRole('listitem').filter({ hasText: 'https://partner.example.com' });
    await row.waitFor();
    await row.getByText('first-login').waitFor();

    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page().getByRole('dialog', { name: 'Edit partner' });
    await edit.getByLabel("Update the user's traits").selectOption('every-login');
    await edit.getByRole('button', { name: 'Save' }).click();
    await row.getByText('every-login').waitFor();

    await row.getByRole('button', { name: 'Delete' }).click();
    await page().getByRole('dialog', { name: 'Delete partner?' }).getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    await list.getByText('http://127.0.0.1:9/check').waitFor();
  });
});
