import { randomBytes } from 'node:crypto';
import type { Database } from '../../infra/database/database';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import { IdentitiesRepository, type IdentityRow } from './identities.repository';

// The admin API's reads and writes of the identity aggregate, on both databases: the search is one SQL query
// whose matching (prefixes of normalised values, JSON trait values, LIKE escaping) is what matters.

jest.setTimeout(120_000);

describe.each(['pglite', 'postgres'] as const)('IdentitiesRepository (admin) on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let identities: IdentitiesRepository;
  let projectId: string;
  let otherProjectId: string;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    db = scratch.db;
    identities = new IdentitiesRepository(db.prisma, db.sql);
    const project = (slug: string) => db.prisma.project.create({ data: { slug, name: slug } });
    projectId = (await project(`p${randomBytes(4).toString('hex')}`)).id;
    otherProjectId = (await project(`o${randomBytes(4).toString('hex')}`)).id;
  });

  afterAll(() => scratch?.dispose());

  /** An identity with a password identifier (its username) and a verifiable email address. */
  async function make(
    username: string,
    email: string,
    traits: Record<string, unknown> = {},
    project = projectId,
  ): Promise<IdentityRow> {
    return identities.create(undefined, {
      projectId: project,
      traits: { username, email, ...traits },
      schemaVersion: 1,
      passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
      identifiers: [username],
      addresses: [{ via: 'email', value: email }],
    });
  }

  const ids = (rows: IdentityRow[]) => rows.map((row) => row.id);

  it('finds by login identifier or address prefix (normalised), trait value (any case, anywhere) and id', async () => {
    const tag = randomBytes(3).toString('hex');
    const ada = await make(`ada_${tag}`, `ada.${tag}@example.com`, { name: 'Ada Lovelace', plan: 'Enterprise' });
    const bob = await make(`bob_${tag}`, `bob.${tag}@example.org`, { name: 'Robert' });
    await make(`ada_${tag}`.replace('ada', 'eve'), `ada.${tag}@other.example`, {}, otherProjectId);

    const search = (q: string) => identities.search(projectId, { q, take: 10 });
    expect(ids(await search(`  ADA_${tag}  `))).toEqual([ada.id]);
    expect(ids(await search(`bob.${tag}@`))).toEqual([bob.id]);
    expect(ids(await search(`lovelace`))).toEqual([ada.id]);
    expect(ids(await search(`enterPRISE`))).toEqual([ada.id]);
    expect(ids(await search(bob.id))).toEqual([bob.id]);
    // Inside a value: trait values are matched anywhere (the address is a trait too).
    expect(ids(await search(`EXAMPLE.org`))).toEqual([bob.id]);
    // Keys are not values: every identity has an "email" trait.
    expect(ids(await search('email'))).toEqual([]);
    // LIKE's wildcards and escape character match only themselves.
    expect(await search(`ada%${tag}`)).toEqual([]);
    expect(await search('ad_')).toEqual([]);
    expect(await search('\\')).toEqual([]);
  });

  it('pages newest first by (createdAt, id), filtered by state', async () => {
    const tag = randomBytes(3).toString('hex');
    const made: IdentityRow[] = [];
    for (let i = 0; i < 5; i++) made.push(await make(`u${i}_${tag}`, `u${i}.${tag}@example.com`));
    const page = (after?: IdentityRow) =>
      identities.search(projectId, { q: tag, after: after && { createdAt: after.createdAt, id: after.id }, take: 2 });
    expect(ids(await page())).toEqual([made[4], made[3]].map((row) => row?.id));
    expect(ids(await page(made[3]))).toEqual([made[2], made[1]].map((row) => row?.id));
    expect(ids(await page(made[1]))).toEqual([made[0]?.id]);

    expect(await identities.setState(undefined, projectId, made[2]?.id as string, 'disabled')).toBe(true);
    expect(await identities.setState(undefined, projectId, made[2]?.id as string, 'disabled')).toBe(false);
    // Another project's identity is not this project's to change.
    expect(await identities.setState(undefined, otherProjectId, made[1]?.id as string, 'disabled')).toBe(false);
    expect(ids(await identities.search(projectId, { q: tag, state: 'disabled', take: 10 }))).toEqual([made[2]?.id]);
    expect(ids(await identities.search(projectId, { q: tag, state: 'active', take: 10 }))).toHaveLength(4);
  });

  it('marks an address verified once, and deletes an identity with its credentials and addresses', async () => {
    const tag = randomBytes(3).toString('hex');
    const identity = await make(`gone_${tag}`, `gone.${tag}@example.com`);
    expect(await identities.markAddressVerified(undefined, identity.id, 'email', `gone.${tag}@example.com`)).toBe(true);
    expect(await identities.markAddressVerified(undefined, identity.id, 'email', `gone.${tag}@example.com`)).toBe(
      false,
    );
    expect(await identities.markAddressVerified(undefined, identity.id, 'email', 'other@example.com')).toBe(false);

    expect(await identities.delete(undefined, otherProjectId, identity.id)).toBe(false);
    expect(await identities.delete(undefined, projectId, identity.id)).toBe(true);
    expect(await identities.delete(undefined, projectId, identity.id)).toBe(false);
    expect(await db.prisma.credentialIdentifier.count({ where: { identifier: `gone_${tag}` } })).toBe(0);
    expect(await db.prisma.verifiableAddress.count({ where: { identityId: identity.id } })).toBe(0);
    expect(await identities.listCredentials(identity.id)).toEqual([]);
  });

  it('finds a password login by identifier, as the identity row Prisma reads, and nothing for anyone else', async () => {
    const tag = randomBytes(3).toString('hex');
    const ada = await make(`ada_${tag}`, `ada.${tag}@example.com`, { name: 'Ada' });
    await identities.lock(ada.id, new Date(Date.now() + 60_000));
    expect(await identities.setState(undefined, projectId, ada.id, 'disabled')).toBe(true);
    const row = await identities.findById(projectId, ada.id);
    const credential = await db.prisma.credential.findUniqueOrThrow({
      where: { identityId_type: { identityId: ada.id, type: 'password' } },
    });

    const login = await identities.findPasswordLogin(projectId, `ada_${tag}`);
    expect(login).toEqual({ identity: row, credentialId: credential.id, passwordHash: credential.secret });
    expect(Object.keys(login?.identity ?? {})).toEqual(Object.keys(row ?? {}));
    expect(login?.identity.lockedUntil).toBeInstanceOf(Date);
    expect(login?.identity.traits).toEqual({ username: `ada_${tag}`, email: `ada.${tag}@example.com`, name: 'Ada' });

    expect(await identities.findPasswordLogin(projectId, `nobody_${tag}`)).toBeUndefined();
    expect(await identities.findPasswordLogin(otherProjectId, `ada_${tag}`)).toBeUndefined();
    // An address is not a login identifier.
    expect(await identities.findPasswordLogin(projectId, `ada.${tag}@example.com`)).toBeUndefined();
    // A password credential without a verifier signs nobody in.
    await db.prisma.credential.update({ where: { id: credential.id }, data: { secret: null } });
    expect(await identities.findPasswordLogin(projectId, `ada_${tag}`)).toBeUndefined();
  });

  it('finds an identity with its verified email addresses only, none when none is verified', async () => {
    const tag = randomBytes(3).toString('hex');
    const bob = await make(`bob_${tag}`, `bob.${tag}@example.com`);
    const row = await identities.findById(projectId, bob.id);
    const found = await identities.findWithVerifiedEmails(projectId, bob.id);
    expect(found).toEqual({ ...row, verifiedEmails: [] });
    expect(Object.keys(found ?? {})).toEqual([...Object.keys(row ?? {}), 'verifiedEmails']);

    await db.prisma.verifiableAddress.createMany({
      data: [
        { projectId, identityId: bob.id, via: 'email', value: `bob2.${tag}@example.com` },
        { projectId, identityId: bob.id, via: 'phone', value: `+4420${tag}`, verified: true },
      ],
    });
    expect(await identities.markAddressVerified(undefined, bob.id, 'email', `bob.${tag}@example.com`)).toBe(true);
    expect(await identities.findWithVerifiedEmails(projectId, bob.id)).toEqual({
      ...row,
      verifiedEmails: [`bob.${tag}@example.com`],
    });
    expect(await identities.markAddressVerified(undefined, bob.id, 'email', `bob2.${tag}@example.com`)).toBe(true);
    expect((await identities.findWithVerifiedEmails(projectId, bob.id))?.verifiedEmails.sort()).toEqual([
      `bob.${tag}@example.com`,
      `bob2.${tag}@example.com`,
    ]);

    expect(await identities.findWithVerifiedEmails(otherProjectId, bob.id)).toBeNull();
    expect(await identities.findWithVerifiedEmails(projectId, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});
