import { randomBytes } from 'node:crypto';
import { adminApi, postForm } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

// Applications and projects as an admin manages them after creating them: secret rotation with a grace period
// (checked where it matters, at the token endpoint), deletion, and the guards around the console's own project.

describe('admin API: applications and projects', () => {
  let server: KeywayServer;
  let admin: ReturnType<typeof adminApi>;
  const slug = `apps-${randomBytes(3).toString('hex')}`;
  let issuer: string;

  beforeAll(async () => {
    server = await startKeyway();
    admin = adminApi(server);
    issuer = (await admin.post('/projects', { slug, name: 'Apps' })).body.issuer;
  });
  afterAll(() => server?.stop());

  const confidentialApp = async (name: string) => {
    const created = await admin.post(`/projects/${slug}/applications`, {
      name,
      type: 'confidential',
      redirectUris: ['https://app.example.com/callback'],
      postLogoutRedirectUris: ['https://app.example.com/'],
    });
    expect(created.status).toBe(201);
    return created.body as { clientId: string; clientSecret: string };
  };

  /**
   * What the token endpoint says of the client's credentials: with a code that never existed, an authenticated
   * client gets invalid_grant (its code is wrong), an unauthenticated one invalid_client.
   */
  const clientAuthentication = async (clientId: string, secret: string) => {
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64');
    const response = await postForm(
      `${issuer}/oauth2/token`,
      { grant_type: 'authorization_code', code: 'no-such-code', redirect_uri: 'https://app.example.com/callback' },
      { authorization: `Basic ${basic}` },
    );
    return response.body.error as string;
  };

  it('keeps post-logout redirect URIs with the application and validates them', async () => {
    const { clientId } = await confidentialApp('Logout');
    expect((await admin.get(`/projects/${slug}/applications/${clientId}`)).body).toMatchObject({
      clientId,
      postLogoutRedirectUris: ['https://app.example.com/'],
    });
    const bad = await admin.patch(`/projects/${slug}/applications/${clientId}`, {
      postLogoutRedirectUris: ['http://evil.example.com/'],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.description).toContain('postLogoutRedirectUris');
  });

  it('rotates a secret: the new one works at once, the old one during its grace period only', async () => {
    const { clientId, clientSecret: first } = await confidentialApp('Rotating');
    expect(await clientAuthentication(clientId, first)).toBe('invalid_grant');

    const rotated = await admin.post(`/projects/${slug}/applications/${clientId}/secret`, { graceSeconds: 3600 });
    expect(rotated.status).toBe(201);
    const second = rotated.body.clientSecret as string;
    expect(second).not.toBe(first);
    expect(rotated.body.previousSecretExpiresAt).toEqual(expect.any(String));
    expect(await clientAuthentication(clientId, second)).toBe('invalid_grant');
    expect(await clientAuthentication(clientId, first)).toBe('invalid_grant');
    // The secret is shown once: reading the application never returns it.
    expect(JSON.stringify((await admin.get(`/projects/${slug}/applications/${clientId}`)).body)).not.toContain(second);

    // Rotating again without grace ends both earlier secrets at once.
    const third = (await admin.post(`/projects/${slug}/applications/${clientId}/secret`, { graceSeconds: 0 })).body
      .clientSecret as string;
    expect(await clientAuthentication(clientId, third)).toBe('invalid_grant');
    expect(await clientAuthentication(clientId, second)).toBe('invalid_client');
    expect(await clientAuthentication(clientId, first)).toBe('invalid_client');
  });

  it('refuses to rotate a public client, or with a grace period beyond a week', async () => {
    const publicApp = await admin.post(`/projects/${slug}/applications`, {
      name: 'Native',
      type: 'public',
      redirectUris: ['com.example.app:/cb'],
    });
    const refused = await admin.post(`/projects/${slug}/applications/${publicApp.body.clientId}/secret`, {});
    expect(refused.status).toBe(400);
    const { clientId } = await confidentialApp('Too long');
    const tooLong = await admin.post(`/projects/${slug}/applications/${clientId}/secret`, { graceSeconds: 8 * 86400 });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.description).toContain('graceSeconds');
  });

  it('deletes an application: its credentials stop working and it is gone from the list', async () => {
    const { clientId, clientSecret } = await confidentialApp('Doomed');
    expect((await admin.delete(`/projects/${slug}/applications/${clientId}`)).status).toBe(204);
    expect(await clientAuthentication(clientId, clientSecret)).toBe('invalid_client');
    expect((await admin.get(`/projects/${slug}/applications/${clientId}`)).status).toBe(404);
    expect((await admin.delete(`/projects/${slug}/applications/${clientId}`)).status).toBe(404);
  });

  it('protects the console: its client can be neither deleted nor rotated, its project not deleted', async () => {
    expect((await admin.delete('/projects/keyway-admin/applications/keyway-console')).status).toBe(400);
    expect((await admin.post('/projects/keyway-admin/applications/keyway-console/secret', {})).status).toBe(400);
    expect((await admin.delete('/projects/keyway-admin?confirm=keyway-admin')).status).toBe(400);
    expect((await admin.post('/projects', { slug: 'keyway-admin', name: 'Mine' })).status).toBe(409);
  });

  it('deletes a project only when the request repeats its slug', async () => {
    const doomed = `gone-${randomBytes(3).toString('hex')}`;
    const project = (await admin.post('/projects', { slug: doomed, name: 'Gone' })).body;
    const unconfirmed = await admin.delete(`/projects/${doomed}`);
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.description).toContain(doomed);
    expect((await admin.delete(`/projects/${doomed}?confirm=${slug}`)).status).toBe(400);
    expect((await admin.delete(`/projects/${doomed}?confirm=${doomed}`)).status).toBe(204);
    expect((await admin.get(`/projects/${doomed}`)).status).toBe(404);
    const discovery = await fetch(`${project.issuer}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(404);
  });

  it('lists the login options a step may name, for the flow designer', async () => {
    const options = await admin.get('/login-options');
    expect(options.status).toBe(200);
    const names = (options.body as Array<{ name: string }>).map(({ name }) => name);
    expect(names).toEqual(expect.arrayContaining(['BasicAuthenticator', 'totp', 'FIDOAuthenticator']));
    // Settings' and recovery's options are not login options.
    expect(names).not.toContain('FinishSettings');
    expect(names).not.toContain('PasswordReset');
    const refused = await admin.patch(`/projects/${slug}/applications/${(await confidentialApp('Flow')).clientId}`, {
      loginFlow: [['BasicAuthenticator'], ['FinishSettings']],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.description).toContain("unknown authenticator 'FinishSettings'");
  });

  it("previews a login flow's first prompt as /oauth2/authorize would answer it, storing and starting nothing", async () => {
    const { clientId } = await confidentialApp('Preview');
    const preview = (loginFlow: unknown) =>
      admin.post(`/projects/${slug}/applications/${clientId}/login-flow/preview`, { loginFlow });

    const multi = await preview([['BasicAuthenticator', 'FIDOAuthenticator'], ['totp']]);
    expect(multi.status).toBe(200);
    expect(multi.body.nextStep).toMatchObject({
      stepType: 'MULTI_OPTIONS_PROMPT',
      authenticators: [
        {
          authenticator: 'Username & Password',
          metadata: { promptType: 'USER_PROMPT', params: [{ param: 'username' }, { param: 'password' }] },
          requiredParams: ['username', 'password'],
        },
        { authenticatorId: Buffer.from('FIDOAuthenticator:LOCAL').toString('base64url') },
      ],
    });
    // A passkey alone would be started at once by /authorize: the preview makes no challenge.
    const passkey = await preview([['FIDOAuthenticator']]);
    expect(passkey.body.nextStep.authenticators).toHaveLength(1);
    expect(JSON.stringify(passkey.body)).not.toContain('challengeData');

    // The flow is the draft's, not the stored one, and it is checked like a saved one.
    expect((await admin.get(`/projects/${slug}/applications/${clientId}`)).body.loginFlow).toEqual([
      ['BasicAuthenticator'],
    ]);
    const refused = await preview([['totp']]);
    expect(refused).toMatchObject({ status: 400, body: { description: expect.stringContaining('first step') } });
    expect((await preview([['NoSuchAuthenticator']])).status).toBe(400);
    expect(
      (
        await admin.post(`/projects/${slug}/applications/no-such-app/login-flow/preview`, {
          loginFlow: [['BasicAuthenticator']],
        })
      ).status,
    ).toBe(404);
  });
});
