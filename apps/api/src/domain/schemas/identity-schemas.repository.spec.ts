import { randomBytes } from 'node:crypto';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import { IdentitySchemasRepository } from './identity-schemas.repository';

// Identity schemas on both databases the product runs on: a schema comes back as it was written.

jest.setTimeout(120_000);

describe.each(['pglite', 'postgres'] as const)('IdentitySchemasRepository on %s', (kind) => {
  let scratch: ScratchDatabase;
  let repository: IdentitySchemasRepository;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    repository = new IdentitySchemasRepository(scratch.db.prisma);
  });
  afterAll(() => scratch?.dispose());

  it('keeps the properties in the order they were written (the registration form follows it)', async () => {
    const { id } = await scratch.db.prisma.project.create({
      data: { slug: `p-${randomBytes(4).toString('hex')}`, name: 'P' },
    });
    // jsonb would store these sorted by key length, then bytes: name, email, company.
    const properties = { company: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' } };
    const { version } = await repository.create(id, { type: 'object', properties }, true);
    const stored = await repository.find(id, version);
    expect(Object.keys((stored!.schema as { properties: object }).properties)).toEqual(['company', 'email', 'name']);
    expect(Object.keys(stored!.schema as object)).toEqual(['type', 'properties']);
  });
});
