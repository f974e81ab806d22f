import { HttpStatus, Injectable } from '@nestjs/common';
import { ApiError, ErrorCodes, fieldError } from '../../infra/http/errors';
import { passwordHashAlgorithm } from '../../infra/crypto/password-hash-formats';
import { PasswordHasher } from '../../infra/crypto/password-hasher';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import { cursorPosition, pageOf, type Page } from '../../infra/http/page-cursor';
import { isUuid } from '../../infra/http/ids';
import { TotpService } from '../../methods/totp/totp.service';
import { TOTP_PERIOD_SECONDS } from '../../methods/totp/totp-codes';
import { PasskeysService } from '../../methods/passkey/passkeys.service';
import { BackupCodesService } from '../../methods/backup-codes/backup-codes.service';
import { addressChanges, uniqueClaims, type UniqueClaim } from '../../methods/profile/profile-changes';
import {
  IdentitiesRepository,
  type IdentityRow,
  type IdentityState,
  type StoredCredential,
} from '../../domain/identities/identities.repository';
import { LockoutService } from '../../domain/lockout/lockout.service';
import type { Project } from '../../domain/projects/projects.service';
import type { IdentityCredentialsInput } from './identity-credentials';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import { ConnectionsService } from '../../domain/connections/connections.service';
import { FederatedIdentities } from '../../domain/federation/federated-identities';
import type { Prisma } from '../../generated/prisma/client';
import { identityView, type CredentialSummary, type IdentityDetailView, type IdentityView } from './identity-views';

@Injectable()
export class IdentitiesService {
  constructor(
    private readonly identities: IdentitiesRepository,
    private readonly hasher: PasswordHasher,
    private readonly totp: TotpService,
    private readonly passkeys: PasskeysService,
    private readonly backupCodes: BackupCodesService,
    private readonly lockout: LockoutService,
    private readonly schemas: IdentitySchemasService,
    private readonly connections: ConnectionsService,
    private readonly federated: FederatedIdentities,
  ) {}

  /**
   * Creates an identity with the credentials given: a password in clear (hashed now with argon2id) or an
   * imported hash (kept until the next successful login re-hashes it), an imported TOTP secret
   * (sealed at rest, confirmed: the user's app already has it), and accounts at the project's connections
   * (linked in the same transaction; 409 when one is another identity's already).
   * The traits are validated against the project's default identity schema, or the version given; a
   * password's login identifiers are the values of every identifier trait of that schema, normalised.
   */
  async create(
    projectId: string,
    traits: Record<string, unknown>,
    credentials: IdentityCredentialsInput = {},
    schemaVersion?: number,
  ): Promise<IdentityRow> {
    const schema = await this.schemas.resolve(projectId, schemaVersion);
    const problems = schema.compiled.validate(traits);
    if (problems.length) throw ApiError.invalidFields(problems);
    const identifiers = schema.compiled.identifiersOf(traits);
    const { password, totp } = credentials;
    if (password && identifiers.length === 0) {
      throw ApiError.badRequest(
        `traits: a password needs a login identifier; give one of ${schema.compiled.identifierTraits.map((name) => `traits.${name}`).join(', ')}`,
      );
    }
    const passwordHash =
      password?.hash ?? (password?.value !== undefined ? await this.hasher.hash(password.value) : undefined);
    let totpCredential: { sealedSecret: string; config: { confirmed: true } } | undefined;
    if (totp) {
      const sealedSecret = await this.totp.sealImportedSecret(totp.secret);
      // The body schema already refused unusable secrets; this guards other callers.
      if (!sealedSecret)
        throw ApiError.badRequest('credentials.totp.secret: must be a base32 secret (A-Z, 2-7) of 80 to 512 bits');
      totpCredential = { sealedSecret, config: { confirmed: true } };
    }
    const links = await this.importedLinks(projectId, credentials.oidc?.links ?? []);
    try {
      return await this.identities.transaction(async (tx) => {
        const identity = await this.identities.create(tx, {
          projectId,
          traits: traits as Prisma.InputJsonObject,
          schemaVersion: schema.version,
          passwordHash,
          identifiers,
          addresses: schema.compiled.verifiableAddressesOf(traits),
          totp: totpCredential,
        });
        await this.federated.importLinks(tx, projectId, identity.id, links);
        return identity;
      });
    } catch (error) {
      if (isUniqueViolation(error) && (await this.takenLinks(projectId, links)).length)
        throw ApiError.conflict('credentials.oidc.links: an account is linked to another identity already.');
      // Admin-only endpoint: saying the identifier is taken is not an enumeration leak to end users.
      if (isUniqueViolation(error))
        throw ApiError.conflict(
          `An identity with login identifier ${identifiers.map((identifier) => `'${identifier}'`).join(' or ')} already exists.`,
        );
      throw error;
    }
  }

  /** Imported links by connection id; 400 naming a connection the project lacks, 409 for a subject already linked. */
  private async importedLinks(
    projectId: string,
    wanted: readonly { connection: string; subject: string }[],
  ): Promise<{ connectionId: string; subject: string }[]> {
    if (!wanted.length) return [];
    const byName = new Map((await this.connections.list({ id: projectId })).map((c) => [c.name, c.id]));
    const unknown = wanted.filter(({ connection }) => !byName.has(connection));
    if (unknown.length)
      throw ApiError.invalidFields(
        unknown.map(({ connection }) =>
          fieldError('credentials.oidc.links', 'msg_field_invalid', `no connection '${connection}' in this project`),
        ),
      );
    const links = wanted.map(({ connection, subject }) => ({ connectionId: byName.get(connection)!, subject }));
    const taken = await this.takenLinks(projectId, links);
    if (taken.length)
      throw ApiError.conflict(
        `credentials.oidc.links: the account '${taken[0]!.subject}' is linked to another identity already.`,
      );
    return links;
  }

  private async takenLinks(
    projectId: string,
    links: readonly { connectionId: string; subject: string }[],
  ): Promise<{ connectionId: string; subject: string }[]> {
    const owners = await Promise.all(
      links.map(({ connectionId, subject }) => this.federated.linkedIdentity(projectId, connectionId, subject)),
    );
    return links.filter((_, index) => owners[index] !== undefined);
  }

  /** The identity of the project named by a path's `:id`; 404 for anything else, malformed ids included. */
  async get(project: Project, id: string): Promise<IdentityRow> {
    const identity = isUuid(id) ? await this.identities.findById(project.id, id) : null;
    if (!identity) throw ApiError.notFound(`No identity '${id}' in project '${project.slug}'.`);
    return identity;
  }

  /** A page of identities, newest first; `cursor` is the previous page's `nextCursor`. */
  async search(
    projectId: string,
    query: { q?: string | undefined; state?: IdentityState | undefined; limit: number; cursor?: string | undefined },
  ): Promise<Page<IdentityView>> {
    const after = cursorPosition(query.cursor);
    const rows = await this.identities.search(projectId, {
      q: query.q,
      state: query.state,
      after,
      take: query.limit + 1,
    });
    return pageOf(rows, query.limit, identityView);
  }

  /** The identity with its credentials' metadata, addresses and failed attempts: never a secret. */
  async detail(identity: IdentityRow): Promise<IdentityDetailView> {
    const [credentials, addresses, lockout] = await Promise.all([
      this.credentialSummaries(identity.projectId, identity.id),
      this.identities.listVerifiableAddresses(identity.id),
      this.lockout.status(identity.projectId, identity.id),
    ]);
    return {
      ...identityView(identity),
      credentials,
      verifiableAddresses: addresses.map((address) => ({
        ...address,
        verifiedAt: address.verifiedAt?.toISOString() ?? null,
      })),
      failedAttempts: lockout.failedAttempts,
    };
  }

  /**
   * Replaces the identity's traits, validated by its own schema version; its password login identifiers and
   * verifiable addresses follow in the same transaction (new addresses unverified, unchanged ones keep their
   * state). A value another identity holds is 409 naming the field; so is leaving a password without any
   * identifier to sign in with. Returns the traits before and after.
   */
  async updateTraits(
    project: Project,
    identity: IdentityRow,
    traits: Record<string, unknown>,
  ): Promise<{ before: Record<string, unknown>; after: Record<string, unknown> }> {
    const schema = (await this.schemas.resolve(project.id, identity.schemaVersion)).compiled;
    const problems = schema.validate(traits);
    if (problems.length) throw ApiError.invalidFields(problems);
    const before = (identity.traits ?? {}) as Record<string, unknown>;
    const identifiers = schema.identifiersOf(traits);
    const hasPassword = (await this.identities.listCredentials(identity.id)).some(
      (credential) => credential.type === 'password',
    );
    if (hasPassword && identifiers.length === 0)
      throw ApiError.invalidFields(
        schema.identifierTraits.map((name) =>
          fieldError(
            `traits.${name}`,
            'msg_trait_required',
            'the identity signs in with a password: keep a login identifier',
          ),
        ),
      );
    const claims = uniqueClaims(schema, traits);
    const taken = await this.identities.takenClaims(undefined, project.id, identity.id, claims);
    if (taken.length) throw takenConflict(taken);
    const addresses = addressChanges(schema.verifiableAddressesOf(before), schema.verifiableAddressesOf(traits));
    try {
      await this.identities.transaction((tx) =>
        this.identities.updateTraits(tx, project.id, identity.id, traits, identifiers, addresses),
      );
    } catch (error) {
      // Taken by another identity between the check and the write.
      if (!isUniqueViolation(error)) throw error;
      const raced = await this.identities.takenClaims(undefined, project.id, identity.id, claims);
      throw takenConflict(raced.length ? raced : claims);
    }
    return { before, after: traits };
  }

  /**
   * What credentials an identity has, as metadata only: for passwords the hash algorithm (so a migration's
   * progress to argon2id can be followed), for TOTP whether enrollment is confirmed and when a code was last
   * accepted, the passkeys by name, how many backup codes are left, the linked accounts by connection.
   */
  async credentialSummaries(projectId: string, identityId: string): Promise<CredentialSummary[]> {
    const stored = await this.identities.listCredentials(identityId);
    return Promise.all(stored.map((credential) => this.summary(projectId, identityId, credential)));
  }

  private async summary(
    projectId: string,
    identityId: string,
    credential: StoredCredential,
  ): Promise<CredentialSummary> {
    const { type, secret, config } = credential;
    const createdAt = credential.createdAt.toISOString();
    switch (type) {
      case 'password':
        return {
          type,
          hashAlgorithm: passwordHashAlgorithm(secret ?? ''),
          createdAt,
          updatedAt: credential.updatedAt.toISOString(),
        };
      case 'totp': {
        const { confirmed, lastUsedStep } = (config ?? {}) as { confirmed?: unknown; lastUsedStep?: unknown };
        const lastUsedAt =
          typeof lastUsedStep === 'number' ? new Date(lastUsedStep * TOTP_PERIOD_SECONDS * 1000).toISOString() : null;
        return { type, confirmed: confirmed === true, createdAt, lastUsedAt };
      }
      case 'webauthn': {
        // A webauthn credential exists from the first registration attempt on; its list says whether any passkey does.
        const passkeys = (await this.passkeys.list(identityId)).map(
          ({ id, name, createdAt, lastUsedAt, backedUp }) => ({
            id,
            name,
            createdAt,
            lastUsedAt,
            backedUp,
          }),
        );
        const lastUsedAt =
          passkeys
            .map((passkey) => passkey.lastUsedAt ?? '')
            .sort()
            .pop() || null;
        return { type, passkeys, createdAt, lastUsedAt };
      }
      case 'backup_codes':
        return { type, remaining: (await this.backupCodes.status(identityId)).remaining, createdAt };
      case 'oidc': {
        const links = (await this.connections.linkedAccounts(projectId, identityId)).map(
          ({ connectionId, connectionName, subject, linkedAt }) => ({
            connectionId,
            connectionName,
            subject,
            linkedAt,
          }),
        );
        return { type, links, createdAt };
      }
      default:
        return { type, createdAt };
    }
  }
}

/** 409 naming each field whose value another identity holds (admin only: no enumeration concern), in `fields` too. */
function takenConflict(claims: UniqueClaim[]): ApiError {
  const fields = [...new Set(claims.map(({ field }) => field))].map((field) =>
    fieldError(field, 'msg_identifier_taken', 'belongs to another identity of the project'),
  );
  return new ApiError(
    HttpStatus.CONFLICT,
    ErrorCodes.CONFLICT,
    'Conflict.',
    fields.map((field) => `${field.field}: ${field.message}`).join('; '),
    fields,
  );
}
