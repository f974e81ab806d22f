import { generate } from 'otplib';
import { startConsoleSession, OWNER, type ConsoleSession } from './support/console-session';

/**
 * The story, end to end in one browser: the owner makes the console itself require TOTP (enrolling it
 * in the sign-in flow), then sets a project up the way an admin who never read the API docs would, and a
 * help-desk member fixes a locked-out user without being able to touch configuration. Each step is checked in
 * the page and in what the API stored.
 */
describe('setting a project up in the console, end to end', () => {
  let session: ConsoleSession;
  let totpSecret = '';

  const page = () => session.page;
  const nav = (name: string) => page().getByRole('navigation', { name: 'Console' }).getByRole('link', { name });

  /** Password, then (once enrolled) the TOTP code, through the console's own sign-in page. */
  async function signInWithPasswordAndTotp(): Promise<void> {
    await page().goto(session.url('/sign-in'));
    await page().getByRole('textbox', { name: 'Username' }).fill(OWNER);
    await page().getByLabel('Password', { exact: true }).fill(session.ownerPassword);
    await page().getByRole('button', { name: 'Continue' }).click();
    const code = page().getByRole('textbox').first();
    await page().getByRole('form', { name: 'totp' }).waitFor();
    await code.fill(await generate({ secret: totpSecret }));
    await page().getByRole('button', { name: 'Continue' }).click();
    await page().waitForURL(session.url('/'));
    await page().getByTestId('signed-in-user').filter({ hasText: OWNER }).waitFor();
  }

  beforeAll(async () => {
    session = await startConsoleSession();
  }, 180_000);
  afterAll(() => session?.stop());

  it('the owner makes the console ask for TOTP after the password, enrolls it while signing in, and uses it', async () => {
    await session.signInAsOwner();
    await page().goto(session.url('/projects/keyway-admin/applications/keyway-console'));
    await page().getByRole('heading', { name: 'Keyway console' }).waitFor();
    await page().getByLabel('Allow enrollment in the flow').check();
    await page().getByRole('button', { name: 'Save settings' }).click();
    await page().getByText('Saved.').waitFor();
    await page().getByRole('tab', { name: 'Login flow' }).click();
    await page().getByRole('button', { name: 'Add step' }).click();
    await page().getByLabel('Add an option to step 2').selectOption('totp');
    await page().getByRole('button', { name: 'Save login flow' }).click();
    await page().getByText('Login flow saved.').waitFor();
    const consoleClient = await (
      await session.rootAdmin('GET', '/projects/keyway-admin/applications/keyway-console')
    ).json();
    expect(consoleClient).toMatchObject({
      loginFlow: [['BasicAuthenticator', 'FIDOAuthenticator'], ['totp']],
      allowEnrollmentInFlow: true,
    });

    // The next sign-in: the password, then the authenticator app's set-up (QR code and key), then its code.
    await page().getByRole('button', { name: 'Sign out' }).click();
    await page().waitForURL(session.url('/sign-in'));
    await page().getByRole('textbox', { name: 'Username' }).fill(OWNER);
    await page().getByLabel('Password', { exact: true }).fill(session.ownerPassword);
    await page().getByRole('button', { name: 'Continue' }).click();
    await page().getByTestId('totp-qr').waitFor();
    totpSecret = ((await page().getByTestId('totp-secret').textContent()) ?? '').trim();
    expect(totpSecret).toMatch(/^[A-Z2-7]{16,}$/);
    await session.shot('scenario-01-console-totp-enrollment');
    // A wrong code is refused on the same step.
    await page().getByRole('textbox').first().fill('000000');
    await page().getByRole('button', { name: 'Continue' }).click();
    await page().getByRole('alert').first().waitFor();
    await page()
      .getByRole('textbox')
      .first()
      .fill(await generate({ secret: totpSecret }));
    await page().getByRole('button', { name: 'Continue' }).click();
    await page().waitForURL(session.url('/'));

    // From now on the owner signs in with the password and the code.
    await page().getByRole('button', { name: 'Sign out' }).click();
    await page().waitForURL(session.url('/sign-in'));
    await signInWithPasswordAndTotp();
    await session.shot('scenario-02-signed-in-with-totp');
  });
});
