import { randomBytes, randomUUID } from 'node:crypto';
import { sha256 } from '../../infra/crypto/tokens';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import { IdentitiesRepository } from '../identities/identities.repository';
import { AccessRepository } from './access.repository';

// The access aggregate's SQL on both databases the product runs on: the last-owner rule (under concurrency on
// PostgreSQL, where two transactions really run at once), roles in use, API keys' last use and revocation, and
// invitations spent once.

jest.setTimeout(120_000);

describe.each(['pglite', 'postgres'] as const)('AccessRepository on %s', (kind) => {
  let scratch: ScratchDatabase;
  let repository: AccessRepository;
  let identities: IdentitiesRepository;
  let systemId: string;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    repository = new AccessRepository(scratch.db.prisma);
    identities = new IdentitiesRepository(scratch.db.prisma, scratch.db.sql);
    systemId = (await scratch.db.prisma.project.create({ data: { slug: 'keyway-admin', name: 'Console' } })).id;
  });
  afterAll(() => scratch?.dispose());

  const newProject = async () =>
    (await scratch.db.prisma.project.create({ data: { slug: `p-${randomBytes(4).toString('hex')}`, name: 'P' } })).id;
  /** A console user (identity of the system project). */
  const newConsoleUser = async (email = `${randomUUID()}@example.com`) =>
    (
      await identities.create(undefined, {
        projectId: systemId,
        traits: { email },
        schemaVersion: 1,
        identifiers: [],
        addresses: [],
      })
    ).id;
  const join = async (projectId: string, role: string, identityId?: string) =>
    repository.upsertMembership(undefined, projectId, identityId ?? (await newConsoleUser()), role);

  describe('memberships', () => {
    it("lists members with their console user's traits", async () => {
      const projectId = await newProject();
      const identityId = await newConsoleUser('ada@example.com');
      const member = await join(projectId, 'owner', identityId);
      expect(await repository.members(projectId)).toEqual([
        expect.objectContaining({ id: member.id, identityId, role: 'owner', traits: { email: 'ada@example.com' } }),
      ]);
      expect(await repository.members(projectId, member.id)).toHaveLength(1);
      expect(await repository.members(projectId, randomUUID())).toEqual([]);
    });

    it('demotes and removes owners while another owner remains; never the last one', async () => {
      const projectId = await newProject();
      const first = await join(projectId, 'owner');
      const second = await join(projectId, 'owner');
      const developer = await join(projectId, 'developer');

      expect(await repository.changeMembership(projectId, first.id, 'admin')).toMatchObject({ role: 'admin' });
      expect(await repository.changeMembership(projectId, second.id, 'admin')).toBe('last-owner');
      expect(await repository.changeMembership(projectId, second.id, null)).toBe('last-owner');
      // Keeping the role, or changing others, is not losing an owner.
      expect(await repository.changeMembership(projectId, second.id, 'owner')).toMatchObject({ role: 'owner' });
      expect(await repository.changeMembership(projectId, developer.id, 'helpdesk')).toMatchObject({
        role: 'helpdesk',
      });
      expect(await repository.changeMembership(projectId, developer.id, null)).toMatchObject({ id: developer.id });
      expect(await repository.changeMembership(projectId, developer.id, null)).toBeUndefined();
      // Another project's member is not found through this one.
      expect(await repository.changeMembership(await newProject(), first.id, 'owner')).toBeUndefined();
      expect((await repository.members(projectId)).map((m) => m.role).sort()).toEqual(['admin', 'owner']);
    });

    it('two owners demoting each other at the same time: exactly one succeeds', async () => {
      for (let round = 0; round < 10; round++) {
        const projectId = await newProject();
        const a = await join(projectId, 'owner');
        const b = await join(projectId, 'owner');
        const outcomes = await Promise.all([
          repository.changeMembership(projectId, b.id, 'admin'),
          repository.changeMembership(projectId, a.id, 'admin'),
        ]);
        expect(outcomes.filter((outcome) => outcome === 'last-owner')).toHaveLength(1);
        expect(await repository.countMembersWithRole(projectId, 'owner')).toBe(1);
      }
    });

    it('two owners removing each other at the same time: exactly one succeeds', async () => {
      for (let round = 0; round < 5; round++) {
        const projectId = await newProject();
        const a = await join(projectId, 'owner');
        const b = await join(projectId, 'owner');
        const outcomes = await Promise.all([
          repository.changeMembership(projectId, b.id, null),
          repository.changeMembership(projectId, a.id, null),
        ]);
        expect(outcomes.filter((outcome) => outcome === 'last-owner')).toHaveLength(1);
        expect(await repository.countMembersWithRole(projectId, 'owner')).toBe(1);
      }
    });

    it('an accepted invitation adds a member, changes a member, and never demotes an owner', async () => {
      const projectId = await newProject();
      const [newcomer, developer, owner] = [await newConsoleUser(), await newConsoleUser(), await newConsoleUser()];
      await join(projectId, 'developer', developer);
      await join(projectId, 'owner', owner);
      await repository.transaction(async (tx) => {
        expect(await repository.addMember(tx, projectId, newcomer, 'helpdesk')).toMatchObject({ role: 'helpdesk' });
        expect(await repository.addMember(tx, projectId, developer, 'admin')).toMatchObject({ role: 'admin' });
        expect(await repository.addMember(tx, projectId, owner, 'helpdesk')).toMatchObject({ role: 'owner' });
      });
    });
  });

  describe('custom roles', () => {
    it('creates, changes and deletes a role; in use by a member, live key or open invitation it stays', async () => {
      const projectId = await newProject();
      await repository.createRole(projectId, { name: 'ops', description: 'Ops', permissions: ['projects.read'] });
      await expect(
        repository.createRole(projectId, { name: 'ops', description: '', permissions: [] }),
      ).rejects.toMatchObject({ code: 'P2002' });
      expect(await repository.updateRole(projectId, 'ops', { permissions: ['projects.read', 'audit.read'] })).toEqual(
        expect.objectContaining({ name: 'ops', description: 'Ops', permissions: ['projects.read', 'audit.read'] }),
      );
      expect(await repository.updateRole(projectId, 'nope', { description: 'x' })).toBeUndefined();

      const member = await join(projectId, 'ops');
      const key = await repository.createApiKey({
        id: randomUUID(),
        projectId,
        name: 'k',
        role: 'ops',
        secretHash: sha256('s'),
        expiresAt: null,
        createdBy: 'test',
      });
      const invitation = await repository.transaction((tx) =>
        repository.createInvitation(tx, {
          projectId,
          email: 'x@example.com',
          role: 'ops',
          tokenHash: sha256(randomUUID()),
          expiresAt: new Date(Date.now() + 60_000),
          invitedBy: null,
        }),
      );
      expect(await repository.deleteRole(projectId, 'ops')).toEqual({
        inUse: { members: 1, apiKeys: 1, invitations: 1 },
      });
      await repository.changeMembership(projectId, member.id, 'developer');
      await repository.revokeApiKey(projectId, key.id);
      expect(await repository.deleteRole(projectId, 'ops')).toEqual({
        inUse: { members: 0, apiKeys: 0, invitations: 1 },
      });
      await repository.revokeInvitation(projectId, invitation.id);
      expect(await repository.deleteRole(projectId, 'ops')).toBe(true);
      expect(await repository.deleteRole(projectId, 'ops')).toBe(false);
    });

    it('an expired key or invitation does not keep a role in use', async () => {
      const projectId = await newProject();
      await repository.createRole(projectId, { name: 'gone', description: '', permissions: ['projects.read'] });
      await repository.createApiKey({
        id: randomUUID(),
        projectId,
        name: 'old',
        role: 'gone',
        secretHash: sha256('s'),
        expiresAt: new Date(Date.now() - 1000),
        createdBy: null,
      });
      await repository.transaction((tx) =>
        repository.createInvitation(tx, {
          projectId,
          email: 'y@example.com',
          role: 'gone',
          tokenHash: sha256(randomUUID()),
          expiresAt: new Date(Date.now() - 1000),
          invitedBy: null,
        }),
      );
      expect(await repository.deleteRole(projectId, 'gone')).toBe(true);
    });
  });

  describe('API keys', () => {
    it('records the last use at most once a minute, and revokes once', async () => {
      const projectId = await newProject();
      const key = await repository.createApiKey({
        id: randomUUID(),
        projectId,
        name: 'ci',
        role: 'developer',
        secretHash: sha256('secret'),
        expiresAt: null,
        createdBy: 'ada@example.com',
      });
      const t0 = new Date('2030-01-01T00:00:00Z');
      await repository.touchApiKey(key.id, t0);
      await repository.touchApiKey(key.id, new Date(t0.getTime() + 30_000));
      expect((await repository.findApiKey(key.id))?.lastUsedAt).toEqual(t0);
      await repository.touchApiKey(key.id, new Date(t0.getTime() + 61_000));
      expect((await repository.findApiKey(key.id))?.lastUsedAt).toEqual(new Date(t0.getTime() + 61_000));

      expect(await repository.revokeApiKey(await newProject(), key.id)).toBe(false);
      expect(await repository.revokeApiKey(projectId, key.id)).toBe(true);
      expect(await repository.revokeApiKey(projectId, key.id)).toBe(false);
      expect((await repository.apiKeys(projectId))[0]?.revokedAt).toEqual(expect.any(Date));
    });
  });

  describe('invitations', () => {
    const invite = (projectId: string, email: string, expiresAt = new Date(Date.now() + 60_000)) => {
      const tokenHash = sha256(randomUUID());
      return repository
        .transaction((tx) =>
          repository.createInvitation(tx, {
            projectId,
            email,
            role: 'developer',
            tokenHash,
            expiresAt,
            invitedBy: 'a',
          }),
        )
        .then((invitation) => ({ ...invitation, tokenHash }));
    };

    it('finds an invitation by its token hash with its project name; lists the pending ones', async () => {
      const projectId = await newProject();
      const open = await invite(projectId, 'open@example.com');
      await invite(projectId, 'expired@example.com', new Date(Date.now() - 1000));
      expect(await repository.findInvitationByTokenHash(open.tokenHash)).toMatchObject({
        id: open.id,
        email: 'open@example.com',
        project: { name: 'P' },
      });
      expect(await repository.findInvitationByTokenHash(sha256('unknown'))).toBeNull();
      expect((await repository.pendingInvitations(projectId)).map((i) => i.email)).toEqual(['open@example.com']);
    });

    it('spends an invitation once, even when accepted twice at the same time', async () => {
      const projectId = await newProject();
      const invitation = await invite(projectId, 'once@example.com');
      const outcomes = await Promise.all([
        repository.transaction((tx) => repository.acceptInvitation(tx, invitation.id)),
        repository.transaction((tx) => repository.acceptInvitation(tx, invitation.id)),
      ]);
      expect(outcomes.sort()).toEqual([false, true]);
      expect(await repository.pendingInvitations(projectId)).toEqual([]);
    });

    it('does not spend an expired or revoked invitation; a new one revokes the open ones of the address', async () => {
      const projectId = await newProject();
      const expired = await invite(projectId, 'late@example.com', new Date(Date.now() - 1000));
      expect(await repository.transaction((tx) => repository.acceptInvitation(tx, expired.id))).toBe(false);

      const first = await invite(projectId, 'again@example.com');
      const other = await invite(projectId, 'other@example.com');
      await repository.transaction((tx) => repository.revokeOpenInvitations(tx, projectId, 'again@example.com'));
      expect(await repository.transaction((tx) => repository.acceptInvitation(tx, first.id))).toBe(false);
      expect((await repository.pendingInvitations(projectId)).map((i) => i.id)).toEqual([other.id]);
      expect(await repository.revokeInvitation(projectId, other.id)).toBe(true);
      expect(await repository.revokeInvitation(projectId, other.id)).toBe(false);
    });
  });
});
