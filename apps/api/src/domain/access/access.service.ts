import { HttpStatus, Injectable } from '@nestjs/common';
import { ApiError, ErrorCodes, fieldError } from '../../infra/http/errors';
import { ProjectsService, type Project } from '../projects/projects.service';
import { SYSTEM_PROJECT_SLUG } from '../projects/system-project';
import { AccessRepository } from './access.repository';
import {
  BUILT_IN_ROLES,
  isBuiltInRole,
  isPermission,
  missingPermissions,
  PERMISSIONS,
  type Permission,
} from './permissions';

/** Who calls the admin API, as its authentication established (admin/auth). */
export type AdminPrincipal =
  /** `KEYWAY_ADMIN_TOKEN`: the instance's root automation token, every permission everywhere. */
  | { kind: 'root' }
  /** A project's API key: its role, in its project only. */
  | { kind: 'api-key'; id: string; name: string; projectId: string; role: string }
  /** A console user: an identity of the system project, with its memberships. */
  | { kind: 'console-user'; identityId: string; email: string };

const NONE: ReadonlySet<Permission> = new Set();
const ALL: ReadonlySet<Permission> = new Set(PERMISSIONS);

/**
 * What a principal may do in a project. Console users get their membership's role there; the owners of the
 * system project are the instance's owners and get every permission in every project. Deny by default.
 */
@Injectable()
export class AccessService {
  constructor(
    private readonly repository: AccessRepository,
    private readonly projects: ProjectsService,
  ) {}

  async permissionsIn(principal: AdminPrincipal, project: Pick<Project, 'id'>): Promise<ReadonlySet<Permission>> {
    switch (principal.kind) {
      case 'root':
        return ALL;
      case 'api-key':
        return principal.projectId === project.id ? this.roleIn(project.id, principal.role) : NONE;
      case 'console-user': {
        if (await this.isInstanceOwner(principal)) return ALL;
        const membership = await this.repository.findMembership(project.id, principal.identityId);
        return membership ? this.roleIn(project.id, membership.role) : NONE;
      }
    }
  }

  /** Root, or an owner of the system project: may create projects and act in all of them. */
  async isInstanceOwner(principal: AdminPrincipal): Promise<boolean> {
    if (principal.kind === 'root') return true;
    if (principal.kind !== 'console-user') return false;
    const system = await this.projects.findBySlug(SYSTEM_PROJECT_SLUG);
    const membership = system && (await this.repository.findMembership(system.id, principal.identityId));
    return membership?.role === 'owner';
  }

  /** A role's permissions in a project: built-in, or one of the project's custom roles; none for an unknown name. */
  async roleIn(projectId: string, role: string): Promise<ReadonlySet<Permission>> {
    if (isBuiltInRole(role)) return new Set(BUILT_IN_ROLES[role]);
    const custom = await this.repository.findRole(projectId, role);
    return new Set(custom?.permissions.filter(isPermission) ?? []);
  }

  /** The permissions of a role of the project (built-in or custom); 400 on the field `role` for an unknown name. */
  async permissionsOfRole(projectId: string, role: string): Promise<ReadonlySet<Permission>> {
    if (isBuiltInRole(role)) return new Set(BUILT_IN_ROLES[role]);
    const custom = await this.repository.findRole(projectId, role);
    if (!custom) {
      const names = [...Object.keys(BUILT_IN_ROLES), ...(await this.repository.roles(projectId)).map((r) => r.name)];
      throw ApiError.invalidFields([
        fieldError('role', 'msg_field_invalid', `no role '${role}' in this project (roles: ${names.join(', ')})`),
      ]);
    }
    return new Set(custom.permissions.filter(isPermission));
  }

  /**
   * No privilege escalation: the caller may hand out (to a member, an invitation, an API key, a custom role)
   * only permissions it holds itself in the project. 403 naming the ones it lacks; `what` says what was refused.
   */
  async assertHoldsAll(
    principal: AdminPrincipal,
    project: Pick<Project, 'id' | 'slug'>,
    wanted: Iterable<Permission>,
    what: string,
  ): Promise<void> {
    const missing = missingPermissions(wanted, await this.permissionsIn(principal, project));
    if (missing.length === 0) return;
    throw new ApiError(
      HttpStatus.FORBIDDEN,
      ErrorCodes.FORBIDDEN,
      'Forbidden.',
      `${what} needs permissions you do not have in project '${project.slug}': ${missing.join(', ')}. ` +
        'No one may grant more than they hold.',
    );
  }

  /** `assertHoldsAll` for a role: the caller may grant `role` only when it holds every permission of it. */
  async assertMayGrant(principal: AdminPrincipal, project: Pick<Project, 'id' | 'slug'>, role: string): Promise<void> {
    const permissions = await this.permissionsOfRole(project.id, role);
    await this.assertHoldsAll(principal, project, permissions, `Granting the role '${role}'`);
  }
}
