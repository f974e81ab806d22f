import { Injectable } from '@nestjs/common';
import type { AfterFlowHook, RegistrationCompleted } from '../../domain/flows/after-flow-hooks';
import type { Tx } from '../../domain/flows/flow.store';
import { EmailOutbox } from '../../domain/email/email-outbox';
import { MailRecipients } from '../../domain/email/mail-recipients.service';

/** The `welcome` mail, when the project sends it, once the new account's address is proven. */
@Injectable()
export class WelcomeMailHook implements AfterFlowHook<'registration.completed'> {
  readonly event = 'registration.completed';

  constructor(
    private readonly recipients: MailRecipients,
    private readonly outbox: EmailOutbox,
  ) {}

  wants({ project, email }: RegistrationCompleted): boolean {
    return project.settings.emails.welcome && email !== undefined;
  }

  async run(tx: Tx, { project, flow, identityId, email }: RegistrationCompleted): Promise<void> {
    if (!email) return;
    const recipient = await this.recipients.find(project, 'welcome', identityId, flow.authRequest.uiLocales, tx);
    await this.outbox.enqueueTemplate(tx, {
      projectId: project.id,
      kind: 'welcome',
      locale: recipient?.locale ?? project.settings.defaultLocale,
      to: email,
      idempotencyKey: `welcome:${flow.id}`,
      variables: { projectName: project.name, ...(recipient?.name ? { name: recipient.name } : {}) },
    });
  }
}
