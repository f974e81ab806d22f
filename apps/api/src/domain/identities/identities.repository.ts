import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import { PreparedSql, preparedStatement } from '../../infra/database/prepared-sql';
import type { PagePosition } from '../../infra/http/page-cursor';
import { isUuid } from '../../infra/http/ids';
import { normaliseIdentifier } from '../schemas/identity-traits';

export type IdentityRow = Prisma.IdentityGetPayload<object>;
export type IdentityState = IdentityRow['state'];
type Tx = Prisma.TransactionClient;
type Address = { via: 'email' | 'phone'; value: string };

/** What the admin API's identity list asks for: a page, newest first, optionally searched and filtered. */
export interface IdentitySearch {
  /** A login identifier or verifiable address (prefix, normalised), a trait value (contains, any case), or an id. */
  q?: string | undefined;
  state?: IdentityState | undefined;
  /** The last row of the previous page. */
  after?: PagePosition | undefined;
  take: number;
}

/** A credential as stored, for summaries: callers never return `secret`. */
export interface StoredCredential {
  type: string;
  secret: string | null;
  config: Prisma.JsonValue;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * An identity to create, with its password credential (login identifiers) when it has a hash, an imported
 * TOTP credential, and its verifiable addresses (unverified). Registration's outbox job carries this shape
 * (without projectId) in its payload, so its fields stay as they are.
 */
export interface NewIdentity {
  /** Chosen by the caller when it must know the id before the write (registration's after-flow hooks); generated otherwise. */
  id?: string | undefined;
  projectId: string;
  traits: Prisma.InputJsonObject;
  schemaVersion: number;
  /** argon2id, or an imported hash kept until the next login re-hashes it; none: no password credential. */
  passwordHash?: string | undefined;
  /** The password's login identifiers. */
  identifiers: string[];
  addresses: Address[];
  totp?: { sealedSecret: string; config: Prisma.InputJsonObject } | undefined;
}

/** An identity that might own an address (recovery): the caller checks its schema's annotations on the traits. */
export interface IdentityCandidate {
  id: string;
  traits: Record<string, unknown>;
  schemaVersion: number;
  active: boolean;
}

/** The identity as the settings flow needs it: traits, schema, and which credentials it has. */
export interface IdentityAccount {
  id: string;
  traits: Record<string, unknown>;
  schemaVersion: number;
  hasPassword: boolean;
  /** One of the password credential's login identifiers: what a password re-authentication signs in with. */
  passwordIdentifier: string | undefined;
  totpEnrolled: boolean;
}

/** A value that must belong to one identity of the project: a password login identifier or a verifiable address. */
export interface IdentityClaim {
  kind: 'identifier' | 'address';
  via?: 'email' | 'phone';
  value: string;
}

/** What a password login needs, read in one query by login identifier. */
export interface PasswordLogin {
  identity: IdentityRow;
  credentialId: string;
  passwordHash: string;
}

/**
 * The identity aggregate: the only writer of identities, verifiable addresses, and password credentials with
 * their login identifiers. Each other credential type is written by its factor's repository (TOTP, passkeys,
 * backup codes), only rows of its own type; an identity created with an imported TOTP secret gets it here.
 */
@Injectable()
export class IdentitiesRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: PreparedSql,
  ) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work);
  }

  findById(projectId: string, id: string): Promise<IdentityRow | null> {
    return this.prisma.identity.findFirst({ where: { id, projectId } });
  }

  /** The identity with its verified email addresses, in one query: what the email_verified claim needs. */
  async findWithVerifiedEmails(
    projectId: string,
    id: string,
  ): Promise<(IdentityRow & { verifiedEmails: string[] }) | null> {
    const [row] = await this.sql.query(FIND_WITH_VERIFIED_EMAILS, [projectId, id]);
    return row ?? null;
  }

  /**
   * A page of the project's identities, newest first by (createdAt, id). `q` matches, in any of these ways:
   * a password login identifier or a verifiable address starting with it (normalised as they are stored), a
   * top-level trait value containing it in any case, or the identity's id. The query walks the (project_id,
   * created_at, id) index newest first and stops once the page is full: quick for what help desk looks up,
   * a scan of the project when nothing matches. Any trait value may match, so no index on identifiers alone
   * could shorten that walk; a trigram (pg_trgm) index on the traits would be the next step.
   */
  async search(projectId: string, { q, state, after, take }: IdentitySearch): Promise<IdentityRow[]> {
    const conditions: Prisma.Sql[] = [Prisma.sql`i.project_id = ${projectId}::uuid`];
    if (state) conditions.push(Prisma.sql`i.state = ${state}::"IdentityState"`);
    if (after) conditions.push(Prisma.sql`(i.created_at, i.id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`);
    const term = q?.trim();
    if (term) {
      const prefix = `${escapeLike(normaliseIdentifier(term))}%`;
      const contains = `%${escapeLike(term)}%`;
      const byId = isUuid(term) ? Prisma.sql`OR i.id = ${term}::uuid` : Prisma.empty;
      conditions.push(Prisma.sql`(
        i.id IN (SELECT c.identity_id FROM credential_identifiers ci JOIN credentials c ON c.id = ci.credential_id
                 WHERE ci.project_id = ${projectId}::uuid AND ci.type = 'password' AND ci.identifier LIKE ${prefix})
        OR i.id IN (SELECT va.identity_id FROM verifiable_addresses va
                    WHERE va.project_id = ${projectId}::uuid AND va.value LIKE ${prefix})
        OR EXISTS (SELECT 1 FROM jsonb_each_text(CASE WHEN jsonb_typeof(i.traits) = 'object' THEN i.traits ELSE '{}'::jsonb END) AS t
                   WHERE t.value ILIKE ${contains})
        ${byId})`);
    }
    const rows = await this.prisma.$queryRaw<Array<{ id: string }>>`
      SELECT i.id FROM identities i WHERE ${Prisma.join(conditions, ' AND ')}
      ORDER BY i.created_at DESC, i.id DESC LIMIT ${take}`;
    if (!rows.length) return [];
    const found = await this.prisma.identity.findMany({ where: { id: { in: rows.map((row) => row.id) } } });
    const byId = new Map(found.map((identity) => [identity.id, identity]));
    return rows.flatMap((row) => byId.get(row.id) ?? []);
  }

  async findPasswordLogin(projectId: string, identifier: string): Promise<PasswordLogin | undefined> {
    const [row] = await this.sql.query(FIND_PASSWORD_LOGIN, [projectId, identifier]);
    if (!row?.passwordHash) return undefined;
    const { credentialId, passwordHash, ...identity } = row;
    return { identity, credentialId, passwordHash };
  }

  /**
   * The one way identities are created (admin API, import, registration): the identity with its credentials
   * and unverified addresses, in one write; in the caller's transaction when given.
   */
  create(tx: Tx | undefined, identity: NewIdentity): Promise<IdentityRow> {
    const { id, projectId, traits, schemaVersion, passwordHash, identifiers, addresses, totp } = identity;
    const credentials: Prisma.CredentialCreateWithoutIdentityInput[] = [];
    if (passwordHash) {
      credentials.push({
        type: 'password',
        secret: passwordHash,
        identifiers: {
          create: identifiers.map((identifier) => ({ projectId, type: 'password' as const, identifier })),
        },
      });
    }
    if (totp) credentials.push({ type: 'totp', secret: totp.sealedSecret, config: totp.config });
    return (tx ?? this.prisma).identity.create({
      data: {
        ...(id ? { id } : {}),
        projectId,
        traits,
        schemaVersion,
        credentials: credentials.length ? { create: credentials } : undefined,
        // Unverified: neither an admin import nor a registration form proves who reads the mailbox; a code does.
        verifiableAddresses: addresses.length
          ? { create: addresses.map(({ via, value }) => ({ projectId, via, value })) }
          : undefined,
      },
    });
  }

  /** Whether any of the login identifiers or verifiable addresses belongs to an identity already. */
  async isTaken(tx: Tx, projectId: string, identifiers: string[], addresses: Address[]): Promise<boolean> {
    const [byIdentifier, byAddress] = await Promise.all([
      tx.credentialIdentifier.count({ where: { projectId, type: 'password', identifier: { in: identifiers } } }),
      addresses.length
        ? tx.verifiableAddress.count({ where: { projectId, OR: addresses.map(({ via, value }) => ({ via, value })) } })
        : Promise.resolve(0),
    ]);
    return byIdentifier + byAddress > 0;
  }

  /** The claims another identity of the project already holds (as a login identifier or a verifiable address). */
  async takenClaims<C extends IdentityClaim>(
    tx: Tx | undefined,
    projectId: string,
    identityId: string,
    claims: C[],
  ): Promise<C[]> {
    const db = tx ?? this.prisma;
    const identifiers = claims.filter((claim) => claim.kind === 'identifier').map((claim) => claim.value);
    const addresses = claims.filter(
      (claim): claim is C & { via: Address['via'] } => claim.kind === 'address' && claim.via !== undefined,
    );
    const [byIdentifier, byAddress] = await Promise.all([
      identifiers.length
        ? db.credentialIdentifier.findMany({
            where: {
              projectId,
              type: 'password',
              identifier: { in: identifiers },
              credential: { identityId: { not: identityId } },
            },
            select: { identifier: true },
          })
        : Promise.resolve([]),
      addresses.length
        ? db.verifiableAddress.findMany({
            where: {
              projectId,
              identityId: { not: identityId },
              OR: addresses.map(({ via, value }) => ({ via, value })),
            },
            select: { via: true, value: true },
          })
        : Promise.resolve([]),
    ]);
    const takenIdentifiers = new Set(byIdentifier.map((row) => row.identifier));
    const takenAddresses = new Set(byAddress.map((row) => `${row.via}:${row.value}`));
    return claims.filter((claim) =>
      claim.kind === 'identifier'
        ? takenIdentifiers.has(claim.value)
        : takenAddresses.has(`${claim.via}:${claim.value}`),
    );
  }

  /**
   * Identities that hold the (normalised) address as a verifiable address or as a password login
   * identifier: both are indexed and unique per project, so the lookup is two point queries. Whether the
   * address is a recovery address is the schema's call, made by the caller on the traits.
   */
  async findCandidates(projectId: string, address: string): Promise<IdentityCandidate[]> {
    const [byAddress, byIdentifier] = await Promise.all([
      this.prisma.verifiableAddress.findFirst({
        where: { projectId, via: 'email', value: address },
        select: { identityId: true },
      }),
      this.prisma.credentialIdentifier.findFirst({
        where: { projectId, type: 'password', identifier: address },
        select: { credential: { select: { identityId: true } } },
      }),
    ]);
    const ids = [
      ...new Set(
        [byAddress?.identityId, byIdentifier?.credential.identityId].filter((id): id is string => id !== undefined),
      ),
    ];
    if (!ids.length) return [];
    const rows = await this.prisma.identity.findMany({
      where: { projectId, id: { in: ids } },
      select: { id: true, traits: true, schemaVersion: true, state: true },
    });
    return rows.map((row) => ({
      id: row.id,
      traits: (row.traits ?? {}) as Record<string, unknown>,
      schemaVersion: row.schemaVersion,
      active: row.state === 'active',
    }));
  }

  async findCandidate(projectId: string, identityId: string): Promise<IdentityCandidate | undefined> {
    const row = await this.prisma.identity.findFirst({
      where: { id: identityId, projectId },
      select: { id: true, traits: true, schemaVersion: true, state: true },
    });
    return row
      ? {
          id: row.id,
          traits: (row.traits ?? {}) as Record<string, unknown>,
          schemaVersion: row.schemaVersion,
          active: row.state === 'active',
        }
      : undefined;
  }

  /** The identity owning this still unverified email address, if it may still sign in. */
  async findUnverifiedOwner(tx: Tx, projectId: string, email: string): Promise<string | undefined> {
    const row = await tx.verifiableAddress.findFirst({
      where: { projectId, via: 'email', value: email, verified: false, identity: { state: 'active' } },
      select: { identityId: true },
    });
    return row?.identityId;
  }

  /** Whether the identity has at least one verified email address; no address at all counts as unverified. */
  async hasVerifiedEmail(identityId: string): Promise<boolean> {
    return (await this.prisma.verifiableAddress.count({ where: { identityId, via: 'email', verified: true } })) > 0;
  }

  async findAccount(projectId: string, identityId: string): Promise<IdentityAccount | undefined> {
    const row = await this.prisma.identity.findFirst({
      where: { id: identityId, projectId },
      select: {
        id: true,
        traits: true,
        schemaVersion: true,
        credentials: {
          where: { type: { in: ['password', 'totp'] } },
          select: {
            type: true,
            secret: true,
            config: true,
            identifiers: { where: { type: 'password' }, select: { identifier: true }, take: 1 },
          },
        },
      },
    });
    if (!row) return undefined;
    const password = row.credentials.find((credential) => credential.type === 'password' && credential.secret);
    const totp = row.credentials.find((credential) => credential.type === 'totp');
    return {
      id: row.id,
      traits: (row.traits ?? {}) as Record<string, unknown>,
      schemaVersion: row.schemaVersion,
      hasPassword: password !== undefined,
      passwordIdentifier: password?.identifiers[0]?.identifier,
      totpEnrolled: (totp?.config as { confirmed?: unknown } | null)?.confirmed === true,
    };
  }

  /**
   * Writes new traits, and makes the login identifiers of the password credential (if any) and the
   * verifiable addresses follow them: removed values go, new ones are added (addresses unverified).
   */
  async updateTraits(
    tx: Tx,
    projectId: string,
    identityId: string,
    traits: Record<string, unknown>,
    identifiers: string[],
    addresses: { added: Address[]; removed: Address[] },
  ): Promise<void> {
    await tx.identity.update({
      where: { id: identityId },
      data: { traits: traits as Prisma.InputJsonObject },
      select: { id: true },
    });
    const password = await tx.credential.findUnique({
      where: { identityId_type: { identityId, type: 'password' } },
      select: { id: true, identifiers: { where: { type: 'password' }, select: { identifier: true } } },
    });
    if (password) {
      const current = password.identifiers.map((row) => row.identifier);
      const stale = current.filter((identifier) => !identifiers.includes(identifier));
      const fresh = identifiers.filter((identifier) => !current.includes(identifier));
      if (stale.length)
        await tx.credentialIdentifier.deleteMany({
          where: { credentialId: password.id, type: 'password', identifier: { in: stale } },
        });
      if (fresh.length)
        await tx.credentialIdentifier.createMany({
          data: fresh.map((identifier) => ({
            projectId,
            credentialId: password.id,
            type: 'password' as const,
            identifier,
          })),
        });
    }
    if (addresses.removed.length) {
      await tx.verifiableAddress.deleteMany({
        where: { identityId, OR: addresses.removed.map(({ via, value }) => ({ via, value })) },
      });
    }
    if (addresses.added.length) {
      await tx.verifiableAddress.createMany({
        data: addresses.added.map(({ via, value }) => ({ projectId, identityId, via, value })),
      });
    }
  }

  /**
   * Receiving a code (or link) sent to the address proved control of it, which is what verifying it means (or an
   * administrator vouched for it). False when the address was verified already, or is not the identity's.
   */
  async markAddressVerified(
    tx: Tx | undefined,
    identityId: string,
    via: Address['via'],
    value: string,
  ): Promise<boolean> {
    const { count } = await (tx ?? this.prisma).verifiableAddress.updateMany({
      where: { identityId, via, value, verified: false },
      data: { verified: true, verifiedAt: new Date() },
    });
    return count > 0;
  }

  /** Disables or enables the identity; false when it was in that state already (or does not exist). */
  async setState(tx: Tx | undefined, projectId: string, identityId: string, state: IdentityState): Promise<boolean> {
    const { count } = await (tx ?? this.prisma).identity.updateMany({
      where: { id: identityId, projectId, state: { not: state } },
      data: { state },
    });
    return count > 0;
  }

  /**
   * Deletes the identity. Its credentials (with their login identifiers), verifiable addresses, sessions,
   * refresh tokens, authorization codes, flows and memberships go with it (ON DELETE CASCADE); the audit log
   * keeps its events. False when there was no such identity.
   */
  async delete(tx: Tx | undefined, projectId: string, identityId: string): Promise<boolean> {
    const { count } = await (tx ?? this.prisma).identity.deleteMany({ where: { id: identityId, projectId } });
    return count > 0;
  }

  /**
   * Sets the password credential; an identity without one (e.g. passkeys only) gets one, with the login
   * identifiers its schema names, so the new password can be used at /oauth2/authn.
   */
  async setPassword(
    tx: Tx,
    projectId: string,
    identityId: string,
    passwordHash: string,
    identifiers: string[],
  ): Promise<void> {
    const existing = await tx.credential.findUnique({
      where: { identityId_type: { identityId, type: 'password' } },
      select: { id: true },
    });
    if (existing) {
      await tx.credential.update({ where: { id: existing.id }, data: { secret: passwordHash } });
      return;
    }
    await tx.credential.create({
      data: {
        identityId,
        type: 'password',
        secret: passwordHash,
        identifiers: {
          create: identifiers.map((identifier) => ({ projectId, type: 'password' as const, identifier })),
        },
      },
    });
  }

  /** The identity-wide lock (every factor), as LockoutService decides it; shown by the admin API. */
  async lock(identityId: string, lockedUntil: Date): Promise<void> {
    await this.prisma.identity.update({ where: { id: identityId }, data: { lockedUntil }, select: { id: true } });
  }

  /** Lifts the identity's lock; with `lapsedBy`, only a lock that had ended by then (one set meanwhile stays). */
  async unlock(tx: Tx | undefined, identityId: string, lapsedBy?: Date): Promise<void> {
    await (tx ?? this.prisma).identity.updateMany({
      where: { id: identityId, ...(lapsedBy ? { lockedUntil: { lte: lapsedBy } } : {}) },
      data: { lockedUntil: null },
    });
  }

  /** The identity's credentials with their stored verifiers; callers summarise them, never return them. */
  listCredentials(identityId: string): Promise<StoredCredential[]> {
    return this.prisma.credential.findMany({
      where: { identityId },
      select: { type: true, secret: true, config: true, createdAt: true, updatedAt: true },
      orderBy: { createdAt: 'asc' },
    });
  }

  listVerifiableAddresses(
    identityId: string,
  ): Promise<{ via: string; value: string; verified: boolean; verifiedAt: Date | null }[]> {
    return this.prisma.verifiableAddress.findMany({
      where: { identityId },
      select: { via: true, value: true, verified: true, verifiedAt: true },
      orderBy: { createdAt: 'asc' },
    });
  }

  async updatePasswordHash(credentialId: string, hash: string): Promise<void> {
    await this.prisma.credential.update({ where: { id: credentialId }, data: { secret: hash } });
  }
}

/** The columns of IdentityRow (of `identities` as `i`), as Prisma names them. */
const IDENTITY_COLUMNS = `i.id, i.project_id AS "projectId", i.traits, i.state::text AS state, i.locked_until AS "lockedUntil",
     i.schema_version AS "schemaVersion", i.created_at AS "createdAt", i.updated_at AS "updatedAt"`;

/** findWithVerifiedEmails's one statement: $1 the project, $2 the identity. */
const FIND_WITH_VERIFIED_EMAILS = preparedStatement<IdentityRow & { verifiedEmails: string[] }>(
  'identities.find_with_verified_emails',
  `SELECT ${IDENTITY_COLUMNS},
          COALESCE(array_agg(a.value ORDER BY a.created_at, a.id) FILTER (WHERE a.id IS NOT NULL), '{}') AS "verifiedEmails"
   FROM identities AS i
   LEFT JOIN verifiable_addresses AS a ON a.identity_id = i.id AND a.via = 'email' AND a.verified
   WHERE i.id = $2::uuid AND i.project_id = $1::uuid
   GROUP BY i.id`,
);

/** findPasswordLogin's one statement: $1 the project, $2 the (normalised) login identifier. */
const FIND_PASSWORD_LOGIN = preparedStatement<IdentityRow & { credentialId: string; passwordHash: string | null }>(
  'identities.find_password_login',
  `SELECT ${IDENTITY_COLUMNS}, c.id AS "credentialId", c.secret AS "passwordHash"
   FROM credential_identifiers AS ci
   JOIN credentials AS c ON c.id = ci.credential_id
   JOIN identities AS i ON i.id = c.identity_id
   WHERE ci.project_id = $1::uuid AND ci.type = 'password' AND ci.identifier = $2::text`,
);

/** `value` as a LIKE pattern that matches it literally (backslash is the default escape character). */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}
