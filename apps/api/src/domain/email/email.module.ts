import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { EmailAdminService } from './email-admin.service';
import { EmailOutbox } from './email-outbox';
import { MailRecipientsRepository } from './mail-recipients.repository';
import { MailRecipients } from './mail-recipients.service';
import { OutboxJobs } from './outbox-jobs';
import { OutboxWorker } from './outbox-worker';
import { OutboxRepository } from './outbox.repository';
import { SmtpSettingsRepository } from './smtp-settings.repository';
import { SmtpSettingsService } from './smtp-settings.service';
import { TemplatesRepository } from './templates.repository';
import { TemplatesService } from './templates.service';

/**
 * Email: per-project templates and SMTP settings, and the durable outbox with its worker.
 * Other modules import it and send with EmailOutbox.enqueueTemplate(tx, …) inside their transaction.
 */
@Module({
  imports: [KeysModule],
  providers: [
    TemplatesRepository,
    TemplatesService,
    SmtpSettingsRepository,
    SmtpSettingsService,
    OutboxRepository,
    OutboxJobs,
    OutboxWorker,
    EmailOutbox,
    EmailAdminService,
    MailRecipientsRepository,
    MailRecipients,
  ],
  exports: [EmailOutbox, OutboxJobs, TemplatesService, SmtpSettingsService, EmailAdminService, MailRecipients],
})
export class EmailModule {}
