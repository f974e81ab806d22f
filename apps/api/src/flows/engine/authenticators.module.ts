import { Module } from '@nestjs/common';
import { BackupCodesModule } from '../../methods/backup-codes/backup-codes.module';
import { EmailModule } from '../../domain/email/email.module';
import { AUTHENTICATORS, OPTION_SOURCES, type Authenticator, type OptionSource } from '../../methods/authenticator';
import { ConnectionsModule } from '../../domain/connections/connections.module';
import { FederatedIdentitiesModule } from '../../domain/federation/federation.module';
import { FederationModule } from '../../methods/federation/federation.module';
import { ConnectionOptionsSource } from '../../methods/federation/connection-options.source';
import { FlowStoreModule } from '../../domain/flows/flow-store.module';
import { IdentitiesModule } from '../../domain/identities/identities.module';
import { LockoutModule } from '../../domain/lockout/lockout.module';
import { PasskeysModule } from '../../methods/passkey/passkeys.module';
import { SchemasModule } from '../../domain/schemas/schemas.module';
import { TotpModule } from '../../methods/totp/totp.module';
import { BackupCodeAuthenticator } from '../../methods/backup-codes/backup-code.authenticator';
import { BasicAuthenticator } from '../../methods/password/basic.authenticator';
import { RecoveryCodeOption, RecoveryEmailOption } from '../../methods/email-code/email-code-recovery';
import { EmailCodeVerification } from '../../methods/email-code/email-code-verification';
import { PasswordRegistrationOption } from '../../methods/password/password-registration';
import { PasswordResetOption } from '../../methods/password/password-reset';
import { EmailOtpAuthenticator } from '../../methods/email-code/email-otp.authenticator';
import { EmailOtpRepository } from '../../methods/email-code/email-otp.repository';
import { FidoAuthenticator } from '../../methods/passkey/fido.authenticator';
import { TotpAuthenticator } from '../../methods/totp/totp.authenticator';
import { EnrollTotp, RemoveTotp } from '../../methods/totp/totp-settings';
import { AddPasskey, RemovePasskey } from '../../methods/passkey/passkey-settings';
import { PasskeyReauthentication } from '../../methods/passkey/passkey-reauthentication';
import { ChangePassword } from '../../methods/password/change-password';
import { PasswordReauthentication } from '../../methods/password/password-reauthentication';
import { RegenerateBackupCodes } from '../../methods/backup-codes/regenerate-backup-codes';
import { FinishSettings } from '../../methods/profile/finish-settings';
import { UpdateProfile } from '../../methods/profile/update-profile';
import { SessionsModule } from '../../domain/sessions/sessions.module';
import { LinkedAccountsModule } from '../../methods/linked-accounts/linked-accounts.module';
import { UnlinkConnection } from '../../methods/linked-accounts/unlink-connection';
import { ExternalTokensModule } from '../../domain/external-tokens/external-tokens.module';
import { ExternalTokenAuthenticator } from '../../methods/external-token/external-token.authenticator';

/**
 * Every option the flow engine can offer, whatever the flow type (each declares its `flowTypes`). Register a
 * new one here (and only here).
 */
const AUTHENTICATOR_CLASSES = [
  BasicAuthenticator,
  TotpAuthenticator,
  BackupCodeAuthenticator,
  FidoAuthenticator,
  EmailOtpAuthenticator,
  EmailCodeVerification,
  RecoveryEmailOption,
  RecoveryCodeOption,
  PasswordResetOption,
  PasswordRegistrationOption,
  PasswordReauthentication,
  PasskeyReauthentication,
  UpdateProfile,
  ChangePassword,
  EnrollTotp,
  RemoveTotp,
  AddPasskey,
  RemovePasskey,
  UnlinkConnection,
  RegenerateBackupCodes,
  FinishSettings,
  ExternalTokenAuthenticator,
];

@Module({
  imports: [
    IdentitiesModule,
    LockoutModule,
    TotpModule,
    BackupCodesModule,
    PasskeysModule,
    EmailModule,
    SchemasModule,
    FlowStoreModule,
    SessionsModule,
    ConnectionsModule,
    FederatedIdentitiesModule,
    FederationModule,
    LinkedAccountsModule,
    ExternalTokensModule,
  ],
  providers: [
    ConnectionOptionsSource,
    // Options made from project configuration (one per connection an app offers); register a new source here.
    { provide: OPTION_SOURCES, inject: [ConnectionOptionsSource], useFactory: (...sources: OptionSource[]) => sources },
    ...AUTHENTICATOR_CLASSES,
    EmailOtpRepository,
    {
      provide: AUTHENTICATORS,
      inject: AUTHENTICATOR_CLASSES,
      useFactory: (...authenticators: Authenticator[]) => authenticators,
    },
  ],
  exports: [AUTHENTICATORS, OPTION_SOURCES, ConnectionOptionsSource],
})
export class AuthenticatorsModule {}
