import { Module } from '@nestjs/common';
import { EmailModule } from '../email/email.module';
import { IdentitiesModule } from '../identities/identities.module';
import { ProjectsModule } from '../projects/projects.module';
import { SchemasModule } from '../schemas/schemas.module';
import { AccessRepository } from './access.repository';
import { AccessService } from './access.service';
import { ApiKeysService } from './api-keys.service';
import { InvitationsService } from './invitations.service';
import { MembersService } from './members.service';
import { RolesService } from './roles.service';

@Module({
  imports: [ProjectsModule, EmailModule, IdentitiesModule, SchemasModule],
  providers: [AccessRepository, AccessService, MembersService, RolesService, ApiKeysService, InvitationsService],
  exports: [AccessRepository, AccessService, MembersService, RolesService, ApiKeysService, InvitationsService],
})
export class AccessModule {}
