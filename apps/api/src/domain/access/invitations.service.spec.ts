import { randomBytes } from 'node:crypto';
import type { KeywayConfig } from '../../infra/config/config';
import { PasswordHasher } from '../../infra/crypto/password-hasher';
import { sha256 } from '../../infra/crypto/tokens';
import {
  openScratchDatabase,
  type ScratchDatabase,
  singleProcessNotifications,
} from '../../infra/database/scratch-database.testing';
import type { ApiError } from '../../infra/http/errors';
import { EmailOutbox } from '../email/email-outbox';
import { OutboxWorker } from '../email/outbox-worker';
import { OutboxRepository } from '../email/outbox.repository';
import { TemplatesRepository } from '../email/templates.repository';
import { TemplatesService } from '../email/templates.service';
import { IdentitiesRepository } from '../identities/identities.repository';
import { ProjectsRepository } from '../projects/projects.repository';
import { ProjectsService, type Project } from '../projects/projects.service';
import { IdentitySchemasRepository } from '../schemas/identity-schemas.repository';
import { IdentitySchemasService } from '../schemas/identity-schemas.service';
import { AccessRepository } from './access.repository';
import { AccessService, type AdminPrincipal } from './access.service';
import { InvitationsService } from './invitations.service';

// Invitations with the real repositories, hasher (cheap argon2 parameters), identity schemas and outbox (never
// started: the mail stays in its table for the tests to read) on a scratch database of each kind.

jest.setTimeout(120_000);

const CONSOLE_URL = 'https://console.example.com';
const config = {
  publicUrl: 'https://id.example.com',
  console: { url: CONSOLE_URL, clientSecret: 'unused' },
  argon2: { memoryCost: 4096, timeCost: 1, parallelism: 1, concurrency: 2 },
} as KeywayConfig;
const ROOT: AdminPrincipal = { kind: 'root' };

const refusal = (promise: Promise<unknown>): Promise<ApiError> =>
  promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: ApiError) => error,
  );

describe.each(['pglite', 'postgres'] as const)('InvitationsService on %s', (kind) => {
  let scratch: ScratchDatabase;
  let repository: AccessRepository;
  let identities: IdentitiesRepository;
  let projects: ProjectsService;
  let hasher: PasswordHasher;
  let invitations: InvitationsService;
  let system: Project;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    const prisma = scratch.db.prisma;
    repository = new AccessRepository(prisma);
    identities = new IdentitiesRepository(prisma, scratch.db.sql);
    projects = new ProjectsService(
      new ProjectsRepository(prisma),
      null as never,
      config,
      singleProcessNotifications(prisma),
    );
    hasher = new PasswordHasher(config);
    const outboxRepository = new OutboxRepository(prisma);
    const templates = new TemplatesService(new TemplatesRepository(prisma));
    const outbox = new EmailOutbox(
      outboxRepository,
      templates,
      new OutboxWorker(
        outboxRepository,
        null as never,
        null as never,
        null as never,
        singleProcessNotifications(null as never),
      ),
    );
    invitations = new InvitationsService(
      config,
      repository,
      new AccessService(repository, projects),
      projects,
      identities,
      new IdentitySchemasService(new IdentitySchemasRepository(prisma)),
      hasher,
      outbox,
    );
    await prisma.project.create({
      data: { slug: 'keyway-admin', name: 'Keyway console', settings: { defaultLocale: 'de' } },
    });
    system = (await projects.findBySlug('keyway-admin'))!;
  });
  afterAll(() => scratch?.dispose());

  const newProject = async (name = 'Acme Shop'): Promise<Project> => {
    const slug = `p-${randomBytes(4).toString('hex')}`;
    await scratch.db.prisma.project.create({ data: { slug, name } });
    return (await projects.findBySlug(slug))!;
  };
  const newEmail = () => `${randomBytes(5).toString('hex')}@example.com`;
  /** The mails the system project's outbox holds for an address, oldest first. */
  const mailsTo = (address: string) =>
    scratch.db.prisma.outboxMessage.findMany({
      where: { projectId: system.id, toAddress: address },
      orderBy: { createdAt: 'asc' },
    });
  /** Invites as root and reads the link's token out of the mail, as the invitee would. */
  const invite = async (project: Project, email: string, role = 'developer') => {
    const invitation = await invitations.invite(ROOT, project, { email, role, invitedBy: 'root' });
    const mail = (await mailsTo(email.toLowerCase())).at(-1)!;
    const token = new RegExp(`${CONSOLE_URL}/invite\\?token=([A-Za-z0-9_-]{43})`).exec(mail.text)![1]!;
    return { invitation, mail, token };
  };
  const consoleUserOf = async (email: string) => (await identities.findCandidates(system.id, email))[0]?.id;

  describe('invite', () => {
    it('stores the token as SHA-256 only and mails the link as the system project, in its default locale', async () => {
      const project = await newProject();
      const email = newEmail();
      const { invitation, mail, token } = await invite(project, email.toUpperCase());
      expect(invitation).toEqual({
        id: expect.any(String),
        email,
        role: 'developer',
        invitedBy: 'root',
        createdAt: expect.any(String),
        expiresAt: expect.any(String),
      });
      const row = await scratch.db.prisma.invitation.findUniqueOrThrow({ where: { id: invitation.id } });
      expect(row.tokenHash).toBe(sha256(token));
      expect(JSON.stringify(row)).not.toContain(token);
      expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeGreaterThan(7 * 86_400_000 - 5_000);
      expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeLessThanOrEqual(7 * 86_400_000 + 5_000);
      // The system project's default locale is German here.
      expect(mail).toMatchObject({ kind: 'member_invitation', subject: 'Einladung zu Acme Shop' });
      expect(mail.text).toContain('Keyway hat Sie eingeladen, Acme Shop in der Keyway-Konsole mitzuverwalten');
      expect(mail.text).toContain('läuft in 7 Tagen ab');
    });

    it('names a console user inviter by its name, else its email', async () => {
      const project = await newProject();
      const named = await identities.create(undefined, {
        projectId: system.id,
        traits: { email: 'ada@example.com', name: 'Ada Lovelace' },
        schemaVersion: 1,
        identifiers: [],
        addresses: [],
      });
      await repository.upsertMembership(undefined, project.id, named.id, 'owner');
      const email = newEmail();
      await invitations.invite({ kind: 'console-user', identityId: named.id, email: 'ada@example.com' }, project, {
        email,
        role: 'helpdesk',
        invitedBy: 'ada@example.com',
      });
      expect((await mailsTo(email))[0]?.text).toContain('Ada Lovelace hat Sie eingeladen');
    });

    it('replaces the open invitation of the address; refuses a member, and a role the inviter cannot grant', async () => {
      const project = await newProject();
      const email = newEmail();
      const first = await invite(project, email);
      const second = await invite(project, email, 'helpdesk');
      expect((await invitations.pending(project.id)).map((i) => i.id)).toEqual([second.invitation.id]);
      expect((await refusal(invitations.lookup(first.token))).code).toBe('KW-40001');

      await invitations.accept(second.token, { password: 'a long enough password' });
      const again = await refusal(invitations.invite(ROOT, project, { email, role: 'admin', invitedBy: 'root' }));
      expect(again).toMatchObject({ status: 409 });

      const helper: AdminPrincipal = { kind: 'console-user', identityId: (await consoleUserOf(email))!, email };
      const escalation = await refusal(
        invitations.invite(helper, project, { email: newEmail(), role: 'admin', invitedBy: email }),
      );
      expect(escalation).toMatchObject({ status: 403 });
      expect(await invitations.pending(project.id)).toEqual([]);
    });
  });

  describe('lookup and accept', () => {
    it('creates the console user with a password and a verified address, and the membership; the link then dies', async () => {
      const project = await newProject();
      const email = newEmail();
      const { token } = await invite(project, email);
      expect(await invitations.lookup(token)).toEqual({
        projectName: 'Acme Shop',
        email,
        role: 'developer',
        existingUser: false,
      });

      const missing = await refusal(invitations.accept(token, {}));
      expect(missing).toMatchObject({ status: 400, fields: [expect.objectContaining({ field: 'password' })] });
      // Refused before anything was written: the link still works.
      expect((await invitations.lookup(token)).existingUser).toBe(false);

      const accepted = await invitations.accept(token, { password: 'correct horse battery', name: 'Grace' });
      expect(accepted).toMatchObject({ projectId: project.id, email, role: 'developer', existingUser: false });
      const identity = await identities.findPasswordLogin(system.id, email);
      expect(identity?.identity.traits).toEqual({ email, name: 'Grace' });
      expect(await hasher.verify(identity!.passwordHash, 'correct horse battery')).toBe(true);
      expect(await identities.hasVerifiedEmail(identity!.identity.id)).toBe(true);
      expect(await repository.findMembership(project.id, identity!.identity.id)).toMatchObject({ role: 'developer' });

      for (const attempt of [invitations.lookup(token), invitations.accept(token, { password: 'whatever else' })])
        expect(await refusal(attempt)).toMatchObject({ status: 400, code: 'KW-40001' });
    });

    it('an existing console user joins with its own password unchanged, none needed', async () => {
      const first = await newProject('First');
      const second = await newProject('Second');
      const email = newEmail();
      await invitations.accept((await invite(first, email)).token, { password: 'the original password' });
      const { token } = await invite(second, email, 'helpdesk');
      expect((await invitations.lookup(token)).existingUser).toBe(true);
      expect(await invitations.accept(token, { password: 'an attempt to change it' })).toMatchObject({
        existingUser: true,
        role: 'helpdesk',
      });
      const login = await identities.findPasswordLogin(system.id, email);
      expect(await hasher.verify(login!.passwordHash, 'the original password')).toBe(true);
      expect(await repository.membershipsOf(login!.identity.id)).toHaveLength(2);
    });

    it('answers wrong, revoked and expired tokens alike', async () => {
      const project = await newProject();
      const revoked = await invite(project, newEmail());
      await invitations.revoke(project, revoked.invitation.id);
      const expired = await invite(project, newEmail());
      await scratch.db.prisma.invitation.update({
        where: { id: expired.invitation.id },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
      const answers = await Promise.all(
        [revoked.token, expired.token, randomBytes(32).toString('base64url'), ''].map((token) =>
          refusal(invitations.accept(token, { password: 'long enough password' })),
        ),
      );
      for (const answer of answers)
        expect({ status: answer.status, code: answer.code, description: answer.description }).toEqual({
          status: 400,
          code: 'KW-40001',
          description: answers[0]!.description,
        });
      expect((await refusal(invitations.revoke(project, revoked.invitation.id))).status).toBe(404);
    });

    it('accepted twice at the same time: one membership, one account, one winner', async () => {
      const project = await newProject();
      const email = newEmail();
      const { token } = await invite(project, email);
      const outcomes = await Promise.allSettled([
        invitations.accept(token, { password: 'first password!' }),
        invitations.accept(token, { password: 'second password' }),
      ]);
      expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(
        ((outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult).reason as ApiError).code,
      ).toBe('KW-40001');
      expect(await identities.findCandidates(system.id, email)).toHaveLength(1);
    });

    it('two invitations of one new address accepted at the same time: one account, both memberships', async () => {
      const [a, b] = [await newProject('A'), await newProject('B')];
      const email = newEmail();
      const [first, second] = [await invite(a, email), await invite(b, email, 'helpdesk')];
      const accepted = await Promise.all([
        invitations.accept(first.token, { password: 'password one' }),
        invitations.accept(second.token, { password: 'password two' }),
      ]);
      expect(new Set(accepted.map((outcome) => outcome.identityId)).size).toBe(1);
      const roles = await repository.membershipsOf(accepted[0]!.identityId);
      expect(roles.map((membership) => membership.role).sort()).toEqual(['developer', 'helpdesk']);
    });
  });
});
