import { randomUUID } from 'node:crypto';
import { preparedStatement } from './prepared-sql';
import { openScratchDatabase, postgresAdminQuery, type ScratchDatabase } from './scratch-database.testing';

const ECHO = preparedStatement<{ at: Date; id: string; amr: string[]; data: { a: number }; n: number; t: string }>(
  'test.echo',
  `SELECT $1::timestamptz AS at, $2::uuid AS id, $3::text[] AS amr, $4::jsonb AS data, $5::int AS n,
          to_char($1::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS t`,
);

describe.each(['pglite', 'postgres'] as const)('PreparedSql on %s', (kind) => {
  let scratch: ScratchDatabase;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    // A server whose default zone is far from UTC: a timestamp written or read in that zone would be hours off.
    // (The embedded PGlite is only ever in UTC.)
    if (scratch.url) {
      const name = new URL(scratch.url).pathname.slice(1);
      await postgresAdminQuery(`ALTER DATABASE "${name}" SET timezone = 'America/New_York'`);
    }
  });

  afterAll(async () => {
    await scratch.dispose();
  });

  const values = () => {
    const at = new Date('2026-11-29T10:15:30.123Z');
    return { at, id: randomUUID(), row: [at, randomUUID(), ['pwd', 'otp'], JSON.stringify({ a: 1 }), 7] as const };
  };

  it('passes and reads timestamps as the same instant whatever the server’s zone, and types as Prisma does', async () => {
    const { at, row } = values();
    const [echoed] = await scratch.db.sql.query(ECHO, row);
    expect(echoed).toEqual({
      at,
      id: row[1],
      amr: ['pwd', 'otp'],
      data: { a: 1 },
      n: 7,
      t: '2026-11-29T10:15:30.123',
    });
  });

  it('returns the same row inside a Prisma transaction (Prisma reads timestamps right: connections run in UTC)', async () => {
    const { row } = values();
    const [outside] = await scratch.db.sql.query(ECHO, row);
    const [inside] = await scratch.db.prisma.$transaction((tx) => scratch.db.sql.query(ECHO, row, tx));
    expect(inside).toEqual(outside);
  });

  it('writes in the caller’s transaction: a rollback takes the statement’s write with it', async () => {
    const slug = `p${randomUUID().slice(0, 8)}`;
    const insert = preparedStatement<{ id: string }>(
      'test.insert_project',
      `INSERT INTO projects (id, slug, name, updated_at) VALUES ($1::uuid, $2::text, 'P', $3::timestamptz) RETURNING id`,
    );
    await expect(
      scratch.db.prisma.$transaction(async (tx) => {
        await scratch.db.sql.query(insert, [randomUUID(), slug, new Date()], tx);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await scratch.db.prisma.project.findUnique({ where: { slug } })).toBeNull();
  });
});
