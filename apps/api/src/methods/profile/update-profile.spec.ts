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
import type { AuthRequest } from '../../domain/flows/flow';
import { FlowStore } from '../../domain/flows/flow.store';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import { FlowAccounts } from '../../domain/identities/flow-accounts';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { ProjectSettings } from '../../domain/projects/project-settings';
import type { Project } from '../../domain/projects/projects.service';
import { CUSTOM_SCHEMA } from '../../domain/schemas/identity-schema.fixture';
import { IdentitySchemasRepository } from '../../domain/schemas/identity-schemas.repository';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import { VerifyNewEmailHook } from '../../flows/hooks/verify-new-email.hook';
import { VerificationCodeMail } from '../../flows/verification/verification-code-mail';
import { CODE_TTL_MS, hashCode } from '../../infra/crypto/one-time-code';
import type { Database } from '../../infra/database/database';
import {
  openScratchDatabase,
  type ScratchDatabase,
  singleProcessNotifications,
} from '../../infra/database/scratch-database.testing';
import { ErrorCodes } from '../../infra/http/errors';
import type { AuthenticationResult, AuthenticatorContext, StepEffects } from '../authenticator';
import { emailVerificationStateOf } from '../email-code/email-code-verification';
import { PasskeyCredentialsRepository } from '../passkey/passkey-credentials.repository';
import { PasskeysService } from '../passkey/passkeys.service';
import { UpdateProfile } from './update-profile';

/** Email and username both optional login identifiers: a profile update can take both away. */
const OPTIONAL_EMAIL_SCHEMA = {
  ...CUSTOM_SCHEMA,
  properties: { email: CUSTOM_SCHEMA.properties.email, username: CUSTOM_SCHEMA.properties.username },
  required: [],
};

// Settings' profile form with the real identities, schemas (the built-in default, version 1, and the fixture's
// custom schema), `settings.profile_updated` hook (flow store, outbox) and audit on a scratch database of each kind. The option's writes are run
// as the engine runs them: `effects` in a transaction of the flow store, `refusedBy` with what it threw,
// `afterCommit` once it committed. The outbox worker is never started, so mail stays in its table.

jest.setTimeout(120_000);

const PASSWORD_HASH = '$argon2id$v=19$m=4096,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA';

describe.each(['pglite', 'postgres'] as const)('UpdateProfile on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let flows: FlowStore;
  let identities: IdentitiesRepository;
  let option: UpdateProfile;
  let project: Project;
  let application: Application;
  let customVersion: number;
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
    const schemas = new IdentitySchemasService(new IdentitySchemasRepository(prisma));
    customVersion = (await schemas.create(project.id, CUSTOM_SCHEMA, false)).version;
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
    option = new UpdateProfile(
      new FlowAccounts(identities, schemas),
      identities,
      // The real `settings.profile_updated` hook: a verification flow and its code's mail per added email.
      new AfterFlowHooks([
        new VerifyNewEmailHook(
          new VerificationCodeMail(flows, new MailRecipients(new MailRecipientsRepository(prisma), templates), outbox),
        ),
      ]),
      new PasskeysService(new PasskeyCredentialsRepository(prisma), { publicUrl: 'https://id.example.com' }),
      new AuditService(prisma, db.sql),
    );
    optionalEmailVersion = (await schemas.create(project.id, OPTIONAL_EMAIL_SCHEMA, false)).version;
  });

  afterAll(() => scratch?.dispose());

  const uniqueEmail = () => `${randomUUID()}@example.com`;

  /** An identity whose email is its password login identifier and an unverified address (default schema unless told). */
  async function newIdentity(
    traits: Record<string, unknown> = { email: uniqueEmail(), name: 'Ada' },
    schemaVersion = 1,
  ): Promise<{ id: string; traits: Record<string, unknown> }> {
    const identity = await identities.create(undefined, {
      projectId: project.id,
      traits: traits as never,
      schemaVersion,
      passwordHash: PASSWORD_HASH,
      identifiers: [traits['email'], traits['username']].filter((value): value is string => typeof value === 'string'),
      addresses: typeof traits['email'] === 'string' ? [{ via: 'email', value: traits['email'] }] : [],
    });
    return { id: identity.id, traits };
  }
  const customTraits = (): Record<string, unknown> => ({
    email: uniqueEmail(),
    username: `u${randomBytes(5).toString('hex')}`,
    plan: 'free',
    newsletter: true,
    age: 30,
  });

  async function settingsFlow(identityId: string, authRequest: Partial<AuthRequest> = {}) {
    const flow = await flows.create(undefined, {
      projectId: project.id,
      applicationId: application.id,
      type: 'SETTINGS',
      identityId,
      authRequest: { clientId: application.clientId, scope: 'openid', sessionId: randomUUID(), ...authRequest },
      expiresAt: new Date(Date.now() + 600_000),
    });
    return { project, application, flow } satisfies AuthenticatorContext;
  }

  function success(result: AuthenticationResult): Extract<AuthenticationResult, { outcome: 'success' }> {
    if (result.outcome !== 'success') throw new Error(`expected a success, got ${JSON.stringify(result)}`);
    return result;
  }
  /** The effects in a transaction of the flow store, as the engine runs them; what they decided. */
  const runEffects = (result: AuthenticationResult): Promise<StepEffects | void> =>
    flows.transaction(async (tx) => success(result).effects?.(tx));

  const traitsOf = async (identityId: string) =>
    (await db.prisma.identity.findUniqueOrThrow({ where: { id: identityId } })).traits;
  const verificationFlows = (identityId: string) =>
    db.prisma.flow.findMany({ where: { identityId, type: 'VERIFICATION' } });
  const mailsTo = (address: string) =>
    db.prisma.outboxMessage.findMany({ where: { projectId: project.id, toAddress: address } });
  const fieldError = (field: string, messageId: string) =>
    expect.objectContaining({ type: 'ERROR', messageId, context: [{ key: 'field', value: field }] });

  it('is a settings form answering its own fields, every trait optional', () => {
    expect([option.name, option.idp, option.flowTypes, option.requiresInitiation, option.reportsMissingFields]).toEqual(
      ['UpdateProfile', 'LOCAL', ['SETTINGS'], false, true],
    );
  });

  describe('prompt', () => {
    it('asks for the schema’s traits, none required, showing the current values', async () => {
      const user = await newIdentity({ email: 'ada@example.com', name: 'Ada' });
      await expect(option.prompt(await settingsFlow(user.id))).resolves.toEqual({
        promptType: 'USER_PROMPT',
        params: [
          expect.objectContaining({ param: 'traits.email', type: 'STRING', order: 0 }),
          expect.objectContaining({ param: 'traits.name', type: 'STRING', order: 1 }),
        ],
        requiredParams: [],
        additionalData: { 'traits.email': 'ada@example.com', 'traits.name': 'Ada' },
      });
    });

    it('shows the values of the identity’s own schema version as the wire carries them', async () => {
      const traits = customTraits();
      const user = await newIdentity(traits, customVersion);
      const prompt = await option.prompt(await settingsFlow(user.id));
      expect(prompt.params?.map(({ param }) => param)).toEqual([
        'traits.username',
        'traits.email',
        'traits.newsletter',
        'traits.birthdate',
        'traits.plan',
        'traits.age',
        'traits.phone',
      ]);
      expect(prompt.additionalData).toEqual({
        'traits.username': traits['username'],
        'traits.email': traits['email'],
        'traits.newsletter': 'true',
        'traits.plan': 'free',
        'traits.age': '30',
      });
    });
  });

  describe('a refused answer', () => {
    it('throws FLW-60003 when no trait is given at all', async () => {
      const user = await newIdentity();
      await expect(option.authenticate(await settingsFlow(user.id), {})).rejects.toMatchObject({
        status: 400,
        code: ErrorCodes.FLOW_MISSING_PARAMS,
      });
    });

    it('answers each invalid field on its own field, the first as the message and the rest after it', async () => {
      const user = await newIdentity(customTraits(), customVersion);
      const before = await traitsOf(user.id);
      const context = await settingsFlow(user.id);
      await expect(
        option.authenticate(context, {
          'traits.username': 'Not Valid!',
          'traits.age': '5',
          'traits.plan': 'gold',
          'traits.nope': 'x',
        }),
      ).resolves.toEqual({
        outcome: 'failure',
        message: fieldError('traits.nope', 'msg_trait_unknown'),
        moreMessages: expect.arrayContaining([
          fieldError('traits.username', 'msg_trait_pattern'),
          fieldError('traits.age', 'msg_trait_range'),
          fieldError('traits.plan', 'msg_trait_enum'),
        ]),
      });
      // A required trait cannot be emptied; a bad email is refused by its format.
      await expect(option.authenticate(context, { 'traits.plan': '' })).resolves.toEqual({
        outcome: 'failure',
        message: fieldError('traits.plan', 'msg_trait_required'),
        moreMessages: [],
      });
      await expect(option.authenticate(context, { 'traits.email': 'not-an-email' })).resolves.toEqual({
        outcome: 'failure',
        message: fieldError('traits.email', 'msg_trait_format'),
        moreMessages: [],
      });
      expect(await traitsOf(user.id)).toEqual(before);
    });

    it('answers a value another identity holds with msg_identifier_taken on that field, whatever its case', async () => {
      const other = await newIdentity();
      const user = await newIdentity();
      const context = await settingsFlow(user.id);
      const taken = String(other.traits['email']).toUpperCase();
      await expect(option.authenticate(context, { 'traits.email': taken })).resolves.toEqual({
        outcome: 'failure',
        // One message per field, though the email is both a login identifier and an address.
        message: SettingsMessages.identifierTaken('traits.email'),
        moreMessages: [],
      });
      expect(await traitsOf(user.id)).toEqual(user.traits);
      expect(await verificationFlows(user.id)).toEqual([]);
    });

    it('answers every field whose value is taken, in a custom schema', async () => {
      const other = await newIdentity(customTraits(), customVersion);
      const user = await newIdentity(customTraits(), customVersion);
      await expect(
        option.authenticate(await settingsFlow(user.id), {
          'traits.email': String(other.traits['email']),
          'traits.username': String(other.traits['username']),
        }),
      ).resolves.toEqual({
        outcome: 'failure',
        message: SettingsMessages.identifierTaken('traits.email'),
        moreMessages: [SettingsMessages.identifierTaken('traits.username')],
      });
    });
  });

  describe('an accepted answer', () => {
    it('writes the traits only in the effects, and audits the changed fields after the commit', async () => {
      const user = await newIdentity();
      const result = await option.authenticate(await settingsFlow(user.id), {
        'traits.name': 'Grace',
        'traits.email': String(user.traits['email']),
      });
      expect(result).toMatchObject({
        outcome: 'success',
        identityId: user.id,
        amr: [],
        next: { messages: [SettingsMessages.profileUpdated(['traits.name'])] },
      });
      expect(await traitsOf(user.id)).toEqual(user.traits);
      // The email did not change: no code is sent.
      await expect(runEffects(result)).resolves.toEqual({ messages: [] });
      expect(await traitsOf(user.id)).toEqual({ ...user.traits, name: 'Grace' });
      expect(await verificationFlows(user.id)).toEqual([]);
      await success(result).afterCommit?.();
      expect(await db.prisma.auditEvent.findMany({ where: { identityId: user.id } })).toEqual([
        expect.objectContaining({
          type: 'identity.traits_updated',
          clientId: application.clientId,
          data: { fields: ['traits.name'], via: 'settings' },
        }),
      ]);
    });

    it('refuses to take away the last identifier the password signs in with when there is no passkey', async () => {
      const email = uniqueEmail();
      const user = await newIdentity({ email }, optionalEmailVersion);
      const result = await option.authenticate(await settingsFlow(user.id), { 'traits.email': '' });
      expect(result).toEqual({
        outcome: 'failure',
        message: SettingsMessages.lastSignInIdentifier('traits.email'),
        moreMessages: [],
      });
      expect(await traitsOf(user.id)).toEqual({ email });
    });

    it('lets an identifier go while another one still signs in with the password', async () => {
      const username = `u${randomBytes(5).toString('hex')}`;
      const user = await newIdentity({ email: uniqueEmail(), username }, optionalEmailVersion);
      await runEffects(await option.authenticate(await settingsFlow(user.id), { 'traits.email': '' }));
      expect(await traitsOf(user.id)).toEqual({ username });
    });

    it('removes an optional trait given empty', async () => {
      const user = await newIdentity();
      await runEffects(await option.authenticate(await settingsFlow(user.id), { 'traits.name': ' ' }));
      expect(await traitsOf(user.id)).toEqual({ email: user.traits['email'] });
    });

    it('moves the login identifier and the address to a new email, and mails it a code in a new verification flow', async () => {
      const user = await newIdentity();
      const oldEmail = String(user.traits['email']);
      const typed = `New-${randomUUID()}@Example.com`;
      const newEmail = typed.toLowerCase();
      const context = await settingsFlow(user.id, { uiLocales: ['de'] });
      const result = await option.authenticate(context, { 'traits.email': typed });
      expect(result).toMatchObject({ next: { messages: [SettingsMessages.profileUpdated(['traits.email'])] } });
      expect(await verificationFlows(user.id)).toEqual([]);
      expect(await mailsTo(newEmail)).toEqual([]);

      const start = Date.now();
      const effected = await runEffects(result);
      const [verification] = await verificationFlows(user.id);
      if (!verification) throw new Error('no verification flow');
      expect(effected).toEqual({ messages: [SettingsMessages.verificationCodeSent('traits.email', verification.id)] });
      expect(verification).toMatchObject({
        projectId: project.id,
        applicationId: application.id,
        state: 'active',
        authRequest: { clientId: application.clientId, scope: '' },
      });
      expect(verification.expiresAt.getTime()).toBeGreaterThanOrEqual(start + CODE_TTL_MS - 5);

      // The traits keep what was typed; identifiers and addresses are normalised, the new address unverified.
      expect(await traitsOf(user.id)).toEqual({ ...user.traits, email: typed });
      expect((await identities.findPasswordLogin(project.id, newEmail))?.identity.id).toBe(user.id);
      await expect(identities.findPasswordLogin(project.id, oldEmail)).resolves.toBeUndefined();
      expect(await identities.listVerifiableAddresses(user.id)).toEqual([
        expect.objectContaining({ via: 'email', value: newEmail, verified: false }),
      ]);

      // One mail, in the flow's locale, whose code is the one the verification flow waits for.
      const mails = await mailsTo(newEmail);
      expect(mails).toEqual([
        expect.objectContaining({
          kind: 'verification_code',
          subject: 'Bestätigen Sie Ihre E-Mail-Adresse für Acme',
          idempotencyKey: `verification:${verification.id}`,
        }),
      ]);
      const code = /^ {4}(\d+)$/m.exec(mails[0]?.text ?? '')?.[1];
      const state = emailVerificationStateOf({ stepState: verification.stepState as Record<string, unknown> });
      expect(state).toEqual({
        email: newEmail,
        pending: { codeHash: hashCode(code ?? ''), expiresAt: verification.expiresAt.getTime(), attempts: 0 },
      });
      expect(await mailsTo(oldEmail)).toEqual([]);
    });

    it('sends no code for a changed phone number, only for email addresses', async () => {
      const user = await newIdentity(customTraits(), customVersion);
      const result = await option.authenticate(await settingsFlow(user.id), { 'traits.phone': '+41 79 123 45 67' });
      await expect(runEffects(result)).resolves.toEqual({ messages: [] });
      expect(await identities.listVerifiableAddresses(user.id)).toEqual(
        expect.arrayContaining([expect.objectContaining({ via: 'phone', value: '+41 79 123 45 67', verified: false })]),
      );
      expect(await verificationFlows(user.id)).toEqual([]);
    });
  });

  describe('refusedBy', () => {
    it('answers a value taken between the check and the write as taken, and nothing is written', async () => {
      const user = await newIdentity();
      const wanted = uniqueEmail();
      const result = success(await option.authenticate(await settingsFlow(user.id), { 'traits.email': wanted }));
      // Another identity takes the address meanwhile.
      await newIdentity({ email: wanted });

      const thrown = await runEffects(result).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(thrown).toMatchObject({ code: 'P2002' });
      await expect(result.refusedBy?.(thrown)).resolves.toEqual([SettingsMessages.identifierTaken('traits.email')]);
      // Rolled back: the traits, the verification flow and its mail all went with the transaction.
      expect(await traitsOf(user.id)).toEqual(user.traits);
      expect(await verificationFlows(user.id)).toEqual([]);
      expect((await mailsTo(wanted)).filter(({ kind }) => kind === 'verification_code')).toEqual([]);
    });

    it('leaves any other error to propagate', async () => {
      const user = await newIdentity();
      const result = success(await option.authenticate(await settingsFlow(user.id), { 'traits.name': 'Grace' }));
      await expect(result.refusedBy?.(new Error('connection lost'))).resolves.toBeUndefined();
    });
  });
});
