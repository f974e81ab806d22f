'use client';

import type { ReactNode } from 'react';
import { Badge } from '../common/page-parts';

/** What the API writes in place of a secret's value (apps/api domain/audit/audit-diff.ts). */
const REDACTED = '[REDACTED]';

/** A changed field in an event's `data.changes`: its value before and after, null for absent. */
interface Change {
  before: unknown;
  after: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `data.changes` when it has the diff's shape: `{field: {before, after}}`. */
export function changesOf(data: unknown): [string, Change][] | undefined {
  if (!isRecord(data) || !isRecord(data['changes'])) return undefined;
  const entries = Object.entries(data['changes']);
  if (!entries.every(([, change]) => isRecord(change) && 'before' in change && 'after' in change)) return undefined;
  return entries as [string, Change][];
}

/** An event's `data`, readable: its before/after diff, a role change, a permission change, then the rest. */
export function AuditDetails({ data }: { data: unknown }) {
  const record = isRecord(data) ? data : {};
  const changes = changesOf(data);
  const roleChange =
    typeof record['from'] === 'string' && typeof record['to'] === 'string'
      ? { before: record['from'], after: record['to'] }
      : undefined;
  const permissionsBefore = stringList(record['permissionsBefore']);
  const permissionsAfter = stringList(record['permissionsAfter']);
  const reason = typeof record['reason'] === 'string' ? record['reason'] : undefined;
  // What is shown in its own way above (the outcome is in the row); anything else is listed as it is.
  const apart = new Set([
    'outcome',
    ...(reason ? ['reason'] : []),
    ...(changes ? ['changes'] : []),
    ...(roleChange ? ['from', 'to'] : []),
    ...(permissionsBefore && permissionsAfter ? ['permissionsBefore', 'permissionsAfter'] : []),
  ]);
  const rest = Object.entries(record).filter(([key]) => !apart.has(key));

  return (
    <div className="space-y-4 text-sm">
      {reason && (
        <p>
          <span className="text-zinc-500">Reason: </span>
          {reason}
        </p>
      )}
      {changes && changes.length === 0 && <p className="text-zinc-500">Saved without changing anything.</p>}
      {changes && changes.length > 0 && <DiffTable rows={changes} />}
      {roleChange && <DiffTable rows={[['role', roleChange]]} />}
      {permissionsBefore && permissionsAfter && (
        <PermissionChange before={permissionsBefore} after={permissionsAfter} />
      )}
      {rest.length > 0 && (
        <dl className="grid grid-cols-[minmax(8rem,auto)_1fr] gap-x-4 gap-y-1.5">
          {rest.map(([key, value]) => (
            <div key={key} className="contents">
              <dt className="font-mono text-xs text-zinc-500">{key}</dt>
              <dd className="min-w-0 break-words">
                <Value value={value} />
              </dd>
            </div>
          ))}
        </dl>
      )}
      {!changes && !roleChange && !permissionsBefore && rest.length === 0 && !reason && (
        <p className="text-zinc-500">No further details recorded.</p>
      )}
    </div>
  );
}

function DiffTable({ rows }: { rows: [string, Change][] }) {
  return (
    <table className="w-full text-left text-sm" data-testid="audit-diff">
      <caption className="sr-only">What changed</caption>
      <thead className="text-xs text-zinc-500">
        <tr>
          <th scope="col" className="py-1 pr-4 font-medium">
            Field
          </th>
          <th scope="col" className="py-1 pr-4 font-medium">
            Before
          </th>
          <th scope="col" className="w-6 py-1 font-medium">
            <span className="sr-only">becomes</span>
          </th>
          <th scope="col" className="py-1 font-medium">
            After
          </th>
        </tr>
      </thead>
      <tbody className="divide-y divide-zinc-200 align-top dark:divide-zinc-800">
        {rows.map(([field, change]) => (
          <tr key={field}>
            <th scope="row" className="py-1.5 pr-4 font-mono text-xs font-medium">
              {field}
            </th>
            <td className="py-1.5 pr-4">
              <span className="rounded bg-rose-50 px-1 text-rose-900 dark:bg-rose-950 dark:text-rose-200">
                <Value value={change.before} />
              </span>
            </td>
            <td aria-hidden="true" className="py-1.5 text-zinc-400">
              →
            </td>
            <td className="py-1.5">
              <span className="rounded bg-emerald-50 px-1 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200">
                <Value value={change.after} />
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PermissionChange({ before, after }: { before: string[]; after: string[] }) {
  const added = after.filter((permission) => !before.includes(permission));
  const removed = before.filter((permission) => !after.includes(permission));
  return (
    <div className="space-y-1">
      <p className="text-xs font-medium text-zinc-500">Permissions</p>
      {added.length === 0 && removed.length === 0 && <p className="text-zinc-500">Unchanged.</p>}
      <ul className="flex flex-wrap gap-1.5">
        {added.map((permission) => (
          <li key={`+${permission}`}>
            <Badge tone="green">+ {permission}</Badge>
          </li>
        ))}
        {removed.map((permission) => (
          <li key={`-${permission}`}>
            <Badge tone="red">− {permission}</Badge>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A recorded value: absent, redacted, a long text's digest, a list, or JSON. */
function Value({ value }: { value: unknown }): ReactNode {
  if (value === null || value === undefined) return <span className="text-zinc-500 italic">none</span>;
  if (value === REDACTED) return <Badge tone="amber">redacted</Badge>;
  if (typeof value === 'string') return <span className="font-mono text-xs">{value}</span>;
  if (typeof value === 'number' || typeof value === 'boolean')
    return <span className="font-mono text-xs">{String(value)}</span>;
  if (isRecord(value) && typeof value['length'] === 'number' && typeof value['sha256'] === 'string')
    return (
      <span className="text-xs">
        {value['length'].toLocaleString()} characters{' '}
        <span className="font-mono text-zinc-500">(sha256 {value['sha256'].slice(0, 12)}…)</span>
      </span>
    );
  if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
    return value.length === 0 ? (
      <span className="text-zinc-500 italic">empty list</span>
    ) : (
      <span className="font-mono text-xs">{value.join(', ')}</span>
    );
  return <span className="font-mono text-xs break-all">{JSON.stringify(value)}</span>;
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}
