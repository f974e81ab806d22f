/**
 * What a console user or API key may do in a project. Every admin endpoint declares one of these
 * (admin/auth: @RequirePermission); a role is a named set of them. Deny by default: no role, no permission.
 */
export const PERMISSIONS = [
  'projects.read',
  'projects.write',
  'projects.delete',
  'applications.read',
  'applications.write',
  'schemas.read',
  'schemas.write',
  'email.read',
  'email.write',
  'identities.read',
  'identities.write',
  /** Help desk: disable or enable an identity, lift its lock. */
  'identities.state.write',
  /** Help desk: remove a second factor (TOTP, a passkey, backup codes), send a recovery code. */
  'identities.credentials.write',
  /** Help desk: mark an address verified, send a verification code again. */
  'identities.addresses.write',
  'sessions.read',
  'sessions.revoke',
  'audit.read',
  'members.read',
  'members.write',
  'roles.write',
  'api_keys.read',
  'api_keys.write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

const HELP_DESK: readonly Permission[] = [
  'projects.read',
  'identities.read',
  'identities.state.write',
  'identities.credentials.write',
  'identities.addresses.write',
  'sessions.read',
  'sessions.revoke',
];

/** The built-in roles; a project's custom roles may not take their names. */
export const BUILT_IN_ROLES = {
  /** Everything, members and deletion included. */
  owner: PERMISSIONS,
  /** Configuration and identities; not members, roles, API keys or deletion. */
  admin: PERMISSIONS.filter(
    (permission) => !['projects.delete', 'members.write', 'roles.write', 'api_keys.write'].includes(permission),
  ),
  /** Applications, and the rest of the configuration read-only; no identities' data (audit events hold it). */
  developer: ['projects.read', 'applications.read', 'applications.write', 'schemas.read', 'email.read'],
  /** Identities: read and the help-desk actions; nothing else, never configuration. */
  helpdesk: HELP_DESK,
} as const satisfies Record<string, readonly Permission[]>;
export type BuiltInRole = keyof typeof BUILT_IN_ROLES;

export function isBuiltInRole(name: string): name is BuiltInRole {
  return Object.hasOwn(BUILT_IN_ROLES, name);
}
