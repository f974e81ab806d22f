import { Injectable } from '@nestjs/common';
import type { Prisma } from '../../generated/prisma/client';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import { IdentitiesRepository } from '../identities/identities.repository';
import type { CompiledIdentitySchema, TraitError } from '../schemas/identity-schema';
import { IdentitySchemasService } from '../schemas/identity-schemas.service';
import { normaliseIdentifier } from '../schemas/identity-traits';
import type { LinkingPolicy } from './linking-policy';
import {
  FederatedCredentialsRepository,
  type AddLinkResult,
  type FederatedLink,
  type RemoveLinkResult,
} from './federated-credentials.repository';

/** What resolving needs of a connection (a Connection has it all). */
export interface FederationConnection {
  id: string;
  /** Provider claim → identity trait. */
  claimMapping: Record<string, string>;
  trustEmailVerified: boolean;
  linkingPolicy: LinkingPolicy;
}

/** The upstream login, as the provider's verified ID token (or userinfo) says it. */
export interface FederatedClaims {
  sub: string;
  email?: string | undefined;
  emailVerified: boolean;
  name?: string | undefined;
  amr?: string[] | undefined;
  /** The provider's other claims (given_name, picture…), which a connection's claim mapping may name. */
  extra?: Record<string, unknown> | undefined;
}

/** Why a federated login can neither sign in, nor link, nor register. */
export type FederationConflictReason =
  /** The address is another identity's, and the provider does not say it is verified. */
  | 'email_not_verified'
  /** The provider says it is verified, but this connection does not trust the provider's word. */
  | 'email_not_trusted'
  /** The connection's linking policy is 'never': a federated login is always a new identity. */
  | 'linking_disabled'
  /** The address is held by two identities (one as a login identifier, one as an address): no way to choose. */
  | 'email_ambiguous';

export type FederatedResolution =
  /** This connection and subject are linked already: sign in as that identity. */
  | { kind: 'linked'; identityId: string }
  /** An identity has the verified, trusted address; the user must prove that account before it is linked. */
  | { kind: 'link-proof-required'; identityId: string }
  /** An identity has the verified, trusted address and the policy links at once. */
  | { kind: 'link'; identityId: string }
  /** A new identity: the traits mapped from the claims, and the required ones the provider did not give. */
  | { kind: 'register'; traits: Record<string, unknown>; verifiedEmail?: string; missingTraits: string[] }
  | { kind: 'conflict'; reason: FederationConflictReason };

export type FederatedRegistration =
  | { kind: 'registered'; identityId: string }
  /** A concurrent first login of the same subject registered it first: this is its identity. */
  | { kind: 'linked'; identityId: string }
  /** The traits are not valid for the project's default schema (the flow asks again). */
  | { kind: 'invalid-traits'; errors: TraitError[] }
  /** A login identifier or address of the traits belongs to another identity (taken meanwhile). */
  | { kind: 'conflict'; reason: 'traits_taken' };

/**
 * Resolves an upstream login to an identity of the project, and registers, links and unlinks federated
 * identities. Never links on an address the provider does not vouch for (or the connection does not trust):
 * that would hand an account to whoever typed its address at the provider.
 */
@Injectable()
export class FederatedIdentities {
  constructor(
    private readonly identities: IdentitiesRepository,
    private readonly credentials: FederatedCredentialsRepository,
    private readonly schemas: IdentitySchemasService,
  ) {}

  async resolve(
    projectId: string,
    connection: FederationConnection,
    claims: FederatedClaims,
  ): Promise<FederatedResolution> {
    const linked = await this.credentials.findLinkedIdentity(projectId, connection.id, claims.sub);
    if (linked !== undefined) return { kind: 'linked', identityId: linked };

    const email = claims.email?.trim() ? normaliseIdentifier(claims.email) : undefined;
    const trusted = email !== undefined && claims.emailVerified && connection.trustEmailVerified;
    if (email !== undefined) {
      const owners = await this.identities.findCandidates(projectId, email);
      if (owners.length > 1) return { kind: 'conflict', reason: 'email_ambiguous' };
      const owner = owners[0];
      if (owner) {
        // A concurrent first login of this same subject may have registered the owner between the two reads above:
        // then it is simply linked (not another account to prove, or to refuse).
        const linkedMeanwhile = await this.credentials.findLinkedIdentity(projectId, connection.id, claims.sub);
        if (linkedMeanwhile !== undefined) return { kind: 'linked', identityId: linkedMeanwhile };
        if (connection.linkingPolicy === 'never') return { kind: 'conflict', reason: 'linking_disabled' };
        if (!claims.emailVerified) return { kind: 'conflict', reason: 'email_not_verified' };
        if (!trusted) return { kind: 'conflict', reason: 'email_not_trusted' };
        // Linking at once is safe only if the owner proved the address too: else whoever registered it first
        // (without owning the mailbox) would keep a way into the account the provider's user signs in to.
        if (connection.linkingPolicy === 'trust-verified-email' && (await this.ownsVerified(owner.id, email)))
          return { kind: 'link', identityId: owner.id };
        return { kind: 'link-proof-required', identityId: owner.id };
      }
    }

    const schema = (await this.schemas.getDefault(projectId)).compiled;
    const { traits, missingTraits } = mapTraits(schema, connection.claimMapping, claims);
    return { kind: 'register', traits, ...(trusted ? { verifiedEmail: email } : {}), missingTraits };
  }

  /**
   * Creates the identity with its `oidc` credential linking the subject, in one transaction, validated by the
   * project's default schema. The traits' addresses are stored unverified, except `verifiedEmail` (which the
   * caller passes only when the provider verified it and the connection trusts that).
   */
  async register(
    projectId: string,
    connection: Pick<FederationConnection, 'id'>,
    subject: string,
    traits: Record<string, unknown>,
    verifiedEmail?: string,
  ): Promise<FederatedRegistration> {
    const { version, compiled } = await this.schemas.getDefault(projectId);
    const errors = compiled.validate(traits);
    if (errors.length) return { kind: 'invalid-traits', errors };
    const verified = verifiedEmail === undefined ? undefined : normaliseIdentifier(verifiedEmail);
    try {
      const identityId = await this.identities.transaction(async (tx) => {
        const identity = await this.identities.create(tx, {
          projectId,
          traits: traits as Prisma.InputJsonObject,
          schemaVersion: version,
          // No password: the login identifiers are the password credential's.
          identifiers: [],
          addresses: compiled.verifiableAddressesOf(traits),
        });
        await this.credentials.addLink(tx, projectId, identity.id, connection.id, subject);
        if (verified !== undefined) await this.identities.markAddressVerified(tx, identity.id, 'email', verified);
        return identity.id;
      });
      return { kind: 'registered', identityId };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // The same subject's other first login won the race: it is that identity. Else an address was taken.
      const winner = await this.credentials.findLinkedIdentity(projectId, connection.id, subject);
      return winner !== undefined
        ? { kind: 'linked', identityId: winner }
        : { kind: 'conflict', reason: 'traits_taken' };
    }
  }

  /** Links the upstream account to an existing identity (after proof, or by the 'trust-verified-email' policy). */
  async link(
    projectId: string,
    identityId: string,
    connection: Pick<FederationConnection, 'id'>,
    subject: string,
  ): Promise<AddLinkResult | 'no-identity'> {
    if (!(await this.identities.findById(projectId, identityId))) return 'no-identity';
    return this.credentials.addLink(undefined, projectId, identityId, connection.id, subject);
  }

  /**
   * Links upstream accounts to an identity being created in the caller's transaction (an admin import from
   * another identity provider). A subject already linked elsewhere throws P2002: the whole import rolls back.
   */
  async importLinks(
    tx: Prisma.TransactionClient,
    projectId: string,
    identityId: string,
    links: readonly { connectionId: string; subject: string }[],
  ): Promise<void> {
    for (const { connectionId, subject } of links)
      await this.credentials.addLink(tx, projectId, identityId, connectionId, subject);
  }

  /** The identity that holds the upstream account, if any. */
  linkedIdentity(projectId: string, connectionId: string, subject: string): Promise<string | undefined> {
    return this.credentials.findLinkedIdentity(projectId, connectionId, subject);
  }

  /** The upstream accounts linked to the identity, in the order they were linked. */
  links(identityId: string): Promise<FederatedLink[]> {
    return this.credentials.listLinks(identityId);
  }

  /** Unlinks the identity's account at the connection; refused when it is the last way to sign in. */
  unlink(projectId: string, identityId: string, connectionId: string): Promise<RemoveLinkResult> {
    return this.credentials.removeLink(projectId, identityId, connectionId);
  }

  private async ownsVerified(identityId: string, email: string): Promise<boolean> {
    const addresses = await this.identities.listVerifiableAddresses(identityId);
    return addresses.some((address) => address.via === 'email' && address.value === email && address.verified);
  }
}

/**
 * The amr of a session signed in through a provider: `fed` (RFC 8176: federated), then what the provider says
 * its user did (pwd, mfa…), without duplicates.
 */
export function federatedAmr(upstreamAmr: readonly string[] = []): string[] {
  return [...new Set(['fed', ...upstreamAmr])];
}

/**
 * The traits the connection's mapping takes from the claims, keeping only what the schema accepts: a value the
 * schema refuses (wrong format, unknown trait) is left out, so the user is asked for it like a required trait the
 * provider did not give (listed in missingTraits).
 */
function mapTraits(
  schema: CompiledIdentitySchema,
  mapping: Record<string, string>,
  claims: FederatedClaims,
): { traits: Record<string, unknown>; missingTraits: string[] } {
  const values: Record<string, unknown> = {
    ...claims.extra,
    sub: claims.sub,
    email: claims.email,
    email_verified: claims.emailVerified,
    name: claims.name,
  };
  const traits: Record<string, unknown> = {};
  for (const [claim, trait] of Object.entries(mapping)) {
    const value = values[claim];
    if (value === undefined || value === null || value === '') continue;
    traits[trait] = value;
  }
  for (const error of schema.validate(traits)) {
    const trait = topLevelTrait(error.field);
    if (error.messageId !== 'msg_trait_required' && trait !== undefined) delete traits[trait];
  }
  const missingTraits = schema
    .validate(traits)
    .filter((error) => error.messageId === 'msg_trait_required')
    .map((error) => topLevelTrait(error.field))
    .filter((trait): trait is string => trait !== undefined);
  return { traits, missingTraits: [...new Set(missingTraits)] };
}

/** `traits.address.city` → `address`; undefined for the traits object itself. */
function topLevelTrait(field: string): string | undefined {
  return field.split('.')[1];
}
