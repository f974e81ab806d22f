import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { FlowType } from '@keyway/flow-types';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import { PreparedSql, preparedStatement } from '../../infra/database/prepared-sql';
import { AuthRequest, type FlowRecord } from './flow';

type FlowRow = Prisma.FlowGetPayload<object>;
export type Tx = Prisma.TransactionClient;

export interface NewFlow {
  projectId: string;
  applicationId: string;
  type: FlowType;
  authRequest: AuthRequest;
  expiresAt: Date;
  /** A flow may be born bound to an identity (settings: the signed-in one; verification: an address's owner). */
  identityId?: string | null;
  /** A flow may start past its first step (recovery sent by an administrator: at the code step). */
  stepIndex?: number;
  stepState?: Record<string, unknown>;
  /** First-Party Apps: the SHA-256 of the auth_session that names the flow. */
  authSessionHash?: string;
}

/** What one answer changes; `state` ends the flow. */
export interface FlowChange {
  stepIndex?: number;
  identityId?: string | null;
  amr?: string[];
  state?: 'succeeded' | 'failed';
  failedAttempts?: number;
  stepState?: Record<string, unknown>;
  expiresAt?: Date;
}

/**
 * The one store of flow rows, for the login engine and every self-service flow: one mapping, one lock.
 *
 * The lock: every write that changes a flow's progress (step, step state, attempts, end) is conditioned on
 * the `version` its caller read and adds one to it, so of the requests that read one version only the
 * first writes; the others get false / undefined and answer flowConflict (FLW-60004). Hence two answers to
 * one step cannot both win, and two wrong answers cannot both spend one attempt. Two writes leave the
 * version alone, each for a reason given where it is: bindIdentity and stageStepState.
 */
@Injectable()
export class FlowStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: PreparedSql,
  ) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work);
  }

  async create(tx: Tx | undefined, data: NewFlow): Promise<FlowRecord> {
    const now = new Date();
    const [row] = await this.sql.query(
      CREATE_FLOW,
      [
        randomUUID(),
        data.projectId,
        data.applicationId,
        data.type,
        data.stepIndex ?? 0,
        data.identityId ?? null,
        JSON.stringify(data.authRequest),
        JSON.stringify(data.stepState ?? {}),
        data.authSessionHash ?? null,
        data.expiresAt,
        now,
      ],
      tx,
    );
    return toRecord(row!);
  }

  /**
   * The running flow of this type; finished flows and other flow types are as good as unknown. The type
   * matters: a registration flow holding an unverified identity must not be finished at /oauth2/authn.
   */
  async findActive(id: string, type: FlowType): Promise<FlowRecord | undefined> {
    const [row] = await this.sql.query(FIND_FLOW, [id]);
    return row && row.state === 'active' && row.type === type ? toRecord(row) : undefined;
  }

  /** The running login flow a First-Party Apps auth_session names, looked up by the auth_session's SHA-256. */
  async findActiveByAuthSessionHash(authSessionHash: string): Promise<FlowRecord | undefined> {
    const row = await this.prisma.flow.findUnique({ where: { authSessionHash } });
    return row && row.state === 'active' && row.type === 'AUTHENTICATION' ? toRecord(row) : undefined;
  }

  /** The client of a flow of this type in any state: a used or expired verification link still says where to start again. */
  async findClientId(projectId: string, id: string, type: FlowType): Promise<string | undefined> {
    const row = await this.prisma.flow.findUnique({
      where: { id },
      select: { projectId: true, type: true, authRequest: true },
    });
    if (!row || row.projectId !== projectId || row.type !== type) return undefined;
    return AuthRequest.safeParse(row.authRequest).data?.clientId;
  }

  /**
   * Writes the change only if the flow is still running at the version `flow` was read at, and adds one to
   * the version. Returns the flow as written (with its new version, for a second write in the same request),
   * or undefined when another request wrote first.
   */
  async update(tx: Tx | undefined, flow: FlowRecord, change: FlowChange): Promise<FlowRecord | undefined> {
    const { stepState, state, ...rest } = change;
    const version = flow.version + 1;
    const written = await this.sql.query(
      UPDATE_FLOW,
      [
        flow.id,
        flow.version,
        change.stepIndex ?? null,
        change.identityId !== undefined,
        change.identityId ?? null,
        change.amr ?? null,
        state ?? null,
        change.failedAttempts ?? null,
        stepState ? JSON.stringify(stepState) : null,
        change.expiresAt ?? null,
        new Date(),
      ],
      tx,
    );
    if (written.length !== 1) return undefined;
    return { ...flow, ...rest, ...(stepState ? { stepState } : {}), version };
  }

  /**
   * Binds a flow to the identity its address turned out to belong to. Steps that must not reveal whether an
   * address has an account answer before looking (an outbox job looks afterwards), so the flow waits at
   * `stepIndex` unbound until then. Only a live, still unbound flow of the type at that step is bound. It
   * neither compares nor takes the version, so it never races a code answer's lock: an answer read before
   * the binding (unbound, so it fails like a mistyped code) still writes its counted attempt, and an attempt
   * counted before the binding does not cost the binding (and its mail). It writes nothing such an answer
   * writes, and the identity only while there is none.
   */
  async bindIdentity(tx: Tx, type: FlowType, flowId: string, stepIndex: number, identityId: string): Promise<boolean> {
    const { count } = await tx.flow.updateMany({
      where: { id: flowId, type, state: 'active', stepIndex, identityId: null, expiresAt: { gt: new Date() } },
      data: { identityId },
    });
    return count === 1;
  }

  /**
   * Writes step state at the version `flow` was read at without adding one: for state that must commit in
   * the caller's transaction with something else (a mailed login code with its outbox message) ahead of the
   * same request's own `update`, which writes that step state again and takes the version. Had this write
   * taken it, the request's own update would lose to it. False (write nothing else) when another request
   * wrote first, or staged first: the step state must still be the one `flow` was read with, since a stage
   * leaves the version alone (two requests from one read would otherwise both stage, the second over the
   * first, and the first one's update could then store the other's code). A request that writes after this
   * one but read before it still conflicts with that update.
   */
  async stageStepState(tx: Tx, flow: FlowRecord, stepState: Record<string, unknown>): Promise<boolean> {
    const { count } = await tx.flow.updateMany({
      where: {
        id: flow.id,
        version: flow.version,
        state: 'active',
        stepState: { equals: flow.stepState as Prisma.InputJsonObject },
      },
      data: { stepState: stepState as Prisma.InputJsonObject },
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
    failedAttempts: row.failedAttempts,
    authRequest: AuthRequest.parse(row.authRequest),
    stepState: (row.stepState ?? {}) as Record<string, unknown>,
    expiresAt: row.expiresAt,
    version: row.version,
  };
}

const FLOW_COLUMNS = `id, project_id AS "projectId", application_id AS "applicationId", type::text, state::text,
  step_index AS "stepIndex", identity_id AS "identityId", amr, auth_request AS "authRequest", step_state AS "stepState",
  failed_attempts AS "failedAttempts", auth_session_hash AS "authSessionHash", version, expires_at AS "expiresAt",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** $1 id, $2–$3 project and application, $4 type, $5 step, $6 identity, $7–$8 auth request and step state
 * (JSON), $9 auth_session hash, $10 expiry, $11 now. */
const CREATE_FLOW = preparedStatement<FlowRow>(
  'flows.create',
  `INSERT INTO flows (id, project_id, application_id, type, state, step_index, identity_id, amr, auth_request,
                      step_state, failed_attempts, auth_session_hash, version, expires_at, created_at, updated_at)
   VALUES ($1::uuid, $2::uuid, $3::uuid, $4::"FlowType", 'active', $5::int, $6::uuid, '{}', $7::jsonb, $8::jsonb, 0,
           $9::text, 0, $10::timestamptz, $11::timestamptz, $11::timestamptz)
   RETURNING ${FLOW_COLUMNS}`,
);

const FIND_FLOW = preparedStatement<FlowRow>('flows.find', `SELECT ${FLOW_COLUMNS} FROM flows WHERE id = $1::uuid`);

/**
 * update()'s conditional write: $1 id, $2 the version read; then each field, left alone when null ($4 says
 * whether $5 sets the identity, which may be set to none); $11 now. One row back when it won.
 */
const UPDATE_FLOW = preparedStatement<{ id: string }>(
  'flows.update',
  `UPDATE flows SET
     step_index = COALESCE($3::int, step_index),
     identity_id = CASE WHEN $4::boolean THEN $5::uuid ELSE identity_id END,
     amr = COALESCE($6::text[], amr),
     state = COALESCE($7::"FlowState", state),
     failed_attempts = COALESCE($8::int, failed_attempts),
     step_state = COALESCE($9::jsonb, step_state),
     expires_at = COALESCE($10::timestamptz, expires_at),
     version = $2::int + 1,
     updated_at = $11::timestamptz
   WHERE id = $1::uuid AND version = $2::int AND state = 'active'
   RETURNING id`,
);
