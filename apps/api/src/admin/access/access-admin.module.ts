import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AccessModule } from '../../domain/access/access.module';
import { ProjectsModule } from '../../domain/projects/projects.module';
import { AdminProjectPipe } from '../auth/admin-project.pipe';
import { PermissionsGuard } from '../auth/permissions.guard';
import { AccessAdminController } from './access.controller';
import { ApiKeysAdminController } from './api-keys.controller';
import { InvitationsAdminController } from './invitations.controller';
import { MembersAdminController } from './members.controller';
import { RolesAdminController } from './roles.controller';

/**
 * Who may do what: the caller's view (GET /me), the permission catalog, and each project's members,
 * invitations, custom roles and API keys. Authentication strategies are AdminModule's (registered globally
 * with passport); the guard and pipe are provided here for these controllers.
 */
@Module({
  imports: [PassportModule, AccessModule, ProjectsModule],
  controllers: [
    AccessAdminController,
    MembersAdminController,
    InvitationsAdminController,
    RolesAdminController,
    ApiKeysAdminController,
  ],
  providers: [PermissionsGuard, AdminProjectPipe],
})
export class AccessAdminModule {}
