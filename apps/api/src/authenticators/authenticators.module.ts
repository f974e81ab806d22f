import { Module } from '@nestjs/common';
import { BackupCodesModule } from '../backup-codes/backup-codes.module';
import { EmailModule } from '../email/email.module';
import { AUTHENTICATORS, type Authenticator } from '../flows/authenticator';
import { FlowStoreModule } from '../flows/flow-store.module';
import { IdentitiesModule } from '../identities/identities.module';
import { LockoutModule } from '../lockout/lockout.module';
import { PasskeysModule } from '../passkeys/passkeys.module';
import { SchemasModule } from '../schemas/schemas.module';
import { TotpModule } from '../totp/totp.module';
import { BackupCodeAuthenticator } from './backup-codes/backup-code.authenticator';
import { BasicAuthenticator } from './basic/basic.authenticator';
import { EmailOtpAuthenticator } from './email-otp/email-otp.authenticator';
import { EmailOtpRepository } from './email-otp/email-otp.repository';
import { FidoAuthenticator } from './fido/fido.authenticator';
import { TotpAuthenticator } from './totp/totp.authenticator';

/** Every authenticator the flow engine can offer. Register a new one here (and only here). */
const AUTHENTICATOR_CLASSES = [BasicAuthenticator, TotpAuthenticator, BackupCodeAuthenticator, FidoAuthenticator, EmailOtpAuthenticator];

@Module({
  imports: [IdentitiesModule, LockoutModule, TotpModule, BackupCodesModule, PasskeysModule, EmailModule, SchemasModule, FlowStoreModule],
  providers: [
    ...AUTHENTICATOR_CLASSES,
    EmailOtpRepository,
    {
      provide: AUTHENTICATORS,
      inject: AUTHENTICATOR_CLASSES,
      useFactory: (...authenticators: Authenticator[]) => authenticators,
    },
  ],
  exports: [AUTHENTICATORS],
})
export class AuthenticatorsModule {}
