import { createHash, randomBytes } from 'node:crypto';
import { startConsoleSession, type ConsoleSession } from './support/console-session';

/** base64url("BasicAuthenticator:LOCAL"): the password step of the app-native API. */
const PASSWORD_AUTHENTICATOR = 'QmFzaWNBdXRoZW50aWNhdG9yOkxPQ0FM';
const REDIRECT_URI = 'com.acme.app:/oauth2redirect';
/** The project locks an identity after this many wrong passwords, for 15 minutes from the first lock. */
const MAX_ATTEMPTS = 3;

/**
 * The Users pages as an administrator uses them: creating a user from the form the identity schema
 * generates (the API's complaint about a trait shown beside its field), editing their traits, seeing them
 * locked after wrong passwords and unlocking them with a reason, deleting them. What the pages say is checked
 * against what the API stored (root token).
 */
describe('users in the console', () => {
  let session: ConsoleSession;
  const slug = `people-${randomBytes(3).toString('hex')}`;
  const email = `jane-${randomBytes(3).toString('hex')}@acme.example`;
  const otherEmail = `sam-${randomBytes(3).toString('hex')}@acme.example`;
  const password = `pw-${randomBytes(12).toString('base64url')}`;
  let issuer: string;
  let clientId: string;
  let id: string;

  const usersPath = () => `/projects/${slug}/users`;

  async function identity(): Promise<{ status: number; body: any }> {
    const response = await session.rootAdmin('GET', `/projects/${slug}/identities/${id}`);
    return { status: response.status, body: await response.json() };
  }

  /** One password sign-in through the project's app-native API (/oauth2/authorize with response_mode=direct). */
  async function signIn(secret: string): Promise<any> {
    const verifier = randomBytes(32).toString('base64url');
    const started = await fetch(`${issuer}/oauth2/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        scope: 'openid email',
        state: 'st',
        response_mode: 'direct',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString(),
    });
    expect(started.status).toBe(200);
    const { flowId } = (await started.json()) as { flowId: string };
    const answered = await fetch(`${issuer}/oauth2/authn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        flowId,
        selectedAuthenticator: {
          authenticatorId: PASSWORD_AUTHENTICATOR,
          params: { username: email, password: secret },
        },
      }),
    });
    return answered.json();
  }

  beforeAll(async () => {
    session = await startConsoleSession();
    const project = await session.rootAdmin('POST', '/projects', {
      slug,
      name: 'People Inc',
      settings: { lockout: { maxAttempts: MAX_ATTEMPTS, initialDurationSeconds: 900, durationSeconds: 900 } },
    });
    expect(project.status).toBe(201);
    issuer = ((await project.json()) as { issuer: string }).issuer;
    const app = await session.rootAdmin('POST', `/projects/${slug}/applications`, {
      name: 'Acme app',
      type: 'public',
      redirectUris: [REDIRECT_URI],
      grantTypes: ['authorization_code', 'refresh_token'],
      appNative: true,
    });
    expect(app.status).toBe(201);
    clientId = ((await app.json()) as { clientId: string }).clientId;
    await session.signInAsOwner();
  }, 180_000);

  afterAll(async () => {
    await session?.stop();
  });

  it('offers to create the first user of an empty project', async () => {
    const { page, url } = session;
    await page.goto(url(usersPath()));
    const empty = page.getByText('No users yet').locator('..');
    await empty.waitFor();
    await empty.getByRole('link', { name: 'Create user' }).click();
    await page.waitForURL(url(`${usersPath()}/new`));
    await page.getByRole('heading', { name: 'Create user' }).waitFor();
  });

  it('creates a user from the schema’s fields: checks required fields, shows the API’s complaint inline', async () => {
    const { page } = session;
    const form = page.getByRole('form', { name: 'Create user' });
    // The default schema's fields: Email (required), Name.
    await form.getByLabel('Email', { exact: true }).waitFor();
    await form.getByLabel('Name (optional)').fill('Jane Doe');
    await form.getByLabel('Initial password (optional)').fill(password);

    // Required fields are checked before sending.
    await form.getByRole('button', { name: 'Create user' }).click();
    await form.getByText('Email is required.').waitFor();

    // The API checks the email's format: its complaint appears beside the field.
    await form.getByLabel('Email', { exact: true }).fill('jane-at-acme');
    await form.getByRole('button', { name: 'Create user' }).click();
    await form.getByText('Must be a valid email.').waitFor();
    expect(await form.getByLabel('Email', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    const none = await session.rootAdmin('GET', `/projects/${slug}/identities`);
    expect(((await none.json()) as { items: unknown[] }).items).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await session.shot('user-create');

    // Changing the field takes its complaint away.
    await form.getByLabel('Email', { exact: true }).fill(email);
    await form.getByText('Must be a valid email.').waitFor({ state: 'detached' });
    await form.getByLabel('Mark email as verified').check();
    await form.getByLabel('Reason for marking it verified').fill('Ticket #100: checked in person');
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.waitForURL(new RegExp(`${usersPath()}/[0-9a-f-]{36}$`));
    id = page.url().split('/').pop() ?? '';
    await page.getByRole('status').filter({ hasText: 'User created' }).waitFor();
    await page.getByRole('heading', { name: email }).waitFor();

    const stored = await identity();
    expect(stored.status).toBe(200);
    expect(stored.body.traits).toEqual({ email, name: 'Jane Doe' });
    expect(stored.body.credentials.map((credential: { type: string }) => credential.type)).toEqual(['password']);
    expect(stored.body.verifiableAddresses).toEqual([expect.objectContaining({ value: email, verified: true })]);
    // The password set in the form signs the user in.
    expect((await signIn(password)).flowStatus).toBe('SUCCESS_COMPLETED');
  });

  it('edits a trait: a taken email is refused beside its field, the new name is stored with the reason', async () => {
    const { page } = session;
    const other = await session.rootAdmin('POST', `/projects/${slug}/identities`, { traits: { email: otherEmail } });
    expect(other.status).toBe(201);

    await page.getByRole('button', { name: 'Edit traits' }).click();
    const form = page.getByRole('form', { name: 'Edit traits' });
    expect(await form.getByLabel('Email', { exact: true }).inputValue()).toBe(email);
    await form.getByLabel('Name (optional)').fill('Jane Q. Doe');
    await form.getByLabel('Email', { exact: true }).fill(otherEmail);
    await form.getByLabel('Reason').fill('Ticket #101: name change');
    await form.getByRole('button', { name: 'Save traits' }).click();
    await form.getByText('Belongs to another identity of the project.').waitFor();
    expect(await form.getByLabel('Email', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect((await identity()).body.traits.name).toBe('Jane Doe');

    await form.getByLabel('Email', { exact: true }).fill(email);
    await form.getByRole('button', { name: 'Save traits' }).click();
    await page.getByRole('status').filter({ hasText: 'Traits saved' }).waitFor();
    await page.getByTestId('identity-traits').getByText('Jane Q. Doe').waitFor();
    expect((await identity()).body.traits).toEqual({ email, name: 'Jane Q. Doe' });
    await page.getByTestId('identity-timeline').getByText('Reason: Ticket #101: name change').waitFor();
  });

  it('shows a user locked by wrong passwords with a badge, and unlocks them with a reason', async () => {
    const { page, url } = session;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) await signIn('wrong-password');
    expect((await identity()).body.lockedUntil).toEqual(expect.any(String));

    await page.goto(url(usersPath()));
    const row = page.getByRole('row').filter({ hasText: email });
    await row.waitFor();
    await row.getByText('locked', { exact: true }).waitFor();
    // The other user is not locked.
    const otherRow = page.getByRole('row').filter({ hasText: otherEmail });
    await otherRow.waitFor();
    expect(await otherRow.getByText('locked', { exact: true }).count()).toBe(0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await session.shot('users-list');

    await row.getByRole('link', { name: email }).click();
    await page.waitForURL(url(`${usersPath()}/${id}`));
    await page.getByRole('heading', { name: email }).getByText('locked').waitFor();
    await page.getByRole('button', { name: 'Unlock' }).click();
    const dialog = page.getByRole('dialog', { name: 'Unlock this account' });
    await dialog.getByLabel('Reason').fill('Ticket #102: identity confirmed by phone');
    await dialog.getByRole('button', { name: 'Unlock' }).click();
    await dialog.getByText('Done').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('identity-timeline').getByText('admin.identity.unlock').waitFor();
    await page.getByTestId('identity-timeline').getByText('Reason: Ticket #102: identity confirmed by phone').waitFor();
    await page.getByRole('heading', { name: email }).getByText('locked').waitFor({ state: 'detached' });
    await page.evaluate(() => window.scrollTo(0, 0));
    await session.shot('user-detail');

    const unlocked = await identity();
    expect(unlocked.body.lockedUntil).toBeNull();
    expect(unlocked.body.failedAttempts).toBe(0);
    expect((await signIn(password)).flowStatus).toBe('SUCCESS_COMPLETED');
  });

  it('deletes the user once their email is typed, then says so on the list', async () => {
    const { page, url } = session;
    await page.getByRole('button', { name: 'Delete user' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${email}` });
    const confirm = dialog.getByRole('button', { name: 'Delete user' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(`Type ${email} to confirm`).fill('jane');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(`Type ${email} to confirm`).fill(email);
    await dialog.getByLabel('Reason').fill('no');
    await confirm.click();
    await dialog.getByText('at least 3 characters').waitFor();
    await dialog.getByLabel('Reason').fill('Ticket #103: erasure request');
    await confirm.click();

    await page.waitForURL(url(usersPath()));
    await page
      .getByRole('status')
      .filter({ hasText: `${email} was deleted` })
      .waitFor();
    await page.getByRole('row').filter({ hasText: otherEmail }).waitFor();
    await page.getByRole('row').filter({ hasText: email }).waitFor({ state: 'detached' });
    expect((await identity()).status).toBe(404);
  });

  it("lists a user's linked accounts and unlinks one with a reason; the last way to sign in is refused", async () => {
    const { page, url } = session;
    const connection = await session.rootAdmin('POST', `/projects/${slug}/connections`, {
      name: 'google',
      preset: 'google',
      clientId: 'web.apps.googleusercontent.com',
    });
    expect(connection.status).toBe(201);
    // Links are made by users signing in; an import brings them along (as from another identity provider).
    const imported = async (sub: string, withPassword: boolean) => {
      const created = await session.rootAdmin('POST', `/projects/${slug}/identities`, {
        traits: { email: `${sub}@acme.example` },
        credentials: {
          ...(withPassword ? { password: { value: password } } : {}),
          oidc: { links: [{ connection: 'google', subject: sub }] },
        },
      });
      expect(created.status).toBe(201);
      return ((await created.json()) as { id: string }).id;
    };
    const unlink = async (identityId: string, sub: string) => {
      await page.goto(url(`${usersPath()}/${identityId}`));
      const links = page.getByRole('list', { name: 'Linked accounts' });
      await links.getByText(sub).waitFor();
      await links.getByRole('button', { name: 'Unlink google' }).click();
      const dialog = page.getByRole('dialog', { name: 'Unlink the google account' });
      await dialog.getByLabel('Reason').fill('Ticket #104: lost access to the Google account');
      await dialog.getByRole('button', { name: 'Unlink' }).click();
      return { dialog, links };
    };

    const onlyGoogle = `g-${randomBytes(3).toString('hex')}`;
    const refused = await unlink(await imported(onlyGoogle, false), onlyGoogle);
    await refused.dialog
      .getByRole('alert')
      .getByText(/last way to sign in/)
      .waitFor();
    await refused.dialog.getByRole('button', { name: 'Cancel' }).click();
    await refused.links.getByText(onlyGoogle).waitFor();

    const withPassword = `p-${randomBytes(3).toString('hex')}`;
    const done = await unlink(await imported(withPassword, true), withPassword);
    await done.dialog.getByText('Done').waitFor();
    await done.dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByText('No linked account.').waitFor();
    await page.getByTestId('identity-timeline').getByText('admin.identity.unlink-connection').waitFor();
  });
});
