import { Injectable } from '@nestjs/common';
import type { Project } from '../../domain/projects/projects.service';
import type {
  AfterFlowHook,
  HookIdentity,
  PasswordChanged,
  RecoveryCompleted,
} from '../../domain/flows/after-flow-hooks';
import type { Tx } from '../../domain/flows/flow.store';
import { EmailOutbox } from '../../domain/email/email-outbox';
import { formatMailDate } from '../../domain/email/mail-locale';
import { MailRecipients } from '../../domain/email/mail-recipients.service';

/** The `password_changed` notice, whichever flow set the password. */
@Injectable()
export class PasswordChangedNotice {
  constructor(
    private readonly recipients: MailRecipients,
    private readonly outbox: EmailOutbox,
  ) {}

  async send(
    tx: Tx,
    project: Project,
    identity: HookIdentity,
    uiLocales: readonly string[] | undefined,
    to: string,
    at: Date,
    idempotencyKey: string,
  ): Promise<void> {
    const name = typeof identity.traits['name'] === 'string' ? identity.traits['name'] : undefined;
    const locale = await this.recipients.localeFor(project, 'password_changed', identity, uiLocales, tx);
    await this.outbox.enqueueTemplate(tx, {
      projectId: project.id,
      kind: 'password_changed',
      locale,
      to,
      idempotencyKey,
      variables: {
        projectName: project.name,
        email: to,
        changedAt: formatMailDate(at, locale),
        ...(name ? { name } : {}),
      },
    });
  }
}

/** Recovery: to the recovery address the code went to. */
@Injectable()
export class RecoveryPasswordNoticeHook implements AfterFlowHook<'recovery.completed'> {
  readonly event = 'recovery.completed';

  constructor(private readonly notice: PasswordChangedNotice) {}

  run(tx: Tx, { project, flow, identity, address, at }: RecoveryCompleted): Promise<void> {
    return this.notice.send(
      tx,
      project,
      identity,
      flow.authRequest.uiLocales,
      address,
      at,
      `recovery-password:${flow.id}`,
    );
  }
}

/** Settings: to the identity's email, when it has one; one per change (a flow can change the password twice). */
@Injectable()
export class SettingsPasswordNoticeHook implements AfterFlowHook<'settings.password_changed'> {
  readonly event = 'settings.password_changed';

  constructor(private readonly notice: PasswordChangedNotice) {}

  wants({ email }: PasswordChanged): boolean {
    return email !== undefined;
  }

  async run(tx: Tx, { project, flow, identity, email, at }: PasswordChanged): Promise<void> {
    if (email)
      await this.notice.send(
        tx,
        project,
        identity,
        flow.authRequest.uiLocales,
        email,
        at,
        `settings-password:${flow.id}:${flow.stepIndex}`,
      );
  }
}
