'use client';

import Link from 'next/link';
import { useParams, usePathname } from 'next/navigation';
import { useEffect, useId, useRef, useState } from 'react';
import { useCaller } from '../../lib/queries';
import { RoleBadge } from './role-badge';

/**
 * The project being worked on, and the way to another one: a disclosure button over the list of the
 * caller's projects (links, so Tab and Enter work as everywhere), with "Create project" for instance owners.
 */
export function ProjectSwitcher() {
  const { data: caller, isPending, isError, refetch } = useCaller();
  const params = useParams<{ slug?: string }>();
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const listId = useId();
  const container = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  // Closed by choosing (a navigation), by Escape (focus back on the button) and by a click elsewhere.
  useEffect(() => setOpen(false), [pathname]);
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    const onClick = (event: MouseEvent) => {
      if (!container.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, [open]);

  const current = caller?.projects.find((project) => project.slug === params.slug);

  return (
    <div ref={container} className="relative">
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => setOpen((value) => !value)}
        className="flex w-full items-center gap-3 rounded-lg border border-zinc-200 bg-white px-3 py-2 text-left shadow-sm transition hover:border-zinc-300 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 dark:border-zinc-800 dark:bg-zinc-900"
      >
        <span
          aria-hidden="true"
          className="flex size-8 shrink-0 items-center justify-center rounded-md bg-indigo-600/10 text-sm font-semibold text-indigo-700 uppercase dark:text-indigo-300"
        >
          {current ? current.name.slice(0, 1) : '#'}
        </span>
        <span className="min-w-0 flex-1">
          <span className="block text-xs text-zinc-500">Project</span>
          <span className="block truncate text-sm font-medium">
            {current ? current.name : isPending ? 'Loading…' : 'Choose a project'}
          </span>
        </span>
        <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4 shrink-0 fill-zinc-400">
          <path d="M10 3l4 5H6l4-5zm0 14l-4-5h8l-4 5z" />
        </svg>
      </button>

      <div
        id={listId}
        hidden={!open}
        className="absolute inset-x-0 top-full z-20 mt-2 overflow-hidden rounded-xl border border-zinc-200 bg-white shadow-lg dark:border-zinc-800 dark:bg-zinc-900"
      >
        {isError && (
          <div className="p-3 text-sm">
            <p className="text-rose-700 dark:text-rose-300">Your projects could not be loaded.</p>
            <button type="button" onClick={() => void refetch()} className="mt-1 text-indigo-600 underline">
              Try again
            </button>
          </div>
        )}
        {caller && (
          <>
            <p className="px-3 pt-3 pb-1 text-xs font-medium text-zinc-500">Your projects</p>
            {caller.projects.length === 0 ? (
              <p className="px-3 pb-3 text-sm text-zinc-500">None yet.</p>
            ) : (
              <ul className="max-h-80 overflow-y-auto p-1.5" aria-label="Your projects">
                {caller.projects.map((project) => (
                  <li key={project.slug}>
                    <Link
                      href={`/projects/${project.slug}`}
                      aria-current={project.slug === params.slug ? 'page' : undefined}
                      className="flex items-center gap-3 rounded-lg px-2 py-2 text-sm hover:bg-zinc-100 focus-visible:bg-zinc-100 focus-visible:outline-none aria-[current=page]:bg-indigo-50 dark:hover:bg-zinc-800 dark:focus-visible:bg-zinc-800 dark:aria-[current=page]:bg-indigo-950"
                    >
                      <span className="min-w-0 flex-1">
                        <span className="block truncate font-medium">{project.name}</span>
                        <span className="block truncate font-mono text-xs text-zinc-500">{project.slug}</span>
                      </span>
                      <RoleBadge role={project.role} instanceOwner={caller.instanceOwner} />
                    </Link>
                  </li>
                ))}
              </ul>
            )}
            {caller.instanceOwner && (
              <div className="border-t border-zinc-200 p-1.5 dark:border-zinc-800">
                <Link
                  href="/projects/new"
                  className="flex items-center gap-2 rounded-lg px-2 py-2 text-sm font-medium text-indigo-700 hover:bg-indigo-50 focus-visible:bg-indigo-50 focus-visible:outline-none dark:text-indigo-300 dark:hover:bg-indigo-950"
                >
                  <span aria-hidden="true" className="text-base leading-none">
                    +
                  </span>
                  Create project
                </Link>
              </div>
            )}
          </>
        )}
      </div>
    </div>
  );
}
