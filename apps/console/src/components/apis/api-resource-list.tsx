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
import { Badge, Dialog, EmptyState, Field, PageHeader, QueryError, Skeleton } from '../common/page-parts';
import { Alert, Button, Card, inputClass } from '../ui';
import { identifierProblem } from './api-resource-form';

/** The project's APIs (GET /projects/:slug/api-resources): what machine-to-machine tokens are for. */
export function ApiResourceList({ slug }: { slug: string }) {
  const resources = useApiResources(slug);
  const canWrite = useCan(slug, 'api_resources.write');
  const [creating, setCreating] = useState(false);

  return (
    <div className="space-y-6">
      <PageHeader
        crumbs={[{ href: '/', label: 'Projects' }, { href: `/projects/${slug}`, label: slug }, { label: 'APIs' }]}
        title="APIs"
        description="The APIs your backends call with client_credentials tokens: each one's identifier is the tokens' audience, its scopes what they may do."
        actions={canWrite && <Button onClick={() => setCreating(true)}>New API</Button>}
      />
      {resources.isPending && <Skeleton className="h-40" />}
      {resources.isError && <QueryError error={resources.error} retry={() => void resources.refetch()} />}
      {resources.data?.length === 0 && (
        <EmptyState title="No APIs yet">
          {canWrite
            ? 'Register one, then grant it to a confidential application on its API access tab.'
            : 'Someone with api_resources.write can register one.'}
        </EmptyState>
      )}
      {resources.data && resources.data.length > 0 && (
        <Card>
          <ul className="divide-y divide-zinc-200 dark:divide-zinc-800" aria-label="APIs">
            {resources.data.map((resource) => (
              <li key={resource.id}>
                <Link
                  href={`/projects/${slug}/apis/${resource.id}`}
                  className="flex items-center justify-between gap-4 px-5 py-4 hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-indigo-600 dark:hover:bg-zinc-800/50"
                >
                  <span className="min-w-0">
                    <span className="block font-medium">{resource.name}</span>
                    <span className="block truncate font-mono text-xs text-zinc-500">{resource.identifier}</span>
                  </span>
                  <Badge tone="zinc">
                    {resource.scopes.length} scope{resource.scopes.length === 1 ? '' : 's'}
                  </Badge>
                </Link>
              </li>
            ))}
          </ul>
        </Card>
      )}
      {creating && <CreateApiDialog slug={slug} onClose={() => setCreating(false)} />}
    </div>
  );
}

function CreateApiDialog({ slug, onClose }: { slug: string; onClose: () => void }) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [name, setName] = useState('');
  const [identifier, setIdentifier] = useState('');
  const [errors, setErrors] = useState<{ name?: string; identifier?: string }>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFormError(undefined);
    const local = {
      name: name.trim() ? undefined : 'A name is required.',
      identifier: identifierProblem(identifier.trim()),
    };
    setErrors(local);
    if (local.name || local.identifier) return;
    setBusy(true);
    try {
      const created = ApiResourceView.parse(
        await ok(
          admin.POST('/api/admin/v1/projects/{slug}/api-resources', {
            params: { path: { slug } },
            body: { name: name.trim(), identifier: identifier.trim() },
          }),
        ),
      );
      await queryClient.invalidateQueries({ queryKey: apiKeys.resources(slug) });
      router.push(`/projects/${slug}/apis/${created.id}`);
    } catch (error) {
      setBusy(false);
      if (!(error instanceof AdminApiError)) setFormError('The console could not be reached. Try again.');
      else {
        const byField = { name: error.fieldMessage('name'), identifier: error.fieldMessage('identifier') };
        if (byField.name || byField.identifier) setErrors(byField);
        else setFormError(error.message);
      }
    }
  }

  return (
    <Dialog title="Register an API" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate className="space-y-4">
        <Field label="Name" error={errors.name}>
          {(props) => (
            <input {...props} className={inputClass} value={name} onChange={(event) => setName(event.target.value)} />
          )}
        </Field>
        <Field
          label="Identifier"
          hint="An absolute URI, e.g. https://api.example.com/orders: the resource clients ask for and the tokens’ audience. It cannot be changed later."
          error={errors.identifier}
        >
          {(props) => (
            <input
              {...props}
              className={`${inputClass} font-mono`}
              placeholder="https://api.example.com/orders"
              value={identifier}
              onChange={(event) => setIdentifier(event.target.value)}
            />
          )}
        </Field>
        {formError && <Alert tone="error">{formError}</Alert>}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={busy}>
            {busy ? 'Creating…' : 'Create API'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
