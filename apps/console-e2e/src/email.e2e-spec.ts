import { eventually, SmtpSink } from '@keyway/e2e-support';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { SCREENSHOTS, startConsoleSession, type ConsoleSession } from './support/console-session';

/**
 * The Email page in Chromium against the built API and console: SMTP settings pointed through the form at a
 * real SMTP server in this process (which wants a username and password), a test mail that arrives there and
 * shows as sent, one that cannot be delivered and shows as failed, the outbox, the template editor with its
 * live preview and inline template errors, languages added and reset, and what a read-only member sees.
 */
describe('the Email page', () => {
  const credentials = { user: 'mailer', pass: `pw-${randomBytes(8).toString('hex')}` };
  const sink = new SmtpSink(credentials);
  let session: ConsoleSession;
  let page: Page;
  const slug = `mail-${randomBytes(3).toString('hex')}`;
  const projectName = 'Acme Mail';
  const email = (pathname: string) => `/projects/${slug}/email${pathname}`;

  /** The admin API's answer with the root token, as JSON. */
  async function stored(pathname: string): Promise<any> {
    const response = await session.rootAdmin('GET', pathname);
    expect(response.status).toBe(200);
    return response.json();
  }
  const tab = (name: string) => page.getByRole('tab', { name, exact: true });
  const invalid = async (label: string) => page.getByLabel(label, { exact: true }).getAttribute('aria-invalid');

  beforeAll(async () => {
    await sink.start();
    session = await startConsoleSession({
      apiEnv: {
        KEYWAY_EMAIL_POLL_MS: '200',
        KEYWAY_EMAIL_RETRY_BASE_MS: '200',
        KEYWAY_EMAIL_RETRY_MAX_MS: '400',
        // A message the server cannot deliver gives up quickly, so the outbox shows a failure.
        KEYWAY_EMAIL_MAX_ATTEMPTS: '2',
      },
    });
    page = session.page;
    expect((await session.rootAdmin('POST', '/projects', { slug, name: projectName })).status).toBe(201);
    await session.signInAsOwner();
  }, 180_000);

  afterAll(async () => {
    await session?.stop();
    await sink.stop();
  });

  it('sets the project’s SMTP server through the form, refusing what the API refuses beside its field', async () => {
    await page.goto(session.url(email('')));
    await page.getByRole('heading', { name: 'Email', exact: true }).waitFor();
    await tab('SMTP').click();
    await page.getByText('This project has no SMTP server of its own.').waitFor();
    expect((await session.rootAdmin('GET', email('/smtp'))).status).toBe(404);

    // What the form checks itself: nothing is sent.
    await page.getByLabel('Host', { exact: true }).fill('smtp example');
    await page.getByRole('button', { name: 'Save SMTP settings' }).click();
    await page.getByText('A host name or IP address, e.g. smtp.example.com.').waitFor();
    expect(await invalid('Host')).toBe('true');
    await page.getByText('A sender address is required.').waitFor();

    await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Encryption (TLS mode)').selectOption('none');
    // The usual port follows the mode until one is typed.
    expect(await page.getByLabel('Port', { exact: true }).inputValue()).toBe('25');
    await page.getByLabel('Port', { exact: true }).fill(String(sink.port));
    await page.getByLabel('Username', { exact: true }).fill(credentials.user);
    await page.getByLabel('Password', { exact: true }).fill(credentials.pass);
    // An address the form lets through and the API does not: its complaint shows beside the field.
    await page.getByLabel('From address', { exact: true }).fill('accounts..desk@acme.example');
    await page.getByRole('button', { name: 'Save SMTP settings' }).click();
    await page.getByText('Invalid email address').waitFor();
    expect(await invalid('From address')).toBe('true');
    expect(await invalid('Host')).toBe('false');
    expect((await session.rootAdmin('GET', email('/smtp'))).status).toBe(404);

    await page.getByLabel('From address', { exact: true }).fill('accounts@acme.example');
    await page.getByRole('button', { name: 'Save SMTP settings' }).click();
    await page.getByText('SMTP settings saved (with a password).').waitFor();
    expect(await stored(email('/smtp'))).toEqual({
      host: '127.0.0.1',
      port: sink.port,
      tlsMode: 'none',
      username: credentials.user,
      passwordSet: true,
      fromName: null,
      fromAddress: 'accounts@acme.example',
      updatedAt: expect.any(String),
    });
    // The password is write-only: the field is empty again, and says one is stored.
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    await page.getByText('A password is stored.', { exact: false }).waitFor();
    await page.getByText(`127.0.0.1:${sink.port}`).waitFor();

    // Saved again with the password left empty: the stored one is kept (the test mail below signs in with it).
    await page.getByLabel('From name', { exact: true }).fill('Acme Accounts');
    await page.getByRole('button', { name: 'Save SMTP settings' }).click();
    await page.getByText('SMTP settings saved (with a password).').waitFor();
    expect(await stored(email('/smtp'))).toMatchObject({ fromName: 'Acme Accounts', passwordSet: true });
  });

  it('sends a test mail that arrives at the SMTP server and shows as sent', async () => {
    const to = `ops-${randomBytes(3).toString('hex')}@example.com`;
    await page.getByLabel('Send a test mail to').fill(to);
    await page.getByRole('button', { name: 'Send test mail' }).click();
    const result = page.getByTestId('test-mail-result');
    await result.filter({ hasText: to }).waitFor();
    // Followed until the outbox has sent it, without reloading.
    await result.getByText('The SMTP server accepted it', { exact: false }).waitFor({ timeout: 20_000 });

    const [message] = (await stored(email('/outbox?status=sent'))) as any[];
    expect(message).toMatchObject({ kind: 'test', to, status: 'sent', attempts: 1, lastError: null });
    const mail = await eventually(async () => {
      const found = sink.messages.find((received) => received.messageId === `<${message.id}@outbox.keyway>`);
      expect(found).toBeDefined();
      return found!;
    });
    expect(mail.from?.value[0]).toMatchObject({ name: 'Acme Accounts', address: 'accounts@acme.example' });
    expect(mail.subject).toBe(`Test email from ${projectName}`);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined).toBe(to);
    await session.shot('email-smtp');
  });

  it('lists the outbox, follows a failing message until it gives up, and filters by status', async () => {
    // The SMTP server goes away: a test mail to it fails twice (KEYWAY_EMAIL_MAX_ATTEMPTS) and is given up.
    await sink.stop();
    const to = `nobody-${randomBytes(3).toString('hex')}@example.com`;
    try {
      await page.getByLabel('Send a test mail to').fill(to);
      await page.getByRole('button', { name: 'Send test mail' }).click();
      await page.getByTestId('test-mail-result').getByText('Gave up after 2 attempts', { exact: false }).waitFor({
        timeout: 30_000,
      });
    } finally {
      await sink.start();
    }

    await page.getByRole('button', { name: 'View in outbox' }).click();
    expect(await tab('Outbox').getAttribute('aria-selected')).toBe('true');
    const rows = page.getByTestId('outbox-row');
    await rows.filter({ hasText: to }).waitFor();
    expect(await rows.count()).toBe(2);
    const failed = rows.filter({ hasText: to });
    expect(await failed.getByText('failed', { exact: true }).count()).toBe(1);
    expect(await failed.textContent()).toContain('ECONNREFUSED');
    const sent = rows.filter({ hasText: 'ops-' });
    expect(await sent.getByText('sent', { exact: true }).count()).toBe(1);
    // Metadata only: no subject or body of the mail.
    const shown = await page.getByRole('tabpanel').textContent();
    expect(shown).not.toContain('Test email from');
    expect(shown).not.toContain('It works');
    await session.shot('email-outbox');

    expect(await stored(email('/outbox?status=failed'))).toEqual([
      expect.objectContaining({
        to,
        status: 'failed',
        attempts: 2,
        lastError: expect.stringContaining('ECONNREFUSED'),
      }),
    ]);
    await page.getByLabel('Status', { exact: true }).selectOption('failed');
    await eventually(async () => expect(await rows.count()).toBe(1));
    expect(await rows.first().textContent()).toContain(to);
    await page.getByLabel('Status', { exact: true }).selectOption('pending');
    await page.getByText('No pending messages').waitFor();
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await eventually(async () => expect(await rows.count()).toBe(2));
  });

  it('edits a template with a live preview, shows template errors beside their part, and saves it', async () => {
    await tab('Templates').click();
    await page.getByLabel('Template', { exact: true }).selectOption('welcome');
    await page.getByRole('heading', { name: 'Welcome', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: /^en\b/ }).getAttribute('aria-pressed')).toBe('true');
    const preview = page.getByTestId('preview-subject');
    const subject = page.getByLabel('Subject', { exact: true });
    const original = await subject.inputValue();
    await preview.filter({ hasText: projectName }).waitFor();

    // A variable typed in, another inserted at the cursor: the preview renders both with sample values.
    await subject.fill('Welcome to {{projectName}}, ');
    await subject.press('End');
    await page.getByRole('button', { name: 'Insert name' }).click();
    expect(await subject.inputValue()).toBe('Welcome to {{projectName}}, {{name}}');
    await preview.filter({ hasText: `Welcome to ${projectName}, Ada Lovelace` }).waitFor();
    expect(await page.frameLocator('iframe[title="HTML preview"]').locator('body').textContent()).toContain(
      projectName,
    );
    expect(await page.getByTitle('HTML preview').getAttribute('sandbox')).toBe('');

    // A variable the kind does not have: the preview's check shows beside the subject, and saving is refused.
    await subject.fill('Hi {{password}}');
    const problem = page.getByText("unknown variable 'password'", { exact: false });
    await problem.waitFor();
    expect(await invalid('Subject')).toBe('true');
    await page.getByText('This draft does not render').waitFor();
    await page.getByRole('button', { name: 'Save as custom en template' }).click();
    // The refusal is in once the button is itself again (an edit made while it is out is not marked by it).
    await page.getByRole('button', { name: 'Save as custom en template' }).waitFor();
    await problem.waitFor();
    expect(await stored(email('/templates/welcome/en'))).toMatchObject({ source: 'default', subject: original });
    // A broken tag in the text body shows beside the text body.
    await subject.fill('Welcome to {{projectName}}, {{name}}');
    const textBody = page.getByLabel('Text body', { exact: true });
    const text = await textBody.inputValue();
    await textBody.press('Control+End');
    await textBody.pressSequentially(' {{#name}}');
    await page.getByText('Unclosed section', { exact: false }).waitFor();
    expect(await invalid('Text body')).toBe('true');
    expect(await invalid('Subject')).toBe('false');
    await session.shot('email-template-error');
    await textBody.fill(text);
    await page.getByText('This draft does not render').waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: 'Save as custom en template' }).click();
    await page.getByText('Saved. Welcome mail in English (en) now uses this template.').waitFor();
    await page.getByText('Custom', { exact: true }).waitFor();
    expect(await stored(email('/templates/welcome/en'))).toMatchObject({
      source: 'custom',
      resolvedLocale: 'en',
      subject: 'Welcome to {{projectName}}, {{name}}',
    });
    await preview.filter({ hasText: `Welcome to ${projectName}, Ada Lovelace` }).waitFor();
    await session.shot('email-templates');
  });

  it('adds a language, saves a template in it, and resets it to what it falls back to', async () => {
    await page.getByRole('button', { name: '+ Add language' }).click();
    await page.getByLabel('Language tag').fill('not a tag');
    await page.getByRole('dialog').getByRole('button', { name: 'Add language' }).click();
    await page.getByText("'not a tag' is not a BCP 47 language tag", { exact: false }).waitFor();
    await page.getByLabel('Language tag').fill('FR');
    await page.getByRole('dialog').getByRole('button', { name: 'Add language' }).click();
    const french = page.getByRole('button', { name: /^fr\b/ });
    expect(await french.getAttribute('aria-pressed')).toBe('true');
    // No French template yet: the editor shows what French readers get now, the project's English one.
    await page.getByText('There is no fr template yet', { exact: false }).waitFor();
    const subject = page.getByLabel('Subject', { exact: true });
    expect(await subject.inputValue()).toBe('Welcome to {{projectName}}, {{name}}');

    await subject.fill('Bienvenue chez {{projectName}}');
    await page
      .getByTestId('preview-subject')
      .filter({ hasText: `Bienvenue chez ${projectName}` })
      .waitFor();
    await page.getByRole('button', { name: 'Save as custom fr template' }).click();
    await page.getByText('Saved. Welcome mail in French (fr) now uses this template.').waitFor();
    expect(await stored(email('/templates/welcome/fr'))).toMatchObject({ source: 'custom', resolvedLocale: 'fr' });
    const kinds = (await stored(email('/templates'))) as any[];
    expect(kinds.find((kind) => kind.kind === 'welcome').customLocales.sort()).toEqual(['en', 'fr']);

    // Leaving a draft asks first.
    await subject.fill('Bonjour');
    await page.getByRole('button', { name: /^en\b/ }).click();
    await page.getByRole('dialog', { name: 'Discard your changes?' }).waitFor();
    await page.getByRole('button', { name: 'Keep editing' }).click();
    expect(await subject.inputValue()).toBe('Bonjour');
    await page.getByRole('button', { name: 'Discard changes' }).click();
    expect(await subject.inputValue()).toBe('Bienvenue chez {{projectName}}');

    await page.getByRole('button', { name: 'Reset to default' }).click();
    await page
      .getByRole('dialog', { name: 'Reset to the default?' })
      .getByRole('button', { name: 'Reset to default' })
      .click();
    await page.getByText('Reset. fr mail uses the project’s en template again.').waitFor();
    expect(await subject.inputValue()).toBe('Welcome to {{projectName}}, {{name}}');
    expect(await stored(email('/templates/welcome/fr'))).toMatchObject({ source: 'custom', resolvedLocale: 'en' });
    const after = (await stored(email('/templates'))) as any[];
    expect(after.find((kind) => kind.kind === 'welcome').customLocales).toEqual(['en']);
  });

  it('shows a member who may only read the templates and SMTP settings no way to change them', async () => {
    // An invitation (mailed through the console project's SMTP server, the sink) makes a developer.
    const smtp = { host: '127.0.0.1', port: sink.port, tlsMode: 'none', username: credentials.user };
    const systemSmtp = await session.rootAdmin('PUT', '/projects/keyway-admin/email/smtp', {
      ...smtp,
      password: credentials.pass,
      fromAddress: 'console@keyway.example',
    });
    expect(systemSmtp.status).toBe(200);
    const developer = `dev-${randomBytes(3).toString('hex')}@example.com`;
    const password = `pw-${randomBytes(12).toString('base64url')}`;
    expect(
      (await session.rootAdmin('POST', `/projects/${slug}/invitations`, { email: developer, role: 'developer' }))
        .status,
    ).toBe(201);
    const token = await eventually(async () => {
      const mail = sink.messages.find((received) =>
        received.to && !Array.isArray(received.to) ? received.to.value[0]?.address === developer : false,
      );
      const found = /\/invite\?token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? '')?.[1];
      expect(found).toBeDefined();
      return found!;
    });
    const accepted = await fetch(`${session.api.baseUrl}/api/admin/v1/invitations/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, password }),
    });
    expect(accepted.status).toBe(200);

    const other = await session.browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const reader = await other.newPage();
      await reader.goto(session.url('/sign-in'));
      await reader.getByRole('textbox', { name: 'Username' }).fill(developer);
      await reader.getByLabel('Password', { exact: true }).fill(password);
      await reader.getByRole('button', { name: 'Continue' }).click();
      await reader.waitForURL(session.url('/'));
      await reader.goto(session.url(email('')));
      await reader
        .getByText('changing them, sending a test mail and seeing the outbox need', { exact: false })
        .waitFor();
      await reader.getByLabel('Template', { exact: true }).selectOption('welcome');
      await reader
        .getByTestId('preview-subject')
        .filter({ hasText: `Welcome to ${projectName}, Ada Lovelace` })
        .waitFor();
      expect(await reader.getByLabel('Subject', { exact: true }).getAttribute('readonly')).not.toBeNull();
      expect(await reader.getByRole('tab').allTextContents()).toEqual(['Templates', 'SMTP']);
      for (const name of [/^Save/, /Reset to default/, /Add language/, /^Insert /])
        expect(await reader.getByRole('button', { name }).count()).toBe(0);
      await reader.screenshot({ path: path.join(SCREENSHOTS, 'email-read-only.png'), fullPage: true });

      await reader.getByRole('tab', { name: 'SMTP' }).click();
      await reader.getByText(`127.0.0.1:${sink.port}`).waitFor();
      expect(await reader.getByLabel('Host', { exact: true }).isDisabled()).toBe(true);
      expect(await reader.getByLabel('Host', { exact: true }).inputValue()).toBe('127.0.0.1');
      for (const name of ['Save SMTP settings', 'Remove SMTP settings', 'Send test mail'])
        expect(await reader.getByRole('button', { name }).count()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('removes the SMTP settings after a confirmation', async () => {
    await tab('SMTP').click();
    await page.getByRole('button', { name: 'Remove SMTP settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove the SMTP settings?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await session.rootAdmin('GET', email('/smtp'))).status).toBe(200);
    await page.getByRole('button', { name: 'Remove SMTP settings' }).click();
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('SMTP settings removed', { exact: false }).waitFor();
    await page.getByText('This project has no SMTP server of its own.').waitFor();
    expect((await session.rootAdmin('GET', email('/smtp'))).status).toBe(404);
    expect(await page.getByLabel('Host', { exact: true }).inputValue()).toBe('');
  });
});
