import { Injectable } from '@nestjs/common';
import { PrismaClient } from '../../generated/prisma/client';
import { SelfServiceFlowStore, type SelfServiceFlow, type Tx } from '../../domain/flows/self-service-flow.store';

export type { Tx };
/** A recovery flow as stored; `stepState` holds the pending code's hash, later the privileged window. */
export type RecoveryFlow = SelfServiceFlow;

/** An identity that might own a recovery address; the service checks the schema's `recovery.via` on its traits. */
export interface RecoveryCandidate {
  id: string;
  traits: Record<string, unknown>;
  schemaVersion: number;
  active: boolean;
}

/** All Prisma access of the recovery flow. Writes that send mail take the caller's transaction. */
@Injectable()
export class RecoveryRepository extends SelfServiceFlowStore {
  constructor(prisma: PrismaClient) {
    super(prisma, 'RECOVERY');
  }

  /**
   * Identities that hold the (normalised) address as a verifiable address or as a password login
   * identifier: both are indexed and unique per project, so the lookup is two point queries. Whether the
   * address is a recovery address is the schema's call, made by the caller on the traits.
   */
  async findCandidates(projectId: string, address: string): Promise<RecoveryCandidate[]> {
    const [byAddress, byIdentifier] = await Promise.all([
      this.prisma.verifiableAddress.findFirst({ where: { projectId, via: 'email', value: address }, select: { identityId: true } }),
      this.prisma.credentialIdentifier.findFirst({ where: { projectId, type: 'password', identifier: address }, select: { credential: { select: { identityId: true } } } }),
    ]);
    const ids = [...new Set([byAddress?.identityId, byIdentifier?.credential.identityId].filter((id): id is string => id !== undefined))];
    if (!ids.length) return [];
    const rows = await this.prisma.identity.findMany({ where: { projectId, id: { in: ids } }, select: { id: true, traits: true, schemaVersion: true, state: true } });
    return rows.map((row) => ({ id: row.id, traits: (row.traits ?? {}) as Record<string, unknown>, schemaVersion: row.schemaVersion, active: row.state === 'active' }));
  }

  async findIdentity(projectId: string, identityId: string): Promise<RecoveryCandidate | undefined> {
    const row = await this.prisma.identity.findFirst({ where: { id: identityId, projectId }, select: { id: true, traits: true, schemaVersion: true, state: true } });
    return row ? { id: row.id, traits: (row.traits ?? {}) as Record<string, unknown>, schemaVersion: row.schemaVersion, active: row.state === 'active' } : undefined;
  }

  /** Receiving the code proved control of the mailbox, which is what verifying the address means. */
  async markAddressVerified(tx: Tx, identityId: string, value: string): Promise<void> {
    await tx.verifiableAddress.updateMany({ where: { identityId, via: 'email', value, verified: false }, data: { verified: true, verifiedAt: new Date() } });
  }

  /**
   * Sets the password credential; an identity without one (e.g. passkeys only) gets one, with the login
   * identifiers its schema names, so the new password can be used at /oauth2/authn.
   */
  async setPassword(tx: Tx, projectId: string, identityId: string, passwordHash: string, identifiers: string[]): Promise<void> {
    const existing = await tx.credential.findUnique({ where: { identityId_type: { identityId, type: 'password' } }, select: { id: true } });
    if (existing) {
      await tx.credential.update({ where: { id: existing.id }, data: { secret: passwordHash } });
      return;
    }
    await tx.credential.create({
      data: { identityId, type: 'password', secret: passwordHash, identifiers: { create: identifiers.map((identifier) => ({ projectId, type: 'password' as const, identifier })) } },
    });
  }

  /** Lifts the identity's lock and zeroes its failure counters of every factor (keys "identity:<id>:<factor>"). */
  async unlock(tx: Tx, projectId: string, identityId: string): Promise<void> {
    await tx.identity.update({ where: { id: identityId }, data: { lockedUntil: null } });
    await tx.attemptCounter.updateMany({ where: { projectId, key: { startsWith: `identity:${identityId}:` } }, data: { failures: 0, lockedUntil: null, lockCount: 0, lastLockedUntil: null } });
  }

  /** Revokes every session of the identity and the refresh tokens issued in them; returns how many sessions. */
  async revokeAllSessions(tx: Tx, identityId: string, now: Date): Promise<number> {
    await tx.refreshToken.updateMany({ where: { identityId, revokedAt: null }, data: { revokedAt: now } });
    const { count } = await tx.session.updateMany({ where: { identityId, revokedAt: null }, data: { revokedAt: now } });
    return count;
  }

}

