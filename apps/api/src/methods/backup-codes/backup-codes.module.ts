import { Module } from '@nestjs/common';
import { BackupCodesRepository } from './backup-codes.repository';
import { BackupCodesService } from './backup-codes.service';

/** Backup codes: used by the login step (backup-code-authenticator) and by self-service (/me/backup-codes). */
@Module({
  providers: [BackupCodesRepository, BackupCodesService],
  exports: [BackupCodesService],
})
export class BackupCodesModule {}
