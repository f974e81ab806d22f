import { Injectable } from '@nestjs/common';
import { ApiError, fieldError } from '../../infra/http/errors';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import type { Project } from '../projects/projects.service';
import { AccessRepository, type RoleRow } from './access.repository';
import { AccessService, type AdminPrincipal } from './access.service';
import {
  BUILT_IN_ROLE_DESCRIPTIONS,
  BUILT_IN_ROLES,
  isBuiltInRole,
  isPermission,
  PERMISSIONS,
  type BuiltInRole,
  type Permission,
} from './permissions';

export interface RoleView {
  name: string;
  description: string;
  permissions: Permission[];
  builtIn: boolean;
}

/**
 * A project's roles: the built-in presets, and custom roles (a name and a set of permissions). A custom role
 * holds only permissions its author holds (else its holders could be given more than the author has), and
 * is deleted only when no member, live API key or open invitation uses it.
 */
@Injectable()
export class RolesService {
  constructor(
    private readonly repository: AccessRepository,
    private readonly access: AccessService,
  ) {}

  async list(projectId: string): Promise<RoleView[]> {
    const builtIn = (Object.keys(BUILT_IN_ROLES) as BuiltInRole[]).map((name) => ({
      name,
      description: BUILT_IN_ROLE_DESCRIPTIONS[name],
      permissions: [...BUILT_IN_ROLES[name]],
      builtIn: true,
    }));
    return [...builtIn, ...(await this.repository.roles(projectId)).map(customRoleView)];
  }

  async create(
    principal: AdminPrincipal,
    project: Project,
    role: { name: string; description?: string | undefined; permissions: Permission[] },
  ): Promise<RoleView> {
    if (isBuiltInRole(role.name))
      throw ApiError.invalidFields([
        fieldError('name', 'msg_field_invalid', `'${role.name}' is the name of a built-in role`),
      ]);
    const permissions = inCatalogOrder(role.permissions);
    await this.access.assertHoldsAll(principal, project, permissions, `A role with these permissions`);
    try {
      const created = await this.repository.createRole(project.id, {
        name: role.name,
        description: role.description ?? '',
        permissions,
      });
      return customRoleView(created);
    } catch (error) {
      if (isUniqueViolation(error))
        throw ApiError.conflict(`Project '${project.slug}' has a role named '${role.name}' already.`);
      throw error;
    }
  }

  /** Changes a custom role's description or permissions; returns it before and after (for the audit log). */
  async update(
    principal: AdminPrincipal,
    project: Project,
    name: string,
    change: { description?: string | undefined; permissions?: Permission[] | undefined },
  ): Promise<{ before: RoleView; after: RoleView }> {
    const before = await this.customRole(project, name);
    const permissions = change.permissions && inCatalogOrder(change.permissions);
    // Both sides: no one adds a permission they lack, nor takes one away from holders who have more than them.
    if (permissions) await this.access.assertHoldsAll(principal, project, permissions, 'A role with these permissions');
    await this.access.assertHoldsAll(principal, project, before.permissions, `Changing the role '${name}'`);
    const after = await this.repository.updateRole(project.id, name, {
      ...(change.description !== undefined ? { description: change.description } : {}),
      ...(permissions ? { permissions } : {}),
    });
    if (!after) throw ApiError.notFound(`The role '${name}' was deleted from project '${project.slug}'.`);
    return { before, after: customRoleView(after) };
  }

  async delete(principal: AdminPrincipal, project: Project, name: string): Promise<RoleView> {
    const role = await this.customRole(project, name);
    await this.access.assertHoldsAll(principal, project, role.permissions, `Deleting the role '${name}'`);
    const outcome = await this.repository.deleteRole(project.id, name);
    if (outcome === false) throw ApiError.notFound(`The role '${name}' was deleted from project '${project.slug}'.`);
    if (outcome !== true) {
      const { members, apiKeys, invitations } = outcome.inUse;
      const users = [
        members && `${members} member(s)`,
        apiKeys && `${apiKeys} API key(s)`,
        invitations && `${invitations} open invitation(s)`,
      ].filter(Boolean);
      throw ApiError.conflict(
        `The role '${name}' is in use by ${users.join(', ')}: give them another role, or revoke them, first.`,
      );
    }
    return role;
  }

  private async customRole(project: Project, name: string): Promise<RoleView> {
    if (isBuiltInRole(name))
      throw ApiError.badRequest(`'${name}' is a built-in role: built-in roles cannot be changed or deleted.`);
    const role = await this.repository.findRole(project.id, name);
    if (!role) throw ApiError.notFound(`No role '${name}' in project '${project.slug}'.`);
    return customRoleView(role);
  }
}

function customRoleView(role: RoleRow): RoleView {
  return {
    name: role.name,
    description: role.description,
    permissions: role.permissions.filter(isPermission),
    builtIn: false,
  };
}

/** Without duplicates, in the catalog's order: two equal roles are stored alike. */
function inCatalogOrder(permissions: readonly Permission[]): Permission[] {
  const wanted = new Set(permissions);
  return PERMISSIONS.filter((permission) => wanted.has(permission));
}
