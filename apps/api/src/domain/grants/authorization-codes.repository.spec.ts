import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../infra/database/database';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import { SessionsRepository } from '../sessions/sessions.repository';
import { AuthorizationCodesRepository, type NewSessionAndCode } from './authorization-codes.repository';

// The login's authorization code on both databases: stored with its session (in the after-flow hooks'
// transaction when there are some), and consumed once, as the row Prisma reads.

jest.setTimeout(120_000);

describe.each(['pglite', 'postgres'] as const)('AuthorizationCodesRepository on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let codes: AuthorizationCodesRepository;
  let projectId: string;
  let applicationId: string;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    db = scratch.db;
    codes = new AuthorizationCodesRepository(db.prisma, new SessionsRepository(db.prisma, db.sql), db.sql);
    projectId = (await db.prisma.project.create({ data: { slug: `p${randomBytes(4).toString('hex')}`, name: 'P' } }))
      .id;
    applicationId = (
      await db.prisma.application.create({
        data: {
          projectId,
          clientId: `c${randomBytes(4).toString('hex')}`,
          name: 'A',
          type: 'public',
          redirectUris: [],
          grantTypes: [],
        },
      })
    ).id;
  });

  afterAll(() => scratch?.dispose());

  async function input(overrides: Partial<NewSessionAndCode> = {}): Promise<NewSessionAndCode> {
    const identityId = (
      await db.prisma.identity.create({ data: { projectId, traits: { email: `${randomUUID()}@example.com` } } })
    ).id;
    const now = Date.now();
    return {
      sessionId: randomUUID(),
      projectId,
      applicationId,
      identityId,
      amr: ['pwd', 'otp'],
      authTime: new Date(now - 1_234),
      sessionExpiresAt: new Date(now + 3_600_000),
      codeHash: randomBytes(32).toString('hex'),
      codeExpiresAt: new Date(now + 60_000),
      redirectUri: 'https://app.example.com/callback',
      scope: 'openid email',
      nonce: 'n-0S6_WzA2Mj',
      codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      codeChallengeMethod: 'S256',
      ...overrides,
    };
  }

  it('stores the code with its session, and consumes it once, returning the row as stored', async () => {
    const made = await input();
    await codes.createWithSession(made);
    const stored = await codes.findByHash(made.codeHash);
    expect(stored).toMatchObject({
      projectId,
      applicationId,
      identityId: made.identityId,
      sessionId: made.sessionId,
      amr: ['pwd', 'otp'],
      authTime: made.authTime,
      expiresAt: made.codeExpiresAt,
      redirectUri: made.redirectUri,
      scope: made.scope,
      nonce: made.nonce,
      codeChallenge: made.codeChallenge,
      codeChallengeMethod: 'S256',
      consumedAt: null,
    });
    expect(stored?.createdAt).toBeInstanceOf(Date);
    expect(await db.prisma.session.count({ where: { id: made.sessionId } })).toBe(1);

    const now = new Date();
    const consumed = await codes.consume(made.codeHash, now);
    expect(consumed).toEqual({ ...stored, consumedAt: now });
    expect(Object.keys(consumed ?? {}).sort()).toEqual(Object.keys(stored ?? {}).sort());
    expect(await codes.findByHash(made.codeHash)).toEqual(consumed);
    // Single use: a used code, and an unknown one, give nothing.
    expect(await codes.consume(made.codeHash, new Date())).toBeUndefined();
    expect(await codes.consume(randomBytes(32).toString('hex'), new Date())).toBeUndefined();
  });

  it('stores the absent optional parameters as null', async () => {
    const made = await input({
      redirectUri: undefined,
      nonce: undefined,
      codeChallenge: undefined,
      codeChallengeMethod: undefined,
    });
    await codes.createWithSession(made);
    expect(await codes.consume(made.codeHash, new Date())).toMatchObject({
      redirectUri: null,
      nonce: null,
      codeChallenge: null,
      codeChallengeMethod: null,
    });
  });

  it('writes the session and code in the hooks’ transaction: all or nothing', async () => {
    const failed = await input();
    await expect(
      codes.createWithSession(failed, async () => {
        throw new Error('hook failed');
      }),
    ).rejects.toThrow('hook failed');
    expect(await codes.findByHash(failed.codeHash)).toBeNull();
    expect(await db.prisma.session.count({ where: { id: failed.sessionId } })).toBe(0);

    const made = await input();
    const outcome: { codesSeen?: number } = {};
    await codes.createWithSession(made, async (tx) => {
      outcome.codesSeen = await tx.authorizationCode.count({ where: { codeHash: made.codeHash } });
    });
    expect(outcome.codesSeen).toBe(1);
    expect((await codes.consume(made.codeHash, new Date()))?.sessionId).toBe(made.sessionId);
  });
});
