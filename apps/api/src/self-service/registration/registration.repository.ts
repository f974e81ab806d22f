import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import { AuthRequest } from '../../flows/flow';

type FlowRow = Prisma.FlowGetPayload<object>;
export type Tx = Prisma.TransactionClient;

/** A registration flow as stored; `stepState` holds the phase and the pending code's hash. */
export interface RegistrationFlow {
  id: string;
  projectId: string;
  applicationId: string;
  stepIndex: number;
  identityId: string | null;
  failedAttempts: number;
  authRequest: AuthRequest;
  stepState: Record<string, unknown>;
  expiresAt: Date;
}

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
export class RegistrationRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async createFlow(data: { projectId: string; applicationId: string; authRequest: AuthRequest; expiresAt: Date }): Promise<RegistrationFlow> {
    return toFlow(await this.prisma.flow.create({ data: { ...data, type: 'REGISTRATION' } }));
  }

  /** The running registration flow; finished flows and other flow types are as good as unknown. */
  async findActive(id: string): Promise<RegistrationFlow | undefined> {
    const row = await this.prisma.flow.findUnique({ where: { id } });
    return row && row.state === 'active' && row.type === 'REGISTRATION' ? toFlow(row) : undefined;
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work);
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

  /**
   * Writes the flow's progress only if nobody else advanced it since it was read (optimistic lock on
   * stepIndex and failedAttempts), so two concurrent answers cannot both win or both use one attempt.
   */
  async updateFlow(
    tx: Tx | undefined,
    flow: RegistrationFlow,
    change: { stepIndex?: number; identityId?: string | null; state?: 'succeeded' | 'failed'; failedAttempts?: number; stepState?: Record<string, unknown>; expiresAt?: Date; amr?: string[] },
  ): Promise<boolean> {
    const { stepState, ...rest } = change;
    const { count } = await (tx ?? this.prisma).flow.updateMany({
      where: { id: flow.id, stepIndex: flow.stepIndex, failedAttempts: flow.failedAttempts, state: 'active' },
      data: { ...rest, ...(stepState ? { stepState: stepState as Prisma.InputJsonObject } : {}) },
    });
    return count === 1;
  }
}

function toFlow(row: FlowRow): RegistrationFlow {
  return {
    id: row.id,
    projectId: row.projectId,
    applicationId: row.applicationId,
    stepIndex: row.stepIndex,
    identityId: row.identityId,
    failedAttempts: row.failedAttempts,
    authRequest: AuthRequest.parse(row.authRequest),
    stepState: (row.stepState ?? {}) as Record<string, unknown>,
    expiresAt: row.expiresAt,
  };
}
