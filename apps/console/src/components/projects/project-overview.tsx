'use client';

import { AdminApiError } from '@keyway/admin-client';
import Link from 'next/link';
import { useState } from 'react';
import { SYSTEM_PROJECT_SLUG } from '../../lib/admin-types';

import { useCaller, useProject, useProjectPermissions } from '../../lib/queries';
import { RoleBadge } from '../shell/role-badge';
import { Alert, Button, Card } from '../ui';

/** A project at a glance: its issuer (what apps configure) and what the signed-in user may do in it. */
export function ProjectOverview({ slug }: { slug: string }) {
  const project = useProject(slug);
  const permissions = useProjectPermissions(slug);
  const { data: caller } = useCaller();
  const membership = caller?.projects.find((entry) => entry.slug === slug);

  const missing = [project.error, permissions.error].find(
    (error) => error instanceof AdminApiError && error.status === 404,
  );
  if (missing)
    return (
      <div className="rounded-2xl border border-dashed border-zinc-300 px-6 py-12 text-center dark:border-zinc-700">
        <h1 className="text-lg font-semibold">Project not found</h1>
        <p className="mt-2 text-sm text-zinc-500">
          There is no project <code className="font-mono">{slug}</code>, or you have no access to it.
        </p>
        <Link href="/" className="mt-4 inline-block text-sm font-medium text-indigo-600 hover:text-indigo-500">
          Back to your projects
        </Link>
      </div>
    );

  return (
    <div className="space-y-8">
      <div>
        <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
          <Link href="/" className="hover:text-zinc-900 dark:hover:text-zinc-100">
            Projects
          </Link>{' '}
          / <span aria-current="page">{slug}</span>
        </nav>
        <div className="mt-2 flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">
            {project.data?.name ?? membership?.name ?? (project.isPending ? '…' : slug)}
          </h1>
          {caller && <RoleBadge role={membership?.role} instanceOwner={caller.instanceOwner} />}
        </div>
        <p className="mt-1 font-mono text-sm text-zinc-500">{slug}</p>
        {slug === SYSTEM_PROJECT_SLUG && (
          <p className="mt-3 max-w-2xl text-sm text-zinc-600 dark:text-zinc-400">
            The system project: its users are the people who sign in to this console, and its owners own the instance.
            The console signs in through its <code className="font-mono">keyway-console</code> client.
          </p>
        )}
      </div>

      <Card className="p-6">
        <h2 className="text-base font-semibold">Issuer</h2>
        <p className="mt-1 text-sm text-zinc-500">
          What your applications configure as the OpenID Connect issuer of this project.
        </p>
        <div className="mt-4">
          {project.isPending && <div className="h-10 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-800" />}
          {project.isError && <QueryError error={project.error} retry={() => void project.refetch()} />}
          {project.data && <Issuer issuer={project.data.issuer} />}
        </div>
      </Card>

      <Card className="p-6">
        <h2 className="text-base font-semibold">Your permissions</h2>
        <p className="mt-1 text-sm text-zinc-500">
          What the API lets you do here{membership?.role ? ` as ${membership.role}` : ''}. It checks them on every
          request; the console only shows them.
        </p>
        <div className="mt-4">
          {permissions.isPending && <div className="h-24 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-800" />}
          {permissions.isError && <QueryError error={permissions.error} retry={() => void permissions.refetch()} />}
          {permissions.data && <PermissionGroups permissions={permissions.data.permissions} />}
        </div>
      </Card>
    </div>
  );
}

function Issuer({ issuer }: { issuer: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-3">
      <div className="flex items-center gap-2">
        <code
          data-testid="project-issuer"
          className="min-w-0 flex-1 truncate rounded-lg bg-zinc-50 px-3 py-2 font-mono text-sm ring-1 ring-zinc-200 ring-inset dark:bg-zinc-950 dark:ring-zinc-800"
        >
          {issuer}
        </code>
        <Button
          variant="secondary"
          onClick={() =>
            void navigator.clipboard.writeText(issuer).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <a
        href={`${issuer}/.well-known/openid-configuration`}
        target="_blank"
        rel="noreferrer"
        className="inline-block text-sm font-medium text-indigo-600 hover:text-indigo-500"
      >
        Discovery document ↗
      </a>
    </div>
  );
}

/** `identities.state.write` → group `identities`, action `state.write`; groups in the API's order. */
function PermissionGroups({ permissions }: { permissions: string[] }) {
  if (permissions.length === 0) return <p className="text-sm text-zinc-500">None.</p>;
  const groups = new Map<string, string[]>();
  for (const permission of permissions) {
    const dot = permission.indexOf('.');
    const [group, action] = dot < 0 ? [permission, ''] : [permission.slice(0, dot), permission.slice(dot + 1)];
    groups.set(group, [...(groups.get(group) ?? []), action]);
  }
  return (
    <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-[max-content_1fr]" data-testid="project-permissions">
      {[...groups].map(([group, actions]) => (
        <div key={group} className="contents">
          <dt className="text-sm font-medium">{groupLabel(group)}</dt>
          <dd className="flex flex-wrap gap-1.5">
            {actions.map((action) => (
              <span
                key={action}
                title={`${group}.${action}`}
                className="rounded-md bg-zinc-100 px-2 py-0.5 font-mono text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300"
              >
                {action || group}
              </span>
            ))}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** `api_keys` → "API keys", `identities` → "Identities". */
function groupLabel(group: string): string {
  const words = group.split('_').map((word) => (word === 'api' ? 'API' : word));
  const label = words.join(' ');
  return label.charAt(0).toUpperCase() + label.slice(1);
}

function QueryError({ error, retry }: { error: Error; retry: () => void }) {
  return (
    <div className="space-y-3">
      <Alert tone="error">{error.message}</Alert>
      <Button variant="secondary" onClick={retry}>
        Try again
      </Button>
    </div>
  );
}
