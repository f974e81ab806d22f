import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { AdminPrincipal } from '../../domain/access/access.service';
import type { Permission } from '../../domain/access/permissions';

/**
 * What an admin endpoint needs (PermissionsGuard): a permission in the project of its `:slug`, being an
 * instance owner (create projects, anything outside one project), or only being signed in (the caller's own
 * view). An endpoint that declares nothing is refused: deny by default.
 */
export type AdminRequirement =
  | { permission: Permission }
  /** Any permission in the project of its `:slug` (the caller's own view of it). */
  | { projectAccess: true }
  | { instanceOwner: true }
  | { signedIn: true };

export const ADMIN_REQUIREMENT = 'keyway:admin-requirement';

export const RequirePermission = (permission: Permission) =>
  SetMetadata(ADMIN_REQUIREMENT, { permission } satisfies AdminRequirement);
export const RequireInstanceOwner = () =>
  SetMetadata(ADMIN_REQUIREMENT, { instanceOwner: true } satisfies AdminRequirement);
export const RequireProjectAccess = () =>
  SetMetadata(ADMIN_REQUIREMENT, { projectAccess: true } satisfies AdminRequirement);
export const RequireSignedIn = () => SetMetadata(ADMIN_REQUIREMENT, { signedIn: true } satisfies AdminRequirement);

/** The authenticated caller of an admin endpoint. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): AdminPrincipal =>
    context.switchToHttp().getRequest<{ user: AdminPrincipal }>().user,
);
