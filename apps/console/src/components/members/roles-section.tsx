'use client';

import { Role, type PermissionDescription } from '@keyway/admin-api';
import { AdminApiError, ok, type AdminRequestBody } from '@keyway/admin-client';
import { useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { useAdminClient } from '../../lib/console-api';
import { accessKeys, usePermissionCatalog, useRoles } from '../../lib/queries-members';
import { Badge, Dialog, Field, QueryError, Skeleton } from '../common/page-parts';
import { Alert, Button, Card, inputClass } from '../ui';
import { ConfirmDialog, fieldProblem, problemOf, Section } from './access-parts';
import { permissionAreas } from './permission-areas';

/** A permission as the API's document spells the catalog (GET /permissions answers the same names). */
type RolePermissions = AdminRequestBody<'/api/admin/v1/projects/{slug}/roles', 'post'>['permissions'];

/** What the API takes as a custom role's name (ROLE_NAME_PATTERN): it appears in paths. */
const ROLE_NAME = /^[a-z][a-z0-9_-]{1,39}$/;

/** The built-in roles (read-only) and the project's custom roles, each with what it allows. */
export function RolesSection({
  slug,
  canWrite,
  held,
}: {
  slug: string;
  canWrite: boolean;
  /** The caller's own permissions: a role may only be given ones it holds. */
  held: readonly string[];
}) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const roles = useRoles(slug);
  const catalog = usePermissionCatalog();
  const [editing, setEditing] = useState<Role | 'new'>();
  const [deleting, setDeleting] = useState<Role>();
  const [notice, setNotice] = useState<string>();

  async function remove(role: Role) {
    await ok(
      admin.DELETE('/api/admin/v1/projects/{slug}/roles/{name}', { params: { path: { slug, name: role.name } } }),
    );
    setDeleting(undefined);
    setNotice(`The role ${role.name} was deleted.`);
    await queryClient.invalidateQueries({ queryKey: accessKeys.roles(slug) });
  }

  const builtIn = roles.data?.filter((role) => role.builtIn) ?? [];
  const custom = roles.data?.filter((role) => !role.builtIn) ?? [];

  return (
    <Section
      id="roles"
      title="Roles"
      description="A role is a named set of permissions. The built-in ones are fixed; custom roles are this project's own."
      actions={
        canWrite && (
          <Button variant="secondary" onClick={() => setEditing('new')} disabled={!catalog.data}>
            Create role
          </Button>
        )
      }
    >
      {notice && <Alert tone="info">{notice}</Alert>}
      {(roles.isPending || catalog.isPending) && <Skeleton className="h-40" />}
      {roles.isError && <QueryError error={roles.error} retry={() => void roles.refetch()} />}
      {catalog.isError && <QueryError error={catalog.error} retry={() => void catalog.refetch()} />}
      {roles.data && catalog.data && (
        <Card className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {[...builtIn, ...custom].map((role) => (
            <RoleRow
              key={role.name}
              role={role}
              catalog={catalog.data}
              actions={
                canWrite &&
                !role.builtIn && (
                  <>
                    <Button variant="ghost" onClick={() => setEditing(role)}>
                      Edit<span className="sr-only"> {role.name}</span>
                    </Button>
                    <Button variant="ghost" onClick={() => setDeleting(role)}>
                      Delete<span className="sr-only"> {role.name}</span>
                    </Button>
                  </>
                )
              }
            />
          ))}
          {custom.length === 0 && (
            <p className="px-5 py-4 text-sm text-zinc-500">
              No custom roles yet.{canWrite ? ' Create one when the built-in roles give too much or too little.' : ''}
            </p>
          )}
        </Card>
      )}
      {editing && catalog.data && (
        <RoleEditor
          slug={slug}
          role={editing === 'new' ? undefined : editing}
          catalog={catalog.data}
          held={held}
          onClose={() => setEditing(undefined)}
          onSaved={(saved, created) => {
            setEditing(undefined);
            setNotice(created ? `The role ${saved.name} was created.` : `The role ${saved.name} was saved.`);
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete the role ${deleting.name}?`}
          confirmLabel="Delete role"
          busyLabel="Deleting…"
          onConfirm={() => remove(deleting)}
          onClose={() => setDeleting(undefined)}
        >
          A role cannot be deleted while a member, an API key or an open invitation has it: give them another role
          first.
        </ConfirmDialog>
      )}
    </Section>
  );
}

function RoleRow({ role, catalog, actions }: { role: Role; catalog: PermissionDescription[]; actions: ReactNode }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const granted = new Set(role.permissions);
  return (
    <div data-testid="role-row" className="px-5 py-4">
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="button"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen((value) => !value)}
          className="flex min-w-0 flex-1 items-start gap-3 rounded-lg text-left focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          <span aria-hidden="true" className={`mt-0.5 text-zinc-400 transition ${open ? 'rotate-90' : ''}`}>
            ▸
          </span>
          <span className="min-w-0">
            <span className="flex flex-wrap items-center gap-2">
              <span className="font-mono text-sm font-semibold">{role.name}</span>
              <Badge tone={role.builtIn ? 'zinc' : 'green'}>{role.builtIn ? 'built-in' : 'custom'}</Badge>
              <span className="text-xs text-zinc-500">
                {role.permissions.length} permission{role.permissions.length === 1 ? '' : 's'}
              </span>
            </span>
            {role.description && (
              <span className="mt-0.5 block text-sm text-zinc-600 dark:text-zinc-400">{role.description}</span>
            )}
          </span>
        </button>
        {actions && <div className="flex gap-1">{actions}</div>}
      </div>
      {open && (
        <div id={panelId} className="mt-3 grid gap-4 pl-6 sm:grid-cols-2">
          {permissionAreas(catalog)
            .filter((area) => area.permissions.some((permission) => granted.has(permission.name)))
            .map((area) => (
              <div key={area.key}>
                <p className="text-xs font-medium tracking-wide text-zinc-500 uppercase">{area.label}</p>
                <ul className="mt-1 space-y-1">
                  {area.permissions
                    .filter((permission) => granted.has(permission.name))
                    .map((permission) => (
                      <li key={permission.name} className="text-sm">
                        <code className="font-mono text-xs">{permission.name}</code>
                        <span className="block text-xs text-zinc-500">{permission.description}</span>
                      </li>
                    ))}
                </ul>
              </div>
            ))}
        </div>
      )}
    </div>
  );
}

type RoleField = 'name' | 'description' | 'permissions';

/** Creates a custom role, or changes one's description and permissions (its name stays: paths use it). */
function RoleEditor({
  slug,
  role,
  catalog,
  held,
  onClose,
  onSaved,
}: {
  slug: string;
  role: Role | undefined;
  catalog: PermissionDescription[];
  held: readonly string[];
  onClose: () => void;
  onSaved: (role: Role, created: boolean) => void;
}) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(role?.permissions ?? []));
  const [errors, setErrors] = useState<Partial<Record<RoleField, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const permissionsErrorId = useId();

  function toggle(permission: string, on: boolean) {
    setChosen((current) => {
      const next = new Set(current);
      if (on) next.add(permission);
      else next.delete(permission);
      return next;
    });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFormError(undefined);
    const local: Partial<Record<RoleField, string>> = {};
    if (!role) {
      if (!name) local.name = 'A name is required.';
      else if (!ROLE_NAME.test(name))
        local.name = '2-40 characters: a lowercase letter, then lowercase letters, digits, hyphens or underscores.';
    }
    if (description.trim().length > 500) local.description = 'At most 500 characters.';
    if (chosen.size === 0) local.permissions = 'Choose at least one permission.';
    setErrors(local);
    if (Object.keys(local).length > 0) return;

    // In catalog order, as the API keeps them.
    const permissions = catalog
      .map((entry) => entry.name)
      .filter((permission) => chosen.has(permission)) as RolePermissions;
    setBusy(true);
    try {
      const saved = Role.parse(
        role
          ? await ok(
              admin.PATCH('/api/admin/v1/projects/{slug}/roles/{name}', {
                params: { path: { slug, name: role.name } },
                body: { description: description.trim(), permissions },
              }),
            )
          : await ok(
              admin.POST('/api/admin/v1/projects/{slug}/roles', {
                params: { path: { slug } },
                body: { name, permissions, ...(description.trim() ? { description: description.trim() } : {}) },
              }),
            ),
      );
      await queryClient.invalidateQueries({ queryKey: accessKeys.roles(slug) });
      onSaved(saved, !role);
    } catch (error) {
      const byField: Partial<Record<RoleField, string>> = {
        name: fieldProblem(error, 'name'),
        description: fieldProblem(error, 'description'),
        permissions: fieldProblem(error, 'permissions'),
      };
      // 409: a role of this name exists already.
      if (error instanceof AdminApiError && error.status === 409) byField.name = error.message;
      setErrors(byField);
      if (!Object.values(byField).some(Boolean)) setFormError(problemOf(error));
      setBusy(false);
    }
  }

  return (
    <Dialog title={role ? `Edit the role ${role.name}` : 'Create a custom role'} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate className="space-y-4">
        <div className="max-h-[65vh] space-y-4 overflow-y-auto pr-1">
          {!role && (
            <Field
              label="Name"
              hint="Lowercase letters, digits, - and _; it cannot be changed later."
              error={errors.name}
            >
              {(props) => (
                <input
                  {...props}
                  className={`${inputClass} font-mono`}
                  value={name}
                  onChange={(event) => setName(event.target.value)}
                  placeholder="support-lead"
                />
              )}
            </Field>
          )}
          <Field label="Description" error={errors.description}>
            {(props) => (
              <input
                {...props}
                className={inputClass}
                value={description}
                onChange={(event) => setDescription(event.target.value)}
                placeholder="What this role is for"
              />
            )}
          </Field>
          <fieldset
            aria-invalid={Boolean(errors.permissions)}
            aria-describedby={errors.permissions ? permissionsErrorId : undefined}
          >
            <legend className="text-sm font-medium">Permissions</legend>
            <p className="text-xs text-zinc-500">
              {chosen.size} chosen. You can give a role only permissions you hold yourself.
            </p>
            {errors.permissions && (
              <p id={permissionsErrorId} className="mt-1 text-sm text-rose-600 dark:text-rose-400">
                {errors.permissions}
              </p>
            )}
            <div className="mt-3 space-y-4">
              {permissionAreas(catalog).map((area) => (
                <fieldset key={area.key}>
                  <legend className="text-xs font-medium tracking-wide text-zinc-500 uppercase">{area.label}</legend>
                  <div className="mt-1 space-y-1">
                    {area.permissions.map((permission) => {
                      const holds = held.includes(permission.name);
                      return (
                        <label
                          key={permission.name}
                          className={`flex gap-2.5 rounded-lg px-2 py-1.5 ${holds ? 'cursor-pointer hover:bg-zinc-50 dark:hover:bg-zinc-800/60' : 'opacity-60'}`}
                        >
                          <input
                            type="checkbox"
                            className="mt-0.5"
                            checked={chosen.has(permission.name)}
                            disabled={!holds}
                            onChange={(event) => toggle(permission.name, event.target.checked)}
                          />
                          <span>
                            <code className="font-mono text-xs font-medium">{permission.name}</code>
                            <span className="block text-xs text-zinc-500">
                              {permission.description}
                              {holds ? '' : ' You do not hold it.'}
                            </span>
                          </span>
                        </label>
                      );
                    })}
                  </div>
                </fieldset>
              ))}
            </div>
          </fieldset>
        </div>
        {formError && <Alert tone="error">{formError}</Alert>}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={busy}>
            {busy ? 'Saving…' : role ? 'Save role' : 'Create role'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
