import { Module } from '@nestjs/common';
import { AUTHENTICATORS, type Authenticator } from '../flows/authenticator';
import { IdentitiesModule } from '../identities/identities.module';
import { LockoutModule } from '../lockout/lockout.module';
import { TotpModule } from '../totp/totp.module';
import { BasicAuthenticator } from './basic/basic.authenticator';
import { TotpAuthenticator } from './totp/totp.authenticator';

/** Every authenticator the flow engine can offer. Register a new one here (and only here). */
const AUTHENTICATOR_CLASSES = [BasicAuthenticator, TotpAuthenticator];

@Module({
  imports: [IdentitiesModule, LockoutModule, TotpModule],
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
