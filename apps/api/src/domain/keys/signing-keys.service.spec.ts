import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, type JWK } from 'jose';
import type { KeywayConfig } from '../../infra/config/config';
import { SecretBox } from '../../infra/crypto/secret-box';
import type { Database } from '../../infra/database/database';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import { ApiError } from '../../infra/http/errors';
import { SIGNING_ALGS, type SigningAlg } from './signing-key-lifecycle';
import { SigningKeysRepository } from './signing-keys.repository';
import { SigningKeysService } from './signing-keys.service';

// Key rotation on both databases: what is published and what signs at each instant (time moved by passing `now`),
// and the invariant (one active, one next key per alg) under concurrent rotations and key creation.

jest.setTimeout(120_000);

const JWKS_MAX_AGE = 300;
/** A next key may sign 330 s after it was made (30 s replica refresh + 300 s JWKS max-age). */
const PUBLICATION = 330_000;
const LIFETIMES = { idTokenTtlSeconds: 3600, accessTokenTtlSeconds: 900 };

describe.each(['pglite', 'postgres'] as const)('SigningKeysService on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let secretBox: SecretBox;
  let repository: SigningKeysRepository;
  let keys: SigningKeysService;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    db = scratch.db;
    secretBox = new SecretBox({ secretKey: randomBytes(32) } as unknown as KeywayConfig);
    repository = new SigningKeysRepository(db.prisma);
    keys = newService();
  });
  afterAll(() => scratch?.dispose());

  /** Another API process on the same database (its own caches). */
  const newService = () => new SigningKeysService(repository, secretBox, { jwksMaxAgeSeconds: JWKS_MAX_AGE });
  const later = (from: Date, ms: number) => new Date(from.getTime() + ms);

  async function newProject(createdAt: Date): Promise<string> {
    const project = await db.prisma.project.create({ data: { slug: `p${randomBytes(4).toString('hex')}`, name: 'P' } });
    await keys.ensureKeys(project.id, createdAt);
    return project.id;
  }
  const byStatus = async (projectId: string, alg: SigningAlg) =>
    (await keys.list(projectId, new Date(0)))
      .filter((key) => key.alg === alg)
      .map((key) => key.status)
      .sort();
  const kids = (jwks: { keys: JWK[] }) => jwks.keys.map((key) => key.kid);
  const sign = async (projectId: string, alg: SigningAlg, now: Date) => {
    const key = await keys.signingKey(projectId, alg, now);
    return new SignJWT({}).setProtectedHeader({ alg, kid: key.kid }).sign(key.privateKey);
  };

  it('gives a new project an active and a next key per alg, all published, no private material', async () => {
    const created = new Date();
    const projectId = await newProject(created);
    for (const alg of SIGNING_ALGS) expect(await byStatus(projectId, alg)).toEqual(['active', 'next']);
    const jwks = await keys.jwks(projectId, created);
    expect(jwks.keys.map((key) => key.alg).sort()).toEqual(['ES256', 'ES256', 'EdDSA', 'EdDSA', 'RS256', 'RS256']);
    expect(jwks.keys.find((key) => key.alg === 'EdDSA')).toMatchObject({ kty: 'OKP', crv: 'Ed25519', use: 'sig' });
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d');
  });

  it('signs with the active key, imported once: the same key object after the rows are read again', async () => {
    const created = new Date();
    const projectId = await newProject(created);
    const first = await keys.signingKey(projectId, 'EdDSA', created);
    const afterRefresh = await keys.signingKey(projectId, 'EdDSA', later(created, 60_000));
    expect(afterRefresh.privateKey).toBe(first.privateKey);
    const active = (await keys.list(projectId, created)).find((key) => key.alg === 'EdDSA' && key.status === 'active');
    expect(first.kid).toBe(active?.kid);
  });

  it('refuses to activate a next key published for less than the JWKS cache lifetime (409), nothing changed', async () => {
    const created = new Date();
    const projectId = await newProject(created);
    const before = await keys.list(projectId, created);
    const refusal = keys.rotate(projectId, ['RS256'], LIFETIMES, later(created, PUBLICATION - 1000));
    await expect(refusal).rejects.toBeInstanceOf(ApiError);
    await expect(refusal).rejects.toMatchObject({ status: 409 });
    expect(await keys.list(projectId, created)).toEqual(before);
  });

  it('rotates: the next key signs, the old one is published until every token it signed has expired, then leaves', async () => {
    const created = new Date();
    const projectId = await newProject(created);
    const oldActive = (await keys.signingKey(projectId, 'RS256', created)).kid;
    const oldNext = (await keys.list(projectId, created)).find((k) => k.alg === 'RS256' && k.status === 'next')!.kid;
    const signedBefore = await sign(projectId, 'RS256', created);
    // The next key is published before it ever signs.
    expect(kids(await keys.jwks(projectId, created))).toContain(oldNext);

    const rotatedAt = later(created, PUBLICATION);
    const listed = await keys.rotate(projectId, ['RS256'], LIFETIMES, rotatedAt);
    const rs256 = listed.filter((key) => key.alg === 'RS256');
    // Retires after the id token lifetime (the longer one) plus one replica refresh.
    const retiresAt = later(rotatedAt, (3600 + 30) * 1000);
    expect(rs256.find((key) => key.kid === oldActive)).toMatchObject({ status: 'retiring', retiresAt });
    expect(rs256.find((key) => key.kid === oldNext)).toMatchObject({ status: 'active', activatedAt: rotatedAt });
    const newNext = rs256.find((key) => key.status === 'next')!;
    expect(newNext.createdAt).toEqual(rotatedAt);
    // Other algs are untouched.
    expect(await byStatus(projectId, 'ES256')).toEqual(['active', 'next']);

    // This process signs with the new key at once; the old key's token still verifies against the JWKS.
    expect((await keys.signingKey(projectId, 'RS256', rotatedAt)).kid).toBe(oldNext);
    const jwks = await keys.jwks(projectId, rotatedAt);
    expect(kids(jwks)).toEqual(expect.arrayContaining([oldActive, oldNext, newNext.kid]));
    await expect(jwtVerify(signedBefore, createLocalJWKSet(jwks))).resolves.toBeDefined();
    await expect(jwtVerify(signedBefore, await keys.verificationKeys(projectId, rotatedAt))).resolves.toBeDefined();

    // At retiresAt it leaves the JWKS (and the admin list), without any write.
    expect(kids(await keys.jwks(projectId, later(retiresAt, -1)))).toContain(oldActive);
    expect(kids(await keys.jwks(projectId, retiresAt))).not.toContain(oldActive);
    expect((await keys.list(projectId, retiresAt)).map((key) => key.kid)).not.toContain(oldActive);
    await expect(jwtVerify(signedBefore, await keys.verificationKeys(projectId, retiresAt))).rejects.toThrow();

    // The next rotation deletes it.
    await keys.rotate(projectId, ['RS256'], LIFETIMES, later(retiresAt, PUBLICATION));
    expect(await db.prisma.signingKey.count({ where: { projectId, kid: oldActive } })).toBe(0);
  });

  it('another process sees a rotation within one refresh, and meanwhile signs with a key still published', async () => {
    const created = new Date();
    const projectId = await newProject(created);
    const other = newService();
    const before = await other.signingKey(projectId, 'ES256', created);
    const rotatedAt = later(created, PUBLICATION);
    await keys.rotate(projectId, ['ES256'], LIFETIMES, rotatedAt);
    const stale = await other.signingKey(projectId, 'ES256', later(created, 29_000));
    expect(stale.kid).toBe(before.kid);
    expect(kids(await keys.jwks(projectId, rotatedAt))).toContain(stale.kid);
    const fresh = await other.signingKey(projectId, 'ES256', later(rotatedAt, 30_000));
    expect(fresh.kid).toBe((await keys.signingKey(projectId, 'ES256', rotatedAt)).kid);
    expect(fresh.kid).not.toBe(before.kid);
  });

  it('rotates every alg at once when none is named', async () => {
    const created = new Date();
    const projectId = await newProject(created);
    const before = await keys.list(projectId, created);
    const after = await keys.rotate(projectId, [], LIFETIMES, later(created, PUBLICATION));
    for (const alg of SIGNING_ALGS) {
      const was = (status: string) => before.find((key) => key.alg === alg && key.status === status)!.kid;
      const is = (kid: string) => after.find((key) => key.kid === kid)?.status;
      expect([is(was('active')), is(was('next'))]).toEqual(['retiring', 'active']);
    }
  });

  it('lets exactly one of two concurrent rotations win; the other is a 409 and the invariant holds', async () => {
    const created = new Date();
    const projectId = await newProject(created);
    const rotatedAt = later(created, PUBLICATION);
    // Two processes, so neither sees the other's work through a cache.
    const outcomes = await Promise.allSettled([
      keys.rotate(projectId, [], LIFETIMES, rotatedAt),
      newService().rotate(projectId, [], LIFETIMES, rotatedAt),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected');
    expect(refused?.reason).toMatchObject({ status: 409 });
    for (const alg of SIGNING_ALGS) expect(await byStatus(projectId, alg)).toEqual(['active', 'next', 'retiring']);
  });

  it('repository: of two rotations against the same keys, only the first applies', async () => {
    const created = new Date();
    const projectId = await newProject(created);
    const rows = await repository.list(projectId);
    const of = (status: string) => rows.find((row) => row.alg === 'ES256' && row.status === status)!.id;
    const rotation = async () => ({
      alg: 'ES256' as const,
      activeId: of('active'),
      nextId: of('next'),
      newNext: {
        kid: randomBytes(8).toString('hex'),
        alg: 'ES256' as const,
        status: 'next' as const,
        publicJwk: { kty: 'EC' },
        privateJwkEncrypted: 'sealed',
      },
    });
    const retires = later(created, 3_600_000);
    const applied = await Promise.all([
      repository.rotate(projectId, [await rotation()], created, retires),
      repository.rotate(projectId, [await rotation()], created, retires),
    ]);
    expect(applied.sort()).toEqual([false, true]);
    expect(await byStatus(projectId, 'ES256')).toEqual(['active', 'next', 'retiring']);
  });

  it('fills a project’s missing keys once, even when two processes do it at the same time', async () => {
    const project = await db.prisma.project.create({ data: { slug: `p${randomBytes(4).toString('hex')}`, name: 'P' } });
    const now = new Date();
    await Promise.all([keys.ensureKeys(project.id, now), newService().ensureKeys(project.id, now)]);
    for (const alg of SIGNING_ALGS) expect(await byStatus(project.id, alg)).toEqual(['active', 'next']);
  });

  it('gives a project made before EdDSA and rotation existed its missing keys on first use', async () => {
    const created = new Date();
    const projectId = await newProject(created);
    // As the migration left an older project: one active RS256 and ES256 key, nothing else.
    await db.prisma.signingKey.deleteMany({ where: { projectId, OR: [{ alg: 'EdDSA' }, { status: 'next' }] } });
    const fresh = newService();
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: (await fresh.signingKey(projectId, 'EdDSA', created)).kid })
      .sign((await fresh.signingKey(projectId, 'EdDSA', created)).privateKey);
    expect(decodeProtectedHeader(token).alg).toBe('EdDSA');
    for (const alg of SIGNING_ALGS) expect(await byStatus(projectId, alg)).toEqual(['active', 'next']);
  });
});
