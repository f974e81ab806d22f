import { randomBytes, randomUUID } from 'node:crypto';
import { generate } from 'otplib';
import type { Application } from '../../domain/applications/application';
import { AuditService } from '../../domain/audit/audit.service';
import { FlowMessages } from '../../domain/flows/flow-messages';
import { FlowStore } from '../../domain/flows/flow.store';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import { FlowAccounts } from '../../domain/identities/flow-accounts';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { ProjectSettings } from '../../domain/projects/project-settings';
import type { Project } from '../../domain/projects/projects.service';
import { IdentitySchemasRepository } from '../../domain/schemas/identity-schemas.repository';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import type { KeywayConfig } from '../../infra/config/config';
import { SecretBox } from '../../infra/crypto/secret-box';
import type { Database } from '../../infra/database/database';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import type { AuthenticationResult, AuthenticatorContext } from '../authenticator';
import { TotpCredentialsRepository } from './totp-credentials.repository';
import { EnrollTotp, RemoveTotp } from './totp-settings';
import { TotpService } from './totp.service';

// Settings' authenticator-app actions with the real TOTP service (secrets sealed by a SecretBox under a random
// key), identities, schemas and audit on a scratch database of each kind. The options are driven as the engine
// drives them: `initiate`'s state written to the flow (FlowStore.update) before the prompt and the answer, and
// a fresh flow record after each write (FlowAccounts reads the account once per record). Codes are made from
// the secret the prompt shows, as the user's app makes them.

jest.setTimeout(120_000);

const ENROLL = 'EnrollTotp';

/** A code for `secret` now, as an authenticator app shows it. */
const codeFor = (secret: string) => generate({ secret, epoch: Math.floor(Date.now() / 1000) });
/** A six-digit code that is not the current one. */
const wrongCode = (code: string) => String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');

describe.each(['pglite', 'postgres'] as const)('TOTP settings on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let flows: FlowStore;
  let identities: IdentitiesRepository;
  let totp: TotpService;
  let secretBox: SecretBox;
  let enroll: EnrollTotp;
  let remove: RemoveTotp;
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
    secretBox = new SecretBox({ secretKey: randomBytes(32) } as unknown as KeywayConfig);
    totp = new TotpService(new TotpCredentialsRepository(prisma), secretBox);
    const accounts = new FlowAccounts(identities, new IdentitySchemasService(new IdentitySchemasRepository(prisma)));
    const audit = new AuditService(prisma, db.sql);
    enroll = new EnrollTotp(totp, accounts, audit);
    remove = new RemoveTotp(totp, accounts, audit);
  });

  afterAll(() => scratch?.dispose());

  async function newIdentity(): Promise<{ id: string; email: string }> {
    const email = `${randomUUID()}@example.com`;
    const identity = await identities.create(undefined, {
      projectId: project.id,
      traits: { email, name: 'Ada' },
      schemaVersion: 1,
      identifiers: [],
      addresses: [],
    });
    return { id: identity.id, email };
  }

  async function settingsFlow(identityId: string): Promise<AuthenticatorContext> {
    const flow = await flows.create(undefined, {
      projectId: project.id,
      applicationId: application.id,
      type: 'SETTINGS',
      identityId,
      authRequest: { clientId: application.clientId, scope: 'openid', sessionId: randomUUID() },
      expiresAt: new Date(Date.now() + 600_000),
    });
    return { project, application, flow };
  }

  /** What the engine does with an option's new step state: writes it to the flow, giving a new record. */
  async function present(context: AuthenticatorContext, stepState: unknown): Promise<AuthenticatorContext> {
    const flow = await flows.update(undefined, context.flow, {
      stepState: { ...context.flow.stepState, [ENROLL]: stepState },
    });
    if (!flow) throw new Error('flow conflict');
    return { ...context, flow };
  }
  async function initiate(context: AuthenticatorContext): Promise<AuthenticatorContext> {
    const { stepState } = await enroll.initiate(context);
    return present(context, stepState);
  }
  /** The flow as the engine hands it to the next presentation: a new record, read again. */
  async function reread(context: AuthenticatorContext): Promise<AuthenticatorContext> {
    const flow = await flows.findActive(context.flow.id, 'SETTINGS');
    if (!flow) throw new Error('flow gone');
    return { ...context, flow };
  }
  async function secretShown(context: AuthenticatorContext): Promise<string> {
    const secret = (await enroll.prompt(context)).additionalData?.['secret'];
    if (!secret) throw new Error('no secret shown');
    return secret;
  }
  /** Enrolls an authenticator app through the option; returns its secret. */
  async function enrolled(identityId: string): Promise<string> {
    const context = await initiate(await settingsFlow(identityId));
    const secret = await secretShown(context);
    const result = await enroll.authenticate(context, { token: await codeFor(secret) });
    expect(result).toMatchObject({ outcome: 'success' });
    return secret;
  }
  const credential = (identityId: string) =>
    db.prisma.credential.findFirst({ where: { identityId, type: 'totp' }, select: { secret: true, config: true } });
  const audited = (identityId: string, type: string) => db.prisma.auditEvent.findMany({ where: { identityId, type } });
  const afterCommit = async (result: AuthenticationResult) => {
    if (result.outcome !== 'success') throw new Error(`expected a success, got ${result.outcome}`);
    await result.afterCommit?.();
  };

  describe('EnrollTotp', () => {
    it('is a user-initiated settings action', () => {
      expect([enroll.name, enroll.idp, enroll.flowTypes, enroll.requiresInitiation]).toEqual([
        ENROLL,
        'LOCAL',
        ['SETTINGS'],
        true,
      ]);
    });

    it('is offered while the identity has no confirmed authenticator app, a pending one included', async () => {
      const user = await newIdentity();
      await expect(enroll.isOffered(await settingsFlow(user.id))).resolves.toBe(true);
      // An enrollment started elsewhere and never confirmed is no authenticator app.
      await totp.startEnrollment(user.id, project.name, user.email);
      await expect(enroll.isOffered(await settingsFlow(user.id))).resolves.toBe(true);
      await enrolled(user.id);
      await expect(enroll.isOffered(await settingsFlow(user.id))).resolves.toBe(false);
    });

    it('initiates a sealed secret for the app, labelled with the email, and reuses it when initiated again', async () => {
      const user = await newIdentity();
      const context = await settingsFlow(user.id);
      const { stepState } = await enroll.initiate(context);
      expect(stepState).toEqual({ sealed: expect.any(String) });
      const opened = await totp.openFlowEnrollment(stepState.sealed);
      expect(opened.secret).toMatch(/^[A-Z2-7]{32}$/);
      // Sealed: the flow row never holds the secret in the clear.
      expect(stepState.sealed).not.toContain(opened.secret);
      const uri = new URL(opened.otpauthUri);
      expect([uri.protocol, uri.host, decodeURIComponent(uri.pathname)]).toEqual([
        'otpauth:',
        'totp',
        `/Acme:${user.email}`,
      ]);
      expect(uri.searchParams.get('secret')).toBe(opened.secret);

      const presented = await present(context, stepState);
      // Presented again (the user already scanned it): the same secret, not a new one.
      await expect(enroll.initiate(presented)).resolves.toEqual({ stepState });
      // Nothing is stored on the identity before the first code.
      expect(await credential(user.id)).toBeNull();
    });

    it('prompts for the token, showing the pending secret and its otpauth URI once initiated', async () => {
      const user = await newIdentity();
      const context = await settingsFlow(user.id);
      const tokenPrompt = {
        promptType: 'USER_PROMPT',
        params: [expect.objectContaining({ param: 'token', confidential: false })],
        requiredParams: ['token'],
      };
      await expect(enroll.prompt(context)).resolves.toEqual(tokenPrompt);
      const initiated = await initiate(context);
      const { secret, otpauthUri } = await totp.openFlowEnrollment(
        (initiated.flow.stepState[ENROLL] as { sealed: string }).sealed,
      );
      await expect(enroll.prompt(initiated)).resolves.toEqual({
        ...tokenPrompt,
        additionalData: { enrollment: 'true', secret, otpauthUri },
      });
    });

    it('refuses a code before any secret was shown', async () => {
      const user = await newIdentity();
      await expect(enroll.authenticate(await settingsFlow(user.id), { token: '123456' })).resolves.toEqual({
        outcome: 'failure',
        message: FlowMessages.totpEnrollmentNotStarted(),
      });
      expect(await credential(user.id)).toBeNull();
    });

    it('answers a wrong first code with msg_invalid_totp, showing the same secret again on its own', async () => {
      const user = await newIdentity();
      const context = await initiate(await settingsFlow(user.id));
      const secret = await secretShown(context);
      for (const token of [wrongCode(await codeFor(secret)), 'abcdef', ''])
        await expect(enroll.authenticate(context, { token })).resolves.toEqual({
          outcome: 'failure',
          message: SettingsMessages.invalidTotp(),
          reprompt: true,
        });
      // The pending secret stays (no stepState in the failure) and nothing was stored.
      expect(await credential(user.id)).toBeNull();
      await expect(enroll.initiate(context)).resolves.toEqual({ stepState: context.flow.stepState[ENROLL] });
    });

    it('enrolls the app with its first code, confirmed, and audits it after the commit', async () => {
      const user = await newIdentity();
      const context = await initiate(await settingsFlow(user.id));
      const secret = await secretShown(context);
      const result = await enroll.authenticate(context, { token: ` ${await codeFor(secret)} ` });
      expect(result).toMatchObject({
        outcome: 'success',
        identityId: user.id,
        amr: [],
        next: { messages: [SettingsMessages.totpEnrolled()] },
      });
      const stored = await credential(user.id);
      expect(stored?.config).toMatchObject({ confirmed: true, lastUsedStep: expect.any(Number) });
      await expect(secretBox.open(stored?.secret ?? '')).resolves.toBe(secret);
      expect(await audited(user.id, 'totp.enrolled')).toEqual([]);
      await afterCommit(result);
      expect(await audited(user.id, 'totp.enrolled')).toEqual([
        expect.objectContaining({ clientId: application.clientId, data: { via: 'settings' } }),
      ]);
      // The next presentation (a new record) sees the app: removal is offered, enrollment no longer.
      const next = await reread(context);
      await expect(enroll.isOffered(next)).resolves.toBe(false);
      await expect(remove.isOffered(next)).resolves.toBe(true);
    });

    it('refuses to confirm a second app when one was enrolled meanwhile, dropping the pending secret', async () => {
      const user = await newIdentity();
      const context = await initiate(await settingsFlow(user.id));
      const pendingSecret = await secretShown(context);
      const enrolledSecret = await enrolled(user.id);
      await expect(enroll.authenticate(context, { token: await codeFor(pendingSecret) })).resolves.toEqual({
        outcome: 'failure',
        message: SettingsMessages.totpAlreadyEnrolled(),
        stepState: null,
      });
      await expect(secretBox.open((await credential(user.id))?.secret ?? '')).resolves.toBe(enrolledSecret);
    });
  });

  describe('RemoveTotp', () => {
    it('is offered only while the identity has a confirmed authenticator app', async () => {
      const user = await newIdentity();
      await expect(remove.isOffered(await settingsFlow(user.id))).resolves.toBe(false);
      await totp.startEnrollment(user.id, project.name, user.email);
      await expect(remove.isOffered(await settingsFlow(user.id))).resolves.toBe(false);
      await enrolled(user.id);
      await expect(remove.isOffered(await settingsFlow(user.id))).resolves.toBe(true);
    });

    it('asks for nothing, removes the app and audits it after the commit', async () => {
      const user = await newIdentity();
      await enrolled(user.id);
      const context = await settingsFlow(user.id);
      expect(remove.prompt()).toEqual({ promptType: 'USER_PROMPT', params: [], requiredParams: [] });
      const result = await remove.authenticate(context);
      expect(result).toMatchObject({
        outcome: 'success',
        identityId: user.id,
        amr: [],
        next: { messages: [SettingsMessages.totpRemoved()] },
      });
      expect(await credential(user.id)).toBeNull();
      await expect(totp.findLogin(user.id)).resolves.toBeUndefined();
      await afterCommit(result);
      expect(await audited(user.id, 'totp.removed')).toEqual([
        expect.objectContaining({ clientId: application.clientId, data: { via: 'settings' } }),
      ]);
      const next = await reread(context);
      await expect(remove.isOffered(next)).resolves.toBe(false);
      await expect(enroll.isOffered(next)).resolves.toBe(true);
    });
  });
});
