import { Module } from '@nestjs/common';
import { BackupCodesModule } from '../backup-codes/backup-codes.module';
import { AUTHENTICATORS, type Authenticator } from '../flows/authenticator';
import { IdentitiesModule } from '../identities/identities.module';
import { LockoutModule } from '../lockout/lockout.module';
import { PasskeysModule } from '../passkeys/passkeys.module';
import { TotpModule } from '../totp/totp.module';
import { BackupCodeAuthenticator } from './backup-codes/backup-code.authenticator';
import { BasicAuthenticator } from './basic/basic.authenticator';
import { FidoAuthenticator } from './fido/fido.authenticator';
import { TotpAuthenticator } from './totp/totp.authenticator';

/** Every authenticator the flow engine can offer. Register a new one here (and only here). */
const AUTHENTICATOR_CLASSES = [BasicAuthenticator, TotpAuthenticator, BackupCodeAuthenticator, FidoAuthenticator];

@Module({
  imports: [IdentitiesModule, LockoutModule, TotpModule, BackupCodesModule, PasskeysModule],
  providers: [
    ...AUTHENTICATOR_CLASSES,
    {
      provide: AUTHENTICATORS,
      inject: AUTHENTICATOR_CLASSES,
      useFactory: (...authenticators: Authenticator[]) => authenticators,
    },
  ],
  exports: [AUTHENTICATORS],
})
export class AuthenticatorsModule {}
