import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import { AuthRequest } from '../../flows/flow';
import { bindFlowIdentity } from '../self-service-flow.store';
import type { PendingCode } from '../../one-time-codes/one-time-code';
import type { PendingLink } from './verification-link';

type FlowRow = Prisma.FlowGetPayload<object>;
export type Tx = Prisma.TransactionClient;

/** What a verification flow keeps between its two requests: the code's hash and the address it proves. */
export interface VerificationState {
  pending: PendingCode;
  email: string;
  /** Hosted flows prove the address by a link instead (their code matches nothing). */
  link?: PendingLink;
}

/** A verification flow as stored; `identityId` is null when the address was unknown or already verified. */
export interface VerificationFlow {
  id: string;
  projectId: string;
  applicationId: string;
  stepIndex: number;
  identityId: string | null;
  failedAttempts: number;
  authRequest: AuthRequest;
  state: VerificationState;
  expiresAt: Date;
}

/** All Prisma access of the verification flow. Writes that send mail take the caller's transaction. */
@Injectable()
export class VerificationRepository {
  constructor(private readonly prisma: PrismaClient) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work);
  }

  /** The identity owning this still unverified email address, if it may still sign in. */
  async findUnverifiedOwner(tx: Tx, projectId: string, email: string): Promise<string | undefined> {
    const row = await tx.verifiableAddress.findFirst({
      where: { projectId, via: 'email', value: email, verified: false, identity: { state: 'active' } },
      select: { identityId: true },
    });
    return row?.identityId;
  }

  async createFlow(
    tx: Tx,
    data: { projectId: string; applicationId: string; authRequest: AuthRequest; identityId: string | null; state: VerificationState; expiresAt: Date },
  ): Promise<VerificationFlow> {
    const { state, ...rest } = data;
    return toFlow(await tx.flow.create({ data: { ...rest, type: 'VERIFICATION', stepState: state as unknown as Prisma.InputJsonObject } }));
  }

  /** The running verification flow; finished flows and other flow types are as good as unknown. */
  async findActive(id: string): Promise<VerificationFlow | undefined> {
    const row = await this.prisma.flow.findUnique({ where: { id } });
    return row && row.state === 'active' && row.type === 'VERIFICATION' ? toFlow(row) : undefined;
  }

  /** The client of a verification flow in any state: a used or expired link still says where to start again. */
  async findClientId(projectId: string, id: string): Promise<string | undefined> {
    const row = await this.prisma.flow.findUnique({ where: { id }, select: { projectId: true, type: true, authRequest: true } });
    if (!row || row.projectId !== projectId || row.type !== 'VERIFICATION') return undefined;
    return AuthRequest.safeParse(row.authRequest).data?.clientId;
  }

  /** The owner found after the answer (the start's outbox job); see bindFlowIdentity. A verification flow has one step. */
  bindIdentity(tx: Tx, flowId: string, identityId: string): Promise<boolean> {
    return bindFlowIdentity(tx, 'VERIFICATION', flowId, 0, identityId);
  }

  async markVerified(tx: Tx, identityId: string, email: string): Promise<void> {
    await tx.verifiableAddress.updateMany({ where: { identityId, via: 'email', value: email, verified: false }, data: { verified: true, verifiedAt: new Date() } });
  }

  /**
   * Writes the flow's progress only if nobody else answered since it was read (optimistic lock on
   * failedAttempts), so two concurrent answers cannot both use one attempt or one code.
   */
  async updateFlow(tx: Tx | undefined, flow: VerificationFlow, change: { state?: 'succeeded' | 'failed'; failedAttempts?: number; verification?: VerificationState }): Promise<boolean> {
    const { verification, ...rest } = change;
    const { count } = await (tx ?? this.prisma).flow.updateMany({
      where: { id: flow.id, stepIndex: flow.stepIndex, failedAttempts: flow.failedAttempts, state: 'active' },
      data: { ...rest, ...(verification ? { stepState: verification as unknown as Prisma.InputJsonObject } : {}) },
    });
    return count === 1;
  }
}

function toFlow(row: FlowRow): VerificationFlow {
  return {
    id: row.id,
    projectId: row.projectId,
    applicationId: row.applicationId,
    stepIndex: row.stepIndex,
    identityId: row.identityId,
    failedAttempts: row.failedAttempts,
    authRequest: AuthRequest.parse(row.authRequest),
    state: row.stepState as unknown as VerificationState,
    expiresAt: row.expiresAt,
  };
}
