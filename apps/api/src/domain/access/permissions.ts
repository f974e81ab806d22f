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
  /** API resources (what client_credentials tokens are for); which application gets them is applications.write. */
  'api_resources.read',
  'api_resources.write',
  /**
   * Federation connections (Google, Apple, an OIDC provider…): their settings and client secrets; also the trusted
   * token issuers (partner backends whose tokens sign users in).
   */
  'connections.read',
  'connections.write',
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

/** One line per permission, as the console and `GET /api/admin/v1/permissions` show them. */
export const PERMISSION_DESCRIPTIONS: Record<Permission, string> = {
  'projects.read': 'See the project, its settings and its signing keys.',
  'projects.write':
    "Change the project's name and settings (lockout, tokens, passkeys, mails, rate limits), rotate its signing keys.",
  'projects.delete': 'Delete the project with everything in it.',
  'applications.read': 'See the OAuth applications and their login flows.',
  'applications.write': 'Create and change applications: redirect URIs, grant types, login flows, secrets.',
  'api_resources.read': 'See the API resources (APIs) and the scopes they define.',
  'api_resources.write': 'Create, change and delete API resources and their scopes.',
  'connections.read': 'See the connections to identity providers and the trusted token issuers (never their secrets).',
  'connections.write': 'Create, change, test and delete connections to identity providers and trusted token issuers.',
  'schemas.read': 'See the identity schemas.',
  'schemas.write': 'Create identity schemas and choose the default one.',
  'email.read': 'See the email templates and SMTP settings (never the SMTP password).',
  'email.write': 'Change email templates and SMTP settings, send test mails, read the outbox.',
  'identities.read': "See end users: their traits, credentials' kinds, addresses and timeline.",
  'identities.write': 'Create, import, change and delete end users.',
  'identities.state.write': 'Disable or enable an end user, lift a lock.',
  'identities.credentials.write': 'Remove a second factor (TOTP, a passkey, backup codes), send a recovery code.',
  'identities.addresses.write': 'Mark an address verified, send a verification code again.',
  'sessions.read': "See end users' sessions.",
  'sessions.revoke': "End end users' sessions and their refresh tokens.",
  'audit.read': "Read the project's audit log.",
  'members.read': 'See the members, their roles, the pending invitations and the roles of the project.',
  'members.write': 'Invite members, change their roles, remove them (never beyond your own permissions).',
  'roles.write': 'Create, change and delete custom roles (with permissions you hold).',
  'api_keys.read': 'See the API keys (never their secrets).',
  'api_keys.write': 'Create and revoke API keys (with a role within your own permissions).',
};

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
  /** Applications and APIs, and the rest of the configuration read-only; no identities' data (audit events hold it). */
  developer: [
    'projects.read',
    'applications.read',
    'applications.write',
    'api_resources.read',
    'api_resources.write',
    'connections.read',
    'connections.write',
    'schemas.read',
    'email.read',
  ],
  /** Identities: read and the help-desk actions; nothing else, never configuration. */
  helpdesk: HELP_DESK,
} as const satisfies Record<string, readonly Permission[]>;
export type BuiltInRole = keyof typeof BUILT_IN_ROLES;

export const BUILT_IN_ROLE_DESCRIPTIONS: Record<BuiltInRole, string> = {
  owner: 'Everything, members, API keys and deletion included.',
  admin: 'Configuration and identities; not members, roles, API keys or deletion.',
  developer: "Applications and APIs, and the rest of the configuration read-only; no end users' data.",
  helpdesk: 'End users: read them and the help-desk actions; never configuration.',
};

/** A custom role's name: short, lower case, URL-safe (it appears in paths: …/roles/{name}). */
export const ROLE_NAME_PATTERN = /^[a-z][a-z0-9_-]{1,39}$/;

/** The permissions of `wanted` that `held` lacks, in catalog order: what granting `wanted` would escalate to. */
export function missingPermissions(wanted: Iterable<Permission>, held: ReadonlySet<Permission>): Permission[] {
  const wantedSet = new Set(wanted);
  return PERMISSIONS.filter((permission) => wantedSet.has(permission) && !held.has(permission));
}

export function isBuiltInRole(name: string): name is BuiltInRole {
  return Object.hasOwn(BUILT_IN_ROLES, name);
}
