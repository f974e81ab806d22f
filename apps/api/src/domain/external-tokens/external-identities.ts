import { isDeepStrictEqual } from 'node:util';
import { Injectable, Logger } from '@nestjs/common';
import type { Prisma } from '../../generated/prisma/client';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import { IdentitiesRepository } from '../identities/identities.repository';
import type { CompiledIdentitySchema } from '../schemas/identity-schema';
import { IdentitySchemasService } from '../schemas/identity-schemas.service';
import { ExternalCredentialsRepository } from './external-credentials.repository';
import type { ExternalSubject } from './external-token.verifier';

/** What a verified partner token signs in as. */
export type ExternalSignIn =
  | { kind: 'signed-in'; identityId: string; registered: boolean }
  /**
   * Not an identity: the mapped claims do not make valid traits, they claim another identity's address, or the
   * identity is disabled. `detail` is for the log; the client is told only that the token does not sign in.
   */
  | { kind: 'refused'; detail: string };

type Address = { via: 'email' | 'phone'; value: string };

/**
 * Partner subjects as identities of the project. The first sign-in of an (issuer, subject) registers the
 * identity with the traits the issuer's mapping takes from the claims; later ones sign it in and, under the
 * `every-login` policy, write the mapped traits again. Never attaches a subject to an existing identity by
 * address: a partner's token proves the partner's user, not the owner of an address here.
 */
@Injectable()
export class ExternalIdentities {
  private readonly logger = new Logger('ExternalIdentities');

  constructor(
    private readonly identities: IdentitiesRepository,
    private readonly credentials: ExternalCredentialsRepository,
    private readonly schemas: IdentitySchemasService,
  ) {}

  async signIn(projectId: string, external: ExternalSubject): Promise<ExternalSignIn> {
    const { issuer, subject } = external;
    const known = await this.credentials.findIdentity(projectId, issuer.id, subject);
    if (known !== undefined) return this.signInKnown(projectId, known, external);
    const { version, compiled } = await this.schemas.getDefault(projectId);
    const traits = mappedTraits(issuer.claimMapping, external.claims);
    const errors = compiled.validate(traits);
    if (errors.length)
      return {
        kind: 'refused',
        detail: `the mapped claims are not valid traits: ${errors.map((error) => error.field).join(', ')}`,
      };
    try {
      const identityId = await this.identities.transaction(async (tx) => {
        const identity = await this.identities.create(tx, {
          projectId,
          traits: traits as Prisma.InputJsonObject,
          schemaVersion: version,
          // No password: an external identity signs in with its partner's tokens.
          identifiers: [],
          // The partner's word does not verify an address here: they start unverified.
          addresses: compiled.verifiableAddressesOf(traits),
        });
        await this.credentials.create(tx, projectId, identity.id, issuer.id, subject);
        return identity.id;
      });
      return { kind: 'signed-in', identityId, registered: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // The same subject's concurrent first sign-in registered it: that is its identity. Else an address is taken.
      const winner = await this.credentials.findIdentity(projectId, issuer.id, subject);
      if (winner === undefined)
        return { kind: 'refused', detail: "the mapped traits claim another identity's address" };
      return this.signInKnown(projectId, winner, external);
    }
  }

  private async signInKnown(projectId: string, identityId: string, external: ExternalSubject): Promise<ExternalSignIn> {
    const identity = await this.identities.findById(projectId, identityId);
    if (!identity || identity.state !== 'active') return { kind: 'refused', detail: 'the identity cannot sign in' };
    if (external.issuer.updatePolicy === 'every-login')
      await this.updateTraits(projectId, identity, mappedTraits(external.issuer.claimMapping, external.claims));
    return { kind: 'signed-in', identityId, registered: false };
  }

  /**
   * `every-login`: the mapped traits over the stored ones, validated by the identity's schema version. Values the
   * schema refuses are left as they are, and so is everything when the result is still invalid or claims an
   * address another identity holds: stale traits are better than a partner's bad data locking the user out.
   */
  private async updateTraits(
    projectId: string,
    identity: { id: string; traits: Prisma.JsonValue; schemaVersion: number },
    mapped: Record<string, unknown>,
  ): Promise<void> {
    const before = (identity.traits ?? {}) as Record<string, unknown>;
    const schema = (await this.schemas.resolve(projectId, identity.schemaVersion)).compiled;
    const traits = acceptedUpdate(schema, before, mapped);
    if (!traits || isDeepStrictEqual(before, traits)) return;
    const addresses = addressChanges(schema.verifiableAddressesOf(before), schema.verifiableAddressesOf(traits));
    try {
      await this.identities.transaction((tx) =>
        this.identities.updateTraits(tx, projectId, identity.id, traits, schema.identifiersOf(traits), addresses),
      );
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      this.logger.warn(`Traits of identity ${identity.id} not updated: an address is another identity's`);
    }
  }
}

/** The traits a mapping takes from the claims (absent, null and empty values are left out). */
export function mappedTraits(
  mapping: Record<string, string>,
  claims: Record<string, unknown>,
): Record<string, unknown> {
  const traits: Record<string, unknown> = {};
  for (const [claim, trait] of Object.entries(mapping)) {
    const value = claims[claim];
    if (value === undefined || value === null || value === '') continue;
    traits[trait] = value;
  }
  return traits;
}

/**
 * The stored traits with the mapped ones written over them, without the mapped values the schema refuses;
 * undefined when even that is not valid.
 */
export function acceptedUpdate(
  schema: CompiledIdentitySchema,
  before: Record<string, unknown>,
  mapped: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const traits = { ...before, ...mapped };
  for (const error of schema.validate(traits)) {
    const trait = error.field.split('.')[1];
    if (trait !== undefined && trait in mapped) {
      if (trait in before) traits[trait] = before[trait];
      else delete traits[trait];
    }
  }
  return schema.validate(traits).length ? undefined : traits;
}

/** Verifiable addresses the update adds (unverified) and removes; unchanged ones keep their state. */
function addressChanges(before: Address[], after: Address[]): { added: Address[]; removed: Address[] } {
  const key = (address: Address) => `${address.via}:${address.value}`;
  const old = new Set(before.map(key));
  const now = new Set(after.map(key));
  return {
    added: after.filter((address) => !old.has(key(address))),
    removed: before.filter((address) => !now.has(key(address))),
  };
}
