import { Module } from '@nestjs/common';
import { IdentitiesModule } from '../identities/identities.module';
import { ProjectsModule } from '../projects/projects.module';
import { SessionsModule } from '../sessions/sessions.module';
import { TenantPipe } from '../tenancy/tenant.pipe';
import { TotpModule } from '../totp/totp.module';
import { MeTotpController } from './me-totp.controller';

/** End-user self-service under the issuer (`/me/…`), apart from the admin API, authenticated by access token. */
@Module({
  imports: [ProjectsModule, IdentitiesModule, SessionsModule, TotpModule],
  controllers: [MeTotpController],
  providers: [TenantPipe],
})
export class MeModule {}
