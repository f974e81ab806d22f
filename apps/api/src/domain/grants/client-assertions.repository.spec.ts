import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../infra/database/database';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import { ClientAssertionsRepository } from './client-assertions.repository';

// The single-use record of client assertion jtis (RFC 7523 §3), on both databases: the first use wins, also
// when two arrive at once; an expired record frees its jti; purging drops only expired records.

jest.setTimeout(120_000);

describe.each(['pglite', 'postgres'] as const)('ClientAssertionsRepository on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let assertions: ClientAssertionsRepository;
  let applicationId: string;
  let otherApplicationId: string;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    db = scratch.db;
    assertions = new ClientAssertionsRepository(db.prisma);
    const projectId = (
      await db.prisma.project.create({ data: { slug: `p${randomBytes(4).toString('hex')}`, name: 'P' } })
    ).id;
    const application = () =>
      db.prisma.application.create({
        data: {
          projectId,
          clientId: `c${randomBytes(4).toString('hex')}`,
          name: 'A',
          type: 'confidential',
          tokenEndpointAuthMethod: 'private_key_jwt',
          redirectUris: [],
          grantTypes: [],
        },
      });
    applicationId = (await application()).id;
    otherApplicationId = (await application()).id;
  });

  afterAll(() => scratch?.dispose());

  const now = new Date();
  const later = new Date(now.getTime() + 60_000);

  it('records a jti once: its replay is refused', async () => {
    const jti = randomUUID();
    expect(await assertions.recordFirstUse(applicationId, jti, later, now)).toBe(true);
    expect(await assertions.recordFirstUse(applicationId, jti, later, now)).toBe(false);
  });

  it('keeps jtis per client: another client may use the same value', async () => {
    const jti = randomUUID();
    expect(await assertions.recordFirstUse(applicationId, jti, later, now)).toBe(true);
    expect(await assertions.recordFirstUse(otherApplicationId, jti, later, now)).toBe(true);
  });

  it('lets exactly one of concurrent first uses win', async () => {
    const jti = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => assertions.recordFirstUse(applicationId, jti, later, now)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('frees a jti whose record has expired', async () => {
    const jti = randomUUID();
    const past = new Date(now.getTime() - 1_000);
    expect(await assertions.recordFirstUse(applicationId, jti, past, new Date(now.getTime() - 60_000))).toBe(true);
    expect(await assertions.recordFirstUse(applicationId, jti, later, now)).toBe(true);
    expect(await assertions.recordFirstUse(applicationId, jti, later, now)).toBe(false);
  });

  it('purges expired records only', async () => {
    const expired = randomUUID();
    const live = randomUUID();
    await assertions.recordFirstUse(applicationId, expired, new Date(now.getTime() - 1_000), now);
    await assertions.recordFirstUse(applicationId, live, later, now);
    expect(await assertions.purgeExpired(now)).toBeGreaterThanOrEqual(1);
    const left = await db.prisma.clientAssertion.findMany({ where: { jti: { in: [expired, live] } } });
    expect(left.map((row) => row.jti)).toEqual([live]);
  });
});
