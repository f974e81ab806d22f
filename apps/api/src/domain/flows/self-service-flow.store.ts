import { Prisma, PrismaClient } from '../../generated/prisma/client';
import { AuthRequest } from './flow';

type FlowRow = Prisma.FlowGetPayload<object>;
export type Tx = Prisma.TransactionClient;

/** A self-service flow as stored; `stepState` holds the flow's phase and pending code hash. */
export interface SelfServiceFlow {
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

export interface SelfServiceFlowChange {
  stepIndex?: number;
  identityId?: string | null;
  state?: 'succeeded' | 'failed';
  failedAttempts?: number;
  stepState?: Record<string, unknown>;
  expiresAt?: Date;
  amr?: string[];
}

/**
 * Flow rows of one self-service flow type: what the registration and recovery repositories share.
 * Each flow type only ever sees its own flows.
 */
export abstract class SelfServiceFlowStore {
  protected constructor(
    protected readonly prisma: PrismaClient,
    private readonly type: 'REGISTRATION' | 'RECOVERY' | 'SETTINGS',
  ) {}

  /** A flow may be born bound to an identity with its first step state (settings: the signed-in identity and session). */
  async createFlow(data: { projectId: string; applicationId: string; authRequest: AuthRequest; expiresAt: Date; identityId?: string; stepState?: Record<string, unknown> }): Promise<SelfServiceFlow> {
    const { stepState, ...rest } = data;
    return toFlow(await this.prisma.flow.create({ data: { ...rest, type: this.type, ...(stepState ? { stepState: stepState as Prisma.InputJsonObject } : {}) } }));
  }

  /** The running flow of this type; finished flows and other flow types are as good as unknown. */
  async findActive(id: string): Promise<SelfServiceFlow | undefined> {
    const row = await this.prisma.flow.findUnique({ where: { id } });
    return row && row.state === 'active' && row.type === this.type ? toFlow(row) : undefined;
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work);
  }

  /** See bindFlowIdentity. */
  bindIdentity(tx: Tx, flowId: string, stepIndex: number, identityId: string): Promise<boolean> {
    return bindFlowIdentity(tx, this.type, flowId, stepIndex, identityId);
  }

  /**
   * Writes the flow's progress only if nobody else advanced it since it was read (optimistic lock on
   * stepIndex and failedAttempts), so two concurrent answers cannot both win or both use one attempt.
   */
  async updateFlow(tx: Tx | undefined, flow: SelfServiceFlow, change: SelfServiceFlowChange): Promise<boolean> {
    const { stepState, ...rest } = change;
    const { count } = await (tx ?? this.prisma).flow.updateMany({
      where: { id: flow.id, stepIndex: flow.stepIndex, failedAttempts: flow.failedAttempts, state: 'active' },
      data: { ...rest, ...(stepState ? { stepState: stepState as Prisma.InputJsonObject } : {}) },
    });
    return count === 1;
  }
}

/**
 * Binds a flow to the identity its address turned out to belong to. Steps that must not reveal whether an
 * address has an account answer before looking (an outbox job looks afterwards), so the flow waits at
 * `stepIndex` unbound until then. Only a live, still unbound flow of the type at that step is bound; it
 * touches neither the step state nor the attempt counters, so it never races a code answer's optimistic lock.
 */
export async function bindFlowIdentity(tx: Tx, type: 'REGISTRATION' | 'RECOVERY' | 'SETTINGS' | 'VERIFICATION', flowId: string, stepIndex: number, identityId: string): Promise<boolean> {
  const { count } = await tx.flow.updateMany({ where: { id: flowId, type, state: 'active', stepIndex, identityId: null, expiresAt: { gt: new Date() } }, data: { identityId } });
  return count === 1;
}

function toFlow(row: FlowRow): SelfServiceFlow {
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
