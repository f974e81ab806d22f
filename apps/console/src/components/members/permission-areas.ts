import type { PermissionDescription } from '@keyway/admin-api';

/** The areas permissions are grouped by (their name's first segment), in the order the console shows them. */
const AREAS: { prefix: string; label: string }[] = [
  { prefix: 'projects', label: 'Project' },
  { prefix: 'applications', label: 'Applications' },
  { prefix: 'schemas', label: 'Identity schemas' },
  { prefix: 'email', label: 'Email' },
  { prefix: 'identities', label: 'Users' },
  { prefix: 'sessions', label: 'Sessions' },
  { prefix: 'audit', label: 'Audit log' },
  { prefix: 'members', label: 'Members' },
  { prefix: 'roles', label: 'Roles' },
  { prefix: 'api_keys', label: 'API keys' },
];

export interface PermissionArea {
  key: string;
  label: string;
  permissions: PermissionDescription[];
}

/** The catalog by area, in catalog order within each; a permission of an area the console does not know gets its own. */
export function permissionAreas(catalog: PermissionDescription[]): PermissionArea[] {
  const areas = new Map<string, PermissionArea>();
  for (const area of AREAS) areas.set(area.prefix, { key: area.prefix, label: area.label, permissions: [] });
  for (const permission of catalog) {
    const prefix = permission.name.split('.')[0] ?? permission.name;
    const area = areas.get(prefix) ?? { key: prefix, label: prefix, permissions: [] };
    area.permissions.push(permission);
    areas.set(prefix, area);
  }
  return [...areas.values()].filter((area) => area.permissions.length > 0);
}
