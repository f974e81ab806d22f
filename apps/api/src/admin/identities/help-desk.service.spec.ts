import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import { AppModule } from '../../app.module';
import type { AdminPrincipal } from '../../domain/access/access.service';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { ProjectSettings } from '../../domain/projects/project-settings';
import { ProjectsService, type Project } from '../../domain/projects/projects.service';
import { LockoutService } from '../../domain/lockout/lockout.service';
import { SessionsRepository } from '../../domain/sessions/sessions.repository';
import type { PrismaClient } from '../../generated/prisma/client';
import { loadConfig } from '../../infra/config/config';
import { hashCode } from '../../infra/crypto/one-time-code';
import { sha256 } from '../../infra/crypto/tokens';
import { DATABASE } from '../../infra/database/prisma.module';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import { ApiError } from '../../infra/http/errors';
import { BackupCodesService } from '../../methods/backup-codes/backup-codes.service';
import { HelpDeskService, type ActionContext } from './help-desk.service';
import { AccessRepository } from '../../domain/access/access.repository';
import { SystemProjectService } from '../system/system-project.service';
import { ReasonBody, UpdateIdentityBody } from './identities.dto';
import { IdentitiesService } from './identities.service';

// The help-desk actions through the real application module on a scratch database of each kind: what each
// action changes, what it answers, and the one audit event it writes (actor, role, reason, outcome, never a
// secret).

jest.setTimeout(180_000);

const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const PASSWORD = 'correct horse battery';
const ROOT: AdminPrincipal = { kind: 'root' };

describe.each(['pglite', 'postgres'] as const)('HelpDeskService on %s', (kind) => {
  let scratch: ScratchDatabase;
  let dataDir: string;
  let moduleRef: TestingModule;
  let prisma: PrismaClient;
  let helpDesk: HelpDeskService;
  let identities: IdentitiesService;
  let project: Project;
  let application: { id: string; clientId: string };

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    prisma = scratch.db.prisma;
    dataDir = mkdtempSync(path.join(tmpdir(), 'keyway-helpdesk-'));
    const config = loadConfig({
      KEYWAY_DATA_DIR: dataDir,
      KEYWAY_LOG_LEVEL: 'silent',
      KEYWAY_LOG_FORMAT: 'json',
      KEYWAY_SEED_DEMO: 'false',
      KEYWAY_PUBLIC_URL: 'https://id.example.com',
      KEYWAY_ARGON2_MEMORY_KIB: '1024',
      KEYWAY_ARGON2_ITERATIONS: '1',
    });
    // Not initialised: the outbox worker stays stopped, so queued mail stays for the tests to read.
    moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot(config)],
    })
      .overrideProvider(DATABASE)
      .useValue({ ...scratch.db, close: () => Promise.resolve() })
      .compile();
    helpDesk = moduleRef.get(HelpDeskService);
    identities = moduleRef.get(IdentitiesService);
    project = await moduleRef
      .get(ProjectsService)
      .create({ slug: `hd-${randomBytes(4).toString('hex')}`, name: 'Help desk' });
    const created = await moduleRef.get(ApplicationsService).create(project.id, {
      name: 'App',
      type: 'public',
      redirectUris: ['com.example.app:/cb'],
      grantTypes: ['authorization_code', 'refresh_token'],
      appNative: true,
    });
    application = { id: created.application.id, clientId: created.application.clientId };
  });

  afterAll(async () => {
    await moduleRef?.close();
    await scratch?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const context = (reason = 'ticket #42: user asked', principal: AdminPrincipal = ROOT): ActionContext => ({
    project,
    principal,
    reason,
  });

  async function newIdentity(traits: Record<string, unknown> = {}, withTotp = false) {
    const email = `${randomBytes(5).toString('hex')}@example.com`;
    return identities.create(
      project.id,
      { email, name: 'Ada Lovelace', ...traits },
      { password: { value: PASSWORD }, ...(withTotp ? { totp: { secret: TOTP_SECRET } } : {}) },
    );
  }

  async function events(identityId: string, type: string) {
    return prisma.auditEvent.findMany({ where: { identityId, type }, orderBy: { createdAt: 'asc' } });
  }

  /** A live session with a live refresh token, as a sign-in leaves them. */
  async function signedIn(identityId: string): Promise<{ sessionId: string; tokenHash: string }> {
    const sessions = moduleRef.get(SessionsRepository);
    const sessionId = randomUUID();
    const now = Date.now();
    await sessions.create(undefined, {
      id: sessionId,
      projectId: project.id,
      identityId,
      amr: ['pwd'],
      authTime: new Date(now),
      expiresAt: new Date(now + 3_600_000),
      device: { userAgent: 'Mozilla/5.0 (iPhone)', ip: '203.0.113.9', fingerprint: 'f' },
    });
    const tokenHash = sha256(randomBytes(32).toString('base64url'));
    await sessions.createRefreshToken({
      id: randomUUID(),
      projectId: project.id,
      applicationId: application.id,
      identityId,
      sessionId,
      familyId: randomUUID(),
      tokenHash,
      scope: 'openid',
      amr: ['pwd'],
      authTime: new Date(now),
      expiresAt: new Date(now + 3_600_000),
      familyExpiresAt: new Date(now + 7_200_000),
    });
    return { sessionId, tokenHash };
  }

  it('requires a reason of 3 to 500 characters (after trimming) on every action', () => {
    for (const body of [{}, { reason: '' }, { reason: '  ab  ' }, { reason: 'x'.repeat(501) }, { reason: 42 }]) {
      const result = ReasonBody.safeParse(body);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['reason']);
    }
    expect(ReasonBody.parse({ reason: '  ticket 7  ' })).toEqual({ reason: 'ticket 7' });
    expect(UpdateIdentityBody.safeParse({ traits: {} }).error?.issues[0]?.path).toEqual(['reason']);
  });

  it('unlocks a locked identity (lock and failure counts cleared) and records who, as what, why and what was lifted', async () => {
    const identity = await newIdentity();
    const lockout = moduleRef.get(LockoutService);
    const policy = ProjectSettings.parse({}).lockout;
    const subject = { kind: 'identity' as const, identityId: identity.id, lockedUntil: null };
    for (let i = 0; i < policy.maxAttempts; i++)
      await (await lockout.reserve(project.id, subject, 'password', policy)).failed();
    const locked = await identities.get(project, identity.id);
    expect(locked.lockedUntil).toBeInstanceOf(Date);
    expect(await events(identity.id, 'identity.locked')).toHaveLength(1);

    const result = await helpDesk.unlock(context('caller verified by phone, ticket #1'), locked);
    expect(result).toMatchObject({ outcome: 'done', identity: { lockedUntil: null }, failedAttempts: 0 });
    expect(result.lockedUntil).toBe(locked.lockedUntil?.toISOString());
    // The next attempt is the first of a fresh series.
    const again = await lockout.reserve(project.id, { ...subject, lockedUntil: null }, 'password', policy);
    expect(await again.failed()).toEqual({ remainingAttempts: policy.maxAttempts - 1, locked: false });

    const [event] = await events(identity.id, 'admin.identity.unlock');
    expect(event).toMatchObject({
      projectId: project.id,
      actorKind: 'root',
      actorId: 'root',
      actorName: 'root token (KEYWAY_ADMIN_TOKEN)',
      targetType: 'identity',
      targetId: identity.id,
      data: {
        role: 'root',
        reason: 'caller verified by phone, ticket #1',
        outcome: 'done',
        lockedUntil: locked.lockedUntil?.toISOString(),
      },
    });
  });

  it('answers no-op (and still records it) when there is nothing to unlock; names an API key and its role', async () => {
    const identity = await newIdentity();
    const bot: AdminPrincipal = {
      kind: 'api-key',
      id: randomUUID(),
      name: 'Support bot',
      projectId: project.id,
      role: 'helpdesk',
    };
    expect(await helpDesk.unlock(context('routine check', bot), identity)).toMatchObject({ outcome: 'no-op' });
    const [event] = await events(identity.id, 'admin.identity.unlock');
    expect(event).toMatchObject({
      actorKind: 'api-key',
      actorId: bot.kind === 'api-key' ? bot.id : '',
      actorName: 'API key "Support bot"',
      data: { role: 'helpdesk', reason: 'routine check', outcome: 'no-op' },
    });
  });

  it('disables (sessions and refresh tokens revoked) and enables; a second disable is a no-op', async () => {
    const identity = await newIdentity();
    const { sessionId, tokenHash } = await signedIn(identity.id);
    const disabled = await helpDesk.disable(context(), identity);
    expect(disabled).toMatchObject({ outcome: 'done', sessionsRevoked: 1, identity: { state: 'disabled' } });
    expect((await prisma.session.findUniqueOrThrow({ where: { id: sessionId } })).revokedAt).toBeInstanceOf(Date);
    expect((await prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash } })).revokedAt).toBeInstanceOf(Date);
    expect(await helpDesk.disable(context(), await identities.get(project, identity.id))).toMatchObject({
      outcome: 'no-op',
      sessionsRevoked: 0,
    });
    expect(await helpDesk.enable(context(), identity)).toMatchObject({
      outcome: 'done',
      identity: { state: 'active' },
    });
    expect(await helpDesk.enable(context(), identity)).toMatchObject({ outcome: 'no-op' });
    expect(
      (await events(identity.id, 'admin.identity.disable')).map((e) => (e.data as { outcome: string }).outcome),
    ).toEqual(['done', 'no-op']);
  });

  it('marks one of its addresses verified, and refuses an address that is not its own, naming the field', async () => {
    const identity = await newIdentity();
    const email = (identity.traits as { email: string }).email;
    expect(await helpDesk.verifyAddress(context(), identity, email.toUpperCase())).toMatchObject({
      outcome: 'done',
      address: email,
    });
    expect((await identities.detail(identity)).verifiableAddresses).toEqual([
      expect.objectContaining({ value: email, verified: true }),
    ]);
    expect(await helpDesk.verifyAddress(context(), identity, email)).toMatchObject({ outcome: 'no-op' });
    const refused = await helpDesk.verifyAddress(context(), identity, 'someone@else.example').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(400);
    expect((refused as ApiError).fields?.[0]?.field).toBe('address');
  });

  it('mails a verification code in a flow bound to the identity; the audit event names the flow, never the code', async () => {
    const identity = await newIdentity();
    const email = (identity.traits as { email: string }).email;
    const result = await helpDesk.resendVerification(context(), identity, email, undefined);
    expect(result).toMatchObject({ outcome: 'done', address: email, flowId: expect.any(String) });
    const mail = await prisma.outboxMessage.findFirstOrThrow({ where: { projectId: project.id, toAddress: email } });
    expect(mail.kind).toBe('verification_code');
    const code = /\b(\d{6})\b/.exec(mail.text)?.[1] as string;
    const flow = await prisma.flow.findUniqueOrThrow({ where: { id: result.flowId as string } });
    expect(flow).toMatchObject({ type: 'VERIFICATION', identityId: identity.id, applicationId: application.id });
    expect(JSON.stringify(flow.stepState)).toContain(hashCode(code));
    const [event] = await events(identity.id, 'admin.identity.resend-verification');
    expect(event?.data).toMatchObject({ outcome: 'done', address: email, flowId: result.flowId });
    expect(JSON.stringify(event?.data)).not.toContain(code);
    expect(JSON.stringify(result)).not.toContain(code);

    await helpDesk.verifyAddress(context(), identity, email);
    expect(await helpDesk.resendVerification(context(), identity, email, undefined)).toMatchObject({
      outcome: 'no-op',
      flowId: null,
    });
    const notOwn = await helpDesk
      .resendVerification(context(), await newIdentity(), 'x@y.example', 'nope')
      .catch((e: unknown) => e);
    expect((notOwn as ApiError).fields?.[0]?.field).toBe('address');
  });

  it('mails a recovery code with a link to its hosted flow, waiting at the code step; the caller never sees the code', async () => {
    const identity = await newIdentity();
    const email = (identity.traits as { email: string }).email;
    const result = await helpDesk.sendRecovery(context(), identity, undefined, undefined);
    expect(result).toMatchObject({ outcome: 'done', sentTo: email });
    const mail = await prisma.outboxMessage.findFirstOrThrow({ where: { projectId: project.id, toAddress: email } });
    expect(mail.kind).toBe('recovery_code');
    expect(mail.text).toContain(`${project.issuer}/ui/recovery?flow=${result.flowId}`);
    const code = /\b(\d{6})\b/.exec(mail.text)?.[1] as string;
    const flow = await prisma.flow.findUniqueOrThrow({ where: { id: result.flowId } });
    expect(flow).toMatchObject({ type: 'RECOVERY', identityId: identity.id, stepIndex: 1, state: 'active' });
    expect(flow.authRequest).toMatchObject({ responseMode: 'query' });
    expect(JSON.stringify(flow.stepState)).toContain(hashCode(code));
    expect(JSON.stringify(result)).not.toContain(code);
    const [event] = await events(identity.id, 'admin.identity.send-recovery');
    expect(event?.data).toMatchObject({ outcome: 'done', sentTo: email, flowId: result.flowId });
    expect(JSON.stringify(event?.data)).not.toContain(code);

    const other = await helpDesk
      .sendRecovery(context(), identity, 'not-mine@example.com', undefined)
      .catch((e: unknown) => e);
    expect((other as ApiError).fields?.[0]?.field).toBe('address');
    const badClient = await helpDesk
      .sendRecovery(context(), identity, undefined, 'no-such-client')
      .catch((e: unknown) => e);
    expect((badClient as ApiError).fields?.[0]?.field).toBe('clientId');
  });

  it('removes TOTP and backup codes (then no-ops), and passkeys by id; the detail shows metadata, never secrets', async () => {
    const identity = await newIdentity({}, true);
    await moduleRef.get(BackupCodesService).generate(identity.id, 8);
    const passkeyId = randomBytes(16).toString('base64url');
    // A stored passkey as a registration leaves it (its key is never checked here: it is only listed and removed).
    await prisma.credential.create({
      data: {
        identityId: identity.id,
        type: 'webauthn',
        config: {
          userHandle: randomBytes(16).toString('base64url'),
          passkeys: [
            {
              id: passkeyId,
              publicKey: randomBytes(32).toString('base64url'),
              counter: 0,
              transports: ['internal'],
              deviceType: 'multiDevice',
              backedUp: true,
              aaguid: randomUUID(),
              name: 'Ada’s phone',
              createdAt: new Date().toISOString(),
            },
          ],
        },
        identifiers: { create: { projectId: project.id, type: 'webauthn', identifier: passkeyId } },
      },
    });

    const detail = await identities.detail(identity);
    const stored = await prisma.credential.findMany({ where: { identityId: identity.id } });
    const serialised = JSON.stringify(detail);
    for (const credential of stored) if (credential.secret) expect(serialised).not.toContain(credential.secret);
    expect(serialised).not.toContain(TOTP_SECRET);
    expect(detail.credentials).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'password', hashAlgorithm: 'argon2id', createdAt: expect.any(String) }),
        expect.objectContaining({ type: 'totp', confirmed: true, lastUsedAt: null }),
        expect.objectContaining({ type: 'backup_codes', remaining: 8 }),
        expect.objectContaining({
          type: 'webauthn',
          passkeys: [expect.objectContaining({ id: passkeyId, name: 'Ada’s phone', backedUp: true })],
        }),
      ]),
    );

    expect(await helpDesk.removeTotp(context(), identity)).toMatchObject({ outcome: 'done' });
    expect(await helpDesk.removeTotp(context(), identity)).toMatchObject({ outcome: 'no-op' });
    expect(await helpDesk.removeBackupCodes(context(), identity)).toMatchObject({ outcome: 'done', removed: 8 });
    expect(await helpDesk.removeBackupCodes(context(), identity)).toMatchObject({ outcome: 'no-op', removed: 0 });
    expect(await helpDesk.removePasskey(context(), identity, 'unknown')).toMatchObject({ outcome: 'no-op' });
    expect(await helpDesk.removePasskey(context(), identity, passkeyId)).toMatchObject({ outcome: 'done' });
    expect((await identities.detail(identity)).credentials.map(({ type }) => type).sort()).toEqual([
      'password',
      'webauthn',
    ]);
    expect(await prisma.credentialIdentifier.count({ where: { identifier: passkeyId } })).toBe(0);
    const [removed] = (await events(identity.id, 'admin.identity.remove-passkey')).slice(-1);
    expect(removed?.data).toMatchObject({ outcome: 'done', passkeyId, name: 'Ada’s phone' });
  });

  it('revokes every session, or one (404 for a session that is not the identity’s)', async () => {
    const identity = await newIdentity();
    const first = await signedIn(identity.id);
    const second = await signedIn(identity.id);
    expect(await helpDesk.revokeSession(context(), identity, first.sessionId)).toMatchObject({ outcome: 'done' });
    expect(await helpDesk.revokeSession(context(), identity, first.sessionId)).toMatchObject({ outcome: 'no-op' });
    expect(
      (await prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash: first.tokenHash } })).revokedAt,
    ).not.toBeNull();
    expect(
      (await prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash: second.tokenHash } })).revokedAt,
    ).toBeNull();
    const foreign = await helpDesk
      .revokeSession(context(), await newIdentity(), second.sessionId)
      .catch((e: unknown) => e);
    expect((foreign as ApiError).status).toBe(404);
    expect(await helpDesk.revokeSessions(context(), identity)).toMatchObject({ outcome: 'done', sessionsRevoked: 1 });
    expect(await helpDesk.revokeSessions(context(), identity)).toMatchObject({ outcome: 'no-op', sessionsRevoked: 0 });
  });

  it('replaces traits (identifiers follow; the diff is audited), refuses taken values naming the field, no-ops on equal traits', async () => {
    const identity = await newIdentity();
    const email = (identity.traits as { email: string }).email;
    const renamed = `${randomBytes(5).toString('hex')}@example.com`;
    const result = await helpDesk.update(context(), identity, { email: renamed, name: 'Ada King' });
    expect(result).toMatchObject({ outcome: 'done', identity: { traits: { email: renamed, name: 'Ada King' } } });
    expect(
      await prisma.credentialIdentifier.findMany({
        where: { projectId: project.id, identifier: { in: [email, renamed] } },
      }),
    ).toEqual([expect.objectContaining({ identifier: renamed })]);
    const [event] = await events(identity.id, 'admin.identity.updated');
    expect(event?.data).toMatchObject({
      outcome: 'done',
      changes: {
        'traits.email': { before: email, after: renamed },
        'traits.name': { before: 'Ada Lovelace', after: 'Ada King' },
      },
    });

    const other = await newIdentity();
    const updated = await identities.get(project, identity.id);
    const taken = await helpDesk
      .update(context(), updated, { email: (other.traits as { email: string }).email })
      .catch((e: unknown) => e);
    expect(taken).toMatchObject({ status: 409, fields: [expect.objectContaining({ field: 'traits.email' })] });
    const invalid = await helpDesk.update(context(), updated, { email: 'not an address' }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 400 });
    expect(await helpDesk.update(context(), updated, { email: renamed, name: 'Ada King' })).toMatchObject({
      outcome: 'no-op',
    });
  });

  it('deletes an identity with its credentials, sessions and refresh tokens; the event keeps the id, not the traits', async () => {
    const identity = await newIdentity({}, true);
    const { tokenHash } = await signedIn(identity.id);
    expect(await helpDesk.delete(context('GDPR erasure request'), identity)).toEqual({
      outcome: 'done',
      id: identity.id,
    });
    expect(await prisma.identity.count({ where: { id: identity.id } })).toBe(0);
    expect(await prisma.credential.count({ where: { identityId: identity.id } })).toBe(0);
    expect(await prisma.session.count({ where: { identityId: identity.id } })).toBe(0);
    expect(await prisma.refreshToken.count({ where: { tokenHash } })).toBe(0);
    const [event] = await events(identity.id, 'admin.identity.deleted');
    expect(event?.data).toMatchObject({ reason: 'GDPR erasure request', outcome: 'done' });
    expect(JSON.stringify(event?.data)).not.toContain((identity.traits as { email: string }).email);
  });

  it('searches by identifier prefix, trait value and id, filters by state and pages newest first', async () => {
    const tag = randomBytes(4).toString('hex');
    const made = [];
    for (let i = 0; i < 5; i++)
      made.push(await newIdentity({ email: `${tag}-${i}@example.com`, name: `Grace ${tag.toUpperCase()} ${i}` }));
    await helpDesk.disable(context(), made[1] as (typeof made)[number]);

    const byPrefix = await identities.search(project.id, { q: `${tag.toUpperCase()}-`, limit: 2 });
    expect(byPrefix.items.map((item) => (item.traits as { email: string }).email)).toEqual([
      `${tag}-4@example.com`,
      `${tag}-3@example.com`,
    ]);
    const rest = await identities.search(project.id, { q: `${tag}-`, limit: 2, cursor: byPrefix.nextCursor as string });
    const last = await identities.search(project.id, { q: `${tag}-`, limit: 2, cursor: rest.nextCursor as string });
    expect([...rest.items, ...last.items].map((item) => item.id)).toEqual(
      [made[2], made[1], made[0]].map((m) => m?.id),
    );
    expect(last.nextCursor).toBeNull();

    expect((await identities.search(project.id, { q: `grace ${tag}`, limit: 25 })).items).toHaveLength(5);
    expect((await identities.search(project.id, { q: made[3]?.id, limit: 25 })).items.map((i) => i.id)).toEqual([
      made[3]?.id,
    ]);
    expect(
      (await identities.search(project.id, { q: `${tag}-`, state: 'disabled', limit: 25 })).items.map((i) => i.id),
    ).toEqual([made[1]?.id]);
    // LIKE wildcards are literal characters here.
    expect((await identities.search(project.id, { q: `${tag}_%`, limit: 25 })).items).toHaveLength(0);
    const bad = await identities.search(project.id, { limit: 25, cursor: 'not-a-cursor' }).catch((e: unknown) => e);
    expect((bad as ApiError).fields?.[0]?.field).toBe('cursor');
  });

  describe('on the console project', () => {
    it('lets only an instance owner act on an instance owner’s account', async () => {
      const system = await moduleRef.get(SystemProjectService).ensure();
      const access = moduleRef.get(AccessRepository);
      const newConsoleUser = async (role: string) => {
        const user = await identities.create(
          system.project.id,
          { email: `${randomBytes(5).toString('hex')}@example.com` },
          { password: { value: PASSWORD } },
        );
        await access.upsertMembership(undefined, system.project.id, user.id, role);
        return user;
      };
      const owner = await newConsoleUser('owner');
      const agent = await newConsoleUser('helpdesk');
      const asAgent: ActionContext = {
        project: system.project,
        principal: { kind: 'console-user', identityId: agent.id, email: 'agent@example.com' },
        reason: 'ticket #7',
      };
      await expect(helpDesk.assertMayActOn(asAgent, owner)).rejects.toMatchObject({ code: 'KW-40300' });
      // Another console user's account is the agent's to help with; an owner may act on any.
      await expect(helpDesk.assertMayActOn(asAgent, agent)).resolves.toBeUndefined();
      const asOwner: ActionContext = {
        ...asAgent,
        principal: { kind: 'console-user', identityId: owner.id, email: 'owner@example.com' },
      };
      await expect(helpDesk.assertMayActOn(asOwner, owner)).resolves.toBeUndefined();
      await expect(helpDesk.assertMayActOn({ ...asAgent, principal: ROOT }, owner)).resolves.toBeUndefined();
      // In any other project, being an owner of the console changes nothing.
      await expect(helpDesk.assertMayActOn(context(), await newIdentity())).resolves.toBeUndefined();
    });
  });
});
