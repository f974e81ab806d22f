import { Injectable } from '@nestjs/common';
import { AccessRepository } from '../../domain/access/access.repository';
import { AccessService, type AdminPrincipal } from '../../domain/access/access.service';
import type { Project } from '../../domain/projects/projects.service';

/** The role an admin action's audit event names (`data.role`): what let the caller act in the project. */
@Injectable()
export class ActorRoles {
  constructor(
    private readonly access: AccessService,
    private readonly memberships: AccessRepository,
  ) {}

  /**
   * `root` for the root token, an API key's role, a console user's membership role — or `instance-owner` for an
   * owner of the instance, whose permissions come from that and not from a membership they may also have.
   */
  async roleIn(principal: AdminPrincipal, project: Pick<Project, 'id'>): Promise<string> {
    switch (principal.kind) {
      case 'root':
        return 'root';
      case 'api-key':
        return principal.role;
      case 'console-user': {
        if (await this.access.isInstanceOwner(principal)) return 'instance-owner';
        return (await this.memberships.findMembership(project.id, principal.identityId))?.role ?? 'none';
      }
    }
  }
}
