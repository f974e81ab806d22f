import { Injectable } from '@nestjs/common';
import type { AfterFlowHook, ProfileUpdated } from '../../domain/flows/after-flow-hooks';
import type { Tx } from '../../domain/flows/flow.store';
import { VerificationCodeMail } from '../verification/verification-code-mail';

/**
 * Settings: each email address a profile update added gets a code, in a VERIFICATION flow of its own (answered
 * at /flows/verification) bound to the identity; the mail commits with the new traits. The flows are reported
 * back so the settings answer can name them.
 */
@Injectable()
export class VerifyNewEmailHook implements AfterFlowHook<'settings.profile_updated'> {
  readonly event = 'settings.profile_updated';

  constructor(private readonly codes: VerificationCodeMail) {}

  wants({ addedEmails }: ProfileUpdated): boolean {
    return addedEmails.length > 0;
  }

  async run(
    tx: Tx,
    { project, flow, identityId, identity, addedEmails }: ProfileUpdated,
  ): Promise<{ verificationFlows: Array<{ email: string; flowId: string }> }> {
    const verificationFlows: Array<{ email: string; flowId: string }> = [];
    for (const email of addedEmails) {
      const { flowId } = await this.codes.send(tx, {
        project,
        application: { id: flow.applicationId, clientId: flow.authRequest.clientId },
        identityId,
        identity,
        email,
        uiLocales: flow.authRequest.uiLocales,
      });
      verificationFlows.push({ email, flowId });
    }
    return { verificationFlows };
  }
}
