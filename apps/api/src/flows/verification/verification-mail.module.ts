import { Module } from '@nestjs/common';
import { EmailModule } from '../../domain/email/email.module';
import { FlowStoreModule } from '../../domain/flows/flow-store.module';
import { VerificationCodeMail } from './verification-code-mail';

/** Verification codes for addresses of known identities (settings' new addresses, the admin API's resend). */
@Module({
  imports: [EmailModule, FlowStoreModule],
  providers: [VerificationCodeMail],
  exports: [VerificationCodeMail],
})
export class VerificationMailModule {}
