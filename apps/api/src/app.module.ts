import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AdminModule } from './admin/admin.module';
import { AuditModule } from './audit/audit.module';
import { KeywayExceptionFilter } from './common/exception.filter';
import { KEYWAY_CONFIG, type KeywayConfig } from './config/config';
import { HealthController } from './health/health.controller';
import { MeModule } from './me/me.module';
import { OAuthModule } from './oauth/oauth.module';
import { PrismaModule } from './prisma/prisma.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { SeedModule } from './seed/seed.module';
import { SelfServiceModule } from './self-service/self-service.module';

@Module({})
export class AppModule {
  static forRoot(config: KeywayConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // Credentials never reach the logs.
            redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
            transport: config.logFormat === 'pretty' ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
            autoLogging: { ignore: (req) => req.url === '/health' },
          },
        }),
        PrismaModule,
        AuditModule,
        RateLimitModule,
        OAuthModule,
        AdminModule,
        MeModule,
        SelfServiceModule,
        SeedModule,
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
