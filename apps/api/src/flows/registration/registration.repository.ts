import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import { SelfServiceFlowStore, type SelfServiceFlow, type Tx } from '../../domain/flows/self-service-flow.store';

export type { Tx };
/** A registration flow as stored; `stepState` holds the phase and the pending code's hash. */
export type RegistrationFlow = SelfServiceFlow;

export interface NewIdentity {
  projectId: string;
  traits: Prisma.InputJsonObject;
  schemaVersion: number;
  passwordHash: string;
  identifiers: string[];
  addresses: Array<{ via: 'email' | 'phone'; value: string }>;
}

/** All Prisma access of the registration flow. Writes that send mail take the caller's transaction. */
@Injectable()
export class RegistrationRepository extends SelfServiceFlowStore {
  constructor(prisma: PrismaClient) {
    super(prisma, 'REGISTRATION');
  }

  /** Whether any of the login identifiers or verifiable addresses belongs to an identity already. */
  async isTaken(tx: Tx, projectId: string, identifiers: string[], addresses: NewIdentity['addresses']): Promise<boolean> {
    const [byIdentifier, byAddress] = await Promise.all([
      tx.credentialIdentifier.count({ where: { projectId, type: 'password', identifier: { in: identifiers } } }),
      addresses.length ? tx.verifiableAddress.count({ where: { projectId, OR: addresses.map(({ via, value }) => ({ via, value })) } }) : Promise.resolve(0),
    ]);
    return byIdentifier + byAddress > 0;
  }

  /** The identity with its password credential (login identifiers) and unverified addresses, in one write. */
  async createIdentity(tx: Tx, identity: NewIdentity): Promise<string> {
    const { projectId, traits, schemaVersion, passwordHash, identifiers, addresses } = identity;
    const row = await tx.identity.create({
      data: {
        projectId,
        traits,
        schemaVersion,
        credentials: {
          create: [{ type: 'password', secret: passwordHash, identifiers: { create: identifiers.map((identifier) => ({ projectId, type: 'password' as const, identifier })) } }],
        },
        verifiableAddresses: { create: addresses.map(({ via, value }) => ({ projectId, via, value })) },
      },
      select: { id: true },
    });
    return row.id;
  }

  async markAddressVerified(tx: Tx, identityId: string, via: 'email' | 'phone', value: string): Promise<void> {
    await tx.verifiableAddress.updateMany({ where: { identityId, via, value, verified: false }, data: { verified: true, verifiedAt: new Date() } });
  }

}

