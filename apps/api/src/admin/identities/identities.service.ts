import { Injectable } from '@nestjs/common';
import { ApiError } from '../../infra/http/errors';
import { passwordHashAlgorithm } from '../../infra/crypto/password-hash-formats';
import { PasswordHasher } from '../../infra/crypto/password-hasher';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import { TotpService } from '../../methods/totp/totp.service';
import { IdentitiesRepository, type IdentityRow } from '../../domain/identities/identities.repository';
import type { IdentityCredentialsInput } from './identity-credentials';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import type { Prisma } from '../../generated/prisma/client';

export type VerifiableAddressView = { via: string; value: string; verified: boolean; verifiedAt: Date | null };
export type CredentialSummary = { type: string; hashAlgorithm?: string; confirmed?: boolean; passkeys?: number };

@Injectable()
export class IdentitiesService {
  constructor(
    private readonly identities: IdentitiesRepository,
    private readonly hasher: PasswordHasher,
    private readonly totp: TotpService,
    private readonly schemas: IdentitySchemasService,
  ) {}

  /**
   * Creates an identity with the credentials given: a password in clear (hashed now with argon2id) or an
   * imported hash (kept until the next successful login re-hashes it), and an imported TOTP secret
   * (sealed at rest, confirmed: the user's app already has it).
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
    try {
      return await this.identities.create(undefined, {
        projectId,
        traits: traits as Prisma.InputJsonObject,
        schemaVersion: schema.version,
        passwordHash,
        identifiers,
        addresses: schema.compiled.verifiableAddressesOf(traits),
        totp: totpCredential,
      });
    } catch (error) {
      // Admin-only endpoint: saying the identifier is taken is not an enumeration leak to end users.
      if (isUniqueViolation(error))
        throw ApiError.conflict(
          `An identity with login identifier ${identifiers.map((identifier) => `'${identifier}'`).join(' or ')} already exists.`,
        );
      throw error;
    }
  }

  /**
   * What credentials an identity has, without their secrets: for passwords the hash algorithm (so a
   * migration's progress to argon2id can be followed), for TOTP whether enrollment is confirmed, for
   * webauthn how many passkeys are registered.
   */
  async credentialSummaries(identityId: string): Promise<CredentialSummary[]> {
    return (await this.identities.listCredentials(identityId)).map(({ type, secret, config }) => {
      if (type === 'password') return { type, hashAlgorithm: passwordHashAlgorithm(secret ?? '') };
      if (type === 'totp') return { type, confirmed: (config as { confirmed?: unknown } | null)?.confirmed === true };
      // A webauthn credential exists from the first registration attempt on; the count says whether any passkey does.
      if (type === 'webauthn') {
        const passkeys = (config as { passkeys?: unknown } | null)?.passkeys;
        return { type, passkeys: Array.isArray(passkeys) ? passkeys.length : 0 };
      }
      return { type };
    });
  }

  findById(projectId: string, id: string): Promise<IdentityRow | null> {
    return this.identities.findById(projectId, id);
  }

  /** The identity's verifiable addresses (from traits marked `verification.via`) and whether each is verified. */
  verifiableAddresses(identityId: string): Promise<VerifiableAddressView[]> {
    return this.identities.listVerifiableAddresses(identityId);
  }

  list(projectId: string, take = 100): Promise<IdentityRow[]> {
    return this.identities.list(projectId, take);
  }
}
