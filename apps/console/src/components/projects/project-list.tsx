'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import { SYSTEM_PROJECT_SLUG } from '../../lib/admin-types';
import { useCaller } from '../../lib/queries';
import { RoleBadge } from '../shell/role-badge';
import { Alert, Button } from '../ui';

/** The caller's projects as cards, with their role in each; instance owners may create one. `aside`: beside the list. */
export function ProjectList({ aside }: { aside: ReactNode }) {
  const { data: caller, isPending, isError, error, refetch } = useCaller();

  return (
    <section aria-labelledby="projects-heading">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 id="projects-heading" className="text-2xl font-semibold tracking-tight">
            Projects
          </h1>
          <p className="mt-1 text-sm text-zinc-500">
            Each project is a tenant with its own issuer, applications, users and sign-in policy.
          </p>
        </div>
        {caller?.instanceOwner && (
          <Link
            href="/projects/new"
            className="inline-flex items-center gap-2 rounded-lg bg-indigo-600 px-3.5 py-2 text-sm font-medium text-white shadow-sm transition hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            Create project
          </Link>
        )}
      </div>

      <div className="mt-6 grid gap-8 xl:grid-cols-3">
        <div className="xl:col-span-2">
          {isPending && (
            <ul className="grid gap-4 sm:grid-cols-2" aria-label="Loading projects">
              {[0, 1, 2, 3].map((key) => (
                <li key={key} className="h-28 animate-pulse rounded-2xl bg-zinc-200/70 dark:bg-zinc-800/70" />
              ))}
            </ul>
          )}
          {isError && (
            <div className="space-y-3">
              <Alert tone="error" title="Your projects could not be loaded">
                {error.message}
              </Alert>
              <Button variant="secondary" onClick={() => void refetch()}>
                Try again
              </Button>
            </div>
          )}
          {caller && caller.projects.length === 0 && (
            <div className="rounded-2xl border border-dashed border-zinc-300 px-6 py-12 text-center dark:border-zinc-700">
              <h2 className="text-base font-semibold">No projects yet</h2>
              <p className="mx-auto mt-2 max-w-sm text-sm text-zinc-500">
                {caller.instanceOwner
                  ? 'Create the first project: it gets its own issuer and signing keys at once.'
                  : 'You are not a member of any project. Ask a project owner to invite you.'}
              </p>
            </div>
          )}
          {caller && caller.projects.length > 0 && (
            <ul className="grid gap-4 sm:grid-cols-2">
              {caller.projects.map((project) => (
                <li key={project.slug}>
                  <Link
                    href={`/projects/${project.slug}`}
                    className="group block h-full rounded-2xl border border-zinc-200 bg-white p-5 shadow-sm transition hover:border-indigo-300 hover:shadow focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 dark:border-zinc-800 dark:bg-zinc-900 dark:hover:border-indigo-700"
                  >
                    <div className="flex items-start justify-between gap-3">
                      <div className="min-w-0">
                        <h2 className="truncate font-semibold group-hover:text-indigo-700 dark:group-hover:text-indigo-300">
                          {project.name}
                        </h2>
                        <p className="truncate font-mono text-xs text-zinc-500">{project.slug}</p>
                      </div>
                      <RoleBadge role={project.role} instanceOwner={caller.instanceOwner} />
                    </div>
                    <p className="mt-4 text-xs text-zinc-500">
                      {project.slug === SYSTEM_PROJECT_SLUG
                        ? "System project: its users are this console's users"
                        : `${project.permissions.length} permissions`}
                    </p>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="space-y-6">{aside}</div>
      </div>
    </section>
  );
}
