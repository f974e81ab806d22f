import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PrismaClient } from '../../generated/prisma/client';
import { KEYWAY_CONFIG, loadConfig } from '../../infra/config/config';
import type { Database } from '../../infra/database/database';
import { PreparedSql } from '../../infra/database/prepared-sql';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import type { LinkingPolicy } from '../connections/connection';
import { IdentitiesRepository } from '../identities/identities.repository';
import { IdentitySchemasRepository } from '../schemas/identity-schemas.repository';
import { IdentitySchemasService } from '../schemas/identity-schemas.service';
import { FederatedCredentialsRepository } from './federated-credentials.repository';
import { federatedAmr, FederatedIdentities, type FederationConnection } from './federated-identities';
import { FederatedIdentitiesModule } from './federation.module';

// Identities from outside, on both databases: the unique (project, type, identifier) index is what keeps a
// provider subject on one identity, so the concurrent first logins must meet the real one.

jest.setTimeout(120_000);

describe('federatedAmr', () => {
  it('puts fed first and keeps what the provider says once', () => {
    expect(federatedAmr()).toEqual(['fed']);
    expect(federatedAmr(['pwd', 'mfa', 'pwd', 'fed'])).toEqual(['fed', 'pwd', 'mfa']);
  });
});

describe.each(['pglite', 'postgres'] as const)('FederatedIdentities on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let identities: IdentitiesRepository;
  let schemas: IdentitySchemasService;
  let credentials: FederatedCredentialsRepository;
  let federated: FederatedIdentities;
  let projectId: string;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    db = scratch.db;
    identities = new IdentitiesRepository(db.prisma, db.sql);
    schemas = new IdentitySchemasService(new IdentitySchemasRepository(db.prisma));
    credentials = new FederatedCredentialsRepository(db.prisma);
    federated = new FederatedIdentities(identities, credentials, schemas);
    projectId = (await db.prisma.project.create({ data: { slug: `p${tag()}`, name: 'P' } })).id;
  });

  afterAll(() => scratch?.dispose());

  function tag(): string {
    return randomBytes(4).toString('hex');
  }

  function connection(
    linkingPolicy: LinkingPolicy = 'proof',
    changes: Partial<FederationConnection> = {},
  ): FederationConnection {
    return {
      id: randomUUID(),
      claimMapping: { email: 'email', name: 'name' },
      trustEmailVerified: true,
      linkingPolicy,
      ...changes,
    };
  }

  /** An identity that signs in with a password (its email), the address verified or not. */
  async function passwordIdentity(email: string, verified: boolean): Promise<string> {
    const identity = await identities.create(undefined, {
      projectId,
      traits: { email },
      schemaVersion: 1,
      passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
      identifiers: [email],
      addresses: [{ via: 'email', value: email }],
    });
    if (verified) await identities.markAddressVerified(undefined, identity.id, 'email', email);
    return identity.id;
  }

  async function registered(google: FederationConnection, subject: string, email: string): Promise<string> {
    const result = await federated.register(projectId, google, subject, { email }, email);
    if (result.kind !== 'registered') throw new Error(`not registered: ${JSON.stringify(result)}`);
    return result.identityId;
  }

  it('registers a new identity with its oidc credential, its trusted email verified; the subject then signs in', async () => {
    const google = connection();
    const email = `ada.${tag()}@example.com`;
    // Providers do not normalise addresses; the verified address is stored as addresses are (lower case).
    const claims = { sub: `sub-${tag()}`, email: email.toUpperCase(), emailVerified: true };

    const resolution = await federated.resolve(projectId, google, { ...claims, name: 'Ada Lovelace' });
    expect(resolution).toEqual({
      kind: 'register',
      traits: { email: email.toUpperCase(), name: 'Ada Lovelace' },
      verifiedEmail: email,
      missingTraits: [],
    });
    const identityId = await registered(google, claims.sub, email);

    expect(await federated.resolve(projectId, google, claims)).toEqual({ kind: 'linked', identityId });
    expect(await identities.listVerifiableAddresses(identityId)).toEqual([
      expect.objectContaining({ via: 'email', value: email, verified: true }),
    ]);
    expect(await credentials.listLinks(identityId)).toEqual([
      { connectionId: google.id, subject: claims.sub, linkedAt: expect.any(String) },
    ]);
    // No password credential: the traits' email is not a password login identifier.
    expect((await identities.listCredentials(identityId)).map((credential) => credential.type)).toEqual(['oidc']);
    // The same subject at another connection is another account.
    expect((await federated.resolve(projectId, connection('never'), { ...claims, email: undefined })).kind).toBe(
      'register',
    );
  });

  it('stores an unverified or untrusted email unverified, and registers with it when nobody has it', async () => {
    const email = `new.${tag()}@example.com`;
    const unverified = await federated.resolve(projectId, connection(), { sub: 's', email, emailVerified: false });
    expect(unverified).toEqual({ kind: 'register', traits: { email }, missingTraits: [] });
    const untrusted = connection('trust-verified-email', { trustEmailVerified: false });
    expect(await federated.resolve(projectId, untrusted, { sub: 's', email, emailVerified: true })).toEqual({
      kind: 'register',
      traits: { email },
      missingTraits: [],
    });

    const result = await federated.register(projectId, untrusted, `sub-${tag()}`, { email });
    if (result.kind !== 'registered') throw new Error(result.kind);
    expect(await identities.listVerifiableAddresses(result.identityId)).toEqual([
      expect.objectContaining({ value: email, verified: false }),
    ]);
  });

  it('lists required traits the provider did not give, and leaves out values the schema refuses', async () => {
    const mapping = { email: 'email', name: 'name', nickname: 'nickname', website: 'name' };
    const github = connection('proof', { claimMapping: mapping });
    // No email (GitHub keeps it private); a nickname the default schema has no trait for.
    expect(
      await federated.resolve(projectId, github, {
        sub: `gh-${tag()}`,
        emailVerified: false,
        extra: { nickname: 'ada' },
      }),
    ).toEqual({ kind: 'register', traits: {}, missingTraits: ['email'] });
    // Not an email address: asked for again rather than failing the login.
    expect(
      await federated.resolve(projectId, github, {
        sub: `gh-${tag()}`,
        email: 'not-an-address',
        emailVerified: false,
        name: 'Ada',
      }),
    ).toEqual({ kind: 'register', traits: { name: 'Ada' }, missingTraits: ['email'] });

    // Registering still requires valid traits.
    const invalid = await federated.register(projectId, github, `gh-${tag()}`, { name: 'Ada' });
    expect(invalid).toEqual({
      kind: 'invalid-traits',
      errors: [expect.objectContaining({ field: 'traits.email', messageId: 'msg_trait_required' })],
    });
  });

  it('links by a verified, trusted email only as the linking policy says', async () => {
    const email = `owner.${tag()}@example.com`;
    const owner = await passwordIdentity(email, true);
    const claims = { sub: `sub-${tag()}`, email, emailVerified: true };

    expect(await federated.resolve(projectId, connection('proof'), claims)).toEqual({
      kind: 'link-proof-required',
      identityId: owner,
    });
    expect(await federated.resolve(projectId, connection('trust-verified-email'), claims)).toEqual({
      kind: 'link',
      identityId: owner,
    });
    expect(await federated.resolve(projectId, connection('never'), claims)).toEqual({
      kind: 'conflict',
      reason: 'linking_disabled',
    });
  });

  it('never links on an unverified or untrusted email, nor at once to an owner who never verified it', async () => {
    const email = `taken.${tag()}@example.com`;
    const owner = await passwordIdentity(email, false);
    const trusting = connection('trust-verified-email');

    expect(await federated.resolve(projectId, trusting, { sub: 's1', email, emailVerified: false })).toEqual({
      kind: 'conflict',
      reason: 'email_not_verified',
    });
    expect(
      await federated.resolve(
        projectId,
        { ...trusting, trustEmailVerified: false },
        { sub: 's1', email, emailVerified: true },
      ),
    ).toEqual({ kind: 'conflict', reason: 'email_not_trusted' });
    // Whoever registered the address without proving it must not keep a way into the provider user's account.
    expect(await federated.resolve(projectId, trusting, { sub: 's1', email, emailVerified: true })).toEqual({
      kind: 'link-proof-required',
      identityId: owner,
    });
    // Registering anyway cannot take the address.
    expect(await federated.register(projectId, trusting, `sub-${tag()}`, { email })).toEqual({
      kind: 'conflict',
      reason: 'traits_taken',
    });
  });

  it('creates exactly one identity when the same subject logs in for the first time twice at once', async () => {
    const google = connection();
    const email = `race.${tag()}@example.com`;
    const subject = `sub-${tag()}`;
    const results = await Promise.all(
      Array.from({ length: 4 }, () => federated.register(projectId, google, subject, { email }, email)),
    );

    const winners = results.filter((result) => result.kind === 'registered');
    expect(winners).toHaveLength(1);
    const identityId = (winners[0] as { identityId: string }).identityId;
    expect(results.filter((result) => result.kind === 'linked')).toEqual(
      Array.from({ length: 3 }, () => ({ kind: 'linked', identityId })),
    );
    expect(await db.prisma.identity.count({ where: { projectId, traits: { equals: { email } } } })).toBe(1);
    expect(await federated.resolve(projectId, google, { sub: subject, email, emailVerified: true })).toEqual({
      kind: 'linked',
      identityId,
    });
  });

  it('resolves as linked when a concurrent first login of the subject registered the address owner meanwhile', async () => {
    const google = connection();
    const email = `meanwhile.${tag()}@example.com`;
    const subject = `sub-${tag()}`;
    const identityId = await registered(google, subject, email);
    // The interleaving of two first logins: this one looked the subject up just before the other committed, and
    // finds the address (and then the link) after. Its first lookup answers as it did then.
    let lookups = 0;
    const beforeTheCommit = Object.assign(Object.create(credentials) as FederatedCredentialsRepository, {
      findLinkedIdentity: (...args: Parameters<FederatedCredentialsRepository['findLinkedIdentity']>) =>
        (lookups += 1) === 1 ? Promise.resolve(undefined) : credentials.findLinkedIdentity(...args),
    });
    const racing = new FederatedIdentities(identities, beforeTheCommit, schemas);
    expect(await racing.resolve(projectId, google, { sub: subject, email, emailVerified: true })).toEqual({
      kind: 'linked',
      identityId,
    });
  });

  it('links and unlinks an upstream account; one account per connection, one identity per subject', async () => {
    const google = connection();
    const email = `link.${tag()}@example.com`;
    const identityId = await passwordIdentity(email, true);
    const other = await passwordIdentity(`other.${tag()}@example.com`, true);
    const subject = `sub-${tag()}`;

    expect(await federated.link(projectId, identityId, google, subject)).toBe('linked');
    expect(await federated.link(projectId, identityId, google, subject)).toBe('already-linked');
    expect(await federated.link(projectId, identityId, google, `another-${tag()}`)).toBe('connection-taken');
    expect(await federated.link(projectId, other, google, subject)).toBe('subject-taken');
    expect(await federated.link(projectId, randomUUID(), google, subject)).toBe('no-identity');
    expect(await federated.resolve(projectId, google, { sub: subject, emailVerified: false })).toEqual({
      kind: 'linked',
      identityId,
    });

    // The password still signs in, so the link may go.
    expect(await federated.unlink(projectId, identityId, google.id)).toBe('unlinked');
    expect(await federated.unlink(projectId, identityId, google.id)).toBe('not-linked');
    expect(await credentials.listLinks(identityId)).toEqual([]);
    expect((await federated.resolve(projectId, google, { sub: subject, emailVerified: false })).kind).toBe('register');
    // Free again: the other identity may take it now.
    expect(await federated.link(projectId, other, google, subject)).toBe('linked');
  });

  it('refuses to unlink the last way to sign in', async () => {
    const google = connection();
    const apple = connection();
    const identityId = await registered(google, `g-${tag()}`, `last.${tag()}@example.com`);

    expect(await federated.unlink(projectId, identityId, google.id)).toBe('last-method');
    // Another project's identity is not this project's to change.
    const elsewhere = (await db.prisma.project.create({ data: { slug: `o${tag()}`, name: 'O' } })).id;
    expect(await federated.unlink(elsewhere, identityId, google.id)).toBe('not-linked');

    expect(await federated.link(projectId, identityId, apple, `a-${tag()}`)).toBe('linked');
    expect(await federated.unlink(projectId, identityId, google.id)).toBe('unlinked');
    expect(await federated.unlink(projectId, identityId, apple.id)).toBe('last-method');
    expect((await credentials.listLinks(identityId)).map((link) => link.connectionId)).toEqual([apple.id]);
  });

  it('lets only one of two concurrent unlinks of the last two links through', async () => {
    const google = connection();
    const apple = connection();
    const identityId = await registered(google, `g-${tag()}`, `both.${tag()}@example.com`);
    expect(await federated.link(projectId, identityId, apple, `a-${tag()}`)).toBe('linked');

    const results = await Promise.all([
      federated.unlink(projectId, identityId, google.id),
      federated.unlink(projectId, identityId, apple.id),
    ]);
    expect(results.sort()).toEqual(['last-method', 'unlinked']);
    expect(await credentials.listLinks(identityId)).toHaveLength(1);
  });

  it('counts a passkey as another way to sign in', async () => {
    const google = connection();
    const identityId = await registered(google, `g-${tag()}`, `passkey.${tag()}@example.com`);
    // A passkey as PasskeyCredentialsRepository stores it: the webauthn credential and its credential id.
    await db.prisma.credential.create({
      data: {
        identityId,
        type: 'webauthn',
        config: { userHandle: 'h', passkeys: [] },
        identifiers: { create: { projectId, type: 'webauthn', identifier: `pk-${tag()}` } },
      },
    });
    expect(await federated.unlink(projectId, identityId, google.id)).toBe('unlinked');
  });

  it('is provided by FederatedIdentitiesModule', async () => {
    // What the app's global modules give every module: the database client and the configuration.
    @Global()
    @Module({
      providers: [
        { provide: PrismaClient, useValue: db.prisma },
        { provide: PreparedSql, useValue: db.sql },
        {
          provide: KEYWAY_CONFIG,
          useValue: loadConfig({ KEYWAY_DATA_DIR: tmpdir(), KEYWAY_PUBLIC_URL: 'https://id.example.com' }),
        },
      ],
      exports: [PrismaClient, PreparedSql, KEYWAY_CONFIG],
    })
    class AppGlobals {}

    const moduleRef = await Test.createTestingModule({ imports: [AppGlobals, FederatedIdentitiesModule] }).compile();
    const provided = moduleRef.get(FederatedIdentities);
    const google = connection();
    const identityId = await registered(google, `g-${tag()}`, `wired.${tag()}@example.com`);
    expect(await provided.resolve(projectId, google, { sub: 'nobody', emailVerified: false })).toMatchObject({
      kind: 'register',
    });
    expect(await provided.unlink(projectId, identityId, google.id)).toBe('last-method');
  });
});
