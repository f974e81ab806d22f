import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import { AuthRequest, type FlowRecord } from './flow';

type FlowRow = Prisma.FlowGetPayload<object>;

@Injectable()
export class FlowsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(data: { projectId: string; applicationId: string; authRequest: AuthRequest; expiresAt: Date; authSessionHash?: string }): Promise<FlowRecord> {
    return toRecord(await this.prisma.flow.create({ data: { ...data, type: 'AUTHENTICATION' } }));
  }

  /** The running flow a First-Party Apps auth_session names, looked up by the auth_session's SHA-256. */
  async findActiveByAuthSessionHash(authSessionHash: string): Promise<FlowRecord | undefined> {
    const row = await this.prisma.flow.findUnique({ where: { authSessionHash } });
    return row && row.state === 'active' ? toRecord(row) : undefined;
  }

  /** The flow if it is still running; finished flows are as good as unknown. */
  async findActive(id: string): Promise<(FlowRecord & { failedAttempts: number }) | undefined> {
    const row = await this.prisma.flow.findUnique({ where: { id } });
    // Self-service flows (registration…) share the table but never advance through the login engine:
    // a registration flow holding an unverified identity must not be finished at /oauth2/authn.
    return row && row.state === 'active' && row.type === 'AUTHENTICATION' ? { ...toRecord(row), failedAttempts: row.failedAttempts } : undefined;
  }

  /** Whether the identity has at least one verified email address; no address at all counts as unverified. */
  async hasVerifiedEmail(identityId: string): Promise<boolean> {
    return (await this.prisma.verifiableAddress.count({ where: { identityId, via: 'email', verified: true } })) > 0;
  }

  /**
   * Writes the flow's progress only if nobody else advanced it since it was read (optimistic lock on
   * stepIndex), so two concurrent answers to one step cannot both win.
   */
  async update(
    flow: FlowRecord,
    change: Partial<Pick<FlowRow, 'stepIndex' | 'identityId' | 'amr' | 'state' | 'failedAttempts'>> & { stepState?: Record<string, unknown> },
  ): Promise<boolean> {
    const { stepState, ...rest } = change;
    const { count } = await this.prisma.flow.updateMany({
      where: { id: flow.id, stepIndex: flow.stepIndex, state: 'active' },
      data: { ...rest, ...(stepState ? { stepState: stepState as Prisma.InputJsonObject } : {}) },
    });
    return count === 1;
  }
}

function toRecord(row: FlowRow): FlowRecord {
  return {
    id: row.id,
    projectId: row.projectId,
    applicationId: row.applicationId,
    type: row.type,
    stepIndex: row.stepIndex,
    identityId: row.identityId,
    amr: row.amr,
    authRequest: AuthRequest.parse(row.authRequest),
    stepState: (row.stepState ?? {}) as Record<string, unknown>,
    expiresAt: row.expiresAt,
  };
}
