import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../infra/database/database';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import { IdentitiesRepository } from '../identities/identities.repository';
import { IdentitySchemasRepository } from '../schemas/identity-schemas.repository';
import { IdentitySchemasService } from '../schemas/identity-schemas.service';
import { ExternalCredentialsRepository } from './external-credentials.repository';
import { acceptedUpdate, ExternalIdentities, mappedTraits } from './external-identities';
import type { ExternalSubject } from './external-token.verifier';
import type { TrustedTokenIssuer, UpdatePolicy } from './trusted-token-issuer';

// Partner subjects as identities, on both databases: the first sight registers, the update policy decides what
// later sign-ins write, concurrent first sights meet the real unique index, an address never links.

jest.setTimeout(120_000);

describe('mappedTraits', () => {
  it('takes the mapped claims, leaving out absent, null and empty ones', () => {
    expect(
      mappedTraits({ mail: 'email', full_name: 'name', nick: 'nickname' }, { mail: 'a@b.c', full_name: '', x: 1 }),
    ).toEqual({ email: 'a@b.c' });
  });
});

describe.each(['pglite', 'postgres'] as const)('ExternalIdentities on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let identities: IdentitiesRepository;
  let schemas: IdentitySchemasService;
  let external: ExternalIdentities;
  let projectId: string;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    db = scratch.db;
    identities = new IdentitiesRepository(db.prisma, db.sql);
    schemas = new IdentitySchemasService(new IdentitySchemasRepository(db.prisma));
    external = new ExternalIdentities(identities, new ExternalCredentialsRepository(db.prisma), schemas);
    projectId = (await db.prisma.project.create({ data: { slug: `p${tag()}`, name: 'P' } })).id;
  });

  afterAll(() => scratch?.dispose());

  const tag = () => randomBytes(4).toString('hex');

  function issuer(updatePolicy: UpdatePolicy): TrustedTokenIssuer {
    return {
      id: randomUUID(),
      projectId,
      name: 'partner',
      mode: 'jwt',
      issuer: 'https://partner.example.com',
      audiences: ['keyway'],
      jwksUri: null,
      jwks: null,
      allowedAlgs: ['ES256'],
      callbackUrl: null,
      callbackSecretSet: false,
      callbackTimeoutMs: 5000,
      subjectClaim: 'sub',
      claimMapping: { mail: 'email', full_name: 'name' },
      updatePolicy,
      applications: [],
      createdAt: new Date(),
      updatedAt: new Date(),
    };
  }

  const subject = (of: TrustedTokenIssuer, sub: string, claims: Record<string, unknown>): ExternalSubject => ({
    issuer: of,
    subject: sub,
    claims: { sub, ...claims },
  });

  async function traitsOf(identityId: string) {
    return (await identities.findById(projectId, identityId))!.traits;
  }

  it('registers at first sight with the mapped traits, the address unverified; then signs the same identity in', async () => {
    const partner = issuer('first-login');
    const mail = `first.${tag()}@example.com`;
    const first = await external.signIn(projectId, subject(partner, 's1', { mail, full_name: 'Ada' }));
    expect(first).toEqual({ kind: 'signed-in', identityId: expect.any(String), registered: true });
    if (first.kind !== 'signed-in') return;
    expect(await traitsOf(first.identityId)).toEqual({ email: mail, name: 'Ada' });
    expect(await identities.listVerifiableAddresses(first.identityId)).toEqual([
      expect.objectContaining({ value: mail, verified: false }),
    ]);
    expect((await identities.listCredentials(first.identityId)).map((credential) => credential.type)).toEqual([
      'external_token',
    ]);
    const again = await external.signIn(projectId, subject(partner, 's1', { mail, full_name: 'Ada' }));
    expect(again).toEqual({ kind: 'signed-in', identityId: first.identityId, registered: false });
  });

  it('first-login: later claims never change the traits', async () => {
    const partner = issuer('first-login');
    const mail = `keep.${tag()}@example.com`;
    const first = await external.signIn(projectId, subject(partner, 's', { mail, full_name: 'Before' }));
    if (first.kind !== 'signed-in') throw new Error(first.detail);
    await external.signIn(projectId, subject(partner, 's', { mail: `other.${tag()}@example.com`, full_name: 'After' }));
    expect(await traitsOf(first.identityId)).toEqual({ email: mail, name: 'Before' });
  });

  it('every-login: later claims update the mapped traits, the new address unverified, the old one gone', async () => {
    const partner = issuer('every-login');
    const mail = `old.${tag()}@example.com`;
    const next = `new.${tag()}@example.com`;
    const first = await external.signIn(projectId, subject(partner, 's', { mail, full_name: 'Before' }));
    if (first.kind !== 'signed-in') throw new Error(first.detail);
    await external.signIn(projectId, subject(partner, 's', { mail: next, full_name: 'After' }));
    expect(await traitsOf(first.identityId)).toEqual({ email: next, name: 'After' });
    expect(await identities.listVerifiableAddresses(first.identityId)).toEqual([
      expect.objectContaining({ value: next, verified: false }),
    ]);
    // A value the schema refuses is left as it was; the rest is still written.
    await external.signIn(projectId, subject(partner, 's', { mail: 'not an address', full_name: 'Later' }));
    expect(await traitsOf(first.identityId)).toEqual({ email: next, name: 'Later' });
  });

  it('every-login: an address another identity holds is not taken over; the sign-in still succeeds', async () => {
    const partner = issuer('every-login');
    const taken = `taken.${tag()}@example.com`;
    await identities.create(undefined, {
      projectId,
      traits: { email: taken },
      schemaVersion: 1,
      identifiers: [],
      addresses: [{ via: 'email', value: taken }],
    });
    const mail = `mine.${tag()}@example.com`;
    const first = await external.signIn(projectId, subject(partner, 's', { mail }));
    if (first.kind !== 'signed-in') throw new Error(first.detail);
    const again = await external.signIn(projectId, subject(partner, 's', { mail: taken }));
    expect(again).toEqual({ kind: 'signed-in', identityId: first.identityId, registered: false });
    expect(await traitsOf(first.identityId)).toEqual({ email: mail });
  });

  it("never links by address: a first sight with another identity's address is refused", async () => {
    const mail = `owner.${tag()}@example.com`;
    await identities.create(undefined, {
      projectId,
      traits: { email: mail },
      schemaVersion: 1,
      identifiers: [],
      addresses: [{ via: 'email', value: mail }],
    });
    const result = await external.signIn(projectId, subject(issuer('first-login'), 's', { mail }));
    expect(result).toEqual({ kind: 'refused', detail: expect.stringMatching(/another identity/) });
  });

  it('refuses claims that do not make valid traits', async () => {
    const result = await external.signIn(projectId, subject(issuer('first-login'), 's', { full_name: 'No mail' }));
    expect(result).toMatchObject({ kind: 'refused', detail: expect.stringMatching(/traits\.email|email/) });
  });

  it('concurrent first sights of one subject make one identity', async () => {
    const partner = issuer('first-login');
    const mail = `race.${tag()}@example.com`;
    const results = await Promise.all(
      Array.from({ length: 5 }, () => external.signIn(projectId, subject(partner, 'racer', { mail }))),
    );
    const ids = new Set(results.map((result) => (result.kind === 'signed-in' ? result.identityId : result.detail)));
    expect(ids.size).toBe(1);
    expect(results.filter((result) => result.kind === 'signed-in' && result.registered)).toHaveLength(1);
  });

  it('a disabled identity does not sign in', async () => {
    const partner = issuer('first-login');
    const first = await external.signIn(projectId, subject(partner, 's', { mail: `off.${tag()}@example.com` }));
    if (first.kind !== 'signed-in') throw new Error(first.detail);
    await identities.setState(undefined, projectId, first.identityId, 'disabled');
    expect(await external.signIn(projectId, subject(partner, 's', {}))).toEqual({
      kind: 'refused',
      detail: 'the identity cannot sign in',
    });
  });

  it('acceptedUpdate keeps stored values where the mapped ones are refused', async () => {
    const { compiled } = await schemas.getDefault(projectId);
    expect(acceptedUpdate(compiled, { email: 'a@example.com' }, { email: 'bad', name: 'N' })).toEqual({
      email: 'a@example.com',
      name: 'N',
    });
  });
});
