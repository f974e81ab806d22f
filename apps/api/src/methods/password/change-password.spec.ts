import { randomBytes, randomUUID } from 'node:crypto';
import type { Application } from '../../domain/applications/application';
import { AuditService } from '../../domain/audit/audit.service';
import { EmailOutbox } from '../../domain/email/email-outbox';
import { MailRecipientsRepository } from '../../domain/email/mail-recipients.repository';
import { MailRecipients } from '../../domain/email/mail-recipients.service';
import { OutboxWorker } from '../../domain/email/outbox-worker';
import { OutboxRepository } from '../../domain/email/outbox.repository';
import { TemplatesRepository } from '../../domain/email/templates.repository';
import { TemplatesService } from '../../domain/email/templates.service';
import { AfterFlowHooks } from '../../domain/flows/after-flow-hooks';
import { FlowStore } from '../../domain/flows/flow.store';
import { SelfServiceMessages } from '../../domain/flows/self-service-messages';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import { FlowAccounts } from '../../domain/identities/flow-accounts';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { ProjectSettings } from '../../domain/projects/project-settings';
import type { Project } from '../../domain/projects/projects.service';
import { DEFAULT_IDENTITY_SCHEMA } from '../../domain/schemas/identity-schema';
import { IdentitySchemasRepository } from '../../domain/schemas/identity-schemas.repository';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import { SessionsRepository } from '../../domain/sessions/sessions.repository';
import { PasswordChangedNotice, SettingsPasswordNoticeHook } from '../../flows/hooks/password-changed-notice.hook';
import { RevokeOtherSessionsAfterPasswordChangeHook } from '../../flows/hooks/revoke-sessions.hook';
import type { KeywayConfig } from '../../infra/config/config';
import { PasswordHasher } from '../../infra/crypto/password-hasher';
import type { Database } from '../../infra/database/database';
import {
  openScratchDatabase,
  type ScratchDatabase,
  singleProcessNotifications,
} from '../../infra/database/scratch-database.testing';
import type { AuthenticationResult, AuthenticatorContext } from '../authenticator';
import { ChangePassword } from './change-password';

// Settings' password change with the real identities, hasher (cheap argon2 parameters), schemas, audit and the
// real `settings.password_changed` hooks (other sessions revoked, a notice in the outbox) on a scratch database
// of each kind. The option's writes are run as the engine runs them: `effects` in a transaction of the flow
// store, `refusedBy` with what that transaction threw, `afterCommit` once it committed. The outbox worker is
// never started, so enqueued mail stays in its table for the tests to read.

jest.setTimeout(120_000);

const argon2 = (memoryCost: number) =>
  ({ argon2: { memoryCost, timeCost: 1, parallelism: 1, concurrency: 2 } }) as KeywayConfig;
const OLD_PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';
/** The default schema with the email optional: an identity of it may have no login identifier at all. */
const OPTIONAL_EMAIL_SCHEMA = { ...DEFAULT_IDENTITY_SCHEMA, required: [] };

describe.each(['pglite', 'postgres'] as const)('ChangePassword on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let flows: FlowStore;
  let identities: IdentitiesRepository;
  let sessions: SessionsRepository;
  let hasher: PasswordHasher;
  let option: ChangePassword;
  let project: Project;
  let application: Application;
  let optionalEmailVersion: number;

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
      settings: ProjectSettings.parse({}),
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
    const schemas = new IdentitySchemasService(new IdentitySchemasRepository(prisma));
    optionalEmailVersion = (await schemas.create(project.id, OPTIONAL_EMAIL_SCHEMA, false)).version;
    const outboxRepository = new OutboxRepository(prisma);
    const templates = new TemplatesService(new TemplatesRepository(prisma));
    // Never started (no SMTP, no jobs): its wake() does nothing, so enqueued mail stays for the tests to read.
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
    const recipients = new MailRecipients(new MailRecipientsRepository(prisma), templates);
    option = new ChangePassword(
      new FlowAccounts(identities, schemas),
      identities,
      hasher,
      new AfterFlowHooks([
        new RevokeOtherSessionsAfterPasswordChangeHook(sessions),
        new SettingsPasswordNoticeHook(new PasswordChangedNotice(recipients, outbox)),
      ]),
      new AuditService(prisma, db.sql),
    );
  });

  afterAll(() => scratch?.dispose());
  afterEach(() => jest.restoreAllMocks());

  /** An identity of the default schema; with a password (its email the login identifier) unless told otherwise. */
  async function newIdentity(
    options: { password?: string | null; email?: string; schemaVersion?: number; traits?: Record<string, string> } = {},
  ): Promise<{ id: string; email: string }> {
    const email = options.email ?? `${randomUUID()}@example.com`;
    const password = options.password === undefined ? OLD_PASSWORD : options.password;
    const identity = await identities.create(undefined, {
      projectId: project.id,
      traits: options.traits ?? { email, name: 'Ada' },
      schemaVersion: options.schemaVersion ?? 1,
      passwordHash: password === null ? undefined : await hasher.hash(password),
      identifiers: password === null ? [] : [email],
      addresses: [],
    });
    return { id: identity.id, email };
  }

  async function newSession(identityId: string): Promise<string> {
    const id = randomUUID();
    await sessions.create(undefined, {
      id,
      projectId: project.id,
      identityId,
      amr: ['pwd'],
      authTime: new Date(),
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    return id;
  }

  /** The identity's settings flow, started from `sessionId`. */
  async function settingsFlow(identityId: string, sessionId: string = randomUUID()): Promise<AuthenticatorContext> {
    const flow = await flows.create(undefined, {
      projectId: project.id,
      applicationId: application.id,
      type: 'SETTINGS',
      identityId,
      authRequest: { clientId: application.clientId, scope: 'openid', sessionId },
      expiresAt: new Date(Date.now() + 600_000),
    });
    return { project, application, flow };
  }

  const storedHash = async (identityId: string) =>
    (await db.prisma.credential.findFirst({ where: { identityId, type: 'password' } }))?.secret ?? null;
  const auditEvents = (identityId: string) =>
    db.prisma.auditEvent.findMany({ where: { identityId, type: 'password.changed' } });

  /** What the engine does with a success: the effects in a transaction, then afterCommit. */
  async function commit(result: AuthenticationResult): Promise<void> {
    if (result.outcome !== 'success') throw new Error(`expected a success, got ${result.outcome}`);
    await flows.transaction(async (tx) => result.effects?.(tx));
    await result.afterCommit?.();
  }

  it('is the settings form asking for the new password only, answering its own missing field', () => {
    expect([option.name, option.idp, option.flowTypes, option.requiresInitiation, option.reportsMissingFields]).toEqual(
      ['ChangePassword', 'LOCAL', ['SETTINGS'], false, true],
    );
    expect(option.prompt()).toEqual({
      promptType: 'USER_PROMPT',
      params: [expect.objectContaining({ param: 'password', confidential: true, i18nKey: 'param.password.new' })],
      requiredParams: ['password'],
    });
  });

  describe('isOffered', () => {
    it('offers a change to an identity with a password', async () => {
      const user = await newIdentity();
      await expect(option.isOffered(await settingsFlow(user.id))).resolves.toBe(true);
    });

    it('offers a first password to an identity without one whose traits give a login identifier', async () => {
      const user = await newIdentity({ password: null });
      await expect(option.isOffered(await settingsFlow(user.id))).resolves.toBe(true);
    });

    it('offers nothing to an identity with neither a password nor a login identifier', async () => {
      const user = await newIdentity({ password: null, schemaVersion: optionalEmailVersion, traits: { name: 'Ada' } });
      await expect(option.isOffered(await settingsFlow(user.id))).resolves.toBe(false);
    });
  });

  describe('a refused password', () => {
    it.each([
      ['too short', { password: 'short' }, 'msg_password_too_short'],
      ['empty', { password: '' }, 'msg_trait_required'],
      ['missing', {}, 'msg_trait_required'],
      ['too long', { password: 'x'.repeat(1025) }, 'msg_password_too_long'],
    ])('answers on the password field when it is %s, changing nothing', async (_, params, messageId) => {
      const user = await newIdentity();
      const before = await storedHash(user.id);
      const hash = jest.spyOn(hasher, 'hash');
      const result = await option.authenticate(await settingsFlow(user.id), params);
      expect(result).toEqual({
        outcome: 'failure',
        message: expect.objectContaining({ type: 'ERROR', messageId, context: [{ key: 'field', value: 'password' }] }),
      });
      // Refused before anything costly or lasting: no hash computed, no effects to run.
      expect(hash).not.toHaveBeenCalled();
      expect(await storedHash(user.id)).toBe(before);
      expect(await auditEvents(user.id)).toEqual([]);
    });
  });

  describe('a new password', () => {
    it('is written by the effects only, revokes the other sessions, mails a notice and is audited after the commit', async () => {
      const user = await newIdentity();
      const own = await newSession(user.id);
      const other = await newSession(user.id);
      const context = await settingsFlow(user.id, own);
      const before = await storedHash(user.id);

      const result = await option.authenticate(context, { password: NEW_PASSWORD });
      expect(result).toMatchObject({
        outcome: 'success',
        identityId: user.id,
        amr: [],
        next: { messages: [SettingsMessages.passwordChanged()] },
      });
      // Nothing is written before the engine runs the effects in its transaction.
      expect(await storedHash(user.id)).toBe(before);
      await commit(result);

      const login = await identities.findPasswordLogin(project.id, user.email);
      expect(login?.identity.id).toBe(user.id);
      await expect(hasher.verify(login?.passwordHash ?? '', NEW_PASSWORD)).resolves.toBe(true);
      await expect(hasher.verify(login?.passwordHash ?? '', OLD_PASSWORD)).resolves.toBe(false);
      // The flow's own session goes on; the other one ends.
      await expect(sessions.isActive(own)).resolves.toBe(true);
      await expect(sessions.isActive(other)).resolves.toBe(false);
      const notices = await db.prisma.outboxMessage.findMany({
        where: { projectId: project.id, toAddress: user.email },
      });
      expect(notices.map(({ kind }) => kind)).toEqual(['password_changed']);
      expect(await auditEvents(user.id)).toEqual([
        expect.objectContaining({
          projectId: project.id,
          clientId: application.clientId,
          data: { revokedSessions: 1, via: 'settings' },
        }),
      ]);
    });

    it('gives an identity without a password its first one, signing in with its schema identifiers', async () => {
      const email = `${randomUUID()}@Example.com`;
      const user = await newIdentity({ password: null, email });
      const context = await settingsFlow(user.id, await newSession(user.id));
      await expect(identities.findPasswordLogin(project.id, email.toLowerCase())).resolves.toBeUndefined();
      await commit(await option.authenticate(context, { password: NEW_PASSWORD }));
      const login = await identities.findPasswordLogin(project.id, email.toLowerCase());
      expect(login?.identity.id).toBe(user.id);
      await expect(hasher.verify(login?.passwordHash ?? '', NEW_PASSWORD)).resolves.toBe(true);
      expect(await auditEvents(user.id)).toEqual([
        expect.objectContaining({ data: { revokedSessions: 0, via: 'settings' } }),
      ]);
    });
  });

  describe('refusedBy', () => {
    it('answers a first password whose identifier is another identity’s login as msg_identifier_taken, writing nothing', async () => {
      const owner = await newIdentity();
      // Traits naming the owner's login identifier, without a password (e.g. imported without credentials).
      const user = await newIdentity({ password: null, email: owner.email });
      const context = await settingsFlow(user.id, await newSession(user.id));
      const result = await option.authenticate(context, { password: NEW_PASSWORD });
      if (result.outcome !== 'success') throw new Error(`expected a success, got ${result.outcome}`);

      const thrown = await flows
        .transaction(async (tx) => result.effects?.(tx))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(thrown).toMatchObject({ code: 'P2002' });
      await expect(result.refusedBy?.(thrown)).resolves.toEqual([SelfServiceMessages.identifierTaken()]);
      // Rolled back: no password for the identity, the owner's login untouched.
      expect(await storedHash(user.id)).toBeNull();
      expect((await identities.findPasswordLogin(project.id, owner.email))?.identity.id).toBe(owner.id);
    });

    it('leaves any other error to propagate', async () => {
      const user = await newIdentity();
      const result = await option.authenticate(await settingsFlow(user.id), { password: NEW_PASSWORD });
      if (result.outcome !== 'success') throw new Error(`expected a success, got ${result.outcome}`);
      await expect(result.refusedBy?.(new Error('connection lost'))).resolves.toBeUndefined();
    });
  });
});
