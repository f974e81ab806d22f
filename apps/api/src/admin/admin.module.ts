import { AdminIdentitiesModule } from './identities/admin-identities.module';
import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { ApplicationsModule } from '../domain/applications/applications.module';
import { ApiResourcesModule } from '../domain/api-resources/api-resources.module';
import { ConnectionsModule } from '../domain/connections/connections.module';
import { ExternalTokensModule } from '../domain/external-tokens/external-tokens.module';
import { EmailModule } from '../domain/email/email.module';
import { FlowsModule } from '../flows/engine/flows.module';
import { IdentitiesModule } from '../domain/identities/identities.module';
import { ProjectsModule } from '../domain/projects/projects.module';
import { IdentitySchemasAdminController } from './identity-schemas.admin.controller';
import { SchemasModule } from '../domain/schemas/schemas.module';
import { AdminProjectPipe } from './auth/admin-project.pipe';
import { AccessModule } from '../domain/access/access.module';
import { SessionsModule } from '../domain/sessions/sessions.module';
import { AdminTokenStrategy } from './auth/admin-token.strategy';
import { ApiKeyStrategy } from './auth/api-key.strategy';
import { ConsoleUserStrategy } from './auth/console-user.strategy';
import { PermissionsGuard } from './auth/permissions.guard';
import { EmailAdminController } from './email-admin.controller';
import { ApplicationsAdminController } from './applications/applications.controller';
import { LoginOptionsAdminController } from './applications/login-options.controller';
import { ResourceGrantsAdminController } from './applications/resource-grants.controller';
import { ApiResourcesAdminController } from './api-resources/api-resources.controller';
import { ConnectionsAdminController } from './connections/connections.controller';
import { TokenIssuersAdminController } from './token-issuers/token-issuers.controller';
import { AuditEventsAdminController } from './audit/audit-events.controller';
import { IdentitiesAdminController } from './identities/identities.controller';
import { IdentityActionsController } from './identities/identity-actions.controller';
import { ProjectsAdminController } from './projects/projects.controller';
import { SigningKeysAdminController } from './projects/signing-keys.controller';
import { KeysModule } from '../domain/keys/keys.module';

@Module({
  imports: [
    AdminIdentitiesModule,
    PassportModule,
    ProjectsModule,
    ApplicationsModule,
    ApiResourcesModule,
    ConnectionsModule,
    ExternalTokensModule,
    IdentitiesModule,
    FlowsModule,
    SchemasModule,
    EmailModule,
    AccessModule,
    SessionsModule,
    KeysModule,
  ],
  controllers: [
    ProjectsAdminController,
    SigningKeysAdminController,
    ApplicationsAdminController,
    LoginOptionsAdminController,
    ResourceGrantsAdminController,
    ApiResourcesAdminController,
    ConnectionsAdminController,
    TokenIssuersAdminController,
    IdentitiesAdminController,
    IdentityActionsController,
    AuditEventsAdminController,
    IdentitySchemasAdminController,
    EmailAdminController,
  ],
  providers: [AdminTokenStrategy, ApiKeyStrategy, ConsoleUserStrategy, PermissionsGuard, AdminProjectPipe],
})
export class AdminModule {}
