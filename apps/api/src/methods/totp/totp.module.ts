import { Module } from '@nestjs/common';
import { KeysModule } from '../../domain/keys/keys.module';
import { TotpCredentialsRepository } from './totp-credentials.repository';
import { TotpService } from './totp.service';

/** TOTP credentials, used by the login step, by identity import and by self-service enrollment. */
@Module({
  imports: [KeysModule],
  providers: [TotpCredentialsRepository, TotpService],
  exports: [TotpService],
})
export class TotpModule {}
