import { createHash, randomBytes } from 'node:crypto';
import { eventually, SmtpSink } from '@keyway/e2e-support';
import { generate, generateSecret } from 'otplib';
import { startConsoleSession, OWNER, SCREENSHOTS, type ConsoleSession } from './support/console-session';

/**
 * The story, end to end in one browser: the owner makes the console itself require TOTP (enrolling it
 * in the sign-in flow), then sets a project up the way an admin who never read the API docs would, and a
 * help-desk member fixes a locked-out user without being able to touch configuration. Each step is checked in
 * the page and in what the API stored.
 */
describe('setting a project up in the console, end to end', () => {
  let session: ConsoleSession;
  let totpSecret = '';
  const mail = new SmtpSink();
  const slug = `shop-${randomBytes(3).toString('hex')}`;
  let clientId = '';
  /** The user who registered in the app (the email step). */
  let customer = '';
  const redirectUri = 'com.acme.shop:/callback';
  const issuer = () => `${session.api.baseUrl}/t/${slug}`;

  /** JSON to the project's own endpoints, as the mobile app would send it. */
  async function postJson(url: string, body: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }
  const pkce = () => {
    const verifier = randomBytes(32).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  };

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
    // The code of the next 30-second step (the server accepts one step of drift): the current one was just
    // used to enroll, and a used code is refused as a replay.
    await code.fill(await generate({ secret: totpSecret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await page().getByRole('button', { name: 'Continue' }).click();
    await page().waitForURL(session.url('/'));
    await page().getByTestId('signed-in-user').filter({ hasText: OWNER }).waitFor();
  }

  beforeAll(async () => {
    await mail.start();
    session = await startConsoleSession({ apiEnv: { KEYWAY_EMAIL_POLL_MS: '100' } });
  }, 180_000);
  afterAll(async () => {
    await session?.stop();
    await mail.stop();
  });

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
    await session.shot('scenario-01b-console-totp-wrong-code');
    // The enrollment is offered again; the key shown is the one to use.
    totpSecret = ((await page().getByTestId('totp-secret').textContent()) ?? '').trim();
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

  it('creates a project and a native app whose login flow is the password, then TOTP', async () => {
    await page().getByRole('link', { name: 'Create project' }).first().click();
    await page().getByLabel('Name', { exact: true }).fill('Shop');
    await page().getByLabel('Slug', { exact: true }).fill(slug);
    await page().getByRole('button', { name: 'Create project' }).click();
    await page().waitForURL(session.url(`/projects/${slug}`));

    await nav('Applications').click();
    await page().getByRole('link', { name: 'New application' }).click();
    await page()
      .getByRole('radio', { name: /Native app/ })
      .check();
    await page().getByLabel('Name', { exact: true }).fill('Shop for iOS');
    await page().getByLabel('Redirect URIs').fill(redirectUri);
    await page().getByRole('button', { name: 'Create application' }).click();
    clientId = (await page().getByTestId('created-client-id').textContent()) ?? '';
    await page().getByRole('link', { name: 'Open the application' }).click();
    await page().getByRole('tab', { name: 'Login flow' }).click();
    await page().getByRole('button', { name: 'Add step' }).click();
    await page().getByLabel('Add an option to step 2').selectOption('totp');
    await page().getByRole('button', { name: 'Save login flow' }).click();
    await page().getByText('Login flow saved.').waitFor();
    await session.shot('scenario-03-login-flow');

    // The app's first prompt is the password; after it, the TOTP step, as designed.
    const secret = generateSecret();
    const password = `pw-${randomBytes(9).toString('base64url')}`;
    const email = `ada-${randomBytes(3).toString('hex')}@shop.example`;
    const imported = await session.rootAdmin('POST', `/projects/${slug}/identities`, {
      traits: { email },
      credentials: { password: { value: password }, totp: { secret } },
    });
    expect(imported.status).toBe(201);
    const { challenge } = pkce();
    const started = await fetch(`${issuer()}/oauth2/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        response_mode: 'direct',
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }).toString(),
    });
    const first = await started.json();
    expect(first.nextStep.authenticators.map((option: any) => option.authenticator)).toEqual(['Username & Password']);
    const second = await postJson(`${issuer()}/oauth2/authn`, {
      flowId: first.flowId,
      selectedAuthenticator: {
        authenticatorId: first.nextStep.authenticators[0].authenticatorId,
        params: { username: email, password },
      },
    });
    expect(second.body).toMatchObject({
      flowStatus: 'INCOMPLETE',
      nextStep: { authenticators: [{ authenticator: 'TOTP' }] },
    });
    const done = await postJson(`${issuer()}/oauth2/authn`, {
      flowId: first.flowId,
      selectedAuthenticator: {
        authenticatorId: second.body.nextStep.authenticators[0].authenticatorId,
        params: { token: await generate({ secret }) },
      },
    });
    expect(done.body).toMatchObject({ flowStatus: 'SUCCESS_COMPLETED', authData: { code: expect.any(String) } });
  });

  it('adds a required trait to the identity schema: the preview shows it, and registration asks for it', async () => {
    await nav('Identity schema').click();
    const editor = page().getByRole('textbox', { name: /^(Version \d+|Draft based on version \d+)$/ });
    const schema = JSON.parse(await editor.inputValue());
    schema.properties.company = { type: 'string', title: 'Company', keyway: { display: { label: 'Company' } } };
    schema.required = [...schema.required, 'company'];
    await editor.fill(JSON.stringify(schema, null, 2));
    await page().getByRole('form', { name: 'Registration form preview (draft)' }).getByLabel('Company').waitFor();
    await page().getByLabel('Make it the default').check();
    await page().getByRole('button', { name: 'Save as new version' }).click();
    await page().getByText('Saved as version 2, now the default for new identities.').waitFor();
    await session.shot('scenario-04-schema');

    const { challenge } = pkce();
    const registration = await postJson(`${issuer()}/flows/registration`, {
      client_id: clientId,
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(registration.status).toBe(200);
    const [form] = registration.body.nextStep.authenticators;
    expect(form.requiredParams).toContain('traits.company');
    expect(form.metadata.params.map((param: any) => param.param)).toContain('traits.company');
  });

  it("points the project's mail at an SMTP server and edits the code mail: the preview follows, the user gets it", async () => {
    await nav('Email').click();
    await page().getByRole('tab', { name: 'SMTP', exact: true }).click();
    await page().getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await page().getByLabel('Encryption (TLS mode)').selectOption('none');
    await page().getByLabel('Port', { exact: true }).fill(String(mail.port));
    await page().getByLabel('From address', { exact: true }).fill('accounts@shop.example');
    await page().getByRole('button', { name: 'Save SMTP settings' }).click();
    await page().getByText('SMTP settings saved', { exact: false }).waitFor();

    await page().getByRole('tab', { name: 'Templates', exact: true }).click();
    await page().getByLabel('Template', { exact: true }).selectOption('verification_code');
    const subject = page().getByLabel('Subject', { exact: true });
    await subject.fill('{{code}} is your {{projectName}} code');
    await page().getByTestId('preview-subject').filter({ hasText: 'is your Shop code' }).waitFor();
    await page().getByRole('button', { name: 'Save as custom en template' }).click();
    await page().getByText('now uses this template', { exact: false }).waitFor();
    await session.shot('scenario-05-email-template');

    // A user registers in the app: the traits the schema now asks for, then the code from the edited mail.
    const email = `grace-${randomBytes(3).toString('hex')}@shop.example`;
    customer = email;
    const { challenge } = pkce();
    const started = await postJson(`${issuer()}/flows/registration`, {
      client_id: clientId,
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const form = started.body.nextStep.authenticators[0];
    const withoutCompany = await postJson(`${issuer()}/flows/registration`, {
      flowId: started.body.flowId,
      selectedAuthenticator: {
        authenticatorId: form.authenticatorId,
        params: { 'traits.email': email, password: 'correct horse battery' },
      },
    });
    expect(withoutCompany.body.flowStatus).not.toBe('SUCCESS_COMPLETED');
    const sent = await postJson(`${issuer()}/flows/registration`, {
      flowId: started.body.flowId,
      selectedAuthenticator: {
        authenticatorId: form.authenticatorId,
        params: { 'traits.email': email, 'traits.company': 'Analytical Engines', password: 'correct horse battery' },
      },
    });
    expect(sent.body).toMatchObject({ flowStatus: 'INCOMPLETE' });
    const received = await eventually(async () => {
      const found = mail.messages.find((message) => message.subject?.endsWith('is your Shop code'));
      expect(found).toBeDefined();
      return found!;
    });
    const code = /^(\d{6}) /.exec(received.subject ?? '')?.[1] ?? '';
    const done = await postJson(`${issuer()}/flows/registration`, {
      flowId: started.body.flowId,
      selectedAuthenticator: {
        authenticatorId: sent.body.nextStep.authenticators[0].authenticatorId,
        params: { code },
      },
    });
    expect(done.body.flowStatus).toBe('SUCCESS_COMPLETED');
    const found = await (
      await session.rootAdmin('GET', `/projects/${slug}/identities?q=${encodeURIComponent(email)}`)
    ).json();
    expect(found.items).toEqual([
      expect.objectContaining({ traits: expect.objectContaining({ company: 'Analytical Engines' }) }),
    ]);
  });

  /** One app-native password attempt of the registered customer; what /oauth2/authn answered. */
  async function customerSignIn(password: string): Promise<any> {
    const started = await fetch(`${issuer()}/oauth2/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        response_mode: 'direct',
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      }).toString(),
    });
    const first = await started.json();
    return (
      await postJson(`${issuer()}/oauth2/authn`, {
        flowId: first.flowId,
        selectedAuthenticator: {
          authenticatorId: first.nextStep.authenticators[0].authenticatorId,
          params: { username: customer, password },
        },
      })
    ).body;
  }

  it('a help-desk member, invited by mail, unlocks a locked-out user with a reason and may not change configuration', async () => {
    // The console's own mail (invitations) leaves through the SMTP server set on its project, here the same one.
    await page().goto(session.url('/projects/keyway-admin/email'));
    await page().getByRole('tab', { name: 'SMTP', exact: true }).click();
    await page().getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await page().getByLabel('Encryption (TLS mode)').selectOption('none');
    await page().getByLabel('Port', { exact: true }).fill(String(mail.port));
    await page().getByLabel('From address', { exact: true }).fill('console@keyway.example');
    await page().getByRole('button', { name: 'Save SMTP settings' }).click();
    await page().getByText('SMTP settings saved', { exact: false }).waitFor();

    // The shop locks an account after three wrong passwords; the customer gets it wrong three times.
    await page().goto(session.url(`/projects/${slug}/settings`));
    await page().getByLabel('Failed attempts before lockout').fill('3');
    await page().getByRole('button', { name: 'Save settings' }).click();
    await page().getByText('Settings saved', { exact: false }).waitFor();
    for (let attempt = 0; attempt < 3; attempt++) await customerSignIn('not-my-password');
    // Locked: even the right password is refused, and the answer says so.
    expect(JSON.stringify(await customerSignIn('correct horse battery'))).toMatch(/lock/i);

    // The owner invites a help-desk member.
    const helpdesk = `desk-${randomBytes(3).toString('hex')}@shop.example`;
    await nav('Members & API keys').click();
    await page().getByRole('button', { name: 'Invite member' }).click();
    const invite = page().getByRole('dialog', { name: 'Invite a member' });
    await invite.getByLabel('Email', { exact: true }).fill(helpdesk);
    await invite.getByLabel('Role', { exact: true }).selectOption('helpdesk');
    await invite.getByRole('button', { name: 'Send invitation' }).click();
    await page().getByTestId('invitation-row').filter({ hasText: helpdesk }).waitFor();
    const invitation = await eventually(async () => {
      const link = mail.messages
        .map((message) => new RegExp(`${session.url('/invite')}\\?token=[A-Za-z0-9_-]{43}`).exec(message.text ?? ''))
        .find(Boolean)?.[0];
      expect(link).toBeDefined();
      return link!;
    });

    // The member joins in a browser of their own, signs in (enrolling TOTP, as the console now asks) ...
    const desk = await session.browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const their = await desk.newPage();
      await their.goto(invitation);
      await their.getByRole('heading', { name: 'You’re invited to Shop as helpdesk' }).waitFor();
      const deskPassword = `desk-${randomBytes(9).toString('base64url')}`;
      await their.getByLabel('Password', { exact: true }).fill(deskPassword);
      await their.getByLabel('Confirm password').fill(deskPassword);
      await their.getByRole('button', { name: 'Create account and join' }).click();
      await their.getByRole('link', { name: 'Sign in to the console' }).click();
      await their.getByLabel('Password', { exact: true }).fill(deskPassword);
      await their.getByRole('button', { name: 'Continue' }).click();
      const deskSecret = ((await their.getByTestId('totp-secret').textContent()) ?? '').trim();
      await their
        .getByRole('textbox')
        .first()
        .fill(await generate({ secret: deskSecret }));
      await their.getByRole('button', { name: 'Continue' }).click();
      await their.getByTestId('signed-in-user').filter({ hasText: helpdesk }).waitFor();

      // ... finds the locked customer and unlocks them, saying why.
      await their.goto(session.url(`/projects/${slug}/users`));
      const row = their.getByRole('row').filter({ hasText: customer });
      await row.getByText('locked', { exact: true }).waitFor();
      await row.getByRole('link', { name: customer }).click();
      await their.getByRole('button', { name: 'Unlock' }).click();
      const dialog = their.getByRole('dialog', { name: 'Unlock this account' });
      await dialog.getByLabel('Reason').fill('Ticket #77: customer called, identity checked');
      await dialog.getByRole('button', { name: 'Unlock' }).click();
      await dialog.getByText('Done').waitFor();
      await dialog.getByRole('button', { name: 'Close' }).click();
      await their.getByTestId('identity-timeline').getByText('Ticket #77', { exact: false }).waitFor();
      await their.screenshot({ path: `${SCREENSHOTS}/scenario-06-help-desk-unlock.png`, fullPage: true });
      // Unlocked: the right password gets past the first step again.
      const after = await customerSignIn('correct horse battery');
      expect(JSON.stringify(after)).not.toMatch(/lock/i);
      expect(after.flowStatus).not.toMatch(/^FAIL/);

      // Configuration is not theirs: the menu does not offer it, and the API refuses it through the console.
      const offered = await their.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents();
      expect(offered).not.toEqual(expect.arrayContaining(['Applications']));
      expect(offered).not.toEqual(expect.arrayContaining(['Email']));
      const csrf = (await desk.cookies(session.url('/'))).find((cookie) => cookie.name === 'keyway-console-csrf');
      const refused = await their.evaluate(
        async ([target, token]) => {
          const response = await fetch(target, {
            method: 'PATCH',
            headers: { 'content-type': 'application/json', 'x-keyway-csrf': token },
            body: JSON.stringify({ redirectUris: ['https://evil.example/callback'] }),
          });
          return { status: response.status, body: await response.json() };
        },
        [`/api/admin/v1/projects/${slug}/applications/${clientId}`, csrf?.value ?? ''] as const,
      );
      expect(refused).toMatchObject({ status: 403, body: { code: 'KW-40300' } });
    } finally {
      await desk.close();
    }

    // The owner's audit log names who unlocked whom, and why.
    await page().goto(session.url(`/projects/${slug}/audit`));
    const unlocked = page().getByRole('row').filter({ hasText: 'admin.identity.unlock' });
    await unlocked.filter({ hasText: helpdesk }).first().waitFor();
    await session.shot('scenario-07-audit-log');
  });
});
