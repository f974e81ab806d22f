import { randomBytes, randomUUID } from 'node:crypto';
import type { Application } from '../../domain/applications/application';
import { FlowMessages } from '../../domain/flows/flow-messages';
import { FlowStore } from '../../domain/flows/flow.store';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import { FlowAccounts } from '../../domain/identities/flow-accounts';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { LockoutService } from '../../domain/lockout/lockout.service';
import { ProjectSettings } from '../../domain/projects/project-settings';
import type { Project } from '../../domain/projects/projects.service';
import { IdentitySchemasRepository } from '../../domain/schemas/identity-schemas.repository';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import { SessionsRepository } from '../../domain/sessions/sessions.repository';
import type { KeywayConfig } from '../../infra/config/config';
import { PasswordHasher } from '../../infra/crypto/password-hasher';
import type { Database } from '../../infra/database/database';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import type { AuthenticatorContext } from '../authenticator';
import { BasicAuthenticator } from './basic.authenticator';
import { PasswordReauthentication } from './password-reauthentication';
import { AuditService } from '../../domain/audit/audit.service';

// Settings' re-authentication with the password: the login's BasicAuthenticator (real identities, lockout and
// argon2id hasher at cheap parameters) behind it, and the Session row whose auth_time it moves, on a scratch
// database of each kind.

jest.setTimeout(120_000);

const argon2 = (memoryCost: number) =>
  ({ argon2: { memoryCost, timeCost: 1, parallelism: 1, concurrency: 2 } }) as KeywayConfig;
const PASSWORD = 'correct horse battery staple';
const HOUR = 3_600_000;

describe.each(['pglite', 'postgres'] as const)('PasswordReauthentication on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let flows: FlowStore;
  let identities: IdentitiesRepository;
  let sessions: SessionsRepository;
  let hasher: PasswordHasher;
  let option: PasswordReauthentication;
  let project: Project;
  let application: Application;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    db = scratch.db;
    const prisma = db.prisma;
    const row = await prisma.project.create({ data: { slug: `p${randomBytes(4).toString('hex')}`, name: 'Acme' } });
    project = {
      id: row.id,
      slug: row.slug,
      name: row.name,
      issuer: `https://id.example.com/t/${row.slug}`,
      settings: ProjectSettings.parse({ lockout: { maxAttempts: 3 } }),
    };
    const appRow = await prisma.application.create({
      data: {
        projectId: project.id,
        clientId: `c${randomBytes(4).toString('hex')}`,
        name: 'App',
        type: 'public',
        redirectUris: ['com.example.app:/cb'],
        grantTypes: ['authorization_code'],
        appNative: true,
        loginFlow: [['BasicAuthenticator']],
      },
    });
    application = {
      ...appRow,
      loginFlow: appRow.loginFlow as string[][],
      idTokenSignedResponseAlg: 'RS256',
      jwks: null,
    };

    flows = new FlowStore(prisma, db.sql);
    identities = new IdentitiesRepository(prisma, db.sql);
    sessions = new SessionsRepository(prisma, db.sql);
    hasher = new PasswordHasher(argon2(4096));
    option = new PasswordReauthentication(
      new BasicAuthenticator(
        identities,
        hasher,
        new LockoutService(prisma, db.sql, identities, new AuditService(prisma, db.sql)),
      ),
      new FlowAccounts(identities, new IdentitySchemasService(new IdentitySchemasRepository(prisma))),
      sessions,
    );
  });

  afterAll(() => scratch?.dispose());

  /** An identity with a password whose login identifier is its email (none: `identifiers: []`). */
  async function newIdentity(
    options: { password?: boolean; identifiers?: 'email' | 'none' } = {},
  ): Promise<{ id: string; email: string }> {
    const email = `${randomUUID()}@example.com`;
    const withPassword = options.password ?? true;
    const identity = await identities.create(undefined, {
      projectId: project.id,
      traits: { email, name: 'Ada' },
      schemaVersion: 1,
      passwordHash: withPassword ? await hasher.hash(PASSWORD) : undefined,
      identifiers: withPassword && options.identifiers !== 'none' ? [email] : [],
      addresses: [],
    });
    return { id: identity.id, email };
  }

  /** A session that signed in an hour ago with `amr`. */
  async function newSession(identityId: string, amr: string[] = ['otp']): Promise<string> {
    const id = randomUUID();
    await sessions.create(undefined, {
      id,
      projectId: project.id,
      identityId,
      amr,
      authTime: new Date(Date.now() - HOUR),
      expiresAt: new Date(Date.now() + HOUR),
    });
    return id;
  }

  async function settingsFlow(identityId: string, sessionId: string | undefined): Promise<AuthenticatorContext> {
    const flow = await flows.create(undefined, {
      projectId: project.id,
      applicationId: application.id,
      type: 'SETTINGS',
      identityId,
      authRequest: { clientId: application.clientId, scope: 'openid', ...(sessionId ? { sessionId } : {}) },
      expiresAt: new Date(Date.now() + 600_000),
    });
    return { project, application, flow };
  }

  const sessionRow = (id: string) => db.prisma.session.findUniqueOrThrow({ where: { id } });

  it('asks for the password only: the identity is known', () => {
    expect([option.name, option.idp, option.flowTypes, option.requiresInitiation]).toEqual([
      'PasswordReauthentication',
      'LOCAL',
      ['SETTINGS'],
      false,
    ]);
    expect(option.prompt()).toEqual({
      promptType: 'USER_PROMPT',
      params: [expect.objectContaining({ param: 'password', confidential: true })],
      requiredParams: ['password'],
    });
  });

  describe('isOffered', () => {
    it('offers itself to an identity with a password and a login identifier', async () => {
      const user = await newIdentity();
      await expect(option.isOffered(await settingsFlow(user.id, randomUUID()))).resolves.toBe(true);
    });

    it('does not offer itself without a password, nor with a password no identifier signs in with', async () => {
      const passwordless = await newIdentity({ password: false });
      await expect(option.isOffered(await settingsFlow(passwordless.id, randomUUID()))).resolves.toBe(false);
      const unreachable = await newIdentity({ identifiers: 'none' });
      await expect(option.isOffered(await settingsFlow(unreachable.id, randomUUID()))).resolves.toBe(false);
    });
  });

  describe('the right password', () => {
    it('succeeds with msg_reauthenticated and moves the session’s auth_time to now, adding pwd to its amr', async () => {
      const user = await newIdentity();
      const sessionId = await newSession(user.id, ['otp']);
      const before = await sessionRow(sessionId);
      const start = Date.now();
      await expect(
        option.authenticate(await settingsFlow(user.id, sessionId), { password: PASSWORD }),
      ).resolves.toEqual({
        outcome: 'success',
        identityId: user.id,
        amr: ['pwd'],
        next: { messages: [SettingsMessages.reauthenticated()] },
      });
      const after = await sessionRow(sessionId);
      expect(after.authTime.getTime()).toBeGreaterThanOrEqual(start - 5);
      expect(after.authTime.getTime()).toBeGreaterThan(before.authTime.getTime());
      expect(after.amr).toEqual(['otp', 'pwd']);
    });

    it.each([
      ['revoked', { revokedAt: new Date() }],
      ['expired', { expiresAt: new Date(Date.now() - 1000) }],
    ])('ends the flow when the session was %s meanwhile, opening nothing', async (_, change) => {
      const user = await newIdentity();
      const sessionId = await newSession(user.id);
      await db.prisma.session.update({ where: { id: sessionId }, data: change });
      const before = await sessionRow(sessionId);
      await expect(
        option.authenticate(await settingsFlow(user.id, sessionId), { password: PASSWORD }),
      ).resolves.toEqual({ outcome: 'terminal', message: SettingsMessages.reauthenticationUnavailable() });
      expect((await sessionRow(sessionId)).authTime).toEqual(before.authTime);
    });

    it('ends the flow when its session does not exist, or the flow names none', async () => {
      const user = await newIdentity();
      for (const sessionId of [randomUUID(), undefined])
        await expect(
          option.authenticate(await settingsFlow(user.id, sessionId), { password: PASSWORD }),
        ).resolves.toEqual({ outcome: 'terminal', message: SettingsMessages.reauthenticationUnavailable() });
    });
  });

  describe('a wrong password', () => {
    it('fails with msg_invalid_password and the attempts left, the session untouched, until the lock ends the flow', async () => {
      const user = await newIdentity();
      const sessionId = await newSession(user.id);
      const before = await sessionRow(sessionId);
      const context = await settingsFlow(user.id, sessionId);
      await expect(option.authenticate(context, { password: 'wrong password' })).resolves.toEqual({
        outcome: 'failure',
        message: {
          type: 'ERROR',
          messageId: 'msg_invalid_password',
          message: 'Invalid password.',
          i18nKey: 'message.msg_invalid_password',
          context: [{ key: 'remainingAttempts', value: '2' }],
        },
      });
      // A missing password is a wrong one, counted the same way (the login's counters).
      await expect(option.authenticate(context, {})).resolves.toEqual({
        outcome: 'failure',
        message: SettingsMessages.invalidPassword('1'),
      });
      expect(await sessionRow(sessionId)).toEqual(before);
      await expect(option.authenticate(context, { password: 'wrong again' })).resolves.toEqual({
        outcome: 'terminal',
        message: FlowMessages.accountLocked(),
      });
      // Locked: even the right password no longer opens the window.
      await expect(option.authenticate(context, { password: PASSWORD })).resolves.toEqual({
        outcome: 'terminal',
        message: FlowMessages.accountLocked(),
      });
      expect((await sessionRow(sessionId)).authTime).toEqual(before.authTime);
    });
  });
});
