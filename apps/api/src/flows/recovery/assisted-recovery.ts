import { Injectable } from '@nestjs/common';
import { FlowStore } from '../../domain/flows/flow.store';
import type { Project } from '../../domain/projects/projects.service';
import { CODE_TTL_MS, generateCode, hashCode } from '../../infra/crypto/one-time-code';
import { RECOVERY_CODE, type RecoveryCodeState } from '../../methods/email-code/email-code-recovery';
import { RecoveryCodeMail } from './recovery-code-mail';

/** The code step's index (flows/engine/flow-definitions.ts: address, code, new password). */
export const RECOVERY_CODE_STEP = 1;

/** A recovery an administrator starts for a known identity (the help desk's "send recovery"). */
export interface AssistedRecoveryRequest {
  project: Project;
  /** The flow's client: any application, as on the hosted pages. */
  application: { id: string; clientId: string };
  identity: { id: string; traits: Record<string, unknown>; schemaVersion: number };
  /** One of the identity's recovery addresses, normalised (the caller checked it). */
  address: string;
}

/**
 * Recovery started for a user rather than by them: a RECOVERY flow of the hosted pages, born bound to the
 * identity and waiting at its code step (the address step is what an administrator skips), and the
 * `recovery_code` mail with a link to that flow's page (`{issuer}/ui/recovery?flow=…`), in one transaction.
 * From there it is the ordinary flow: the code (5 tries, 15 minutes), a new password, sessions revoked, the
 * lock lifted; without a redirect_uri it ends on the hosted "password changed" page. Whoever asked never sees
 * the code: it is generated here and leaves only in the mail.
 */
@Injectable()
export class AssistedRecovery {
  constructor(
    private readonly flows: FlowStore,
    private readonly mail: RecoveryCodeMail,
  ) {}

  async start({ project, application, identity, address }: AssistedRecoveryRequest): Promise<{
    flowId: string;
    expiresAt: Date;
  }> {
    const code = generateCode();
    const expiresAt = new Date(Date.now() + CODE_TTL_MS);
    const state: RecoveryCodeState = {
      pending: { codeHash: hashCode(code), expiresAt: expiresAt.getTime(), attempts: 0 },
      address,
    };
    return this.flows.transaction(async (tx) => {
      const flow = await this.flows.create(tx, {
        projectId: project.id,
        applicationId: application.id,
        type: 'RECOVERY',
        // The hosted pages answer it (response mode `query`); no redirect_uri: it ends on their "done" page.
        authRequest: { clientId: application.clientId, scope: 'openid', responseMode: 'query' },
        identityId: identity.id,
        stepIndex: RECOVERY_CODE_STEP,
        stepState: { [RECOVERY_CODE]: state },
        expiresAt,
      });
      const link = `${project.issuer}/ui/recovery?${new URLSearchParams({ flow: flow.id })}`;
      await this.mail.enqueue(tx, project, flow, identity, { to: address, code, link });
      return { flowId: flow.id, expiresAt };
    });
  }
}
