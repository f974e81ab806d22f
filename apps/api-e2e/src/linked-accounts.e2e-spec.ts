import { randomBytes } from 'node:crypto';
import { decodeAuthenticatorId, type AuthenticatorOption } from '@keyway/flow-types';
import { adminApi, createTenant, postForm, postJson, startFlow, submitPassword, type Tenant } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

// Linked accounts (issue 12) end to end on the built API: links imported with an identity through the admin API
// (links are otherwise made by the user signing in, which the federation suite drives), listed and removed by
// help desk, unlinked by the user in the settings flow, and gone with their connection.

const UNLINK = Buffer.from('UnlinkConnection:LOCAL').toString('base64url');

const names = (body: any): string[] =>
  (body.nextStep.authenticators as AuthenticatorOption[]).map(
    (option) => decodeAuthenticatorId(option.authenticatorId)?.name ?? '?',
  );

describe('linked accounts', () => {
  let server: KeywayServer;
  let tenant: Tenant;
  let admin: ReturnType<typeof adminApi>;
  let google: string;
  let github: string;

  beforeAll(async () => {
    server = await startKeyway();
    tenant = await createTenant(server);
    admin = adminApi(server);
    const create = async (preset: string) => {
      const created = await admin.post(`/projects/${tenant.slug}/connections`, {
        name: `${preset}-${randomBytes(2).toString('hex')}`,
        preset,
        clientId: `${preset}-client`,
      });
      expect(created.status).toBe(201);
      return created.body as { id: string; name: string };
    };
    [google, github] = await Promise.all([create('google'), create('github')]).then((made) =>
      made.map((connection) => connection.name),
    );
  }, 120_000);

  afterAll(() => server?.stop());

  const connectionId = async (name: string): Promise<string> =>
    ((await admin.get(`/projects/${tenant.slug}/connections`)).body as { id: string; name: string }[]).find(
      (connection) => connection.name === name,
    )!.id;

  /** An identity imported with accounts at the connections named (and a password, or none). */
  const imported = async (links: Record<string, string>, password?: string) => {
    const email = `ada-${randomBytes(4).toString('hex')}@example.com`;
    const created = await admin.post(`/projects/${tenant.slug}/identities`, {
      traits: { email },
      credentials: {
        ...(password ? { password: { value: password } } : {}),
        oidc: { links: Object.entries(links).map(([connection, subject]) => ({ connection, subject })) },
      },
    });
    expect(created.status).toBe(201);
    return { id: created.body.id as string, email };
  };
  const linksOf = async (identityId: string) => {
    const detail = await admin.get(`/projects/${tenant.slug}/identities/${identityId}`);
    expect(detail.status).toBe(200);
    return detail.body.credentials.find((credential: { type: string }) => credential.type === 'oidc')?.links;
  };
  const subject = () => `sub-${randomBytes(6).toString('hex')}`;

  it('imports an identity with its linked accounts, and refuses unknown connections and taken accounts', async () => {
    const [googleSub, githubSub] = [subject(), subject()];
    const { id } = await imported({ [google]: googleSub, [github]: githubSub });
    expect(await linksOf(id)).toEqual([
      {
        connectionId: await connectionId(google),
        connectionName: google,
        subject: googleSub,
        linkedAt: expect.any(String),
      },
      {
        connectionId: await connectionId(github),
        connectionName: github,
        subject: githubSub,
        linkedAt: expect.any(String),
      },
    ]);

    const refusedEmail = `refused-${randomBytes(4).toString('hex')}@example.com`;
    const post = (oidc: unknown) =>
      admin.post(`/projects/${tenant.slug}/identities`, {
        traits: { email: refusedEmail },
        credentials: { oidc },
      });
    const unknown = await post({ links: [{ connection: 'nope', subject: 's' }] });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain("no connection 'nope'");
    expect(
      (
        await post({
          links: [
            { connection: google, subject: 'a' },
            { connection: google, subject: 'b' },
          ],
        })
      ).status,
    ).toBe(400);
    const taken = await post({ links: [{ connection: google, subject: googleSub }] });
    expect(taken.status).toBe(409);
    // Nothing of the refused import stays.
    expect((await admin.get(`/projects/${tenant.slug}/identities?q=${refusedEmail}`)).body.items).toEqual([]);
  });

  it('lets help desk unlink an account, but never the last way to sign in (409), each audited', async () => {
    const onlyGoogle = await imported({ [google]: subject() });
    const googleId = await connectionId(google);
    const action = (identityId: string, body: unknown) =>
      admin.post(`/projects/${tenant.slug}/identities/${identityId}/actions/unlink-connection`, body);

    const refused = await action(onlyGoogle.id, { reason: 'ticket 42', connectionId: googleId });
    expect(refused.status).toBe(409);
    expect(refused.body.description).toContain('last way to sign in');
    expect(await linksOf(onlyGoogle.id)).toHaveLength(1);
    expect((await action(onlyGoogle.id, { reason: 'ticket 42' })).status).toBe(400);
    expect((await action(onlyGoogle.id, { reason: 'ticket 42', connectionId: 'not-a-uuid' })).status).toBe(400);

    const withPassword = await imported({ [google]: subject() }, `pw-${randomBytes(9).toString('base64url')}`);
    const done = await action(withPassword.id, { reason: 'ticket 43', connectionId: googleId });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ outcome: 'done', connectionId: googleId, identity: { id: withPassword.id } });
    expect(await linksOf(withPassword.id)).toEqual([]);
    const again = await action(withPassword.id, { reason: 'ticket 43', connectionId: googleId });
    expect(again.body.outcome).toBe('no-op');

    const timeline = await admin.get(`/projects/${tenant.slug}/identities/${withPassword.id}/timeline`);
    expect(timeline.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'admin.identity.unlink-connection',
          data: expect.objectContaining({ reason: 'ticket 43', outcome: 'done', connection: google }),
        }),
      ]),
    );
  });

  it('offers the user the unlink in settings, listing the connections, and refuses the last way to sign in', async () => {
    const password = `pw-${randomBytes(9).toString('base64url')}`;
    const user = await imported({ [google]: subject(), [github]: subject() }, password);
    const [googleId, githubId] = [await connectionId(google), await connectionId(github)];
    const { response, verifier } = await startFlow(tenant, { scope: 'openid' });
    const signedIn = await submitPassword(tenant, response.body.flowId, user.email, password);
    expect(signedIn.body.flowStatus).toBe('SUCCESS_COMPLETED');
    const tokens = await postForm(`${tenant.issuer}/oauth2/token`, {
      client_id: tenant.clientId,
      grant_type: 'authorization_code',
      code: signedIn.body.authData.code,
      redirect_uri: tenant.redirectUri,
      code_verifier: verifier,
    });
    const bearer = { authorization: `Bearer ${tokens.body.access_token}` };
    const settings = (body: unknown) => postJson(`${tenant.issuer}/flows/settings`, body, bearer);
    const unlink = (flowId: string, id: string) =>
      settings({ flowId, selectedAuthenticator: { authenticatorId: UNLINK, params: { connectionId: id } } });

    const started = await settings({});
    expect(names(started.body)).toContain('UnlinkConnection');
    const option = (started.body.nextStep.authenticators as AuthenticatorOption[]).find(
      (candidate) => candidate.authenticatorId === UNLINK,
    )!;
    expect(option).toMatchObject({
      metadata: { promptType: 'USER_PROMPT', params: [{ param: 'connectionId' }] },
      requiredParams: ['connectionId'],
    });
    expect(JSON.parse(option.metadata.additionalData!['connections']!)).toEqual([
      { connectionId: googleId, name: google, displayName: 'Google', linkedAt: expect.any(String) },
      { connectionId: githubId, name: github, displayName: 'GitHub', linkedAt: expect.any(String) },
    ]);
    const flowId: string = started.body.flowId;

    const unknown = await unlink(flowId, '00000000-0000-4000-8000-000000000000');
    expect(unknown.body).toMatchObject({
      flowStatus: 'FAIL_INCOMPLETE',
      nextStep: { messages: [{ messageId: 'msg_connection_not_linked' }] },
    });
    const done = await unlink(flowId, googleId);
    expect(done.body).toMatchObject({
      flowStatus: 'INCOMPLETE',
      nextStep: { messages: [{ type: 'INFO', messageId: 'msg_connection_unlinked' }] },
    });
    expect((await linksOf(user.id)).map((link: { connectionId: string }) => link.connectionId)).toEqual([githubId]);
    // The password stays, so the last link may go too; then the option is no longer offered.
    expect((await unlink(flowId, githubId)).body.nextStep.messages[0].messageId).toBe('msg_connection_unlinked');
    expect(names((await settings({})).body)).not.toContain('UnlinkConnection');

    const timeline = await admin.get(`/projects/${tenant.slug}/identities/${user.id}/timeline`);
    expect(
      timeline.body.items.filter((event: { type: string }) => event.type === 'linked_account.removed'),
    ).toHaveLength(2);
  });

  it("deletes every user's link with the connection, and says how many and whom it strands", async () => {
    const created = await admin.post(`/projects/${tenant.slug}/connections`, {
      name: `doomed-${randomBytes(2).toString('hex')}`,
      preset: 'google',
      clientId: 'doomed-client',
    });
    const doomed = created.body as { id: string; name: string };
    const stranded = await imported({ [doomed.name]: subject() });
    const kept = await imported({ [doomed.name]: subject(), [google]: subject() });
    const withPassword = await imported({ [doomed.name]: subject() }, `pw-${randomBytes(9).toString('base64url')}`);

    const deleted = await admin.delete(`/projects/${tenant.slug}/connections/${doomed.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ linksRemoved: 3, identitiesStranded: 1 });
    expect(await linksOf(stranded.id)).toEqual([]);
    expect(await linksOf(withPassword.id)).toEqual([]);
    expect((await linksOf(kept.id)).map((link: { connectionName: string }) => link.connectionName)).toEqual([google]);

    const events = await admin.get(`/projects/${tenant.slug}/audit-events?type=connection.deleted`);
    expect(JSON.stringify(events.body)).toContain('"linksRemoved":3');
  });
});
