import { Injectable } from '@nestjs/common';
import type { AfterFlowHook, LoginCompleted } from '../../domain/flows/after-flow-hooks';
import type { Tx } from '../../domain/flows/flow.store';
import { EmailOutbox } from '../../domain/email/email-outbox';
import { formatMailDate } from '../../domain/email/mail-locale';
import { MailRecipients } from '../../domain/email/mail-recipients.service';
import { SessionsRepository } from '../../domain/sessions/sessions.repository';

/**
 * The `new_sign_in` alert, written with the session so the mail exists exactly when the session does. Only
 * when the project sends it, the request's device is known, the identity signed in before (not right after
 * registering: nothing to compare with) but never from this device, and it has an email address.
 */
@Injectable()
export class NewDeviceAlertHook implements AfterFlowHook<'login.completed'> {
  readonly event = 'login.completed';

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly recipients: MailRecipients,
    private readonly outbox: EmailOutbox,
  ) {}

  /** Before the session is written (it would make every device known); one indexed query when on, none when off. */
  async wants({ project, identityId, device }: LoginCompleted): Promise<boolean> {
    if (!project.settings.emails.newSignIn || !device) return false;
    const history = await this.sessions.deviceHistory(identityId, device.fingerprint);
    return history.signedInBefore && !history.knownDevice;
  }

  async run(tx: Tx, { project, flow, identityId, sessionId, device, at }: LoginCompleted): Promise<void> {
    const recipient = await this.recipients.find(project, 'new_sign_in', identityId, flow.authRequest.uiLocales, tx);
    const to = recipient?.email;
    if (!recipient || !to || !device) return;
    await this.outbox.enqueueTemplate(tx, {
      projectId: project.id,
      kind: 'new_sign_in',
      locale: recipient.locale,
      to,
      idempotencyKey: `new-sign-in:${sessionId}`,
      variables: {
        projectName: project.name,
        signedInAt: formatMailDate(at, recipient.locale),
        ...(recipient.name ? { name: recipient.name } : {}),
        ...(device.userAgent ? { device: device.userAgent } : {}),
        ...(device.ip ? { ipAddress: device.ip } : {}),
      },
    });
  }
}
