import { Module } from '@nestjs/common';
import { BackupCodesModule } from '../../methods/backup-codes/backup-codes.module';
import { IdentitiesModule } from '../../domain/identities/identities.module';
import { PasskeysModule } from '../../methods/passkey/passkeys.module';
import { ProjectsModule } from '../../domain/projects/projects.module';
import { SessionsModule } from '../../domain/sessions/sessions.module';
import { TenantPipe } from '../../domain/projects/tenant.pipe';
import { TotpModule } from '../../methods/totp/totp.module';
import { MeBackupCodesController } from './me-backup-codes.controller';
import { MePasskeysController } from './me-passkeys.controller';
import { MeTotpController } from './me-totp.controller';

/**
 * End-user self-service under the issuer (`/me/…`), apart from the admin API, authenticated by access token
 * (AccessTokenGuard); adding or removing a factor also needs a recent sign-in (@RequirePrivilegedSession()).
 */
@Module({
  imports: [ProjectsModule, IdentitiesModule, SessionsModule, TotpModule, BackupCodesModule, PasskeysModule],
  controllers: [MeTotpController, MeBackupCodesController, MePasskeysController],
  providers: [TenantPipe],
})
export class MeModule {}
