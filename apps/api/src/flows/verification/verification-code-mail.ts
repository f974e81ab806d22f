import { Injectable } from '@nestjs/common';
import { EmailOutbox } from '../../domain/email/email-outbox';
import { MailRecipients } from '../../domain/email/mail-recipients.service';
import { FlowStore, type Tx } from '../../domain/flows/flow.store';
import type { Project } from '../../domain/projects/projects.service';
import { CODE_TTL_MS, generateCode, hashCode } from '../../infra/crypto/one-time-code';
import { emailVerificationStepState } from '../../methods/email-code/email-code-verification';

/** A verification code to send to an address an identity is known to have. */
export interface VerificationCodeRequest {
  project: Project;
  /** The client whose app answers the code at /flows/verification (an app-native application). */
  application: { id: string; clientId: string };
  identityId: string;
  /** For the mail's locale (the identity's `locale` trait) and greeting (`name`). */
  identity: { traits: Record<string, unknown>; schemaVersion: number };
  /** Normalised, as verifiable addresses are stored. */
  email: string;
  uiLocales?: readonly string[] | undefined;
}

/**
 * A verification code for an address of a known identity: a VERIFICATION flow bound to the identity from the
 * start (nobody else's address is involved, so there is nothing to hide by answering first), holding the code's
 * hash, and the `verification_code` mail, in the caller's transaction. The code is answered at
 * /flows/verification with the flow's id. Used when settings add an address (VerifyNewEmailHook) and when an
 * administrator sends a code again (admin API).
 */
@Injectable()
export class VerificationCodeMail {
  constructor(
    private readonly flows: FlowStore,
    private readonly recipients: MailRecipients,
    private readonly outbox: EmailOutbox,
  ) {}

  async send(tx: Tx, request: VerificationCodeRequest): Promise<{ flowId: string; expiresAt: Date }> {
    const { project, application, identityId, identity, email, uiLocales } = request;
    const locale = await this.recipients.localeFor(project, 'verification_code', identity, uiLocales, tx);
    const name = typeof identity.traits['name'] === 'string' ? identity.traits['name'] : undefined;
    const code = generateCode();
    const expiresAt = new Date(Date.now() + CODE_TTL_MS);
    const verification = await this.flows.create(tx, {
      projectId: project.id,
      applicationId: application.id,
      type: 'VERIFICATION',
      authRequest: { clientId: application.clientId, scope: '' },
      identityId,
      stepState: emailVerificationStepState({
        pending: { codeHash: hashCode(code), expiresAt: expiresAt.getTime(), attempts: 0 },
        email,
      }),
      // The flow lives as long as its code: there is nothing else to wait for.
      expiresAt,
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
    return { flowId: verification.id, expiresAt };
  }
}
