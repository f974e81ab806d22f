import {
  BUILT_IN_ROLE_DESCRIPTIONS,
  BUILT_IN_ROLES,
  isBuiltInRole,
  isPermission,
  missingPermissions,
  PERMISSION_DESCRIPTIONS,
  PERMISSIONS,
  ROLE_NAME_PATTERN,
  type Permission,
} from './permissions';

// The permission catalog and the built-in roles are the access model's data: these tests pin what each role
// may do, so a change to it shows in review as a change here (and in docs/admin.md's table).

describe('permissions', () => {
  it('has one description per permission, one line each, and no duplicates', () => {
    expect(new Set(PERMISSIONS).size).toBe(PERMISSIONS.length);
    expect(Object.keys(PERMISSION_DESCRIPTIONS).sort()).toEqual([...PERMISSIONS].sort());
    for (const description of Object.values(PERMISSION_DESCRIPTIONS)) {
      expect(description).toMatch(/^[A-Z].{10,}\.$/);
      expect(description).not.toContain('\n');
    }
  });

  it('recognises catalog names only', () => {
    expect(isPermission('members.write')).toBe(true);
    expect(isPermission('members.*')).toBe(false);
    expect(isPermission('toString')).toBe(false);
  });

  it('lists what is missing in catalog order, nothing when every permission is held', () => {
    const held = new Set<Permission>(['projects.read', 'members.read']);
    expect(missingPermissions(['members.write', 'projects.read', 'applications.read'], held)).toEqual([
      'applications.read',
      'members.write',
    ]);
    expect(missingPermissions(['members.read'], held)).toEqual([]);
    expect(missingPermissions([], new Set())).toEqual([]);
  });
});

describe('built-in roles', () => {
  const roles = BUILT_IN_ROLES as Record<string, readonly Permission[]>;

  it('hold only catalog permissions, each once, and every role sees its project', () => {
    for (const permissions of Object.values(roles)) {
      expect(permissions.every(isPermission)).toBe(true);
      expect(new Set(permissions).size).toBe(permissions.length);
      // A role without projects.read would see a project it may act in answered as missing.
      expect(permissions).toContain('projects.read');
    }
    expect(Object.keys(BUILT_IN_ROLE_DESCRIPTIONS)).toEqual(Object.keys(BUILT_IN_ROLES));
  });

  it('owner: everything', () => {
    expect([...BUILT_IN_ROLES.owner]).toEqual([...PERMISSIONS]);
  });

  it('admin: everything but members, roles, API keys and deletion', () => {
    expect(PERMISSIONS.filter((permission) => !roles['admin']!.includes(permission))).toEqual([
      'projects.delete',
      'members.write',
      'roles.write',
      'api_keys.write',
    ]);
  });

  it("developer: applications and APIs, the rest of the configuration read-only, no end users' data", () => {
    expect([...BUILT_IN_ROLES.developer]).toEqual([
      'projects.read',
      'applications.read',
      'applications.write',
      'api_resources.read',
      'api_resources.write',
      'connections.read',
      'connections.write',
      'schemas.read',
      'email.read',
    ]);
    expect(BUILT_IN_ROLES.developer.some((p) => p.startsWith('identities.') || p.startsWith('sessions.'))).toBe(false);
  });

  it('helpdesk: end users and the help-desk actions, never configuration or access', () => {
    expect([...BUILT_IN_ROLES.helpdesk]).toEqual([
      'projects.read',
      'identities.read',
      'identities.state.write',
      'identities.credentials.write',
      'identities.addresses.write',
      'sessions.read',
      'sessions.revoke',
    ]);
    expect(BUILT_IN_ROLES.helpdesk).not.toContain('identities.write');
  });

  it('each role holds a subset of the one above it: owner ⊇ admin ⊇ developer; admin ⊇ helpdesk', () => {
    const within = (lower: string, upper: string) =>
      missingPermissions(roles[lower]!, new Set(roles[upper]!)).length === 0;
    expect(within('admin', 'owner')).toBe(true);
    expect(within('developer', 'admin')).toBe(true);
    expect(within('helpdesk', 'admin')).toBe(true);
    expect(within('helpdesk', 'developer')).toBe(false);
    expect(within('developer', 'helpdesk')).toBe(false);
  });

  it('names: built-in ones are reserved; custom ones are short, lower case and URL-safe', () => {
    expect(isBuiltInRole('owner')).toBe(true);
    expect(isBuiltInRole('constructor')).toBe(false);
    for (const name of ['ops', 'support-lead', 'tier_2', 'a1']) expect(ROLE_NAME_PATTERN.test(name)).toBe(true);
    for (const name of ['o', 'Ops', '1ops', '-ops', 'ops team', 'ops/x', 'ö', 'x'.repeat(41)])
      expect(ROLE_NAME_PATTERN.test(name)).toBe(false);
    expect(ROLE_NAME_PATTERN.test('x'.repeat(40))).toBe(true);
  });
});
