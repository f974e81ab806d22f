'use client';

import { CreatedApiKey, type ApiKey } from '@keyway/admin-api';
import { ok } from '@keyway/admin-client';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useAdminClient } from '../../lib/console-api';
import { accessKeys, useApiKeys } from '../../lib/queries-members';
import { Badge, Dialog, EmptyState, Field, formatDate, QueryError, SecretOnce, Skeleton } from '../common/page-parts';
import { RoleBadge } from '../shell/role-badge';
import { Alert, Button, Card, inputClass } from '../ui';
import { ConfirmDialog, fieldProblem, problemOf, RoleOptions, Section } from './access-parts';

const DAY_MS = 24 * 3600 * 1000;

/** How long a new key works: until revoked, a number of days, or until the end of a chosen day. */
const EXPIRY_CHOICES = [
  { value: 'never', label: 'No expiry (until revoked)' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'date', label: 'On a date…' },
] as const;
type Expiry = (typeof EXPIRY_CHOICES)[number]['value'];

function keyStatus(key: ApiKey, now: number): 'active' | 'expired' | 'revoked' {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && Date.parse(key.expiresAt) <= now) return 'expired';
  return 'active';
}
const STATUS_TONE = { active: 'green', expired: 'amber', revoked: 'red' } as const;

/** The project's API keys for automation: each acts with a role here; its secret is shown once, at creation. */
export function ApiKeysSection({
  slug,
  apiBase,
  canWrite,
  roleChoices,
}: {
  slug: string;
  /** The API's public address, for the usage example. */
  apiBase: string;
  canWrite: boolean;
  roleChoices: { name: string; grantable: boolean }[];
}) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const keys = useApiKeys(slug);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey>();
  const [notice, setNotice] = useState<string>();
  const [now] = useState(() => Date.now());

  async function revoke(key: ApiKey) {
    await ok(admin.DELETE('/api/admin/v1/projects/{slug}/api-keys/{id}', { params: { path: { slug, id: key.id } } }));
    setRevoking(undefined);
    setNotice(`The API key ${key.name} was revoked: the API refuses it from now on.`);
    await queryClient.invalidateQueries({ queryKey: accessKeys.apiKeys(slug) });
  }

  // Working keys first, then expired and revoked ones (kept for the record), newest first within each.
  const sorted = [...(keys.data ?? [])].sort(
    (a, b) =>
      Number(keyStatus(a, now) !== 'active') - Number(keyStatus(b, now) !== 'active') ||
      Date.parse(b.createdAt) - Date.parse(a.createdAt),
  );

  return (
    <Section
      id="api-keys"
      title="API keys"
      description={
        <>
          For automation: send <code className="font-mono text-xs">Authorization: Bearer kwk_…</code> to the admin API.
          A key acts with its role in this project only.
        </>
      }
      actions={canWrite && <Button onClick={() => setCreating(true)}>Create API key</Button>}
    >
      {notice && <Alert tone="info">{notice}</Alert>}
      {keys.isPending && <Skeleton className="h-24" />}
      {keys.isError && <QueryError error={keys.error} retry={() => void keys.refetch()} />}
      {keys.data?.length === 0 && (
        <EmptyState title="No API keys">
          {canWrite ? 'Create one for a script or a CI job, with the smallest role that does the job.' : null}
        </EmptyState>
      )}
      {sorted.length > 0 && (
        <Card className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">API keys</caption>
            <thead className="bg-zinc-50 text-xs text-zinc-500 uppercase dark:bg-zinc-950">
              <tr>
                <th scope="col" className="px-5 py-3 font-medium">
                  Name
                </th>
                <th scope="col" className="px-5 py-3 font-medium">
                  Role
                </th>
                <th scope="col" className="px-5 py-3 font-medium">
                  Last used
                </th>
                <th scope="col" className="px-5 py-3 font-medium">
                  Expires
                </th>
                <th scope="col" className="px-5 py-3 font-medium">
                  Status
                </th>
                {canWrite && (
                  <th scope="col" className="px-5 py-3 font-medium">
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
              {sorted.map((key) => {
                const status = keyStatus(key, now);
                return (
                  <tr key={key.id} data-testid="api-key-row">
                    <td className="px-5 py-3">
                      <span className="font-medium">{key.name}</span>
                      <span className="block text-xs text-zinc-500">
                        created {formatDate(key.createdAt)}
                        {key.createdBy ? ` by ${key.createdBy}` : ''}
                      </span>
                    </td>
                    <td className="px-5 py-3">
                      <RoleBadge role={key.role} />
                    </td>
                    <td className="px-5 py-3 text-zinc-500">{key.lastUsedAt ? formatDate(key.lastUsedAt) : 'Never'}</td>
                    <td className="px-5 py-3 text-zinc-500">{key.expiresAt ? formatDate(key.expiresAt) : 'Never'}</td>
                    <td className="px-5 py-3">
                      <Badge tone={STATUS_TONE[status]}>{status}</Badge>
                      {key.revokedAt && (
                        <span className="block text-xs text-zinc-500">{formatDate(key.revokedAt)}</span>
                      )}
                    </td>
                    {canWrite && (
                      <td className="px-5 py-3 text-right">
                        {status !== 'revoked' && (
                          <Button variant="ghost" onClick={() => setRevoking(key)}>
                            Revoke<span className="sr-only"> {key.name}</span>
                          </Button>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Card>
      )}
      {creating && (
        <CreateApiKeyDialog
          slug={slug}
          apiBase={apiBase}
          roleChoices={roleChoices}
          onClose={() => setCreating(false)}
        />
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke the API key ${revoking.name}?`}
          confirmLabel="Revoke key"
          busyLabel="Revoking…"
          onConfirm={() => revoke(revoking)}
          onClose={() => setRevoking(undefined)}
        >
          Every request with this key is refused from now on (401). Whatever uses it stops working; this cannot be
          undone.
        </ConfirmDialog>
      )}
    </Section>
  );
}

type KeyField = 'name' | 'role' | 'expiresAt';

function CreateApiKeyDialog({
  slug,
  apiBase,
  roleChoices,
  onClose,
}: {
  slug: string;
  apiBase: string;
  roleChoices: { name: string; grantable: boolean }[];
  onClose: () => void;
}) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [role, setRole] = useState(
    roleChoices.find((choice) => choice.grantable && choice.name === 'developer')?.name ??
      roleChoices.find((choice) => choice.grantable)?.name ??
      '',
  );
  const [expiry, setExpiry] = useState<Expiry>('90');
  const [date, setDate] = useState('');
  const [errors, setErrors] = useState<Partial<Record<KeyField, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey>();

  function expiresAt(): { value?: string; problem?: string } {
    if (expiry === 'never') return {};
    if (expiry !== 'date') return { value: new Date(Date.now() + Number(expiry) * DAY_MS).toISOString() };
    if (!date) return { problem: 'Choose the day the key stops working.' };
    // Until the end of that day, where the user is.
    const end = new Date(`${date}T23:59:59`);
    if (Number.isNaN(end.getTime())) return { problem: 'Enter a date.' };
    if (end.getTime() <= Date.now()) return { problem: 'Choose a day in the future.' };
    return { value: end.toISOString() };
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFormError(undefined);
    const local: Partial<Record<KeyField, string>> = {};
    if (!name.trim()) local.name = 'A name is required.';
    else if (name.trim().length > 100) local.name = 'At most 100 characters.';
    if (!role) local.role = 'Choose a role.';
    const expires = expiresAt();
    if (expires.problem) local.expiresAt = expires.problem;
    setErrors(local);
    if (Object.keys(local).length > 0) return;

    setBusy(true);
    try {
      const key = CreatedApiKey.parse(
        await ok(
          admin.POST('/api/admin/v1/projects/{slug}/api-keys', {
            params: { path: { slug } },
            body: { name: name.trim(), role, ...(expires.value ? { expiresAt: expires.value } : {}) },
          }),
        ),
      );
      await queryClient.invalidateQueries({ queryKey: accessKeys.apiKeys(slug) });
      setCreated(key);
    } catch (error) {
      const byField = {
        name: fieldProblem(error, 'name'),
        role: fieldProblem(error, 'role'),
        expiresAt: fieldProblem(error, 'expiresAt'),
      };
      setErrors(byField);
      if (!Object.values(byField).some(Boolean)) setFormError(problemOf(error));
    } finally {
      setBusy(false);
    }
  }

  if (created)
    return (
      <Dialog title={`API key ${created.name} created`} onClose={onClose}>
        <div className="space-y-4">
          <SecretOnce label="API key" secret={created.key} />
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            It acts as <strong>{created.role}</strong> in <strong>{slug}</strong>
            {created.expiresAt ? ` until ${formatDate(created.expiresAt)}` : ' until revoked'}. Send it as a bearer
            token:
          </p>
          <pre className="overflow-x-auto rounded-lg bg-zinc-50 p-3 font-mono text-xs dark:bg-zinc-950">
            {`curl -H "Authorization: Bearer $KEYWAY_API_KEY" \\\n  ${apiBase}/api/admin/v1/projects/${slug}/applications`}
          </pre>
          <div className="flex justify-end">
            <Button onClick={onClose}>Done, I have copied it</Button>
          </div>
        </div>
      </Dialog>
    );

  return (
    <Dialog title="Create an API key" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate className="space-y-4">
        <Field label="Name" hint="Say what uses it, e.g. “CI deploy”." error={errors.name}>
          {(props) => (
            <input {...props} className={inputClass} value={name} onChange={(event) => setName(event.target.value)} />
          )}
        </Field>
        <Field label="Role" hint="Give it the smallest role that does the job." error={errors.role}>
          {(props) => (
            <select {...props} className={inputClass} value={role} onChange={(event) => setRole(event.target.value)}>
              <option value="" disabled>
                Choose a role
              </option>
              <RoleOptions choices={roleChoices} />
            </select>
          )}
        </Field>
        <Field label="Expiry" error={expiry === 'date' ? undefined : errors.expiresAt}>
          {(props) => (
            <select
              {...props}
              className={inputClass}
              value={expiry}
              onChange={(event) => setExpiry(event.target.value as Expiry)}
            >
              {EXPIRY_CHOICES.map((choice) => (
                <option key={choice.value} value={choice.value}>
                  {choice.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {expiry === 'date' && (
          <Field label="Expires at the end of" error={errors.expiresAt}>
            {(props) => (
              <input
                {...props}
                type="date"
                className={inputClass}
                value={date}
                onChange={(event) => setDate(event.target.value)}
              />
            )}
          </Field>
        )}
        {formError && <Alert tone="error">{formError}</Alert>}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={busy}>
            {busy ? 'Creating…' : 'Create key'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
