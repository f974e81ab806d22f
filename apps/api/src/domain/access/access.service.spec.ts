import { randomBytes, randomUUID } from 'node:crypto';
import type { KeywayConfig } from '../../infra/config/config';
import { sha256 } from '../../infra/crypto/tokens';
import {
  openScratchDatabase,
  type ScratchDatabase,
  singleProcessNotifications,
} from '../../infra/database/scratch-database.testing';
import type { ApiError } from '../../infra/http/errors';
import { IdentitiesRepository } from '../identities/identities.repository';
import { ProjectsRepository } from '../projects/projects.repository';
import { ProjectsService, type Project } from '../projects/projects.service';
import { AccessRepository } from './access.repository';
import { AccessService, type AdminPrincipal } from './access.service';
import { parseApiKey } from './api-key-format';
import { ApiKeysService } from './api-keys.service';
import { MembersService } from './members.service';
import { BUILT_IN_ROLES, PERMISSIONS } from './permissions';
import { RolesService } from './roles.service';

// Who may do what in a project, with the real repository on a scratch database of each kind: permissions of
// root, API keys, console users and instance owners; no privilege escalation through members, custom roles
// or API keys; the last owner stays.

jest.setTimeout(120_000);

/** The error a promise was refused with, for its status, code and description. */
const refusal = (promise: Promise<unknown>): Promise<ApiError> =>
  promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: ApiError) => error,
  );

describe.each(['pglite', 'postgres'] as const)('access services on %s', (kind) => {
  let scratch: ScratchDatabase;
  let repository: AccessRepository;
  let access: AccessService;
  let members: MembersService;
  let roles: RolesService;
  let apiKeys: ApiKeysService;
  let identities: IdentitiesRepository;
  let projects: ProjectsService;
  let system: Project;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    const prisma = scratch.db.prisma;
    repository = new AccessRepository(prisma);
    identities = new IdentitiesRepository(prisma, scratch.db.sql);
    // Only reads projects here: no keys are generated.
    projects = new ProjectsService(
      new ProjectsRepository(prisma),
      null as never,
      {
        publicUrl: 'https://id.example.com',
      } as KeywayConfig,
      singleProcessNotifications(prisma),
    );
    access = new AccessService(repository, projects);
    members = new MembersService(repository, access);
    roles = new RolesService(repository, access);
    apiKeys = new ApiKeysService(repository, access);
    await prisma.project.create({ data: { slug: 'keyway-admin', name: 'Keyway console' } });
    system = (await projects.findBySlug('keyway-admin'))!;
  });
  afterAll(() => scratch?.dispose());

  const newProject = async (): Promise<Project> => {
    const slug = `p-${randomBytes(4).toString('hex')}`;
    await scratch.db.prisma.project.create({ data: { slug, name: 'Acme' } });
    return (await projects.findBySlug(slug))!;
  };
  /** A console user with a role in the project (and, optionally, in the system project). */
  const consoleUser = async (
    project: Project | undefined,
    role: string,
  ): Promise<{ principal: AdminPrincipal; membershipId: string }> => {
    const email = `${randomUUID()}@example.com`;
    const identity = await identities.create(undefined, {
      projectId: system.id,
      traits: { email },
      schemaVersion: 1,
      identifiers: [],
      addresses: [],
    });
    const membership = project ? await repository.upsertMembership(undefined, project.id, identity.id, role) : null;
    return {
      principal: { kind: 'console-user', identityId: identity.id, email },
      membershipId: membership?.id ?? '',
    };
  };

  describe('permissions', () => {
    it("root: every permission everywhere; an API key: its role's, in its project only", async () => {
      const project = await newProject();
      const other = await newProject();
      expect(await access.permissionsIn({ kind: 'root' }, project)).toEqual(new Set(PERMISSIONS));
      const key: AdminPrincipal = {
        kind: 'api-key',
        id: randomUUID(),
        name: 'ci',
        projectId: project.id,
        role: 'developer',
      };
      expect(await access.permissionsIn(key, project)).toEqual(new Set(BUILT_IN_ROLES.developer));
      expect(await access.permissionsIn(key, other)).toEqual(new Set());
      expect(await access.isInstanceOwner(key)).toBe(false);
      expect(await access.isInstanceOwner({ kind: 'root' })).toBe(true);
    });

    it("a console user: its membership's role; none without one; an owner of the system project: all, everywhere", async () => {
      const project = await newProject();
      const { principal: helper } = await consoleUser(project, 'helpdesk');
      expect(await access.permissionsIn(helper, project)).toEqual(new Set(BUILT_IN_ROLES.helpdesk));
      expect(await access.permissionsIn(helper, await newProject())).toEqual(new Set());

      const { principal: instanceOwner } = await consoleUser(system, 'owner');
      expect(await access.isInstanceOwner(instanceOwner)).toBe(true);
      expect(await access.permissionsIn(instanceOwner, project)).toEqual(new Set(PERMISSIONS));
      const { principal: systemAdmin } = await consoleUser(system, 'admin');
      expect(await access.isInstanceOwner(systemAdmin)).toBe(false);
      expect(await access.permissionsIn(systemAdmin, project)).toEqual(new Set());
    });

    it("a custom role's permissions; an unknown role is a 400 on the field role, naming the project's roles", async () => {
      const project = await newProject();
      await repository.createRole(project.id, { name: 'ops', description: '', permissions: ['audit.read'] });
      expect(await access.permissionsOfRole(project.id, 'ops')).toEqual(new Set(['audit.read']));
      const unknown = await refusal(access.permissionsOfRole(project.id, 'wizard'));
      expect(unknown).toMatchObject({ status: 400, code: 'KW-40000' });
      expect(unknown.description).toBe(
        "role: no role 'wizard' in this project (roles: owner, admin, developer, helpdesk, ops)",
      );
    });
  });

  describe('no privilege escalation', () => {
    it('grants a role only when the caller holds all its permissions, naming the missing ones', async () => {
      const project = await newProject();
      const { principal: admin } = await consoleUser(project, 'admin');
      await access.assertMayGrant(admin, project, 'developer');
      await access.assertMayGrant(admin, project, 'admin');
      const refused = await refusal(access.assertMayGrant(admin, project, 'owner'));
      expect(refused).toMatchObject({ status: 403, code: 'KW-40300', message: 'Forbidden.' });
      expect(refused.description).toBe(
        `Granting the role 'owner' needs permissions you do not have in project '${project.slug}': ` +
          'projects.delete, members.write, roles.write, api_keys.write. No one may grant more than they hold.',
      );
      await access.assertMayGrant({ kind: 'root' }, project, 'owner');
    });

    it('members: no one promotes, demotes or removes beyond their own permissions', async () => {
      const project = await newProject();
      await repository.createRole(project.id, {
        name: 'lead',
        description: '',
        permissions: ['projects.read', 'members.read', 'members.write', 'identities.read'],
      });
      const { principal: lead, membershipId: leadId } = await consoleUser(project, 'lead');
      const { membershipId: ownerId } = await consoleUser(project, 'owner');
      const { membershipId: helperId } = await consoleUser(project, 'helpdesk');

      expect((await refusal(members.changeRole(lead, project, leadId, 'owner'))).status).toBe(403);
      expect((await refusal(members.changeRole(lead, project, ownerId, 'lead'))).description).toContain(
        "Changing a member with the role 'owner'",
      );
      expect((await refusal(members.remove(lead, project, ownerId))).status).toBe(403);
      // helpdesk holds identities.state.write etc., which the lead lacks: it may not touch that member either.
      expect((await refusal(members.remove(lead, project, helperId))).description).toContain('identities.state.write');
      const { membershipId: peerId } = await consoleUser(project, 'lead');
      const { after } = await members.changeRole(lead, project, peerId, 'lead');
      expect(after).toMatchObject({ id: peerId, role: 'lead', email: expect.stringContaining('@example.com') });
      expect(await members.remove(lead, project, peerId)).toMatchObject({ id: peerId });
      expect((await refusal(members.remove(lead, project, peerId))).status).toBe(404);
      expect((await refusal(members.remove(lead, project, 'not-a-uuid'))).status).toBe(404);
    });

    it('custom roles: made and changed only with permissions the author holds, both before and after', async () => {
      const project = await newProject();
      const { principal: admin } = await consoleUser(project, 'admin');
      const created = await roles.create(admin, project, {
        name: 'auditor',
        permissions: ['audit.read', 'projects.read', 'audit.read'],
      });
      expect(created).toEqual({
        name: 'auditor',
        description: '',
        permissions: ['projects.read', 'audit.read'],
        builtIn: false,
      });
      expect(
        (await refusal(roles.create(admin, project, { name: 'keys', permissions: ['api_keys.write'] }))).status,
      ).toBe(403);
      expect(
        (await refusal(roles.update(admin, project, 'auditor', { permissions: ['projects.read', 'members.write'] })))
          .description,
      ).toContain('members.write');
      await roles.create({ kind: 'root' }, project, { name: 'keys', permissions: ['api_keys.write'] });
      // Taking a permission away from a role is changing it for its holders: not beyond the author's own either.
      expect((await refusal(roles.update(admin, project, 'keys', { description: 'x' }))).status).toBe(403);
      expect((await refusal(roles.delete(admin, project, 'keys'))).status).toBe(403);
      expect((await roles.update(admin, project, 'auditor', { description: 'Reads the log' })).after.description).toBe(
        'Reads the log',
      );
      expect(
        (await refusal(roles.create(admin, project, { name: 'auditor', permissions: ['audit.read'] }))).status,
      ).toBe(409);
      expect((await refusal(roles.create(admin, project, { name: 'owner', permissions: ['audit.read'] }))).status).toBe(
        400,
      );
      expect((await refusal(roles.delete(admin, project, 'owner'))).status).toBe(400);
      expect((await roles.list(project.id)).map((role) => `${role.name}:${role.builtIn}`)).toEqual([
        'owner:true',
        'admin:true',
        'developer:true',
        'helpdesk:true',
        'auditor:false',
        'keys:false',
      ]);
    });

    it('API keys: created with a grantable role only, shown once, stored as a hash', async () => {
      const project = await newProject();
      const { principal: owner } = await consoleUser(project, 'owner');
      const created = await apiKeys.create(owner, project, { name: 'ci', role: 'developer', createdBy: 'me' });
      const parsed = parseApiKey(created.key)!;
      expect(parsed.id).toBe(created.id);
      const row = await repository.findApiKey(created.id);
      expect(row?.secretHash).toBe(sha256(parsed.secret));
      expect(JSON.stringify(await apiKeys.list(project.id))).not.toContain(parsed.secret);
      expect(JSON.stringify(await apiKeys.list(project.id))).not.toContain(row!.secretHash);

      const key: AdminPrincipal = {
        kind: 'api-key',
        id: created.id,
        name: 'ci',
        projectId: project.id,
        role: 'developer',
      };
      expect((await refusal(apiKeys.create(key, project, { name: 'x', role: 'admin', createdBy: 'ci' }))).status).toBe(
        403,
      );
      const past = await refusal(
        apiKeys.create(owner, project, {
          name: 'x',
          role: 'helpdesk',
          expiresAt: new Date(Date.now() - 1),
          createdBy: 'me',
        }),
      );
      expect(past).toMatchObject({ status: 400, fields: [expect.objectContaining({ field: 'expiresAt' })] });

      expect(await apiKeys.revoke(project, created.id)).toMatchObject({ revoked: true });
      expect(await apiKeys.revoke(project, created.id)).toMatchObject({ revoked: false });
      expect((await refusal(apiKeys.revoke(await newProject(), created.id))).status).toBe(404);
      expect((await refusal(apiKeys.revoke(project, 'nope'))).status).toBe(404);
    });
  });

  describe('the last owner', () => {
    it('can be neither demoted nor removed: 409 saying so', async () => {
      const project = await newProject();
      const { principal: owner, membershipId } = await consoleUser(project, 'owner');
      const demoted = await refusal(members.changeRole(owner, project, membershipId, 'admin'));
      expect(demoted).toMatchObject({ status: 409, code: 'KW-40900' });
      expect(demoted.description).toBe(
        `This member is the last owner of project '${project.slug}' and cannot be demoted: make another member an owner first.`,
      );
      expect((await refusal(members.remove(owner, project, membershipId))).description).toContain('cannot be removed');
    });

    it('two owners demoting each other at the same time: exactly one succeeds', async () => {
      for (let round = 0; round < 5; round++) {
        const project = await newProject();
        const a = await consoleUser(project, 'owner');
        const b = await consoleUser(project, 'owner');
        const outcomes = await Promise.allSettled([
          members.changeRole(a.principal, project, b.membershipId, 'developer'),
          members.changeRole(b.principal, project, a.membershipId, 'developer'),
        ]);
        expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
        const rejected = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
        // 409 when both passed their checks and met at the owners' lock; 403 when the loser was demoted already.
        expect([403, 409]).toContain((rejected.reason as ApiError).status);
        expect((await members.list(project.id)).map((member) => member.role).sort()).toEqual(['developer', 'owner']);
      }
    });
  });
});
