import { eventually, SmtpSink } from '@keyway/e2e-support';
import type { ParsedMail } from 'mailparser';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { OWNER, SCREENSHOTS, startConsoleSession, type ConsoleSession } from './support/console-session';

const HELPDESK = 'helpdesk@example.com';

/**
 * Who may do what in a project, through the console in Chromium against the built API: inviting a help-desk
 * member (the invitation goes out by mail, caught by a real SMTP server set as the console project's), the
 * invite page outside the signed-in console, what the new member then sees and may not do, roles, API keys
 * (shown once, working, revoked) and the audit log that records it all.
 */
describe('members, invitations, roles, API keys and the audit log', () => {
  const sink = new SmtpSink();
  let session: ConsoleSession;
  let page: Page;
  let guest: BrowserContext | undefined;
  const slug = `team-${randomBytes(3).toString('hex')}`;
  const helpdeskPassword = `hd-${randomBytes(12).toString('base64url')}`;
  let invitationLink = '';
  let endUserId = '';

  const url = (pathname: string) => session.url(pathname);
  const api = async (method: string, pathname: string, body?: unknown) => {
    const response = await session.rootAdmin(method, pathname, body);
    return {
      status: response.status,
      body: response.status === 204 ? undefined : ((await response.json()) as unknown),
    };
  };
  const mailsTo = (address: string): ParsedMail[] =>
    sink.messages.filter((mail) => (mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : '') === address);
  const nav = (on: Page) => on.getByRole('navigation', { name: 'Console' });

  beforeAll(async () => {
    await sink.start();
    session = await startConsoleSession();
    page = session.page;
    // Invitation mails go out as the console's own project (keyway-admin): its SMTP server is the sink.
    const smtp = await api('PUT', '/projects/keyway-admin/email/smtp', {
      host: '127.0.0.1',
      port: sink.port,
      tlsMode: 'none',
      fromName: 'Keyway console',
      fromAddress: 'console@keyway.example',
    });
    expect(smtp.status).toBe(200);
    expect((await api('POST', '/projects', { slug, name: 'Team Project' })).status).toBe(201);
    const endUser = await api('POST', `/projects/${slug}/identities`, { traits: { email: 'end.user@example.com' } });
    expect(endUser.status).toBe(201);
    endUserId = (endUser.body as { id: string }).id;
    await session.signInAsOwner();
  }, 180_000);

  afterAll(async () => {
    await guest?.close();
    await session?.stop();
    await sink.stop();
  });

  it('invites helpdesk@example.com as helpdesk from the Members page; the mail carries the link', async () => {
    await page.goto(url(`/projects/${slug}/members`));
    await page.getByRole('heading', { name: 'Members & API keys', level: 1 }).waitFor();
    // Made by the root token: the project has no members yet, and nobody is invited.
    await page.getByText('No members yet').waitFor();
    await page.getByText('No pending invitations').waitFor();

    await page.getByRole('button', { name: 'Invite member' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite a member' });
    await dialog.getByLabel('Email', { exact: true }).fill('helpdesk at example');
    await dialog.getByLabel('Role', { exact: true }).selectOption('helpdesk');
    await dialog.getByRole('button', { name: 'Send invitation' }).click();
    await dialog.getByText('Enter an email address.').waitFor();
    expect(await dialog.getByLabel('Email', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    await dialog.getByLabel('Email', { exact: true }).fill(HELPDESK);
    await dialog.getByRole('button', { name: 'Send invitation' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Invitation sent to ${HELPDESK} as helpdesk` })
      .waitFor();
    expect(await dialog.count()).toBe(0);
    const row = page.getByTestId('invitation-row').filter({ hasText: HELPDESK });
    await row.waitFor();
    expect(await row.textContent()).toContain(OWNER);

    const stored = await api('GET', `/projects/${slug}/invitations`);
    expect(stored.body).toEqual([expect.objectContaining({ email: HELPDESK, role: 'helpdesk', invitedBy: OWNER })]);

    const mail = await eventually(async () => {
      const found = mailsTo(HELPDESK).at(-1);
      expect(found).toBeDefined();
      return found!;
    });
    expect(mail.subject).toBe("You're invited to Team Project");
    const link = new RegExp(`${url('/invite')}\\?token=[A-Za-z0-9_-]{43}`).exec(mail.text ?? '')?.[0];
    expect(link).toBeDefined();
    invitationLink = link!;
  });

  it('opens the link in a fresh browser, sets a password and joins; the used link then says it does not work', async () => {
    guest = await session.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const visitor = await guest.newPage();
    await visitor.goto(invitationLink);
    // Outside the signed-in console: no shell, no redirect to sign-in.
    expect(visitor.url()).toBe(invitationLink);
    await visitor.getByRole('heading', { name: 'You’re invited to Team Project as helpdesk' }).waitFor();
    expect(await nav(visitor).count()).toBe(0);
    await visitor.getByText(HELPDESK, { exact: true }).first().waitFor();

    // The API's password rules are shown, and checked before sending.
    await visitor.getByText('At least 8 characters (at most 1024)').waitFor();
    await visitor.getByLabel('Password', { exact: true }).fill('short');
    await visitor.getByLabel('Confirm password').fill('short');
    await visitor.getByRole('button', { name: 'Create account and join' }).click();
    await visitor.getByText('At least 8 characters.', { exact: true }).waitFor();
    await visitor.getByLabel('Password', { exact: true }).fill(helpdeskPassword);
    await visitor.getByLabel('Confirm password').fill(`${helpdeskPassword}x`);
    await visitor.getByRole('button', { name: 'Create account and join' }).click();
    await visitor.getByText('The two passwords differ.').waitFor();
    expect(await visitor.getByLabel('Confirm password').getAttribute('aria-invalid')).toBe('true');
    await visitor.getByLabel('Your name (optional)').fill('Hal Desk');
    await visitor.getByLabel('Confirm password').fill(helpdeskPassword);
    await visitor.screenshot({ path: path.join(SCREENSHOTS, 'invite-accept.png'), fullPage: true });
    await visitor.getByRole('button', { name: 'Create account and join' }).click();

    await visitor.getByRole('heading', { name: 'You’ve joined Team Project' }).waitFor();
    // The spent token leaves the address bar.
    expect(visitor.url()).toBe(url('/invite'));
    const members = await api('GET', `/projects/${slug}/members`);
    expect(members.body).toEqual([expect.objectContaining({ email: HELPDESK, role: 'helpdesk' })]);
    expect((await api('GET', `/projects/${slug}/invitations`)).body).toEqual([]);

    // The same link again: a clear error page, not a form.
    const again = await guest.newPage();
    await again.goto(invitationLink);
    await again.getByRole('heading', { name: 'This invitation link does not work' }).waitFor();
    await again.getByRole('alert').filter({ hasText: 'was used or revoked, or has expired' }).waitFor();
    expect(await again.getByLabel('Password', { exact: true }).count()).toBe(0);
    await again.close();

    // Signing in: the address is filled in already.
    await visitor.getByRole('link', { name: 'Sign in to the console' }).click();
    await visitor.waitForURL(url(`/sign-in?email=${encodeURIComponent(HELPDESK)}`));
    const username = visitor.getByRole('textbox', { name: 'Username' });
    await username.waitFor();
    expect(await username.inputValue()).toBe(HELPDESK);
    await visitor.getByLabel('Password', { exact: true }).fill(helpdeskPassword);
    await visitor.getByRole('button', { name: 'Continue' }).click();
    await visitor.waitForURL(url('/'));
    await visitor.getByTestId('signed-in-user').filter({ hasText: HELPDESK }).waitFor();
  });

  it('shows the help-desk member Users but no members, email or audit pages, and the API refuses its config change', async () => {
    const visitor = guest!.pages()[0]!;
    await visitor.goto(url(`/projects/${slug}/users`));
    await visitor.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await visitor.getByRole('link', { name: 'end.user@example.com' }).waitFor();
    // The menu lists every page until the caller's permissions are in, then only those it may read.
    await nav(visitor).getByRole('link', { name: 'Users' }).waitFor();
    await nav(visitor).getByRole('link', { name: 'Members & API keys' }).waitFor({ state: 'detached' });
    const offered = await nav(visitor).getByRole('link').allTextContents();
    expect(offered).toContain('Users');
    for (const hidden of ['Members & API keys', 'Audit log', 'Email', 'Identity schema', 'Applications'])
      expect(offered).not.toContain(hidden);

    // Typed in by hand, the members page says what is missing instead of failing.
    await visitor.goto(url(`/projects/${slug}/members`));
    await visitor.getByRole('alert').filter({ hasText: 'members.read or api_keys.read' }).waitFor();
    expect(await visitor.getByRole('button', { name: 'Invite member' }).count()).toBe(0);

    // A configuration change through the console's proxy, CSRF token and all: the API says no.
    const csrf = (await guest!.cookies(url('/'))).find((cookie) => cookie.name === 'keyway-console-csrf')?.value;
    const refused = await visitor.evaluate(
      async ([target, token]) => {
        const response = await fetch(target, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json', 'x-keyway-csrf': token },
          body: JSON.stringify({ name: 'Taken over' }),
        });
        return { status: response.status, body: (await response.json()) as { code: string; description: string } };
      },
      [`/api/admin/v1/projects/${slug}`, csrf ?? ''] as const,
    );
    expect(refused.status).toBe(403);
    expect(refused.body.description).toContain("'projects.write'");
    expect(((await api('GET', `/projects/${slug}`)).body as { name: string }).name).toBe('Team Project');
  });

  it('changes a member’s role in place, and shows why the last owner of a project cannot be removed', async () => {
    await page.goto(url(`/projects/${slug}/members`));
    const role = page.getByLabel(`Role of ${HELPDESK}`);
    await role.waitFor();
    expect(await role.inputValue()).toBe('helpdesk');
    await role.selectOption('developer');
    await page
      .getByRole('status')
      .filter({ hasText: `${HELPDESK} is now developer.` })
      .waitFor();
    expect((await api('GET', `/projects/${slug}/members`)).body).toEqual([
      expect.objectContaining({ email: HELPDESK, role: 'developer' }),
    ]);

    // The console's own project has one owner, the first one: the API keeps them.
    await page.goto(url('/projects/keyway-admin/members'));
    const ownerRow = page.getByTestId('member-row').filter({ hasText: OWNER });
    await ownerRow.getByText('you', { exact: true }).waitFor();
    await ownerRow.getByRole('button', { name: `Remove ${OWNER}` }).click();
    const dialog = page.getByRole('dialog', { name: `Remove ${OWNER}?` });
    await dialog.getByRole('button', { name: 'Remove member' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'is the last owner of project' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const systemMembers = (await api('GET', '/projects/keyway-admin/members')).body as {
      email: string;
      role: string;
    }[];
    expect(systemMembers).toContainEqual(expect.objectContaining({ email: OWNER, role: 'owner' }));
  });

  it('creates and edits a custom role, the API’s complaint about its name shown beside the field', async () => {
    await page.goto(url(`/projects/${slug}/members`));
    // Built-in roles are read-only, their permissions listed with what they allow.
    const helpdeskRole = page.getByTestId('role-row').filter({ hasText: 'built-in' }).filter({ hasText: 'helpdesk' });
    const expand = helpdeskRole.getByRole('button').first();
    expect(await expand.getAttribute('aria-expanded')).toBe('false');
    await expand.click();
    await helpdeskRole.getByText('identities.state.write').waitFor();
    await helpdeskRole.getByText('Disable or enable an end user, lift a lock.').waitFor();
    expect(await helpdeskRole.getByRole('button', { name: /^Edit/ }).count()).toBe(0);

    await page.getByRole('button', { name: 'Create role' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a custom role' });
    await dialog.getByRole('button', { name: 'Create role' }).click();
    await dialog.getByText('A name is required.').waitFor();
    await dialog.getByText('Choose at least one permission.').waitFor();
    // Only the API knows the names it keeps for itself.
    await dialog.getByLabel('Name', { exact: true }).fill('admin');
    await dialog.getByRole('checkbox', { name: /^identities\.read / }).check();
    await dialog.getByRole('checkbox', { name: /^audit\.read / }).check();
    await dialog.getByRole('button', { name: 'Create role' }).click();
    await dialog.getByText("'admin' is the name of a built-in role").waitFor();
    expect(await dialog.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    await dialog.getByLabel('Name', { exact: true }).fill('auditor');
    await dialog.getByLabel('Description').fill('Reads users and the audit log');
    await dialog.getByRole('button', { name: 'Create role' }).click();
    await page.getByRole('status').filter({ hasText: 'The role auditor was created.' }).waitFor();
    const auditor = page.getByTestId('role-row').filter({ hasText: 'auditor' });
    await auditor.getByText('2 permissions').waitFor();

    await auditor.getByRole('button', { name: 'Edit auditor' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit the role auditor' });
    expect(await edit.getByRole('checkbox', { name: /^audit\.read / }).isChecked()).toBe(true);
    await edit.getByRole('checkbox', { name: /^sessions\.read / }).check();
    await edit.getByRole('button', { name: 'Save role' }).click();
    await page.getByRole('status').filter({ hasText: 'The role auditor was saved.' }).waitFor();
    await auditor.getByText('3 permissions').waitFor();

    const roles = (await api('GET', `/projects/${slug}/roles`)).body as unknown[];
    expect(roles).toContainEqual({
      name: 'auditor',
      description: 'Reads users and the audit log',
      permissions: ['identities.read', 'sessions.read', 'audit.read'],
      builtIn: false,
    });
    await page.getByTestId('member-row').first().waitFor();
    await session.shot('members');
  });

  it('creates an API key shown once that works against the API, then revokes it: the API refuses it', async () => {
    await page.getByRole('button', { name: 'Create API key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create an API key' });
    await dialog.getByLabel('Name', { exact: true }).fill('CI deploy');
    await dialog.getByLabel('Role', { exact: true }).selectOption('developer');
    await dialog.getByLabel('Expiry').selectOption('date');
    await dialog.getByLabel('Expires at the end of').fill('2020-01-31');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await dialog.getByText('Choose a day in the future.').waitFor();
    await dialog.getByLabel('Expiry').selectOption('90');
    await dialog.getByRole('button', { name: 'Create key' }).click();

    const shown = page.getByRole('dialog', { name: 'API key CI deploy created' });
    const secret = shown.getByTestId('secret-once');
    await secret.waitFor();
    const key = (await secret.textContent()) ?? '';
    expect(key).toMatch(/^kwk_/);
    // The viewport only: the dialog is fixed over it (a full-page capture would tile it).
    await page.screenshot({ path: path.join(SCREENSHOTS, 'api-keys.png') });
    await shown.getByRole('button', { name: 'Done, I have copied it' }).click();
    // Never shown again: the list has its name, role and expiry only.
    const row = page.getByTestId('api-key-row').filter({ hasText: 'CI deploy' });
    await row.getByText('active').waitFor();
    expect(await page.getByText(key).count()).toBe(0);

    const withKey = (pathname: string) =>
      fetch(`${session.api.baseUrl}/api/admin/v1${pathname}`, { headers: { authorization: `Bearer ${key}` } });
    expect((await withKey(`/projects/${slug}/applications`)).status).toBe(200);
    // A developer key: no members.
    expect((await withKey(`/projects/${slug}/members`)).status).toBe(403);
    const stored = ((await api('GET', `/projects/${slug}/api-keys`)).body as Record<string, unknown>[])[0];
    expect(stored).toMatchObject({ name: 'CI deploy', role: 'developer', createdBy: OWNER, revokedAt: null });
    const days = (Date.parse(String(stored?.['expiresAt'])) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89);
    expect(days).toBeLessThanOrEqual(90);

    await row.getByRole('button', { name: 'Revoke CI deploy' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke the API key CI deploy?' })
      .getByRole('button', { name: 'Revoke key' })
      .click();
    await page.getByRole('status').filter({ hasText: 'The API key CI deploy was revoked' }).waitFor();
    await row.getByText('revoked').waitFor();
    expect((await withKey(`/projects/${slug}/applications`)).status).toBe(401);
  });

  it('lists the audit log with filters kept in the URL, before/after diffs and links to users', async () => {
    // A configuration change with a secret, and a help-desk action on an end user, made by automation.
    expect(
      (
        await api('PUT', `/projects/${slug}/email/smtp`, {
          host: 'smtp.team.example',
          port: 587,
          tlsMode: 'starttls',
          username: 'mailer',
          password: 'smtp-secret-value',
          fromAddress: 'team@team.example',
        })
      ).status,
    ).toBe(200);
    expect(
      (await api('POST', `/projects/${slug}/identities/${endUserId}/actions/disable`, { reason: 'Ticket #77' })).status,
    ).toBe(200);

    await page.goto(url(`/projects/${slug}/audit`));
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByTestId('audit-row').first().waitFor();

    // Filtering by a prefix: the URL says so, and only member events are listed.
    await page.getByLabel('Event type').fill('Member.*');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('An event type (member.invited) or the start of one ending in *').waitFor();
    await page.getByLabel('Event type').fill('member.*');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((address) => address.href === url(`/projects/${slug}/audit?type=member.*`));
    const rows = page.getByTestId('audit-row');
    await rows.filter({ hasText: 'member.invitation_accepted' }).waitFor();
    // The unfiltered rows stay until the filtered ones arrive: then only member events are left.
    await eventually(async () => {
      const types = await rows.getByRole('button').allTextContents();
      expect(types.map((type) => type.replace(/, (show|hide) details$/, '').replace('▸', ''))).toEqual([
        'member.role_changed',
        'member.invitation_accepted',
        'member.invited',
      ]);
    });
    const changed = rows.filter({ hasText: 'member.role_changed' });
    expect(await changed.textContent()).toContain(OWNER);
    await changed.getByRole('button').click();
    const roleDiff = page.getByTestId('audit-diff').getByRole('row', { name: /role/ });
    expect((await roleDiff.textContent())?.replace(/\s+/g, ' ')).toBe('rolehelpdesk→developer');

    // The same view, opened from its address, as a colleague would from a shared link.
    await page.goto(url(`/projects/${slug}/audit?type=email.smtp_updated`));
    expect(await page.getByLabel('Event type').inputValue()).toBe('email.smtp_updated');
    const smtp = page.getByTestId('audit-row').filter({ hasText: 'email.smtp_updated' });
    await smtp.getByRole('button').click();
    const diff = page.getByTestId('audit-diff');
    await diff.getByRole('row', { name: /^host/ }).getByText('smtp.team.example').waitFor();
    // The password is redacted by the API: the log says it was set, never what it is.
    await diff
      .getByRole('row', { name: /^password/ })
      .getByText('redacted')
      .waitFor();
    expect(await page.getByText('smtp-secret-value').count()).toBe(0);
    await session.shot('audit-log');

    // A help-desk action: its reason and outcome, its target linked to the user's page.
    // A shared address with a date that does not exist: the API's complaint shows beside that filter.
    await page.goto(url(`/projects/${slug}/audit?from=2026-02-31`));
    await page.getByText('is not a real date').waitFor();
    expect(await page.getByLabel('From', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('link', { name: 'Clear', exact: true }).click();
    await page.waitForURL((address) => address.href === url(`/projects/${slug}/audit`));

    await page.getByRole('navigation', { name: 'Quick filters' }).getByRole('link', { name: 'Help desk' }).click();
    await page.waitForURL((address) => address.href === url(`/projects/${slug}/audit?type=admin.identity.*`));
    const disabled = page.getByTestId('audit-row').filter({ hasText: 'admin.identity.disable' });
    await disabled.getByText('Ticket #77').waitFor();
    await disabled.getByText('done', { exact: true }).waitFor();
    expect(await disabled.getByRole('link', { name: endUserId }).getAttribute('href')).toBe(
      `/projects/${slug}/users/${endUserId}`,
    );

    await page.goto(url(`/projects/${slug}/audit?type=role.*`));
    const updated = page.getByTestId('audit-row').filter({ hasText: 'role.updated' });
    await updated.getByRole('button').click();
    await page.getByText('+ sessions.read').waitFor();
    await page.getByTestId('audit-row').filter({ hasText: 'role.created' }).waitFor();
  });

  it('lets an address with a console account accept without a password; a link without a token is refused', async () => {
    const invited = await api('POST', `/projects/${slug}/invitations`, { email: OWNER, role: 'admin' });
    expect(invited.status).toBe(201);
    const link = await eventually(async () => {
      // The owner gets other mail too (new sign-ins): the invitation is the one with the link.
      const pattern = new RegExp(`${url('/invite')}\\?token=[A-Za-z0-9_-]{43}`);
      const found = mailsTo(OWNER)
        .map((mail) => pattern.exec(mail.text ?? '')?.[0])
        .filter((match) => match !== undefined)
        .at(-1);
      expect(found).toBeDefined();
      return found!;
    });
    const visitor = await guest!.newPage();
    await visitor.goto(link);
    await visitor.getByRole('heading', { name: 'You’re invited to Team Project as admin' }).waitFor();
    await visitor.getByText('You already have a console account with this address').waitFor();
    expect(await visitor.getByLabel('Password', { exact: true }).count()).toBe(0);
    await visitor.getByRole('button', { name: 'Accept invitation' }).click();
    await visitor.getByRole('heading', { name: 'You’ve joined Team Project' }).waitFor();
    await visitor.getByText('Sign in as usual').waitFor();
    const members = (await api('GET', `/projects/${slug}/members`)).body as unknown[];
    expect(members).toContainEqual(expect.objectContaining({ email: OWNER, role: 'admin' }));

    await visitor.goto(url('/invite'));
    await visitor.getByRole('heading', { name: 'This invitation link does not work' }).waitFor();
    await visitor.getByText('has no invitation token').waitFor();
    await visitor.close();
  });
});
