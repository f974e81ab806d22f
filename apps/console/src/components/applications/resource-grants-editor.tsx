'use client';

import { ResourceGrantsView, type ApiResourceView, type ApplicationView } from '@keyway/admin-api';
import { AdminApiError, ok } from '@keyway/admin-client';
import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useAdminClient } from '../../lib/console-api';
import { apiKeys, useApiResources, useResourceGrants } from '../../lib/queries-apis';
import { useCan } from '../../lib/queries';
import { EmptyState, QueryError, Skeleton } from '../common/page-parts';
import { Alert, Button, Card } from '../ui';

/** Granted scopes per resource identifier; a resource that is absent is not granted. */
type Selection = Record<string, string[]>;

/**
 * Which APIs, and which of their scopes, a confidential application may get with client_credentials
 * (GET/PUT …/applications/{clientId}/resource-grants). The list of APIs needs api_resources.read.
 */
export function ResourceGrantsEditor({
  slug,
  application,
  canWrite,
}: {
  slug: string;
  application: ApplicationView;
  canWrite: boolean;
}) {
  const canReadApis = useCan(slug, 'api_resources.read');
  const resources = useApiResources(slug, canReadApis === true);
  const grants = useResourceGrants(slug, application.clientId);

  if (grants.isPending || (canReadApis && resources.isPending)) return <Skeleton className="h-40" />;
  if (grants.isError) return <QueryError error={grants.error} retry={() => void grants.refetch()} />;
  if (resources.isError) return <QueryError error={resources.error} retry={() => void resources.refetch()} />;
  if (canReadApis === false || !resources.data)
    return (
      <Card className="space-y-3 p-6">
        <Alert tone="info">Listing the project’s APIs needs the api_resources.read permission. Granted now:</Alert>
        <GrantSummary grants={grants.data} />
      </Card>
    );
  if (resources.data.length === 0)
    return (
      <EmptyState title="No APIs in this project yet">
        Register an API under{' '}
        <Link href={`/projects/${slug}/apis`} className="font-medium text-indigo-600">
          APIs
        </Link>{' '}
        first; then choose here what this application may get.
      </EmptyState>
    );
  return (
    <GrantsForm
      slug={slug}
      application={application}
      resources={resources.data}
      granted={grants.data}
      canWrite={canWrite}
    />
  );
}

function GrantSummary({ grants }: { grants: ResourceGrantsView }) {
  if (grants.grants.length === 0) return <p className="text-sm text-zinc-500">Nothing.</p>;
  return (
    <ul className="space-y-1 text-sm">
      {grants.grants.map((grant) => (
        <li key={grant.resourceId}>
          <span className="font-medium">{grant.name}</span> <span className="font-mono">{grant.resource}</span>:{' '}
          <span className="font-mono">{grant.scopes.join(' ') || '(no scopes)'}</span>
        </li>
      ))}
    </ul>
  );
}

function GrantsForm({
  slug,
  application,
  resources,
  granted,
  canWrite,
}: {
  slug: string;
  application: ApplicationView;
  resources: ApiResourceView[];
  granted: ResourceGrantsView;
  canWrite: boolean;
}) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const [selection, setSelection] = useState<Selection>(() =>
    Object.fromEntries(granted.grants.map((grant) => [grant.resource, grant.scopes])),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);

  const toggleResource = (identifier: string, on: boolean) =>
    setSelection(({ [identifier]: _dropped, ...rest }) => (on ? { ...rest, [identifier]: [] } : rest));
  const toggleScope = (identifier: string, scope: string, on: boolean) =>
    setSelection((current) => {
      const scopes = current[identifier] ?? [];
      return { ...current, [identifier]: on ? [...scopes, scope] : scopes.filter((entry) => entry !== scope) };
    });

  async function save() {
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      // In the order of the project's APIs, so the stored list reads like the page.
      const body = {
        grants: resources
          .filter((resource) => selection[resource.identifier])
          .map((resource) => ({ resource: resource.identifier, scopes: selection[resource.identifier] ?? [] })),
      };
      const stored = ResourceGrantsView.parse(
        await ok(
          admin.PUT('/api/admin/v1/projects/{slug}/applications/{clientId}/resource-grants', {
            params: { path: { slug, clientId: application.clientId } },
            body,
          }),
        ),
      );
      queryClient.setQueryData(apiKeys.grants(slug, application.clientId), stored);
      setSaved(true);
    } catch (failure) {
      setError(failure instanceof AdminApiError ? failure.message : 'The console could not be reached. Try again.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card className="space-y-5 p-6">
      <div>
        <h2 className="text-base font-semibold">APIs this application may call</h2>
        <p className="mt-1 text-sm text-zinc-500">
          With <span className="font-mono">grant_type=client_credentials</span> and its secret, it gets an access token
          for one of these APIs (<span className="font-mono">resource</span>) with scopes chosen here. Without a{' '}
          <span className="font-mono">scope</span> parameter it gets all of them.
        </p>
      </div>
      <fieldset disabled={!canWrite} className="space-y-4">
        <legend className="sr-only">APIs and scopes</legend>
        {resources.map((resource) => {
          const chosen = selection[resource.identifier];
          return (
            <div key={resource.id} className="rounded-xl p-4 ring-1 ring-zinc-200 dark:ring-zinc-700">
              <label className="flex items-start gap-2 text-sm">
                <input
                  type="checkbox"
                  className="mt-1"
                  checked={Boolean(chosen)}
                  onChange={(event) => toggleResource(resource.identifier, event.target.checked)}
                />
                <span>
                  <span className="font-medium">{resource.name}</span>
                  <span className="block font-mono text-xs text-zinc-500">{resource.identifier}</span>
                </span>
              </label>
              {chosen && (
                <div className="mt-3 ml-6 space-y-1.5">
                  {resource.scopes.length === 0 && (
                    <p className="text-xs text-zinc-500">
                      This API defines no scopes: the token names it as audience only.
                    </p>
                  )}
                  {resource.scopes.map((scope) => (
                    <label key={scope.name} className="flex items-start gap-2 text-sm">
                      <input
                        type="checkbox"
                        className="mt-1"
                        checked={chosen.includes(scope.name)}
                        onChange={(event) => toggleScope(resource.identifier, scope.name, event.target.checked)}
                      />
                      <span>
                        <span className="font-mono">{scope.name}</span>
                        {scope.description && <span className="block text-xs text-zinc-500">{scope.description}</span>}
                      </span>
                    </label>
                  ))}
                </div>
              )}
            </div>
          );
        })}
      </fieldset>
      {error && <Alert tone="error">{error}</Alert>}
      {saved && <Alert tone="info">Saved.</Alert>}
      {canWrite && (
        <div className="flex justify-end">
          <Button onClick={() => void save()} disabled={busy}>
            {busy ? 'Saving…' : 'Save API access'}
          </Button>
        </div>
      )}
    </Card>
  );
}
