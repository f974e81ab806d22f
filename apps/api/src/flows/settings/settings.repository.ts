import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import { SelfServiceFlowStore, type SelfServiceFlow, type Tx } from '../../domain/flows/self-service-flow.store';
import type { UniqueClaim } from './settings-steps';

export type { Tx };
export type SettingsFlow = SelfServiceFlow;

/** The identity as the settings flow needs it: traits, schema, and which credentials it has. */
export interface SettingsAccount {
  id: string;
  traits: Record<string, unknown>;
  schemaVersion: number;
  hasPassword: boolean;
  /** One of the password credential's login identifiers: what a password re-authentication signs in with. */
  passwordIdentifier: string | undefined;
  totpEnrolled: boolean;
}

type Address = { via: 'email' | 'phone'; value: string };

/** All Prisma access of the settings flow. Writes that send mail take the caller's transaction. */
@Injectable()
export class SettingsRepository extends SelfServiceFlowStore {
  constructor(prisma: PrismaClient) {
    super(prisma, 'SETTINGS');
  }

  async findAccount(projectId: string, identityId: string): Promise<SettingsAccount | undefined> {
    const row = await this.prisma.identity.findFirst({
      where: { id: identityId, projectId },
      select: {
        id: true,
        traits: true,
        schemaVersion: true,
        credentials: {
          where: { type: { in: ['password', 'totp'] } },
          select: { type: true, secret: true, config: true, identifiers: { where: { type: 'password' }, select: { identifier: true }, take: 1 } },
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

  /** The claims another identity of the project already holds (as a login identifier or a verifiable address). */
  async takenClaims(tx: Tx | undefined, projectId: string, identityId: string, claims: UniqueClaim[]): Promise<UniqueClaim[]> {
    const db = tx ?? this.prisma;
    const identifiers = claims.filter((claim) => claim.kind === 'identifier').map((claim) => claim.value);
    const addresses = claims.filter((claim): claim is UniqueClaim & { via: Address['via'] } => claim.kind === 'address' && claim.via !== undefined);
    const [byIdentifier, byAddress] = await Promise.all([
      identifiers.length
        ? db.credentialIdentifier.findMany({ where: { projectId, type: 'password', identifier: { in: identifiers }, credential: { identityId: { not: identityId } } }, select: { identifier: true } })
        : Promise.resolve([]),
      addresses.length
        ? db.verifiableAddress.findMany({ where: { projectId, identityId: { not: identityId }, OR: addresses.map(({ via, value }) => ({ via, value })) }, select: { via: true, value: true } })
        : Promise.resolve([]),
    ]);
    const takenIdentifiers = new Set(byIdentifier.map((row) => row.identifier));
    const takenAddresses = new Set(byAddress.map((row) => `${row.via}:${row.value}`));
    return claims.filter((claim) => (claim.kind === 'identifier' ? takenIdentifiers.has(claim.value) : takenAddresses.has(`${claim.via}:${claim.value}`)));
  }

  /**
   * Writes the new traits, and makes the login identifiers of the password credential (if any) and the
   * verifiable addresses follow them: removed values go, new ones are added (addresses unverified).
   */
  async updateTraits(tx: Tx, projectId: string, identityId: string, traits: Record<string, unknown>, identifiers: string[], addresses: { added: Address[]; removed: Address[] }): Promise<void> {
    await tx.identity.update({ where: { id: identityId }, data: { traits: traits as Prisma.InputJsonObject }, select: { id: true } });
    const password = await tx.credential.findUnique({ where: { identityId_type: { identityId, type: 'password' } }, select: { id: true, identifiers: { where: { type: 'password' }, select: { identifier: true } } } });
    if (password) {
      const current = password.identifiers.map((row) => row.identifier);
      const stale = current.filter((identifier) => !identifiers.includes(identifier));
      const fresh = identifiers.filter((identifier) => !current.includes(identifier));
      if (stale.length) await tx.credentialIdentifier.deleteMany({ where: { credentialId: password.id, type: 'password', identifier: { in: stale } } });
      if (fresh.length) await tx.credentialIdentifier.createMany({ data: fresh.map((identifier) => ({ projectId, credentialId: password.id, type: 'password' as const, identifier })) });
    }
    if (addresses.removed.length) {
      await tx.verifiableAddress.deleteMany({ where: { identityId, OR: addresses.removed.map(({ via, value }) => ({ via, value })) } });
    }
    if (addresses.added.length) {
      await tx.verifiableAddress.createMany({ data: addresses.added.map(({ via, value }) => ({ projectId, identityId, via, value })) });
    }
  }
}
