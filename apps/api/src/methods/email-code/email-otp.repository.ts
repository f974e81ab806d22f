import { Injectable } from '@nestjs/common';
import { EmailOutbox, type TemplatedEmail } from '../../domain/email/email-outbox';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import type { FlowRecord } from '../../domain/flows/flow';
import { FlowStore } from '../../domain/flows/flow.store';

export interface OtpRecipient {
  identityId: string;
  projectId: string;
  state: string;
  lockedUntil: Date | null;
  traits: Prisma.JsonValue;
  schemaVersion: number;
}

@Injectable()
export class EmailOtpRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly outbox: EmailOutbox,
    private readonly flows: FlowStore,
  ) {}

  /** The identity a login identifier names (through the password credential's identifiers), if any. */
  async findByIdentifier(projectId: string, identifier: string): Promise<OtpRecipient | undefined> {
    const row = await this.prisma.credentialIdentifier.findUnique({
      relationLoadStrategy: 'join',
      where: { projectId_type_identifier: { projectId, type: 'password', identifier } },
      select: { credential: { select: { identity: true } } },
    });
    return row ? toRecipient(row.credential.identity) : undefined;
  }

  async findById(projectId: string, identityId: string): Promise<OtpRecipient | undefined> {
    const row = await this.prisma.identity.findFirst({ where: { id: identityId, projectId } });
    return row ? toRecipient(row) : undefined;
  }

  /**
   * Stores the option's new step state (with the code's hash) and enqueues the mail in one transaction,
   * so a code exists if and only if its mail is queued. Staged under the flow's version (FlowStore.stageStepState):
   * the engine then presents the step with this state, which is the write that takes the version. Returns
   * false when another request wrote the flow (or staged a code in it) first, and then nothing is written or sent.
   */
  async storeCode(
    flow: FlowRecord,
    key: string,
    state: Prisma.InputJsonValue,
    mail: TemplatedEmail<'login_otp'> | undefined,
  ): Promise<boolean> {
    return this.flows.transaction(async (tx) => {
      if (!(await this.flows.stageStepState(tx, flow, { ...flow.stepState, [key]: state }))) return false;
      if (mail) await this.outbox.enqueueTemplate(tx, mail);
      return true;
    });
  }
}

function toRecipient(row: Prisma.IdentityGetPayload<object>): OtpRecipient {
  return {
    identityId: row.id,
    projectId: row.projectId,
    state: row.state,
    lockedUntil: row.lockedUntil,
    traits: row.traits,
    schemaVersion: row.schemaVersion,
  };
}
