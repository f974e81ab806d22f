import { Injectable } from '@nestjs/common';
import { EmailOutbox } from '../../domain/email/email-outbox';
import { MailRecipients } from '../../domain/email/mail-recipients.service';
import type { AfterFlowHook, ProfileUpdated } from '../../domain/flows/after-flow-hooks';
import { FlowStore, type Tx } from '../../domain/flows/flow.store';
import { CODE_TTL_MS, generateCode, hashCode } from '../../infra/crypto/one-time-code';
import { emailVerificationStepState } from '../../methods/email-code/email-code-verification';

/**
 * Settings: each email address a profile update added gets a code, in a VERIFICATION flow of its own (answered
 * at /flows/verification) bound to the identity; the mail commits with the new traits. The flows are reported
 * back so the settings answer can name them.
 */
@Injectable()
export class VerifyNewEmailHook implements AfterFlowHook<'settings.profile_updated'> {
  readonly event = 'settings.profile_updated';

  constructor(
    private readonly flows: FlowStore,
    private readonly recipients: MailRecipients,
    private readonly outbox: EmailOutbox,
  ) {}

  wants({ addedEmails }: ProfileUpdated): boolean {
    return addedEmails.length > 0;
  }

  async run(
    tx: Tx,
    { project, flow, identityId, identity, addedEmails }: ProfileUpdated,
  ): Promise<{ verificationFlows: Array<{ email: string; flowId: string }> }> {
    const locale = await this.recipients.localeFor(
      project,
      'verification_code',
      identity,
      flow.authRequest.uiLocales,
      tx,
    );
    const name = typeof identity.traits['name'] === 'string' ? identity.traits['name'] : undefined;
    const verificationFlows: Array<{ email: string; flowId: string }> = [];
    for (const email of addedEmails) {
      const code = generateCode();
      const expiresAt = Date.now() + CODE_TTL_MS;
      const verification = await this.flows.create(tx, {
        projectId: project.id,
        applicationId: flow.applicationId,
        type: 'VERIFICATION',
        authRequest: { clientId: flow.authRequest.clientId, scope: '' },
        identityId,
        stepState: emailVerificationStepState({
          pending: { codeHash: hashCode(code), expiresAt, attempts: 0 },
          email,
        }),
        // The flow lives as long as its code: there is nothing else to wait for.
        expiresAt: new Date(expiresAt),
      });
      await this.outbox.enqueueTemplate(tx, {
        projectId: project.id,
        kind: 'verification_code',
        locale,
        to: email,
        idempotencyKey: `verification:${verification.id}`,
        variables: {
          projectName: project.name,
          email,
          code,
          expiresInMinutes: CODE_TTL_MS / 60_000,
          ...(name ? { name } : {}),
        },
      });
      verificationFlows.push({ email, flowId: verification.id });
    }
    return { verificationFlows };
  }
}
