import { randomBytes } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import {
  adminAs,
  consoleSignIn,
  FIRST_OWNER_EMAIL,
  firstOwnerPassword,
  SYSTEM_PROJECT,
  type AdminClient,
} from './support/console';
import { postJson, type JsonResponse } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';
import { eventually, SmtpSink } from '@keyway/e2e-support';

// The admin API's access control, driven as the console drives it: console users sign in for real through the
// system project's app-native API (confidential client, PKCE), members join by invitation mails caught by a
// real SMTP server, API keys are used as automation uses them. Then the role matrix: every built-in role is
// refused, with a body naming the permission, on every area it lacks, and allowed on every area it has.

const BUILT_IN_ROLES = ['owner', 'admin', 'developer', 'helpdesk'] as const;
type BuiltInRole = (typeof BUILT_IN_ROLES)[number];

describe('admin access: console users, members, invitations, roles and API keys', () => {
  let server: KeywayServer;
  const sink = new SmtpSink();
  let owner: AdminClient;
  let ownerPassword: string;
  /** A project the first owner creates in the first test; most tests work in it. */
  const slug = `acme-${randomBytes(4).toString('hex')}`;

  const newEmail = (label: string) => `${label}-${randomBytes(4).toString('hex')}@example.com`;
  const newPassword = () => `pw-${randomBytes(12).toString('base64url')}`;
  const mailsTo = (address: string): ParsedMail[] =>
    sink.messages.filter((m) => (m.to && !Array.isArray(m.to) ? m.to.value[0]?.address : '') === address);
  /** The token of the latest invitation mailed to the address. */
  const invitationLink = (to: string): Promise<{ mail: ParsedMail; token: string }> =>
    eventually(async () => {
      const mail = mailsTo(to).at(-1);
      expect(mail).toBeDefined();
      const token = /http:\/\/localhost:3001\/invite\?token=([A-Za-z0-9_-]{43})/.exec(mail!.text ?? '')?.[1];
      expect(token).toBeDefined();
      return { mail: mail!, token: token! };
    });
  const lookup = (token: string) => postJson(`${server.baseUrl}/api/admin/v1/invitations/lookup`, { token });
  const accept = (token: string, extra: Record<string, string> = {}) =>
    postJson(`${server.baseUrl}/api/admin/v1/invitations/accept`, { token, ...extra });

  /** Invites a new address to the project with the role, accepts by mail, and signs the new console user in. */
  async function join(project: string, role: string, as: AdminClient = owner) {
    const email = newEmail(role);
    const password = newPassword();
    const invited = await as.post(`/projects/${project}/invitations`, { email, role });
    expect(invited.status).toBe(201);
    const { token } = await invitationLink(email);
    expect((await accept(token, { password })).status).toBe(200);
    return { email, password, api: adminAs(server, await consoleSignIn(server, email, password)) };
  }
  const memberId = async (project: string, email: string): Promise<string> => {
    const members = await owner.get(`/projects/${project}/members`);
    return (members.body as Array<{ id: string; email: string }>).find((member) => member.email === email)!.id;
  };
  const forbidden = (response: JsonResponse, permission: string, project = slug) => {
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({
      code: 'KW-40300',
      message: 'Forbidden.',
      description: `This needs the permission '${permission}' in project '${project}'.`,
    });
  };

  beforeAll(async () => {
    await sink.start();
    server = await startKeyway({ env: { KEYWAY_SMTP_URL: `smtp://127.0.0.1:${sink.port}` } });
    ownerPassword = await firstOwnerPassword(server);
    owner = adminAs(server, await consoleSignIn(server, FIRST_OWNER_EMAIL, ownerPassword));
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await sink.stop();
  });

  describe('console users and projects', () => {
    it('signs the first owner in through the system project: an instance owner, owner of the system project', async () => {
      const me = await owner.get('/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ kind: 'console-user', name: FIRST_OWNER_EMAIL, instanceOwner: true });
      expect(me.body.projects).toContainEqual(expect.objectContaining({ slug: SYSTEM_PROJECT, role: 'owner' }));
      const members = await owner.get(`/projects/${SYSTEM_PROJECT}/members`);
      expect(members.body).toEqual([
        {
          id: expect.any(String),
          identityId: me.body.id,
          email: FIRST_OWNER_EMAIL,
          role: 'owner',
          createdAt: expect.any(String),
        },
      ]);
    });

    it('the owner who creates a project is its owner', async () => {
      const created = await owner.post('/projects', { slug, name: 'Acme Shop' });
      expect(created.status).toBe(201);
      const members = await owner.get(`/projects/${slug}/members`);
      expect(members.body).toEqual([expect.objectContaining({ email: FIRST_OWNER_EMAIL, role: 'owner' })]);
      expect((await owner.get('/me')).body.projects).toContainEqual(
        expect.objectContaining({ slug, name: 'Acme Shop', role: 'owner' }),
      );
    });

    it('lists the permission catalog, one line each, to anyone signed in', async () => {
      const catalog = await owner.get('/permissions');
      expect(catalog.status).toBe(200);
      expect(catalog.body).toContainEqual({ name: 'members.write', description: expect.stringMatching(/\w+/) });
      for (const entry of catalog.body) expect(entry.description.length).toBeGreaterThan(10);
      expect((await adminAs(server, 'not-a-token').get('/permissions')).status).toBe(401);
    });

    it('answers 404 to a console user who is no member of the project', async () => {
      const outsider = await join(SYSTEM_PROJECT, 'helpdesk');
      // A member of the system project (help desk of console users), but of no other project.
      const response = await outsider.api.get(`/projects/${slug}`);
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ code: 'KW-40400', description: `No project with slug '${slug}'.` });
      expect((await outsider.api.get(`/projects/${slug}/members`)).status).toBe(404);
      expect((await outsider.api.get('/me')).body).toMatchObject({
        instanceOwner: false,
        projects: [expect.objectContaining({ slug: SYSTEM_PROJECT, role: 'helpdesk' })],
      });
    });
  });

  describe('invitations', () => {
    it('mails a link; lookup, accept, and the new console user signs in and sees the project with its role', async () => {
      const email = newEmail('Dev').toUpperCase();
      const invited = await owner.post(`/projects/${slug}/invitations`, { email, role: 'developer' });
      expect(invited.status).toBe(201);
      expect(invited.body).toEqual({
        id: expect.any(String),
        email: email.toLowerCase(),
        role: 'developer',
        invitedBy: FIRST_OWNER_EMAIL,
        createdAt: expect.any(String),
        expiresAt: expect.any(String),
      });
      const days = (Date.parse(invited.body.expiresAt) - Date.parse(invited.body.createdAt)) / 86_400_000;
      expect(days).toBeCloseTo(7, 3);
      expect((await owner.get(`/projects/${slug}/invitations`)).body).toEqual([invited.body]);

      const { mail, token } = await invitationLink(email.toLowerCase());
      expect(mail.subject).toBe("You're invited to Acme Shop");
      expect(mail.text).toContain(`${FIRST_OWNER_EMAIL} invited you to help manage Acme Shop`);
      expect(mail.text).toContain('as developer');
      expect(mail.text).toContain('expires in 7 days');

      expect((await lookup(token)).body).toEqual({
        projectName: 'Acme Shop',
        email: email.toLowerCase(),
        role: 'developer',
        existingUser: false,
      });
      // A new account needs a password, under the usual policy; nothing is spent meanwhile.
      const noPassword = await accept(token);
      expect(noPassword.status).toBe(400);
      expect(noPassword.body.fields).toEqual([expect.objectContaining({ field: 'password' })]);
      expect((await accept(token, { password: 'short' })).status).toBe(400);

      const password = newPassword();
      const accepted = await accept(token, { password, name: 'Dana Developer' });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toEqual({
        projectName: 'Acme Shop',
        email: email.toLowerCase(),
        role: 'developer',
        existingUser: false,
      });
      expect((await owner.get(`/projects/${slug}/invitations`)).body).toEqual([]);

      const developer = adminAs(server, await consoleSignIn(server, email.toLowerCase(), password));
      const me = await developer.get('/me');
      expect(me.body).toMatchObject({ kind: 'console-user', name: email.toLowerCase(), instanceOwner: false });
      expect(me.body.projects).toEqual([
        {
          slug,
          name: 'Acme Shop',
          role: 'developer',
          permissions: [
            'projects.read',
            'applications.read',
            'applications.write',
            'api_resources.read',
            'api_resources.write',
            'connections.read',
            'connections.write',
            'schemas.read',
            'email.read',
          ],
        },
      ]);
      // The link reached the address: the new console user's email is verified.
      const identity = await owner.get(`/projects/${SYSTEM_PROJECT}/identities/${me.body.id}`);
      expect(identity.body.verifiableAddresses).toEqual([
        expect.objectContaining({ via: 'email', value: email.toLowerCase(), verified: true }),
      ]);
      expect(identity.body.traits).toEqual({ email: email.toLowerCase(), name: 'Dana Developer' });
    });

    it('answers a used, revoked or wrong token with the same 400, and accepting tells no more than lookup', async () => {
      const used = await join(slug, 'helpdesk');
      expect(used.email).toBeDefined();
      const { token: usedToken } = await invitationLink(used.email);

      const revokedEmail = newEmail('revoked');
      const invited = await owner.post(`/projects/${slug}/invitations`, { email: revokedEmail, role: 'helpdesk' });
      const { token: revokedToken } = await invitationLink(revokedEmail);
      expect((await owner.delete(`/projects/${slug}/invitations/${invited.body.id}`)).status).toBe(204);
      expect((await owner.delete(`/projects/${slug}/invitations/${invited.body.id}`)).status).toBe(404);

      const wrongToken = randomBytes(32).toString('base64url');
      const answers = [];
      for (const token of [usedToken, revokedToken, wrongToken])
        answers.push(await lookup(token), await accept(token, { password: newPassword() }));
      for (const answer of answers) {
        expect(answer.status).toBe(400);
        expect({ ...answer.body, traceId: undefined }).toEqual({
          code: 'KW-40001',
          message: 'Invalid invitation.',
          description:
            'This invitation link does not work: it is wrong, was used or revoked, or has expired. Ask for a new invitation.',
          traceId: undefined,
        });
      }
    });

    it('a new invitation to the same address replaces the open one', async () => {
      const email = newEmail('twice');
      await owner.post(`/projects/${slug}/invitations`, { email, role: 'helpdesk' });
      const { token: first } = await invitationLink(email);
      await owner.post(`/projects/${slug}/invitations`, { email, role: 'developer' });
      await eventually(async () => expect(mailsTo(email)).toHaveLength(2));
      const { token: second } = await invitationLink(email);
      expect(second).not.toBe(first);
      expect((await lookup(first)).status).toBe(400);
      expect((await lookup(second)).body.role).toBe('developer');
      const pending = (await owner.get(`/projects/${slug}/invitations`)).body as Array<{ email: string }>;
      expect(pending.filter((invitation) => invitation.email === email)).toHaveLength(1);
    });

    it('an existing console user accepts without a password and keeps its own', async () => {
      const other = `other-${randomBytes(4).toString('hex')}`;
      expect((await owner.post('/projects', { slug: other, name: 'Other' })).status).toBe(201);
      const member = await join(slug, 'developer');
      await owner.post(`/projects/${other}/invitations`, { email: member.email, role: 'helpdesk' });
      await eventually(async () => expect(mailsTo(member.email)).toHaveLength(2));
      const { token } = await invitationLink(member.email);
      expect((await lookup(token)).body).toEqual({
        projectName: 'Other',
        email: member.email,
        role: 'helpdesk',
        existingUser: true,
      });
      expect((await accept(token, { password: 'an attempt to change it' })).body.existingUser).toBe(true);

      const api = adminAs(server, await consoleSignIn(server, member.email, member.password));
      const roles = Object.fromEntries(
        ((await api.get('/me')).body.projects as Array<{ slug: string; role: string }>).map((p) => [p.slug, p.role]),
      );
      expect(roles).toEqual({ [slug]: 'developer', [other]: 'helpdesk' });
      await expect(consoleSignIn(server, member.email, 'an attempt to change it')).rejects.toThrow(/authn/);
    });

    it('refuses to invite a member again, an unknown role and a malformed address', async () => {
      const conflict = await owner.post(`/projects/${slug}/invitations`, { email: FIRST_OWNER_EMAIL, role: 'admin' });
      expect(conflict.status).toBe(409);
      expect(conflict.body.description).toContain('is a member of project');
      const unknown = await owner.post(`/projects/${slug}/invitations`, { email: newEmail('x'), role: 'wizard' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.fields).toEqual([expect.objectContaining({ field: 'role' })]);
      expect((await owner.post(`/projects/${slug}/invitations`, { email: 'nope', role: 'admin' })).status).toBe(400);
    });
  });

  describe('members', () => {
    it('refuses to demote or remove the last owner (409), here and in the system project', async () => {
      const ownerMembership = await memberId(slug, FIRST_OWNER_EMAIL);
      const demote = await owner.patch(`/projects/${slug}/members/${ownerMembership}`, { role: 'admin' });
      expect(demote.status).toBe(409);
      expect(demote.body).toMatchObject({
        code: 'KW-40900',
        description: `This member is the last owner of project '${slug}' and cannot be demoted: make another member an owner first.`,
      });
      const remove = await owner.delete(`/projects/${slug}/members/${ownerMembership}`);
      expect(remove.status).toBe(409);
      expect(remove.body.description).toContain('cannot be removed');

      const instanceOwner = await memberId(SYSTEM_PROJECT, FIRST_OWNER_EMAIL);
      expect((await owner.delete(`/projects/${SYSTEM_PROJECT}/members/${instanceOwner}`)).status).toBe(409);
      expect((await owner.get('/me')).body.instanceOwner).toBe(true);
    });

    it('changes and removes members; with a second owner the first may step down', async () => {
      const project = `team-${randomBytes(4).toString('hex')}`;
      expect((await owner.post('/projects', { slug: project, name: 'Team' })).status).toBe(201);
      const second = await join(project, 'admin');
      const secondId = await memberId(project, second.email);
      const promoted = await owner.patch(`/projects/${project}/members/${secondId}`, { role: 'owner' });
      expect(promoted.status).toBe(200);
      expect(promoted.body).toEqual({
        id: secondId,
        identityId: expect.any(String),
        email: second.email,
        role: 'owner',
        createdAt: expect.any(String),
      });
      // The first owner steps down; now the second is the last owner.
      const firstId = await memberId(project, FIRST_OWNER_EMAIL);
      expect((await second.api.patch(`/projects/${project}/members/${firstId}`, { role: 'developer' })).status).toBe(
        200,
      );
      expect((await second.api.patch(`/projects/${project}/members/${secondId}`, { role: 'admin' })).status).toBe(409);
      expect((await second.api.delete(`/projects/${project}/members/${firstId}`)).status).toBe(204);
      expect(((await second.api.get(`/projects/${project}/members`)).body as unknown[]).length).toBe(1);
      expect((await second.api.delete(`/projects/${project}/members/${firstId}`)).status).toBe(404);
      expect((await second.api.patch(`/projects/${project}/members/not-a-uuid`, { role: 'admin' })).status).toBe(404);
    });
  });

  describe('API keys', () => {
    it('creates a key shown once, authenticates with it, records its last use, and refuses it once revoked', async () => {
      const created = await owner.post(`/projects/${slug}/api-keys`, { name: 'ci deploy', role: 'developer' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        name: 'ci deploy',
        role: 'developer',
        createdAt: expect.any(String),
        createdBy: FIRST_OWNER_EMAIL,
        expiresAt: null,
        lastUsedAt: null,
        revokedAt: null,
        key: expect.stringMatching(/^kwk_[0-9a-f-]{36}_[A-Za-z0-9_-]{43}$/),
      });
      const key = adminAs(server, created.body.key);
      expect((await key.get(`/projects/${slug}/applications`)).status).toBe(200);
      expect((await key.get('/me')).body).toMatchObject({
        kind: 'api-key',
        name: 'API key "ci deploy"',
        projects: [expect.objectContaining({ slug, role: 'developer' })],
      });
      forbidden(await key.get(`/projects/${slug}/identities`), 'identities.read');

      const listed = await owner.get(`/projects/${slug}/api-keys`);
      const row = (listed.body as Array<Record<string, unknown>>).find((k) => k['id'] === created.body.id)!;
      expect(row).not.toHaveProperty('key');
      expect(row).not.toHaveProperty('secretHash');
      expect(JSON.stringify(listed.body)).not.toContain(created.body.key.slice(-43));
      expect(Date.parse(row['lastUsedAt'] as string)).toBeGreaterThanOrEqual(Date.parse(created.body.createdAt));

      expect((await owner.delete(`/projects/${slug}/api-keys/${created.body.id}`)).status).toBe(204);
      const refused = await key.get(`/projects/${slug}/applications`);
      expect(refused.status).toBe(401);
      const revoked = (await owner.get(`/projects/${slug}/api-keys`)).body.find(
        (k: { id: string }) => k.id === created.body.id,
      );
      expect(revoked.revokedAt).toEqual(expect.any(String));
      // A key with a wrong secret is no key at all.
      const forged = created.body.key.replace(/.{5}$/, 'AAAAA');
      expect((await adminAs(server, forged).get('/me')).status).toBe(401);
    });

    it('refuses an expired key at once, and an expiry in the past', async () => {
      const expiresAt = new Date(Date.now() + 2_000).toISOString();
      const created = await owner.post(`/projects/${slug}/api-keys`, { name: 'short', role: 'helpdesk', expiresAt });
      expect(created.status).toBe(201);
      expect(created.body.expiresAt).toBe(expiresAt);
      const key = adminAs(server, created.body.key);
      expect((await key.get(`/projects/${slug}/identities`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) - Date.now() + 100));
      expect((await key.get(`/projects/${slug}/identities`)).status).toBe(401);

      const past = await owner.post(`/projects/${slug}/api-keys`, {
        name: 'past',
        role: 'helpdesk',
        expiresAt: new Date(Date.now() - 1000).toISOString(),
      });
      expect(past.status).toBe(400);
      expect(past.body.fields).toEqual([expect.objectContaining({ field: 'expiresAt' })]);
    });

    it("a key acts in its own project only: another project doesn't exist for it", async () => {
      const created = await owner.post(`/projects/${slug}/api-keys`, { name: 'scoped', role: 'owner' });
      const key = adminAs(server, created.body.key);
      expect((await key.get(`/projects/${SYSTEM_PROJECT}`)).status).toBe(404);
      expect((await key.post('/projects', { slug: `x-${randomBytes(3).toString('hex')}`, name: 'X' })).status).toBe(
        403,
      );
    });
  });

  describe('the role matrix', () => {
    /** One representative endpoint per area: the permission it declares, and a request that succeeds when allowed. */
    const AREAS: Array<{ area: string; permission: string; request: (api: AdminClient) => Promise<JsonResponse> }> = [
      {
        area: 'configuration (PATCH project)',
        permission: 'projects.write',
        request: (api) => api.patch(`/projects/${slug}`, { name: 'Acme Shop' }),
      },
      {
        area: 'applications (write)',
        permission: 'applications.write',
        request: (api) => api.patch(`/projects/${slug}/applications/matrix-app`, { name: 'Matrix app' }),
      },
      {
        area: 'identity schemas (write)',
        permission: 'schemas.write',
        request: (api) => api.put(`/projects/${slug}/identity-schemas/default`, { version: 1 }),
      },
      {
        area: 'email (write)',
        permission: 'email.write',
        request: (api) =>
          api.put(`/projects/${slug}/email/templates/welcome/fr`, {
            subject: 'Bienvenue chez {{projectName}}',
            html: '<p>Bienvenue, {{email}}.</p>',
            text: 'Bienvenue, {{email}}.',
          }),
      },
      {
        area: 'identities (read)',
        permission: 'identities.read',
        request: (api) => api.get(`/projects/${slug}/identities`),
      },
      {
        area: 'members (write)',
        permission: 'members.write',
        request: (api) => api.post(`/projects/${slug}/invitations`, { email: newEmail('matrix'), role: 'helpdesk' }),
      },
      {
        area: 'API keys (write)',
        permission: 'api_keys.write',
        request: (api) => api.post(`/projects/${slug}/api-keys`, { name: 'matrix', role: 'helpdesk' }),
      },
      // The audit log has no read endpoint yet (audit.read is declared in the catalog); add its row when it has one.
    ];
    /** Which areas each built-in role may use: the table docs/admin.md shows, checked against the API. */
    const ALLOWED: Record<BuiltInRole, string[]> = {
      owner: AREAS.map((area) => area.permission),
      admin: ['projects.write', 'applications.write', 'schemas.write', 'email.write', 'identities.read'],
      developer: ['applications.write'],
      helpdesk: ['identities.read'],
    };
    const users = {} as Record<BuiltInRole, AdminClient>;

    beforeAll(async () => {
      const app = await owner.post(`/projects/${slug}/applications`, {
        clientId: 'matrix-app',
        name: 'Matrix app',
        type: 'public',
        redirectUris: ['com.example.matrix:/cb'],
        appNative: true,
      });
      expect(app.status).toBe(201);
      for (const role of BUILT_IN_ROLES) users[role] = (await join(slug, role)).api;
    }, 120_000);

    it('GET roles agrees with the table', async () => {
      const roles = (await owner.get(`/projects/${slug}/roles`)).body as Array<{ name: string; permissions: string[] }>;
      for (const role of BUILT_IN_ROLES) {
        const permissions = roles.find((r) => r.name === role)!.permissions;
        expect(AREAS.map((area) => area.permission).filter((p) => permissions.includes(p))).toEqual(ALLOWED[role]);
      }
    });

    it.each(BUILT_IN_ROLES)(
      '%s: refused with 403 naming the permission where it lacks it, allowed where it has it',
      async (role) => {
        for (const { area, permission, request } of AREAS) {
          const response = await request(users[role]);
          if (ALLOWED[role].includes(permission))
            // The area in the failure message, with the body that says why.
            expect([area, [200, 201, 204].includes(response.status) ? 'allowed' : response.body]).toEqual([
              area,
              'allowed',
            ]);
          else forbidden(response, permission);
        }
      },
    );
  });

  describe('custom roles', () => {
    it('lists the built-in roles beside the custom ones; creates, grants and uses a custom role', async () => {
      const created = await owner.post(`/projects/${slug}/roles`, {
        name: 'support-lead',
        description: 'Reads end users and the team',
        permissions: ['members.read', 'identities.read', 'projects.read', 'identities.read'],
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        name: 'support-lead',
        description: 'Reads end users and the team',
        permissions: ['projects.read', 'identities.read', 'members.read'],
        builtIn: false,
      });
      const roles = (await owner.get(`/projects/${slug}/roles`)).body as Array<{ name: string; builtIn: boolean }>;
      expect(roles.map((role) => [role.name, role.builtIn])).toEqual([
        ['owner', true],
        ['admin', true],
        ['developer', true],
        ['helpdesk', true],
        ['support-lead', false],
      ]);

      const lead = await join(slug, 'support-lead');
      expect((await lead.api.get(`/projects/${slug}/identities`)).status).toBe(200);
      expect((await lead.api.get(`/projects/${slug}/members`)).status).toBe(200);
      forbidden(await lead.api.get(`/projects/${slug}/applications`), 'applications.read');

      // In use: not deleted. Its permissions change for its holders at once.
      const inUse = await owner.delete(`/projects/${slug}/roles/support-lead`);
      expect(inUse.status).toBe(409);
      expect(inUse.body.description).toBe(
        "The role 'support-lead' is in use by 1 member(s): give them another role, or revoke them, first.",
      );
      const widened = await owner.patch(`/projects/${slug}/roles/support-lead`, {
        permissions: ['projects.read', 'identities.read', 'members.read', 'applications.read'],
      });
      expect(widened.status).toBe(200);
      expect((await lead.api.get(`/projects/${slug}/applications`)).status).toBe(200);

      const leadId = await memberId(slug, lead.email);
      expect((await owner.patch(`/projects/${slug}/members/${leadId}`, { role: 'helpdesk' })).status).toBe(200);
      expect((await owner.delete(`/projects/${slug}/roles/support-lead`)).status).toBe(204);
      expect((await owner.delete(`/projects/${slug}/roles/support-lead`)).status).toBe(404);
    });

    it('refuses bad names, built-in names, unknown permissions and changes to built-in roles', async () => {
      const post = (body: unknown) => owner.post(`/projects/${slug}/roles`, body);
      for (const name of ['Ops', '1ops', 'o', 'ops team', 'x'.repeat(41)]) {
        const refused = await post({ name, permissions: ['projects.read'] });
        expect(refused.status).toBe(400);
        expect(refused.body.fields).toEqual([expect.objectContaining({ field: 'name' })]);
      }
      const builtIn = await post({ name: 'admin', permissions: ['projects.read'] });
      expect(builtIn.status).toBe(400);
      expect(builtIn.body.description).toBe("name: 'admin' is the name of a built-in role");
      const unknown = await post({ name: 'ops', permissions: ['projects.read', 'everything'] });
      expect(unknown.status).toBe(400);
      expect(unknown.body.fields).toEqual([expect.objectContaining({ field: 'permissions[1]' })]);
      expect((await post({ name: 'ops', permissions: [] })).status).toBe(400);
      expect((await post({ name: 'ops', permissions: ['projects.read'] })).status).toBe(201);
      expect((await post({ name: 'ops', permissions: ['projects.read'] })).status).toBe(409);
      expect((await owner.patch(`/projects/${slug}/roles/owner`, { description: 'x' })).status).toBe(400);
      expect((await owner.delete(`/projects/${slug}/roles/helpdesk`)).status).toBe(400);
      expect((await owner.patch(`/projects/${slug}/roles/nope`, { description: 'x' })).status).toBe(404);
    });
  });

  describe('no privilege escalation', () => {
    it('grants only roles within the granter’s own permissions, and changes no one who holds more', async () => {
      const created = await owner.post(`/projects/${slug}/roles`, {
        name: 'team-lead',
        permissions: ['projects.read', 'members.read', 'members.write', 'roles.write', 'api_keys.write'],
      });
      expect(created.status).toBe(201);
      const lead = await join(slug, 'team-lead');

      const escalation = await lead.api.post(`/projects/${slug}/invitations`, {
        email: newEmail('esc'),
        role: 'admin',
      });
      expect(escalation.status).toBe(403);
      expect(escalation.body).toMatchObject({ code: 'KW-40300', message: 'Forbidden.' });
      expect(escalation.body.description).toMatch(
        new RegExp(`^Granting the role 'admin' needs permissions you do not have in project '${slug}': `),
      );
      expect(escalation.body.description).toContain(': projects.write, applications.read, applications.write,');
      expect(escalation.body.description).toContain('No one may grant more than they hold.');
      const key = await lead.api.post(`/projects/${slug}/api-keys`, { name: 'esc', role: 'owner' });
      expect(key.status).toBe(403);
      expect(key.body.description).toContain("Granting the role 'owner'");

      // Within its own permissions it may grant; a member who holds more it may not change.
      expect(
        (await lead.api.post(`/projects/${slug}/invitations`, { email: newEmail('ok'), role: 'team-lead' })).status,
      ).toBe(201);
      const ownerMembership = await memberId(slug, FIRST_OWNER_EMAIL);
      const demote = await lead.api.patch(`/projects/${slug}/members/${ownerMembership}`, { role: 'team-lead' });
      expect(demote.status).toBe(403);
      expect(demote.body.description).toContain("Changing a member with the role 'owner'");
      const selfPromotion = await lead.api.patch(`/projects/${slug}/members/${await memberId(slug, lead.email)}`, {
        role: 'owner',
      });
      expect(selfPromotion.status).toBe(403);

      // Nor may it widen a role (its own included) beyond what it holds.
      const widen = await lead.api.patch(`/projects/${slug}/roles/team-lead`, {
        permissions: ['projects.read', 'members.read', 'members.write', 'roles.write', 'api_keys.write', 'audit.read'],
      });
      expect(widen.status).toBe(403);
      expect(widen.body.description).toContain('audit.read');
      const newRole = await lead.api.post(`/projects/${slug}/roles`, {
        name: 'power',
        permissions: ['identities.write'],
      });
      expect(newRole.status).toBe(403);
      expect(newRole.body.description).toContain('identities.write');
    });
  });
});
