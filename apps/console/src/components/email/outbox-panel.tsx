'use client';

import type { OutboxMessage } from '@keyway/admin-api';
import { useState } from 'react';
import { inFlight, OUTBOX_POLL_MS, OUTBOX_STATUSES, useOutbox, type OutboxStatus } from '../../lib/queries-email';
import { Badge, EmptyState, QueryError, Skeleton } from '../common/page-parts';
import { Button, Card, inputClass } from '../ui';
import { kindLabel, STATUS_TONE } from './email-labels';

const STATUS_LABEL: Record<OutboxStatus, string> = {
  pending: 'Pending',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
};

const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/** A moment as date over time (narrow columns), the exact instant in its title. */
function When({ iso }: { iso: string | null }) {
  if (!iso) return <span className="text-zinc-400">—</span>;
  const date = new Date(iso);
  return (
    <time dateTime={iso} title={date.toString()} className="whitespace-nowrap">
      {day.format(date)}
      <span className="block">{time.format(date)}</span>
    </time>
  );
}

/**
 * The outbox: the latest 100 messages of the project, by status, with their delivery (attempts, last error,
 * next attempt), never their content. It follows itself while a message is still on its way.
 */
export function OutboxPanel({ slug }: { slug: string }) {
  const [status, setStatus] = useState<OutboxStatus | ''>('');
  const outbox = useOutbox(slug, status);
  const following = outbox.data?.some(inFlight) === true;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <label htmlFor="outbox-status" className="block text-sm font-medium">
            Status
          </label>
          <select
            id="outbox-status"
            className={`${inputClass} mt-1.5 min-w-40`}
            value={status}
            onChange={(event) => setStatus(OUTBOX_STATUSES.find((entry) => entry === event.target.value) ?? '')}
          >
            <option value="">All</option>
            {OUTBOX_STATUSES.map((entry) => (
              <option key={entry} value={entry}>
                {STATUS_LABEL[entry]}
              </option>
            ))}
          </select>
        </div>
        <div className="flex items-center gap-3">
          {following && (
            <span className="flex items-center gap-2 text-xs text-zinc-500">
              <span aria-hidden="true" className="size-2 animate-pulse rounded-full bg-amber-500" />
              Refreshing every {OUTBOX_POLL_MS / 1000} s while mail is on its way
            </span>
          )}
          {outbox.dataUpdatedAt > 0 && (
            <span className="text-xs text-zinc-500">Updated {new Date(outbox.dataUpdatedAt).toLocaleTimeString()}</span>
          )}
          <Button variant="secondary" onClick={() => void outbox.refetch()} disabled={outbox.isFetching}>
            Refresh
          </Button>
        </div>
      </div>
      <p className="text-sm text-zinc-500">
        The latest 100 messages. Their content is never shown here: a subject or body may carry a code or a link.
      </p>

      {outbox.isPending && <Skeleton className="h-64" />}
      {outbox.isError && <QueryError error={outbox.error} retry={() => void outbox.refetch()} />}
      {outbox.data?.length === 0 && (
        <EmptyState title={status ? `No ${STATUS_LABEL[status].toLowerCase()} messages` : 'No mail sent yet'}>
          {status
            ? 'Choose another status, or All.'
            : 'Messages appear here as Keyway sends them. Send a test mail from the SMTP tab to try the route.'}
        </EmptyState>
      )}
      {outbox.data && outbox.data.length > 0 && (
        <Card className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Outbox messages</caption>
            <thead className="bg-zinc-50 text-xs text-zinc-500 uppercase dark:bg-zinc-950">
              <tr>
                {['Kind', 'To', 'Status', 'Attempts', 'Last error', 'Next attempt', 'Sent', 'Created'].map(
                  (heading) => (
                    <th key={heading} scope="col" className="px-3 py-3 font-medium">
                      {heading}
                    </th>
                  ),
                )}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
              {outbox.data.map((message) => (
                <OutboxRow key={message.id} message={message} />
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </div>
  );
}

/** An address that breaks before its @ when the column is narrow (local part over domain). */
function Address({ value }: { value: string }) {
  const at = value.lastIndexOf('@');
  if (at <= 0) return <span className="break-all">{value}</span>;
  return (
    <span>
      {value.slice(0, at)}
      <wbr />
      {value.slice(at)}
    </span>
  );
}

function OutboxRow({ message }: { message: OutboxMessage }) {
  const retrying = message.status === 'pending' && message.attempts > 0;
  return (
    <tr data-testid="outbox-row" className="align-top hover:bg-zinc-50 dark:hover:bg-zinc-800/50">
      <td className="px-3 py-3">
        <span className="font-medium whitespace-nowrap">{kindLabel(message.kind)}</span>
        <span className="block font-mono text-xs text-zinc-500">{message.kind}</span>
      </td>
      <td className="px-3 py-3">
        <Address value={message.to} />
      </td>
      <td className="px-3 py-3">
        <Badge tone={retrying ? 'red' : STATUS_TONE[message.status]}>{retrying ? 'retrying' : message.status}</Badge>
      </td>
      <td className="px-3 py-3 text-center tabular-nums">{message.attempts}</td>
      <td className="min-w-36 px-3 py-3">
        {message.lastError ? (
          <span title={message.lastError} className="line-clamp-3 text-xs break-words text-rose-700 dark:text-rose-400">
            {message.lastError}
          </span>
        ) : (
          <span className="text-zinc-400">—</span>
        )}
      </td>
      <td className="px-3 py-3 text-xs text-zinc-500">
        <When iso={inFlight(message) ? message.nextAttemptAt : null} />
      </td>
      <td className="px-3 py-3 text-xs text-zinc-500">
        <When iso={message.sentAt} />
      </td>
      <td className="px-3 py-3 text-xs text-zinc-500">
        <When iso={message.createdAt} />
      </td>
    </tr>
  );
}
