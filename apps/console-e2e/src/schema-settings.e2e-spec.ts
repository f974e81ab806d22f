import { randomBytes } from 'node:crypto';
import { startConsoleSession, type ConsoleSession } from './support/console-session';

/**
 * The identity schema editor and the project settings, in Chromium against the built API and console: a
 * trait added in the editor shows in the live preview of the registration form before it is saved, then
 * becomes the default version; broken JSON and schemas the API refuses are shown in place and save nothing;
 * a setting changed in the form is what the API stores, and values out of range (or refused by the API on a
 * stale form) are shown beside their field. The tests share one browser session, in order.
 */
describe('identity schema and project settings', () => {
  let session: ConsoleSession;
  const slug = `schema-${randomBytes(3).toString('hex')}`;

  const page = () => session.page;
  const json = async (method: string, path: string, body?: unknown) => {
    const response = await session.rootAdmin(method, path, body);
    return { status: response.status, body: (await response.json()) as any };
  };
  /** The schema editor, whichever version or draft it holds (its label says which). */
  const editor = () => page().getByRole('textbox', { name: /^(Version \d+|Draft based on version \d+)$/ });

  beforeAll(async () => {
    session = await startConsoleSession();
    expect((await json('POST', '/projects', { slug, name: 'Schema Co' })).status).toBe(201);
    await session.signInAsOwner();
  }, 180_000);

  afterAll(async () => {
    await session?.stop();
  });

  it('shows the default schema and its form, previews a new required trait live, and saves it as the default', async () => {
    await page().goto(session.url(`/projects/${slug}/schema`));
    const v1 = page().getByRole('row', { name: /Version 1/ });
    await v1.getByText('Default', { exact: true }).waitFor();
    // The saved version's form, from the API: email required, name optional.
    const savedForm = page().getByRole('form', { name: 'Registration form of version 1' });
    const email = savedForm.getByLabel('Email');
    await email.waitFor();
    expect(await email.getAttribute('type')).toBe('email');
    expect(await email.isDisabled()).toBe(true);
    expect(await email.getAttribute('required')).not.toBeNull();
    expect(await savedForm.getByLabel('Name').getAttribute('required')).toBeNull();
    await page().getByRole('button', { name: 'Save as new version' }).waitFor();

    // The editor indents with Tab (undo keeps working), and Escape hands Tab back to the page.
    const original = await editor().inputValue();
    await editor().focus();
    await page().keyboard.press('Control+Home');
    await page().keyboard.press('Tab');
    expect(await editor().inputValue()).toBe(`  ${original}`);
    await page().keyboard.press('Control+z');
    expect(await editor().inputValue()).toBe(original);
    await page().keyboard.press('Escape');
    await page().keyboard.press('Tab');
    expect(await page().evaluate(() => document.activeElement?.tagName)).not.toBe('TEXTAREA');

    const schema = JSON.parse(original);
    schema.properties.company = {
      type: 'string',
      title: 'Company',
      keyway: { display: { label: 'Company', order: 2 } },
    };
    schema.properties.plan = { type: 'string', enum: ['free', 'pro'], keyway: { display: { order: 3 } } };
    schema.required = [...schema.required, 'company'];
    await editor().fill(JSON.stringify(schema, null, 2));

    // Before anything is saved, the preview shows the draft's form as the API derives it.
    const draftForm = page().getByRole('form', { name: 'Registration form preview (draft)' });
    const company = draftForm.getByLabel('Company');
    await company.waitFor();
    await page().getByText('Live', { exact: true }).waitFor();
    expect(await company.getAttribute('required')).not.toBeNull();
    expect(await company.isDisabled()).toBe(true);
    expect(await draftForm.getByLabel('plan', { exact: true }).locator('option').allTextContents()).toEqual([
      'Choose…',
      'free',
      'pro',
    ]);
    expect((await json('GET', `/projects/${slug}/identity-schemas`)).body).toHaveLength(1);
    await page().evaluate(() => window.scrollTo(0, 0));
    await session.shot('schema-editor');

    await page().getByLabel('Make it the default').check();
    await page().getByRole('button', { name: 'Save as new version' }).click();
    await page().getByText('Saved as version 2, now the default for new identities.').waitFor();
    await page()
      .getByRole('row', { name: /Version 2/ })
      .getByText('Default', { exact: true })
      .waitFor();
    // Version 1 is no longer the default: it may be made the default again.
    const v1Row = page().getByRole('row', { name: /Version 1/ });
    await v1Row.getByRole('button', { name: /Make default/ }).waitFor();
    expect(await v1Row.getByText('Default', { exact: true }).count()).toBe(0);

    const listed = await json('GET', `/projects/${slug}/identity-schemas`);
    expect(listed.body.map((row: any) => [row.version, row.isDefault])).toEqual([
      [1, false],
      [2, true],
    ]);
    const v2 = await json('GET', `/projects/${slug}/identity-schemas/2`);
    expect(v2.body.schema.properties.company).toMatchObject({ type: 'string', title: 'Company' });
    expect(v2.body.schema.required).toEqual(expect.arrayContaining(['email', 'company']));
    expect(v2.body.fields.find((field: any) => field.trait === 'company')).toMatchObject({
      required: true,
      displayName: 'Company',
    });
    // Version 2 is open now, its form from the API.
    await page().getByRole('form', { name: 'Registration form of version 2' }).getByLabel('Company').waitFor();
  });

  it('shows broken JSON and a schema the API refuses in place, and saves nothing', async () => {
    await editor().fill('{\n  "type": "object",\n}');
    const syntax = page().getByTestId('schema-syntax-error');
    await syntax.waitFor();
    expect(await syntax.textContent()).toMatch(/^Line 3, column 1: /);
    expect(await editor().getAttribute('aria-invalid')).toBe('true');
    await page().getByRole('button', { name: 'Save as new version' }).click();
    expect(await page().evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');

    // Valid JSON the API refuses: the live preview already says why, on the right line.
    const refused = {
      type: 'object',
      properties: {
        email: { type: 'string', format: 'email', keyway: { credentials: { password: { identifier: true } } } },
        pin: { type: 'integer', keyway: { credentials: { password: { identifier: true } } } },
      },
    };
    const text = JSON.stringify(refused, null, 2);
    await editor().fill(text);
    const problems = page().getByTestId('schema-problems');
    await problems.filter({ hasText: 'The API would refuse this schema' }).waitFor();
    expect(await problems.textContent()).toContain('schema.properties.pin');
    expect(await problems.textContent()).toContain("a login identifier must be of type 'string'");
    const pinLine = text.split('\n').findIndex((line) => line.includes('"pin"')) + 1;
    await problems.getByRole('button', { name: `Line ${pinLine}` }).waitFor();

    await page().getByRole('button', { name: 'Save as new version' }).click();
    await problems.filter({ hasText: 'Not saved. The API refused the schema' }).waitFor();
    expect(await problems.textContent()).toContain("a login identifier must be of type 'string'");
    expect((await json('GET', `/projects/${slug}/identity-schemas`)).body).toHaveLength(2);

    await page().getByRole('button', { name: 'Discard changes' }).click();
    await page().getByRole('form', { name: 'Registration form of version 2' }).waitFor();
  });

  it('stores a changed setting, and shows values out of range beside their field', async () => {
    await page().goto(session.url(`/projects/${slug}/settings`));
    const attempts = page().getByLabel('Failed attempts before lockout');
    await attempts.waitFor();
    expect(await attempts.inputValue()).toBe('5');
    expect(await page().getByLabel('Slug').inputValue()).toBe(slug);
    expect(await page().getByLabel('Issuer').inputValue()).toBe(`${session.api.baseUrl}/t/${slug}`);

    await attempts.fill('7');
    await page().getByLabel('Longest lockout').fill('3600');
    await page().getByRole('switch', { name: 'Welcome mail' }).click();
    await page().getByText('3 unsaved changes.').waitFor();
    await page().getByRole('button', { name: 'Save settings' }).click();
    await page().getByText('Settings saved (3 changes).').waitFor();
    const stored = await json('GET', `/projects/${slug}`);
    expect(stored.body.settings).toMatchObject({
      lockout: { maxAttempts: 7, durationSeconds: 3600, initialDurationSeconds: 60 },
      emails: { welcome: false, newSignIn: true },
    });

    // Out of range: refused beside the field before anything is sent.
    await attempts.fill('500');
    await page().getByRole('button', { name: 'Save settings' }).click();
    await page().getByText('Must be between 1 and 100.').waitFor();
    expect(await attempts.getAttribute('aria-invalid')).toBe('true');
    expect(await page().evaluate(() => document.activeElement?.getAttribute('aria-invalid'))).toBe('true');
    await page().evaluate(() => window.scrollTo(0, 0));
    await session.shot('project-settings');
    await page().getByRole('button', { name: 'Reset' }).click();
    expect(await attempts.inputValue()).toBe('7');
    expect((await json('GET', `/projects/${slug}`)).body.settings.lockout.maxAttempts).toBe(7);

    // A stale form: the RP ID was set elsewhere after the page loaded, so the origins typed here break the
    // API's rule on the merged settings; its refusal is shown beside the origins.
    expect(
      (await json('PATCH', `/projects/${slug}`, { settings: { webauthn: { rpId: 'schema.example' } } })).status,
    ).toBe(200);
    await page().getByLabel('Allowed origins').fill('https://login.other.example');
    await page().getByRole('button', { name: 'Save settings' }).click();
    await page()
      .getByText("Line 1: host 'login.other.example' is not rpId 'schema.example' or a subdomain of it")
      .waitFor();
    expect(await page().getByLabel('Allowed origins').getAttribute('aria-invalid')).toBe('true');
    expect((await json('GET', `/projects/${slug}`)).body.settings.webauthn.origins).toBeUndefined();
  });

  it('deletes a project once its slug is typed; the console project offers no deletion', async () => {
    const doomed = `doomed-${randomBytes(3).toString('hex')}`;
    expect((await json('POST', '/projects', { slug: doomed, name: 'Doomed' })).status).toBe(201);
    await page().goto(session.url(`/projects/${doomed}/settings`));
    await page().getByRole('button', { name: 'Delete project' }).click();
    const dialog = page().getByRole('dialog', { name: 'Delete Doomed?' });
    const confirm = dialog.getByRole('button', { name: 'Delete project' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(/Type the project's slug/).fill(doomed);
    await confirm.click();
    await page().waitForURL(session.url('/'));
    expect((await json('GET', `/projects/${doomed}`)).status).toBe(404);

    await page().goto(session.url('/projects/keyway-admin/settings'));
    await page().getByText('The console project cannot be deleted').waitFor();
    expect(await page().getByRole('button', { name: 'Delete project' }).count()).toBe(0);
  });
});
