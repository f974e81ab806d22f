import { Injectable } from '@nestjs/common';
import { EmailOutbox } from '../../domain/email/email-outbox';
import { MailRecipients } from '../../domain/email/mail-recipients.service';
import type { FlowRecord } from '../../domain/flows/flow';
import type { Tx } from '../../domain/flows/flow.store';
import type { Project } from '../../domain/projects/projects.service';
import { CODE_TTL_MS } from '../../infra/crypto/one-time-code';

/**
 * The `recovery_code` mail of a recovery flow bound to its identity, in the caller's transaction (the one that
 * binds or creates the flow): the same mail whether the user asked for it (the address step's job) or an
 * administrator did (with a `link` to the hosted page of that flow, which no app holds).
 */
@Injectable()
export class RecoveryCodeMail {
  constructor(
    private readonly outbox: EmailOutbox,
    private readonly recipients: MailRecipients,
  ) {}

  async enqueue(
    tx: Tx,
    project: Project,
    flow: Pick<FlowRecord, 'id' | 'authRequest'>,
    identity: { traits: Record<string, unknown>; schemaVersion: number },
    mail: { to: string; code: string; link?: string },
  ): Promise<void> {
    const name = typeof identity.traits['name'] === 'string' ? identity.traits['name'] : undefined;
    await this.outbox.enqueueTemplate(tx, {
      projectId: project.id,
      locale: await this.recipients.localeFor(project, 'recovery_code', identity, flow.authRequest.uiLocales, tx),
      to: mail.to,
      idempotencyKey: `recovery:${flow.id}`,
      kind: 'recovery_code',
      variables: {
        projectName: project.name,
        email: mail.to,
        code: mail.code,
        expiresInMinutes: CODE_TTL_MS / 60_000,
        ...(name ? { name } : {}),
        ...(mail.link ? { link: mail.link } : {}),
      },
    });
  }
}
