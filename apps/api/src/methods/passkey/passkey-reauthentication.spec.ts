import { randomBytes, randomUUID } from 'node:crypto';
import { encodeJson, SoftwareAuthenticator } from '@keyway/webauthn-testing';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { Application } from '../../domain/applications/application';
import { FlowMessages } from '../../domain/flows/flow-messages';
import { FlowStore } from '../../domain/flows/flow.store';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { LockoutService } from '../../domain/lockout/lockout.service';
import { ProjectSettings } from '../../domain/projects/project-settings';
import type { Project } from '../../domain/projects/projects.service';
import { SessionsRepository } from '../../domain/sessions/sessions.repository';
import type { Database } from '../../infra/database/database';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import type { AuthenticatorContext } from '../authenticator';
import { FidoAuthenticator } from './fido.authenticator';
import { PasskeyCredentialsRepository } from './passkey-credentials.repository';
import { PasskeyReauthentication } from './passkey-reauthentication';
import { PasskeysService } from './passkeys.service';
import { encodeChallengeData } from './token-response';
import { RegistrationCredential } from './webauthn-json';
import { AuditService } from '../../domain/audit/audit.service';

// Settings' re-authentication with a passkey: the login's FIDOAuthenticator (real PasskeysService and lockout)
// behind it, the Session row whose auth_time it moves, on a scratch database of each kind; assertions are made
// by a software authenticator at the relying party's origin. The option is driven as the engine drives it:
// `initiate`'s state written to the flow under this option's name before the prompt and the answer.

jest.setTimeout(120_000);

const PUBLIC_URL = 'https://id.example.com';
const ORIGIN = 'https://id.example.com';
const NAME = 'PasskeyReauthentication';
const HOUR = 3_600_000;

interface FidoState {
  requestId: string;
  challenge: string;
  userVerification: string;
  options: PublicKeyCredentialRequestOptionsJSON;
}

describe.each(['pglite', 'postgres'] as const)('PasskeyReauthentication on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let flows: FlowStore;
  let sessions: SessionsRepository;
  let passkeys: PasskeysService;
  let option: PasskeyReauthentication;
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
    sessions = new SessionsRepository(prisma, db.sql);
    passkeys = new PasskeysService(new PasskeyCredentialsRepository(prisma), { publicUrl: PUBLIC_URL });
    const fido = new FidoAuthenticator(
      passkeys,
      new LockoutService(prisma, db.sql, new IdentitiesRepository(prisma, db.sql), new AuditService(prisma, db.sql)),
    );
    option = new PasskeyReauthentication(fido, passkeys, sessions);
  });

  afterAll(() => scratch?.dispose());

  /** An identity and, unless told otherwise, a passkey of it held by a software authenticator. */
  async function newIdentity(options: { passkey?: boolean } = {}) {
    const identity = await db.prisma.identity.create({
      data: { projectId: project.id, traits: { email: `${randomUUID()}@example.com`, name: 'Ada' } },
    });
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    if (options.passkey ?? true) {
      const creation = await passkeys.registrationOptions(project, identity);
      if (creation === 'limit') throw new Error('limit');
      const result = await passkeys.register(
        project,
        identity.id,
        RegistrationCredential.parse(authenticator.create(creation)),
      );
      if (result.outcome !== 'registered') throw new Error(result.outcome);
    }
    return { id: identity.id, authenticator };
  }

  /** A session that signed in an hour ago with a password. */
  async function newSession(identityId: string): Promise<string> {
    const id = randomUUID();
    await sessions.create(undefined, {
      id,
      projectId: project.id,
      identityId,
      amr: ['pwd'],
      authTime: new Date(Date.now() - HOUR),
      expiresAt: new Date(Date.now() + HOUR),
    });
    return id;
  }

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

  /** The option selected: its state written to the flow under its own name, as the engine writes it. */
  async function initiated(
    context: AuthenticatorContext,
  ): Promise<{ context: AuthenticatorContext; state: FidoState }> {
    const { stepState } = await option.initiate(context);
    const flow = await flows.update(undefined, context.flow, { stepState: { [NAME]: stepState } });
    if (!flow) throw new Error('flow conflict');
    return { context: { ...context, flow }, state: stepState as FidoState };
  }

  const tokenResponse = (requestId: string, credential: unknown) => encodeJson({ requestId, credential });
  const sessionRow = (id: string) => db.prisma.session.findUniqueOrThrow({ where: { id } });

  it('is a user-initiated settings option', () => {
    expect([option.name, option.idp, option.flowTypes, option.requiresInitiation]).toEqual([
      NAME,
      'LOCAL',
      ['SETTINGS'],
      true,
    ]);
  });

  it('is offered only to an identity with a passkey', async () => {
    const withPasskey = await newIdentity();
    await expect(option.isOffered(await settingsFlow(withPasskey.id))).resolves.toBe(true);
    const without = await newIdentity({ passkey: false });
    await expect(option.isOffered(await settingsFlow(without.id))).resolves.toBe(false);
    const unbound = await settingsFlow(without.id);
    await expect(option.isOffered({ ...unbound, flow: { ...unbound.flow, identityId: null } })).resolves.toBe(false);
  });

  it('initiates a second-factor challenge over the identity’s own passkeys, shown internally', async () => {
    const user = await newIdentity();
    const context = await settingsFlow(user.id);
    // Not initiated yet: nothing to show but what to answer with.
    await expect(option.prompt(context)).resolves.toEqual({
      promptType: 'INTERNAL_PROMPT',
      requiredParams: ['tokenResponse'],
    });
    const { context: presented, state } = await initiated(context);
    expect(state).toEqual({
      requestId: expect.any(String),
      challenge: expect.any(String),
      userVerification: 'preferred',
      options: expect.objectContaining({
        challenge: state.challenge,
        rpId: 'id.example.com',
        allowCredentials: [expect.objectContaining({ id: user.authenticator.credentials[0]?.id })],
      }),
    });
    await expect(option.prompt(presented)).resolves.toEqual({
      promptType: 'INTERNAL_PROMPT',
      additionalData: { challengeData: encodeChallengeData(state.requestId, state.options) },
      requiredParams: ['tokenResponse'],
    });
  });

  it('succeeds with the identity’s passkey, moving the session’s auth_time and adding the key to its amr', async () => {
    const user = await newIdentity();
    const sessionId = await newSession(user.id);
    const before = await sessionRow(sessionId);
    const { context, state } = await initiated(await settingsFlow(user.id, sessionId));
    const assertion = user.authenticator.get(state.options);
    await expect(
      option.authenticate(context, { tokenResponse: tokenResponse(state.requestId, assertion) }),
    ).resolves.toEqual({
      outcome: 'success',
      identityId: user.id,
      amr: ['hwk', 'user'],
      next: { messages: [SettingsMessages.reauthenticated()] },
    });
    const after = await sessionRow(sessionId);
    expect(after.authTime.getTime()).toBeGreaterThan(before.authTime.getTime());
    expect(after.amr).toEqual(['pwd', 'hwk', 'user']);
  });

  it('ends the flow when the session is gone, even for a good assertion', async () => {
    const user = await newIdentity();
    const sessionId = await newSession(user.id);
    await db.prisma.session.update({ where: { id: sessionId }, data: { revokedAt: new Date() } });
    const { context, state } = await initiated(await settingsFlow(user.id, sessionId));
    await expect(
      option.authenticate(context, {
        tokenResponse: tokenResponse(state.requestId, user.authenticator.get(state.options)),
      }),
    ).resolves.toEqual({ outcome: 'terminal', message: SettingsMessages.reauthenticationUnavailable() });
  });

  it('refuses another identity’s passkey and a malformed answer, counted, the session untouched', async () => {
    const user = await newIdentity();
    const stranger = await newIdentity();
    const sessionId = await newSession(user.id);
    const before = await sessionRow(sessionId);
    const { context, state } = await initiated(await settingsFlow(user.id, sessionId));
    const theirs = stranger.authenticator.get({ challenge: state.challenge, rpId: 'id.example.com' });
    await expect(
      option.authenticate(context, { tokenResponse: tokenResponse(state.requestId, theirs) }),
    ).resolves.toEqual({ outcome: 'failure', message: FlowMessages.invalidPasskey(2) });
    await expect(option.authenticate(context, { tokenResponse: '%%%' })).resolves.toEqual({
      outcome: 'failure',
      message: FlowMessages.invalidPasskey(1),
    });
    expect(await sessionRow(sessionId)).toEqual(before);
  });
});
