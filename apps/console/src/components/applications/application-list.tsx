'use client';

import Link from 'next/link';
import { useApplications, useCan } from '../../lib/queries';
import { Badge, EmptyState, PageHeader, QueryError, Skeleton } from '../common/page-parts';
import { Card } from '../ui';

/** The project's applications (GET /projects/:slug/applications). */
export function ApplicationList({ slug }: { slug: string }) {
  const applications = useApplications(slug);
  const canWrite = useCan(slug, 'applications.write');

  return (
    <div className="space-y-6">
      <PageHeader
        crumbs={[
          { href: '/', label: 'Projects' },
          { href: `/projects/${slug}`, label: slug },
          { label: 'Applications' },
        ]}
        title="Applications"
        description="The apps that sign users in with this project: their redirect URIs and login flow."
        actions={
          canWrite && (
            <Link
              href={`/projects/${slug}/applications/new`}
              className="inline-flex items-center rounded-lg bg-indigo-600 px-3.5 py-2 text-sm font-medium text-white shadow-sm hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
            >
              New application
            </Link>
          )
        }
      />
      {applications.isPending && <Skeleton className="h-40" />}
      {applications.isError && <QueryError error={applications.error} retry={() => void applications.refetch()} />}
      {applications.data?.length === 0 && (
        <EmptyState title="No applications yet">
          {canWrite ? 'Create one to let an app sign users in.' : 'Someone with applications.write can create one.'}
        </EmptyState>
      )}
      {applications.data && applications.data.length > 0 && (
        <Card>
          <ul className="divide-y divide-zinc-200 dark:divide-zinc-800" aria-label="Applications">
            {applications.data.map((application) => (
              <li key={application.clientId}>
                <Link
                  href={`/projects/${slug}/applications/${encodeURIComponent(application.clientId)}`}
                  className="flex items-center justify-between gap-4 px-5 py-4 hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-indigo-600 dark:hover:bg-zinc-800/50"
                >
                  <span className="min-w-0">
                    <span className="block font-medium">{application.name}</span>
                    <span className="block truncate font-mono text-xs text-zinc-500">{application.clientId}</span>
                  </span>
                  <span className="flex shrink-0 gap-1.5">
                    <Badge tone="zinc">{application.type}</Badge>
                    {application.appNative && <Badge tone="green">app-native</Badge>}
                    <Badge tone="zinc">
                      {application.loginFlow.length} step{application.loginFlow.length === 1 ? '' : 's'}
                    </Badge>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}
