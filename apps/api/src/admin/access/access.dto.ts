import { z } from 'zod';
import { PERMISSIONS, ROLE_NAME_PATTERN } from '../../domain/access/permissions';

/** A role to grant: built-in or one of the project's custom roles (its existence is checked with the project). */
const RoleRef = z.string().trim().min(1).max(40);

export const ChangeMemberBody = z.object({ role: RoleRef }).strict();
export type ChangeMemberBody = z.infer<typeof ChangeMemberBody>;

export const InviteBody = z.object({ email: z.email().max(254), role: RoleRef }).strict();
export type InviteBody = z.infer<typeof InviteBody>;

const RoleDescription = z.string().trim().max(500);
const RolePermissions = z.array(z.enum(PERMISSIONS)).min(1, 'name at least one permission').max(100);

export const CreateRoleBody = z
  .object({
    name: z
      .string()
      .regex(
        ROLE_NAME_PATTERN,
        'must be 2-40 characters: a lowercase letter, then lowercase letters, digits, hyphens or underscores',
      ),
    description: RoleDescription.optional(),
    permissions: RolePermissions,
  })
  .strict();
export type CreateRoleBody = z.infer<typeof CreateRoleBody>;

export const UpdateRoleBody = z
  .object({ description: RoleDescription.optional(), permissions: RolePermissions.optional() })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'name at least one field to change: description or permissions');
export type UpdateRoleBody = z.infer<typeof UpdateRoleBody>;

export const CreateApiKeyBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: RoleRef,
    /** ISO 8601 with a time zone, e.g. 2027-01-31T00:00:00Z; none: the key works until revoked. */
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type CreateApiKeyBody = z.infer<typeof CreateApiKeyBody>;
