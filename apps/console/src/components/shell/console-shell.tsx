'use client';

import Link from 'next/link';
import { useParams, usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { useProjectPermissions } from '../../lib/queries';
import { KeywayMark } from '../keyway-mark';
import { ProjectSwitcher } from './project-switcher';
import { UserMenu } from './user-menu';

/** A project's pages in the menu, each shown to whoever holds the permission to read it. */
const PROJECT_PAGES = [
  { path: 'applications', label: 'Applications', permission: 'applications.read' },
  { path: 'apis', label: 'APIs', permission: 'api_resources.read' },
  { path: 'connections', label: 'Connections', permission: 'connections.read' },
  { path: 'token-issuers', label: 'Token issuers', permission: 'connections.read' },
  { path: 'users', label: 'Users', permission: 'identities.read' },
  { path: 'schema', label: 'Identity schema', permission: 'schemas.read' },
  { path: 'email', label: 'Email', permission: 'email.read' },
  { path: 'members', label: 'Members & API keys', permission: 'members.read' },
  { path: 'audit', label: 'Audit log', permission: 'audit.read' },
  { path: 'settings', label: 'Settings', permission: 'projects.read' },
] as const;

/** The signed-in console: a sidebar (project switcher, navigation), a header with the user, the page. */
export function ConsoleShell({ children }: { children: ReactNode }) {
  const params = useParams<{ slug?: string }>();
  const pathname = usePathname();
  const slug = params.slug;
  // Pages the caller may not read stay out of the menu (the API refuses them anyway); all show until known.
  const { data } = useProjectPermissions(slug ?? '', Boolean(slug));
  const permissions = data?.permissions;

  return (
    <div className="flex min-h-screen">
      <aside className="hidden w-64 shrink-0 flex-col gap-6 border-r border-zinc-200 bg-white px-4 py-5 md:flex dark:border-zinc-800 dark:bg-zinc-900">
        <Brand />
        <ProjectSwitcher />
        <nav aria-label="Console" className="space-y-6 text-sm">
          <ul className="space-y-1">
            <NavLink href="/" active={pathname === '/'}>
              All projects
            </NavLink>
          </ul>
          {slug && (
            <div>
              <p className="px-2 text-xs font-medium tracking-wide text-zinc-500 uppercase">This project</p>
              <ul className="mt-2 space-y-1">
                <NavLink href={`/projects/${slug}`} active={pathname === `/projects/${slug}`}>
                  Overview
                </NavLink>
                {PROJECT_PAGES.filter((page) => !permissions || permissions.includes(page.permission)).map((page) => (
                  <NavLink
                    key={page.path}
                    href={`/projects/${slug}/${page.path}`}
                    active={pathname.startsWith(`/projects/${slug}/${page.path}`)}
                  >
                    {page.label}
                  </NavLink>
                ))}
              </ul>
            </div>
          )}
        </nav>
      </aside>

      <div className="flex min-w-0 flex-1 flex-col">
        <header className="sticky top-0 z-10 border-b border-zinc-200 bg-white/80 backdrop-blur dark:border-zinc-800 dark:bg-zinc-900/80">
          <div className="flex h-16 items-center justify-between gap-4 px-4 sm:px-6">
            <div className="flex min-w-0 items-center gap-3 md:hidden">
              <Brand compact />
            </div>
            <div className="hidden md:block" />
            <UserMenu />
          </div>
          <div className="border-t border-zinc-200 px-4 py-3 md:hidden dark:border-zinc-800">
            <ProjectSwitcher />
          </div>
        </header>
        <main className="flex-1 px-4 py-8 sm:px-6 lg:px-10">
          <div className="mx-auto w-full max-w-5xl">{children}</div>
        </main>
      </div>
    </div>
  );
}

function Brand({ compact = false }: { compact?: boolean }) {
  return (
    <Link
      href="/"
      className="flex items-center gap-2.5 rounded-lg px-1 focus-visible:outline-2 focus-visible:outline-indigo-600"
    >
      <KeywayMark className="size-7" />
      <span className="text-base font-semibold tracking-tight">Keyway</span>
      {!compact && (
        <span className="rounded-full bg-zinc-100 px-2 py-0.5 text-xs font-medium text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">
          Console
        </span>
      )}
    </Link>
  );
}

function NavLink({ href, active, children }: { href: string; active: boolean; children: ReactNode }) {
  return (
    <li>
      <Link
        href={href}
        aria-current={active ? 'page' : undefined}
        className="block rounded-lg px-2 py-1.5 font-medium text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-indigo-600 aria-[current=page]:bg-zinc-100 aria-[current=page]:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100 dark:aria-[current=page]:bg-zinc-800 dark:aria-[current=page]:text-zinc-100"
      >
        {children}
      </Link>
    </li>
  );
}
