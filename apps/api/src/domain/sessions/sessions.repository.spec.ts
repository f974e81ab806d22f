import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../infra/database/database';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import { SessionsRepository } from './sessions.repository';

// What the admin API does with sessions, on both databases: list an identity's, revoke one or all, each with
// the refresh tokens issued in it, and nobody else's.

jest.setTimeout(120_000);

describe.each(['pglite', 'postgres'] as const)('SessionsRepository (admin) on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let sessions: SessionsRepository;
  let projectId: string;
  let applicationId: string;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    db = scratch.db;
    sessions = new SessionsRepository(db.prisma, db.sql);
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

  const newIdentity = async () =>
    (await db.prisma.identity.create({ data: { projectId, traits: { email: `${randomUUID()}@example.com` } } })).id;

  /** A session with one live refresh token; returns their ids. */
  async function session(identityId: string, createdAt: Date): Promise<{ id: string; tokenId: string }> {
    const id = randomUUID();
    await sessions.create(undefined, {
      id,
      projectId,
      identityId,
      amr: ['pwd'],
      authTime: createdAt,
      expiresAt: new Date(createdAt.getTime() + 3_600_000),
    });
    await db.prisma.session.update({ where: { id }, data: { createdAt } });
    const tokenId = randomUUID();
    expect(
      await sessions.createRefreshToken({
        id: tokenId,
        projectId,
        applicationId,
        identityId,
        sessionId: id,
        familyId: randomUUID(),
        tokenHash: randomBytes(32).toString('hex'),
        scope: 'openid',
        amr: ['pwd'],
        authTime: createdAt,
        expiresAt: new Date(createdAt.getTime() + 3_600_000),
        familyExpiresAt: new Date(createdAt.getTime() + 7_200_000),
      }),
    ).toBe(true);
    return { id, tokenId };
  }
  const tokenRevoked = async (id: string) =>
    (await db.prisma.refreshToken.findUniqueOrThrow({ where: { id } })).revokedAt !== null;

  it('lists an identity’s sessions newest first, at most `take`', async () => {
    const identityId = await newIdentity();
    const now = Date.now();
    const older = await session(identityId, new Date(now - 60_000));
    const newer = await session(identityId, new Date(now));
    await session(await newIdentity(), new Date(now));
    expect((await sessions.listForIdentity(identityId, 10)).map((row) => row.id)).toEqual([newer.id, older.id]);
    expect((await sessions.listForIdentity(identityId, 1)).map((row) => row.id)).toEqual([newer.id]);
    expect((await sessions.findOfIdentity(identityId, older.id))?.id).toBe(older.id);
    expect(await sessions.findOfIdentity(await newIdentity(), older.id)).toBeUndefined();
  });

  it('revokes one session with its refresh tokens, only the identity’s own and only once', async () => {
    const identityId = await newIdentity();
    const one = await session(identityId, new Date());
    const two = await session(identityId, new Date());
    expect(await sessions.revokeOne(await newIdentity(), one.id)).toBe(false);
    expect(await tokenRevoked(one.tokenId)).toBe(false);
    expect(await sessions.revokeOne(identityId, one.id)).toBe(true);
    expect(await sessions.revokeOne(identityId, one.id)).toBe(false);
    expect(await tokenRevoked(one.tokenId)).toBe(true);
    expect(await tokenRevoked(two.tokenId)).toBe(false);
    expect(await sessions.isActive(two.id)).toBe(true);
  });

  it('revokes every session and refresh token of the identity in a transaction of its own', async () => {
    const identityId = await newIdentity();
    const made = [await session(identityId, new Date()), await session(identityId, new Date())];
    const bystander = await session(await newIdentity(), new Date());
    expect(await sessions.revokeAll(undefined, identityId)).toBe(2);
    expect(await sessions.revokeAll(undefined, identityId)).toBe(0);
    for (const { tokenId } of made) expect(await tokenRevoked(tokenId)).toBe(true);
    expect(await tokenRevoked(bystander.tokenId)).toBe(false);
  });

  describe('rotating refresh tokens (the token endpoint)', () => {
    const client = () => ({ projectId, applicationId });
    async function liveToken(expiresInMs = 3_600_000) {
      const identityId = await newIdentity();
      const { id: sessionId } = await session(identityId, new Date());
      const hash = randomBytes(32).toString('hex');
      const id = randomUUID();
      await sessions.createRefreshToken({
        id,
        projectId,
        applicationId,
        identityId,
        sessionId,
        familyId: randomUUID(),
        tokenHash: hash,
        scope: 'openid offline_access',
        amr: ['pwd'],
        authTime: new Date(),
        expiresAt: new Date(Date.now() + expiresInMs),
        familyExpiresAt: new Date(Date.now() + 7_200_000),
      });
      return { id, hash, sessionId };
    }
    const successor = (idleMs = 60_000) => ({
      id: randomUUID(),
      tokenHash: randomBytes(32).toString('hex'),
      idleExpiresAt: new Date(Date.now() + idleMs),
    });

    it('spends the token and stores its successor in the family, once under concurrent use', async () => {
      const token = await liveToken();
      const successors = [successor(), successor(), successor()];
      const rotations = await Promise.all(
        successors.map((next) => sessions.rotateRefreshToken(token.hash, client(), next, new Date())),
      );
      const won = rotations.filter((rotation) => rotation !== undefined);
      expect(won).toHaveLength(1);
      expect(won[0]).toMatchObject({ id: token.id, scope: 'openid offline_access', successorStored: true });
      const stored = await db.prisma.refreshToken.findMany({
        where: { id: { in: successors.map((next) => next.id) } },
      });
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ familyId: won[0]!.familyId, sessionId: token.sessionId, rotatedAt: null });
    });

    it("caps the successor's idle expiry by the family's, and issues none for an expired token", async () => {
      const token = await liveToken();
      const next = successor(24 * 3_600_000);
      await sessions.rotateRefreshToken(token.hash, client(), next, new Date());
      const stored = await db.prisma.refreshToken.findUniqueOrThrow({ where: { id: next.id } });
      expect(stored.expiresAt.getTime()).toBe(stored.familyExpiresAt.getTime());

      const expired = await liveToken(-1_000);
      const late = successor();
      expect(await sessions.rotateRefreshToken(expired.hash, client(), late, new Date())).toMatchObject({
        successorStored: false,
      });
      expect(await db.prisma.refreshToken.count({ where: { id: late.id } })).toBe(0);
    });

    it('spends nothing for another client, nor for a revoked session; undoing removes the successor', async () => {
      const token = await liveToken();
      const other = { projectId, applicationId: randomUUID() };
      expect(await sessions.rotateRefreshToken(token.hash, other, successor(), new Date())).toBeUndefined();
      const next = successor();
      expect(await sessions.rotateRefreshToken(token.hash, client(), next, new Date())).toBeDefined();
      await sessions.unrotateRefreshToken(token.id, next.id);
      expect(await db.prisma.refreshToken.count({ where: { id: next.id } })).toBe(0);
      expect((await db.prisma.refreshToken.findUniqueOrThrow({ where: { id: token.id } })).rotatedAt).toBeNull();

      await db.prisma.session.update({ where: { id: token.sessionId }, data: { revokedAt: new Date() } });
      expect(await sessions.rotateRefreshToken(token.hash, client(), successor(), new Date())).toBeUndefined();
    });
  });
});
