import { Module } from '@nestjs/common';
import { AccessModule } from '../../domain/access/access.module';
import { ApplicationsModule } from '../../domain/applications/applications.module';
import { ConnectionsModule } from '../../domain/connections/connections.module';
import { FederatedIdentitiesModule } from '../../domain/federation/federation.module';
import { IdentitiesModule } from '../../domain/identities/identities.module';
import { LockoutModule } from '../../domain/lockout/lockout.module';
import { SchemasModule } from '../../domain/schemas/schemas.module';
import { SessionsModule } from '../../domain/sessions/sessions.module';
import { RecoveryMailModule } from '../../flows/recovery/recovery-mail.module';
import { VerificationMailModule } from '../../flows/verification/verification-mail.module';
import { BackupCodesModule } from '../../methods/backup-codes/backup-codes.module';
import { PasskeysModule } from '../../methods/passkey/passkeys.module';
import { TotpModule } from '../../methods/totp/totp.module';
import { ActorRoles } from '../auth/actor-role';
import { HelpDeskService } from './help-desk.service';
import { IdentitiesService } from './identities.service';

/**
 * Identities as administrators and help desk see and change them: imports with credentials, search, metadata
 * (never secrets), and the audited help-desk actions. Its controllers are registered in AdminModule, with
 * every other admin controller.
 */
@Module({
  imports: [
    IdentitiesModule,
    SchemasModule,
    TotpModule,
    PasskeysModule,
    BackupCodesModule,
    LockoutModule,
    SessionsModule,
    ApplicationsModule,
    AccessModule,
    VerificationMailModule,
    RecoveryMailModule,
    ConnectionsModule,
    FederatedIdentitiesModule,
  ],
  providers: [IdentitiesService, HelpDeskService, ActorRoles],
  exports: [IdentitiesService, HelpDeskService],
})
export class AdminIdentitiesModule {}
