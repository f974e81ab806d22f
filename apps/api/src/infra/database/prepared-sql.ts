import type pg from 'pg';
import type { Prisma, PrismaClient } from '../../generated/prisma/client';

/**
 * A statement of a hot path (token, authn, authorize), run by name: PostgreSQL parses and plans it once per
 * pooled connection, and node-postgres sends only its parameters afterwards. `Row` is the shape it returns.
 */
export interface PreparedStatement<Row> {
  readonly name: string;
  readonly text: string;
  /** Only carries `Row` for the compiler. */
  readonly row?: Row;
}

export function preparedStatement<Row>(name: string, text: string): PreparedStatement<Row> {
  return { name, text };
}

/** What a statement's parameters may be. */
export type SqlValue = string | number | boolean | Date | null | readonly string[];

/**
 * Raw SQL for the few statements every login and token request runs, beside Prisma rather than through it: its
 * query layer costs about four times node-postgres's own CPU per statement (measured with `tools/bench`), which
 * on a refresh is a quarter of the request. On PostgreSQL they run on the same pool Prisma uses, as named
 * statements; inside a Prisma transaction, and on the embedded PGlite (one connection, nothing to prepare), the
 * same text runs through Prisma, so each statement has one implementation and every test runs it on both.
 * Repositories stay the only writers of their tables: this is how they talk to the database, not a second store.
 */
export class PreparedSql {
  constructor(
    private readonly prisma: PrismaClient,
    /** PostgreSQL's pool (shared with Prisma's adapter); absent on PGlite. */
    private readonly pool?: pg.Pool,
  ) {}

  async query<Row>(
    statement: PreparedStatement<Row>,
    values: readonly SqlValue[],
    tx?: Prisma.TransactionClient,
  ): Promise<Row[]> {
    // ISO-8601 with its zone, cast by the statement (`$1::timestamptz`): exact whatever the server's TimeZone.
    const params = values.map((value) => (value instanceof Date ? value.toISOString() : value));
    if (tx || !this.pool) return (tx ?? this.prisma).$queryRawUnsafe<Row[]>(statement.text, ...params);
    const result = await this.pool.query<Row & pg.QueryResultRow>({
      name: statement.name,
      text: statement.text,
      values: params,
    });
    return result.rows;
  }
}
