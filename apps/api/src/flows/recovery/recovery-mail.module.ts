import { Module } from '@nestjs/common';
import { EmailModule } from '../../domain/email/email.module';
import { FlowStoreModule } from '../../domain/flows/flow-store.module';
import { AssistedRecovery } from './assisted-recovery';
import { RecoveryCodeMail } from './recovery-code-mail';

/** The recovery code mail, for the self-service flow's job and for recovery started by an administrator. */
@Module({
  imports: [EmailModule, FlowStoreModule],
  providers: [RecoveryCodeMail, AssistedRecovery],
  exports: [RecoveryCodeMail, AssistedRecovery],
})
export class RecoveryMailModule {}
