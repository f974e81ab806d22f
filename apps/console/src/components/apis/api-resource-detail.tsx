'use client';

import { ApiResourceView } from '@keyway/admin-api';
import { AdminApiError, ok } from '@keyway/admin-client';
import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useAdminClient } from '../../lib/console-api';
import { useCan } from '../../lib/queries';
import { apiKeys, useApiResources } from '../../lib/queries-apis';
import { Dialog, EmptyState, Field, PageHeader, QueryError, Skeleton } from '../common/page-parts';
import { Alert, Button, Card, inputClass } from '../ui';
import { scopesProblem, ttlProblem, type ScopeRow } from './api-resource-form';

/** One API: its name, scopes and token lifetime (PATCH), and its deletion. */
export function ApiResourceDetail({ slug, id }: { slug: string; id: string }) {
  const resources = useApiResources(slug);
  const canWrite = useCan(slug, 'api_resources.write') === true;
  const resource = resources.data?.find((candidate) => candidate.id === id);

  if (resources.data && !resource)
    return (
      <EmptyState title="API not found">
        This project has no such API.{' '}
        <Link href={`/projects/${slug}/apis`} className="font-medium text-indigo-600">
          Back to APIs
        </Link>
      </EmptyState>
    );

  return (
    <div className="space-y-6">
      <PageHeader
        crumbs={[
          { href: '/', label: 'Projects' },
          { href: `/projects/${slug}`, label: slug },
          { href: `/projects/${slug}/apis`, label: 'APIs' },
          { label: resource?.name ?? '…' },
        ]}
        title={resource?.name ?? '…'}
        description={resource && <span className="font-mono">{resource.identifier}</span>}
      />
      {!canWrite && resource && (
        <Alert tone="info">You may read this API; changing it needs the api_resources.write permission.</Alert>
      )}
      {resources.isPending && <Skeleton className="h-64" />}
      {resources.isError && <QueryError error={resources.error} retry={() => void resources.refetch()} />}
      {resource && (
        <>
          <SettingsForm key={resource.id} slug={slug} resource={resource} canWrite={canWrite} />
          {canWrite && <DeleteApi slug={slug} resource={resource} />}
        </>
      )}
    </div>
  );
}

function SettingsForm({ slug, resource, canWrite }: { slug: string; resource: ApiResourceView; canWrite: boolean }) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const [name, setName] = useState(resource.name);
  const [ttl, setTtl] = useState(resource.accessTokenTtlSeconds?.toString() ?? '');
  const [scopes, setScopes] = useState<ScopeRow[]>(resource.scopes);
  const [errors, setErrors] = useState<{ name?: string; ttl?: string; scopes?: string }>({});
  const [formError, setFormError] = useState<string>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const setScope = (index: number, changes: Partial<ScopeRow>) =>
    setScopes((current) => current.map((scope, at) => (at === index ? { ...scope, ...changes } : scope)));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    setFormError(undefined);
    const local = {
      name: name.trim() ? undefined : 'A name is required.',
      ttl: ttlProblem(ttl),
      scopes: scopesProblem(scopes),
    };
    setErrors(local);
    if (local.name || local.ttl || local.scopes) return;
    setBusy(true);
    try {
      const updated = ApiResourceView.parse(
        await ok(
          admin.PATCH('/api/admin/v1/projects/{slug}/api-resources/{id}', {
            params: { path: { slug, id: resource.id } },
            body: {
              name: name.trim(),
              accessTokenTtlSeconds: ttl.trim() ? Number(ttl) : null,
              scopes: scopes.map((scope) => ({ name: scope.name.trim(), description: scope.description.trim() })),
            },
          }),
        ),
      );
      queryClient.setQueryData<ApiResourceView[]>(apiKeys.resources(slug), (current) =>
        current?.map((entry) => (entry.id === updated.id ? updated : entry)),
      );
      setSaved(true);
    } catch (error) {
      if (!(error instanceof AdminApiError)) setFormError('The console could not be reached. Try again.');
      else {
        const scopesError = error.body.fields?.find((entry) => entry.field.startsWith('scopes'))?.message;
        const byField = {
          name: error.fieldMessage('name'),
          ttl: error.fieldMessage('accessTokenTtlSeconds'),
          scopes: scopesError,
        };
        if (byField.name || byField.ttl || byField.scopes) setErrors(byField);
        else setFormError(error.message);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Card className="space-y-5 p-6">
        <fieldset disabled={!canWrite} className="space-y-5">
          <Field label="Name" error={errors.name}>
            {(props) => (
              <input {...props} className={inputClass} value={name} onChange={(event) => setName(event.target.value)} />
            )}
          </Field>
          <Field
            label="Access token lifetime (seconds)"
            hint="Empty: the project’s access token lifetime."
            error={errors.ttl}
          >
            {(props) => (
              <input
                {...props}
                inputMode="numeric"
                className={inputClass}
                value={ttl}
                onChange={(event) => setTtl(event.target.value)}
              />
            )}
          </Field>
          <fieldset aria-describedby={errors.scopes ? 'scopes-error' : undefined}>
            <legend className="text-sm font-medium">Scopes</legend>
            <p className="mt-1 text-xs text-zinc-500">
              The permissions this API understands, e.g. <span className="font-mono">orders:read</span>. A scope you
              remove is taken away from every application granted it.
            </p>
            <ul className="mt-3 space-y-2" aria-label="Scopes">
              {scopes.map((scope, index) => (
                <li key={index} className="flex gap-2">
                  <input
                    aria-label={`Scope ${index + 1} name`}
                    className={`${inputClass} font-mono`}
                    placeholder="orders:read"
                    value={scope.name}
                    onChange={(event) => setScope(index, { name: event.target.value })}
                  />
                  <input
                    aria-label={`Scope ${index + 1} description`}
                    className={inputClass}
                    placeholder="What it allows"
                    value={scope.description}
                    onChange={(event) => setScope(index, { description: event.target.value })}
                  />
                  <Button
                    variant="ghost"
                    aria-label={`Remove scope ${scope.name || index + 1}`}
                    onClick={() => setScopes((current) => current.filter((_, at) => at !== index))}
                  >
                    Remove
                  </Button>
                </li>
              ))}
            </ul>
            {canWrite && (
              <Button
                variant="secondary"
                className="mt-3"
                onClick={() => setScopes((current) => [...current, { name: '', description: '' }])}
              >
                Add scope
              </Button>
            )}
            {errors.scopes && (
              <p id="scopes-error" className="mt-1 text-sm text-rose-600">
                {errors.scopes}
              </p>
            )}
          </fieldset>
        </fieldset>
        {formError && <Alert tone="error">{formError}</Alert>}
        {saved && <Alert tone="info">Saved.</Alert>}
        {canWrite && (
          <div className="flex justify-end">
            <Button type="submit" disabled={busy}>
              {busy ? 'Saving…' : 'Save API'}
            </Button>
          </div>
        )}
      </Card>
    </form>
  );
}

function DeleteApi({ slug, resource }: { slug: string; resource: ApiResourceView }) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function remove() {
    setBusy(true);
    setError(undefined);
    try {
      await ok(
        admin.DELETE('/api/admin/v1/projects/{slug}/api-resources/{id}', {
          params: { path: { slug, id: resource.id } },
        }),
      );
      await queryClient.invalidateQueries({ queryKey: apiKeys.resources(slug) });
      router.push(`/projects/${slug}/apis`);
    } catch (failure) {
      setBusy(false);
      setError(failure instanceof Error ? failure.message : 'The API could not be deleted.');
    }
  }

  return (
    <Card className="space-y-4 border-rose-200 p-6 dark:border-rose-900">
      <h2 className="text-base font-semibold">Delete this API</h2>
      <p className="text-sm text-zinc-500">
        No application can get new tokens for it; tokens already issued stay valid until they expire.
      </p>
      <div className="flex justify-end">
        <Button variant="danger" onClick={() => setConfirming(true)}>
          Delete API
        </Button>
      </div>
      {confirming && (
        <Dialog title={`Delete ${resource.name}?`} onClose={() => setConfirming(false)}>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Every application loses its access to <span className="font-mono">{resource.identifier}</span>.
          </p>
          {error && (
            <div className="mt-4">
              <Alert tone="error">{error}</Alert>
            </div>
          )}
          <div className="mt-6 flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button variant="danger" onClick={() => void remove()} disabled={busy}>
              {busy ? 'Deleting…' : 'Delete'}
            </Button>
          </div>
        </Dialog>
      )}
    </Card>
  );
}
