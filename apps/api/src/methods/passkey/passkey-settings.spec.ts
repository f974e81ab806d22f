import { randomBytes, randomUUID } from 'node:crypto';
import { decodeJson, encodeJson, SoftwareAuthenticator, type CreationOptions } from '@keyway/webauthn-testing';
import type { Application } from '../../domain/applications/application';
import { AuditService } from '../../domain/audit/audit.service';
import { FlowStore } from '../../domain/flows/flow.store';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import { FlowAccounts } from '../../domain/identities/flow-accounts';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { ProjectSettings } from '../../domain/projects/project-settings';
import type { Project } from '../../domain/projects/projects.service';
import { IdentitySchemasRepository } from '../../domain/schemas/identity-schemas.repository';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import type { Database } from '../../infra/database/database';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import type { AuthenticationResult, AuthenticatorContext } from '../authenticator';
import { PasskeyCredentialsRepository, type StoredPasskey } from './passkey-credentials.repository';
import { AddPasskey, RemovePasskey } from './passkey-settings';
import { MAX_PASSKEYS_PER_IDENTITY, PasskeysService } from './passkeys.service';
import { RegistrationCredential } from './webauthn-json';

// Settings' passkey actions with the real PasskeysService, identities, schemas and audit on a scratch database
// of each kind, and real WebAuthn data from a software authenticator at the relying party's origin. AddPasskey
// is driven as the engine drives it: `initiate`'s state written to the flow before the answer; the answer is
// the app's tokenResponse, base64url(JSON {requestId, credential}).

jest.setTimeout(120_000);

const PUBLIC_URL = 'https://id.example.com';
const ORIGIN = 'https://id.example.com';
const ADD = 'AddPasskey';

interface ChallengeData {
  requestId: string;
  publicKeyCredentialCreationOptions: CreationOptions & Record<string, unknown>;
}

describe.each(['pglite', 'postgres'] as const)('Passkey settings on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let flows: FlowStore;
  let identities: IdentitiesRepository;
  let repository: PasskeyCredentialsRepository;
  let passkeys: PasskeysService;
  let add: AddPasskey;
  let remove: RemovePasskey;
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
    repository = new PasskeyCredentialsRepository(prisma);
    passkeys = new PasskeysService(repository, { publicUrl: PUBLIC_URL });
    const accounts = new FlowAccounts(identities, new IdentitySchemasService(new IdentitySchemasRepository(prisma)));
    const audit = new AuditService(prisma, db.sql);
    add = new AddPasskey(passkeys, accounts, audit);
    remove = new RemovePasskey(passkeys, accounts, audit);
  });

  afterAll(() => scratch?.dispose());

  /** An identity with a password (any stored hash counts) or without one (it signs in with passkeys only). */
  async function newIdentity(options: { password?: boolean } = {}): Promise<{ id: string; email: string }> {
    const email = `${randomUUID()}@example.com`;
    const identity = await identities.create(undefined, {
      projectId: project.id,
      traits: { email, name: 'Ada' },
      schemaVersion: 1,
      passwordHash: options.password ? '$argon2id$v=19$m=4096,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA' : undefined,
      identifiers: options.password ? [email] : [],
      addresses: [],
    });
    return { id: identity.id, email };
  }

  /** A new record of the identity's settings flow each time: the options read the passkeys once per record. */
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

  /** AddPasskey selected: its state written to the flow as the engine writes it. */
  async function initiated(identityId: string): Promise<{ context: AuthenticatorContext; challenge: ChallengeData }> {
    const context = await settingsFlow(identityId);
    const { stepState, refused } = await add.initiate(context);
    if (refused) throw new Error(`refused: ${refused.messageId}`);
    const flow = await flows.update(undefined, context.flow, { stepState: { [ADD]: stepState } });
    if (!flow) throw new Error('flow conflict');
    const { challengeData } = stepState as { challengeData: string };
    return { context: { ...context, flow }, challenge: decodeJson<ChallengeData>(challengeData) };
  }

  const tokenResponse = (requestId: string, credential: unknown) => encodeJson({ requestId, credential });

  /** Registers a passkey through the service, as another settings flow (or the admin API) would have. */
  async function registered(identityId: string, authenticator = new SoftwareAuthenticator({ origin: ORIGIN })) {
    const options = await passkeys.registrationOptions(project, { id: identityId, traits: {} });
    if (options === 'limit') throw new Error('limit');
    const result = await passkeys.register(
      project,
      identityId,
      RegistrationCredential.parse(authenticator.create(options)),
      'Phone',
    );
    if (result.outcome !== 'registered') throw new Error(result.outcome);
    return result.passkey;
  }

  /** `count` stored passkeys written straight to the identity's webauthn credential (no ceremony needed to count them). */
  async function storedPasskeys(identityId: string, count: number): Promise<void> {
    const passkeys: StoredPasskey[] = Array.from({ length: count }, (_, i) => ({
      id: randomBytes(16).toString('base64url'),
      publicKey: randomBytes(77).toString('base64url'),
      counter: i,
      transports: ['internal'],
      deviceType: 'singleDevice',
      backedUp: false,
      aaguid: '00000000-0000-0000-0000-000000000000',
      name: `Key ${i}`,
      createdAt: new Date().toISOString(),
    }));
    await repository.create(identityId, { userHandle: randomBytes(32).toString('base64url'), passkeys });
  }

  const pendingChallenge = async (identityId: string) =>
    (await repository.findByIdentity(identityId))?.config.registration?.challenge;
  const audited = (identityId: string, type: string) => db.prisma.auditEvent.findMany({ where: { identityId, type } });
  const afterCommit = async (result: AuthenticationResult) => {
    if (result.outcome !== 'success') throw new Error(`expected a success, got ${result.outcome}`);
    await result.afterCommit?.();
  };

  describe('AddPasskey', () => {
    it('is a user-initiated settings action answered internally with tokenResponse', async () => {
      expect([add.name, add.idp, add.flowTypes, add.requiresInitiation]).toEqual([ADD, 'LOCAL', ['SETTINGS'], true]);
      const user = await newIdentity();
      // Not initiated: no challenge to show yet.
      expect(add.prompt(await settingsFlow(user.id))).toEqual({
        promptType: 'INTERNAL_PROMPT',
        params: [expect.objectContaining({ param: 'name', confidential: false })],
        requiredParams: ['tokenResponse'],
      });
    });

    it(`is offered below ${MAX_PASSKEYS_PER_IDENTITY} passkeys, and refuses to initiate at the limit`, async () => {
      const user = await newIdentity();
      await expect(add.isOffered(await settingsFlow(user.id))).resolves.toBe(true);
      const almost = await newIdentity();
      await storedPasskeys(almost.id, MAX_PASSKEYS_PER_IDENTITY - 1);
      await expect(add.isOffered(await settingsFlow(almost.id))).resolves.toBe(true);
      const full = await newIdentity();
      await storedPasskeys(full.id, MAX_PASSKEYS_PER_IDENTITY);
      const context = await settingsFlow(full.id);
      await expect(add.isOffered(context)).resolves.toBe(false);
      await expect(add.initiate(context)).resolves.toEqual({
        refused: SettingsMessages.passkeyLimit(MAX_PASSKEYS_PER_IDENTITY),
      });
    });

    it('initiates creation options for the identity, keeping the challenge on its credential', async () => {
      const user = await newIdentity();
      const { context, challenge } = await initiated(user.id);
      const state = context.flow.stepState[ADD] as { requestId: string; challengeData: string };
      expect(state).toEqual({ requestId: expect.any(String), challengeData: expect.any(String) });
      expect(challenge).toEqual({
        requestId: state.requestId,
        publicKeyCredentialCreationOptions: expect.objectContaining({
          challenge: expect.any(String),
          rp: { id: 'id.example.com', name: 'Acme' },
          user: expect.objectContaining({ name: user.email, displayName: 'Ada' }),
          attestation: 'none',
          excludeCredentials: [],
        }),
      });
      await expect(pendingChallenge(user.id)).resolves.toBe(challenge.publicKeyCredentialCreationOptions.challenge);
      expect(add.prompt(context)).toEqual({
        promptType: 'INTERNAL_PROMPT',
        params: [expect.objectContaining({ param: 'name' })],
        additionalData: { challengeData: state.challengeData },
        requiredParams: ['tokenResponse'],
      });
    });

    it('adds the passkey the platform created, named as the user typed it, and audits it after the commit', async () => {
      const user = await newIdentity();
      const { context, challenge } = await initiated(user.id);
      const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
      const credential = authenticator.create(challenge.publicKeyCredentialCreationOptions);
      const result = await add.authenticate(context, {
        tokenResponse: tokenResponse(challenge.requestId, credential),
        name: `  ${'L'.repeat(120)}  `,
      });
      expect(result).toMatchObject({
        outcome: 'success',
        identityId: user.id,
        amr: [],
        next: { messages: [SettingsMessages.passkeyAdded()] },
      });
      const [passkey] = await passkeys.list(user.id);
      // Trimmed and cut to 100 characters.
      expect(passkey).toMatchObject({ id: credential.id, name: 'L'.repeat(100) });
      await expect(pendingChallenge(user.id)).resolves.toBeUndefined();
      await afterCommit(result);
      expect(await audited(user.id, 'passkey.registered')).toEqual([
        expect.objectContaining({
          clientId: application.clientId,
          data: { passkeyId: credential.id, via: 'settings' },
        }),
      ]);
    });

    it('answers a malformed tokenResponse with msg_passkey_registration_failed, keeping the challenge', async () => {
      const user = await newIdentity();
      const { context, challenge } = await initiated(user.id);
      const pending = await pendingChallenge(user.id);
      for (const answer of ['%%%', encodeJson({ requestId: challenge.requestId }), ''])
        await expect(add.authenticate(context, { tokenResponse: answer })).resolves.toEqual({
          outcome: 'failure',
          message: SettingsMessages.passkeyRegistrationFailed('malformed tokenResponse'),
        });
      await expect(add.authenticate(context, {})).resolves.toMatchObject({ outcome: 'failure' });
      // Nothing spent: the same challenge still answers.
      await expect(pendingChallenge(user.id)).resolves.toBe(pending);
      const credential = new SoftwareAuthenticator({ origin: ORIGIN }).create(
        challenge.publicKeyCredentialCreationOptions,
      );
      await expect(
        add.authenticate(context, { tokenResponse: tokenResponse(challenge.requestId, credential) }),
      ).resolves.toMatchObject({ outcome: 'success' });
    });

    it('answers another challenge’s requestId, or an answer before initiation, alike, keeping the challenge', async () => {
      const user = await newIdentity();
      const { context, challenge } = await initiated(user.id);
      const pending = await pendingChallenge(user.id);
      const credential = new SoftwareAuthenticator({ origin: ORIGIN }).create(
        challenge.publicKeyCredentialCreationOptions,
      );
      const mismatch = {
        outcome: 'failure',
        message: SettingsMessages.passkeyRegistrationFailed('requestId does not match the current challenge'),
      };
      await expect(
        add.authenticate(context, { tokenResponse: tokenResponse('another-request', credential) }),
      ).resolves.toEqual(mismatch);
      await expect(pendingChallenge(user.id)).resolves.toBe(pending);
      // The same answer to a flow that never initiated the action.
      await expect(
        add.authenticate(await settingsFlow(user.id), {
          tokenResponse: tokenResponse(challenge.requestId, credential),
        }),
      ).resolves.toEqual(mismatch);
      await expect(pendingChallenge(user.id)).resolves.toBe(pending);
      expect(await passkeys.list(user.id)).toEqual([]);
    });

    it('answers a ceremony that does not verify by spending the challenge', async () => {
      const user = await newIdentity();
      const { context, challenge } = await initiated(user.id);
      const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
      const wrongOrigin = authenticator.create(challenge.publicKeyCredentialCreationOptions, {
        origin: 'https://evil.example',
      });
      await expect(
        add.authenticate(context, { tokenResponse: tokenResponse(challenge.requestId, wrongOrigin) }),
      ).resolves.toEqual({
        outcome: 'failure',
        message: expect.objectContaining({
          messageId: 'msg_passkey_registration_failed',
          message: expect.stringMatching(/origin/),
        }),
        stepState: null,
      });
      // Spent: an honest answer to the same challenge is now too late.
      const honest = authenticator.create(challenge.publicKeyCredentialCreationOptions);
      await expect(
        add.authenticate(context, { tokenResponse: tokenResponse(challenge.requestId, honest) }),
      ).resolves.toEqual({
        outcome: 'failure',
        message: SettingsMessages.passkeyRegistrationFailed('the challenge expired'),
        stepState: null,
      });
      expect(await passkeys.list(user.id)).toEqual([]);
    });

    it('refuses a passkey the identity has already', async () => {
      const user = await newIdentity();
      const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
      const existing = await registered(user.id, authenticator);
      const { context, challenge } = await initiated(user.id);
      const again = authenticator.create(challenge.publicKeyCredentialCreationOptions, { credentialId: existing.id });
      await expect(
        add.authenticate(context, { tokenResponse: tokenResponse(challenge.requestId, again) }),
      ).resolves.toEqual({
        outcome: 'failure',
        message: SettingsMessages.passkeyRegistrationFailed('this passkey is already registered'),
        stepState: null,
      });
      expect((await passkeys.list(user.id)).map(({ id }) => id)).toEqual([existing.id]);
    });
  });

  describe('RemovePasskey', () => {
    it('is offered only while the identity has a passkey', async () => {
      const user = await newIdentity({ password: true });
      await expect(remove.isOffered(await settingsFlow(user.id))).resolves.toBe(false);
      await registered(user.id);
      await expect(remove.isOffered(await settingsFlow(user.id))).resolves.toBe(true);
    });

    it('lists the passkeys to choose from without their keys or counters', async () => {
      const user = await newIdentity({ password: true });
      const first = await registered(user.id);
      const second = await registered(user.id);
      const prompt = await remove.prompt(await settingsFlow(user.id));
      expect(prompt).toEqual({
        promptType: 'USER_PROMPT',
        params: [expect.objectContaining({ param: 'credentialId' })],
        requiredParams: ['credentialId'],
        additionalData: { passkeys: expect.any(String) },
      });
      expect(JSON.parse(prompt.additionalData?.['passkeys'] ?? '')).toEqual(
        [first, second].map(({ id, name, createdAt }) => ({ id, name, createdAt, lastUsedAt: null })),
      );
      expect(prompt.additionalData?.['passkeys']).not.toMatch(/publicKey|counter/);
    });

    it('answers an id the identity has no passkey with msg_passkey_not_found', async () => {
      const user = await newIdentity({ password: true });
      const mine = await registered(user.id);
      const stranger = await newIdentity({ password: true });
      const theirs = await registered(stranger.id);
      const context = await settingsFlow(user.id);
      for (const params of [{ credentialId: 'unknown' }, { credentialId: theirs.id }, {}] as Record<string, string>[])
        await expect(remove.authenticate(context, params)).resolves.toEqual({
          outcome: 'failure',
          message: SettingsMessages.passkeyNotFound(),
        });
      expect((await passkeys.list(user.id)).map(({ id }) => id)).toEqual([mine.id]);
      expect((await passkeys.list(stranger.id)).map(({ id }) => id)).toEqual([theirs.id]);
    });

    it('keeps the last passkey of an identity without a password: it is how it signs in', async () => {
      const user = await newIdentity();
      const only = await registered(user.id);
      await expect(remove.authenticate(await settingsFlow(user.id), { credentialId: only.id })).resolves.toEqual({
        outcome: 'failure',
        message: SettingsMessages.lastSignInMethod(),
      });
      expect((await passkeys.list(user.id)).map(({ id }) => id)).toEqual([only.id]);
    });

    it('removes one of several passkeys of a passwordless identity, and audits it after the commit', async () => {
      const user = await newIdentity();
      const first = await registered(user.id);
      const second = await registered(user.id);
      const result = await remove.authenticate(await settingsFlow(user.id), { credentialId: first.id });
      expect(result).toMatchObject({
        outcome: 'success',
        identityId: user.id,
        amr: [],
        next: { messages: [SettingsMessages.passkeyRemoved()] },
      });
      expect((await passkeys.list(user.id)).map(({ id }) => id)).toEqual([second.id]);
      // Gone for sign-in too (its identifier row went with it).
      await expect(passkeys.findPasskey(project.id, first.id)).resolves.toBeUndefined();
      await afterCommit(result);
      expect(await audited(user.id, 'passkey.removed')).toEqual([
        expect.objectContaining({ clientId: application.clientId, data: { passkeyId: first.id, via: 'settings' } }),
      ]);
      const next = await settingsFlow(user.id);
      await expect(remove.isOffered(next)).resolves.toBe(true);
      await expect(remove.authenticate(next, { credentialId: second.id })).resolves.toEqual({
        outcome: 'failure',
        message: SettingsMessages.lastSignInMethod(),
      });
    });

    it('keeps the last passkey of an identity whose password has no identifier left to sign in with', async () => {
      const user = await newIdentity({ password: true });
      const only = await registered(user.id);
      await db.prisma.credentialIdentifier.deleteMany({
        where: { credential: { identityId: user.id, type: 'password' } },
      });
      await expect(remove.authenticate(await settingsFlow(user.id), { credentialId: only.id })).resolves.toEqual({
        outcome: 'failure',
        message: SettingsMessages.lastSignInMethod(),
      });
      expect((await passkeys.list(user.id)).map(({ id }) => id)).toEqual([only.id]);
    });

    it('removes the last passkey of an identity that has a password', async () => {
      const user = await newIdentity({ password: true });
      const only = await registered(user.id);
      await expect(remove.authenticate(await settingsFlow(user.id), { credentialId: only.id })).resolves.toMatchObject({
        outcome: 'success',
      });
      expect(await passkeys.list(user.id)).toEqual([]);
      await expect(remove.isOffered(await settingsFlow(user.id))).resolves.toBe(false);
    });
  });
});
