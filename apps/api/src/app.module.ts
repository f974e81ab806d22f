import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AccessAdminModule } from './admin/access/access-admin.module';
import { AdminModule } from './admin/admin.module';
import { AfterFlowHooksModule } from './flows/hooks/after-flow-hooks.module';
import { AuditModule } from './domain/audit/audit.module';
import { KeywayExceptionFilter } from './infra/http/exception.filter';
import { KEYWAY_CONFIG, type KeywayConfig } from './infra/config/config';
import { HealthController } from './fronts/health/health.controller';
import { InvitationLinksModule } from './fronts/invitations/invitations.module';
import { MeModule } from './fronts/account/me.module';
import { OAuthModule } from './fronts/oauth/oauth.module';
import { PrismaModule } from './infra/database/prisma.module';
import { RateLimitModule } from './fronts/rate-limit/rate-limit.module';
import { SeedModule } from './admin/seed/seed.module';
import { SystemModule } from './admin/system/system.module';
import { SelfServiceModule } from './fronts/self-service/self-service.module';

@Module({})
export class AppModule {
  static forRoot(config: KeywayConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        PrismaModule,
        AuditModule,
        // Global: the flows and domain/grants run the after-flow hooks registered there.
        AfterFlowHooksModule,
        RateLimitModule,
        OAuthModule,
        AdminModule,
        AccessAdminModule,
        MeModule,
        SelfServiceModule,
        InvitationLinksModule,
        SeedModule,
        SystemModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: KEYWAY_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: KeywayExceptionFilter },
      ],
      exports: [KEYWAY_CONFIG],
    };
  }
}
