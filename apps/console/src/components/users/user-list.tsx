'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { useFlashNotice } from '../../lib/flash-notice';
import { useCan, useIdentities } from '../../lib/queries';
import { Badge, EmptyState, formatDate, PageHeader, QueryError, Skeleton } from '../common/page-parts';
import { Alert, Button, Card, inputClass } from '../ui';
import { identityLabel, identityState, isLocked, STATE_TONE } from './identity-labels';

const LINK_BUTTON =
  'inline-flex items-center rounded-lg bg-indigo-600 px-3.5 py-2 text-sm font-medium text-white shadow-sm hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600';

/** Find a project's users (GET identities?q=&state=&cursor=), a page at a time; locked ones stand out. */
export function UserList({ slug }: { slug: string }) {
  const canCreate = useCan(slug, 'identities.write') === true;
  const notice = useFlashNotice();
  const createLink = (
    <Link href={`/projects/${slug}/users/new`} className={LINK_BUTTON}>
      Create user
    </Link>
  );
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState({ q: '', state: '', cursor: '' });
  const [previous, setPrevious] = useState<string[]>([]);
  const [error, setError] = useState<string>();
  const identities = useIdentities(slug, search);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (draft.trim().length > 320) {
      setError('At most 320 characters.');
      return;
    }
    setError(undefined);
    setPrevious([]);
    setSearch((current) => ({ ...current, q: draft, cursor: '' }));
  }

  return (
    <div className="space-y-6">
      <PageHeader
        crumbs={[{ href: '/', label: 'Projects' }, { href: `/projects/${slug}`, label: slug }, { label: 'Users' }]}
        title="Users"
        description="Search by email, username or phone (start of it), a trait value, or an id."
        actions={canCreate ? createLink : undefined}
      />
      {notice && (
        <Alert tone={notice.tone} title={notice.title}>
          {notice.text}
        </Alert>
      )}
      <form role="search" onSubmit={submit} className="flex flex-wrap items-end gap-3">
        <div className="min-w-64 flex-1">
          <label htmlFor="user-search" className="block text-sm font-medium">
            Search users
          </label>
          <input
            id="user-search"
            type="search"
            className={`${inputClass} mt-1.5`}
            value={draft}
            aria-invalid={Boolean(error)}
            aria-describedby={error ? 'user-search-error' : undefined}
            onChange={(event) => setDraft(event.target.value)}
            placeholder="jane@example.com"
          />
        </div>
        <div>
          <label htmlFor="user-state" className="block text-sm font-medium">
            State
          </label>
          <select
            id="user-state"
            className={`${inputClass} mt-1.5`}
            value={search.state}
            onChange={(event) => {
              setPrevious([]);
              setSearch((current) => ({ ...current, state: event.target.value, cursor: '' }));
            }}
          >
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="disabled">Disabled</option>
          </select>
        </div>
        <Button type="submit">Search</Button>
      </form>
      {error && (
        <p id="user-search-error" className="text-sm text-rose-600">
          {error}
        </p>
      )}
      {identities.isPending && <Skeleton className="h-48" />}
      {identities.isError && <QueryError error={identities.error} retry={() => void identities.refetch()} />}
      {identities.data?.items.length === 0 &&
        (search.q || search.state || search.cursor ? (
          <EmptyState title="No user matches">
            {search.q ? 'Try the start of an email address, or an id.' : 'No user is in that state.'}
          </EmptyState>
        ) : (
          <EmptyState title="No users yet">
            <p>Users appear here once they sign up through the project’s apps.</p>
            {canCreate && (
              <div className="mt-4 flex flex-col items-center gap-2">
                <p>Or create the first one yourself, with an initial password if you like.</p>
                {createLink}
              </div>
            )}
          </EmptyState>
        ))}
      {identities.data && identities.data.items.length > 0 && (
        <Card className="overflow-hidden">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Users</caption>
            <thead className="bg-zinc-50 text-xs text-zinc-500 uppercase dark:bg-zinc-950">
              <tr>
                <th scope="col" className="px-5 py-3 font-medium">
                  User
                </th>
                <th scope="col" className="px-5 py-3 font-medium">
                  State
                </th>
                <th scope="col" className="px-5 py-3 font-medium">
                  Created
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
              {identities.data.items.map((identity) => {
                const state = identityState(identity);
                const locked = isLocked(identity);
                return (
                  <tr key={identity.id} className="hover:bg-zinc-50 dark:hover:bg-zinc-800/50">
                    <td className="px-5 py-3">
                      <Link
                        href={`/projects/${slug}/users/${identity.id}`}
                        className="font-medium text-indigo-600 hover:text-indigo-500"
                      >
                        {identityLabel(identity)}
                      </Link>
                      <span className="block font-mono text-xs text-zinc-500">{identity.id}</span>
                    </td>
                    <td className="px-5 py-3">
                      <span className="flex flex-wrap items-center gap-1.5">
                        <Badge tone={STATE_TONE[state]}>{state}</Badge>
                        {locked && (
                          <span title={`Locked until ${formatDate(identity.lockedUntil)}`}>
                            <Badge tone="amber">locked</Badge>
                            <span className="sr-only"> until {formatDate(identity.lockedUntil)}</span>
                          </span>
                        )}
                      </span>
                    </td>
                    <td className="px-5 py-3 text-zinc-500">{formatDate(identity.createdAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Card>
      )}
      {identities.data && (previous.length > 0 || identities.data.nextCursor) && (
        <nav aria-label="Pages" className="flex justify-between">
          <Button
            variant="secondary"
            disabled={previous.length === 0}
            onClick={() => {
              setSearch((current) => ({ ...current, cursor: previous[previous.length - 1] ?? '' }));
              setPrevious((stack) => stack.slice(0, -1));
            }}
          >
            Previous
          </Button>
          <Button
            variant="secondary"
            disabled={!identities.data.nextCursor}
            onClick={() => {
              const next = identities.data.nextCursor;
              if (!next) return;
              setPrevious((stack) => [...stack, search.cursor]);
              setSearch((current) => ({ ...current, cursor: next }));
            }}
          >
            Next
          </Button>
        </nav>
      )}
    </div>
  );
}
