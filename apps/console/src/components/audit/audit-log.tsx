'use client';

import type { AuditEvent } from '@keyway/admin-api';
import { AdminApiError } from '@keyway/admin-client';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Fragment, useState, type FormEvent } from 'react';
import { useCan } from '../../lib/queries';
import { useAuditEvents, type AuditFilters } from '../../lib/queries-members';
import { Badge, EmptyState, Field, formatDate, PageHeader, QueryError, Skeleton } from '../common/page-parts';
import { fieldProblem } from '../members/access-parts';
import { Alert, Button, Card, inputClass } from '../ui';
import { AuditDetails } from './audit-details';

const FILTER_NAMES = ['type', 'actor', 'identity', 'from', 'to'] as const;

/** The same checks as the API's (admin/audit/audit-events.ts), so a mistake is shown before asking. */
const TYPE_PATTERN = /^[a-z0-9_.-]{1,100}\*?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One-click filters by area: each an event type prefix. */
const QUICK_FILTERS = [
  { label: 'Members', type: 'member.*' },
  { label: 'Roles', type: 'role.*' },
  { label: 'API keys', type: 'api_key.*' },
  { label: 'Help desk', type: 'admin.identity.*' },
  { label: 'Applications', type: 'application.*' },
  { label: 'Project', type: 'project.*' },
  { label: 'Email', type: 'email.*' },
  { label: 'Sign-ins', type: 'login.*' },
] as const;

/** Event types the API records, offered as suggestions (any other type or prefix* may be typed). */
const KNOWN_TYPES = [
  'member.invited',
  'member.invitation_accepted',
  'member.invitation_revoked',
  'member.role_changed',
  'member.removed',
  'role.created',
  'role.updated',
  'role.deleted',
  'api_key.created',
  'api_key.revoked',
  'project.created',
  'project.updated',
  'signing_keys.rotated',
  'application.created',
  'application.updated',
  'application.secret_rotated',
  'application.deleted',
  'identity_schema.created',
  'identity_schema.default_set',
  'email.template_updated',
  'email.template_reset',
  'email.smtp_updated',
  'email.smtp_removed',
  'email.test_queued',
  'identity.created',
  'identity.locked',
  'identity.traits_updated',
  'login.succeeded',
  'password.changed',
  'totp.enrolled',
  'passkey.registered',
  'oauth.refresh_token_reused',
];

function readFilters(params: URLSearchParams): AuditFilters {
  return {
    type: params.get('type') ?? '',
    actor: params.get('actor') ?? '',
    identity: params.get('identity') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
}

function queryString(filters: AuditFilters): string {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) if (filters[name]) params.set(name, filters[name]);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** An ISO instant as a datetime-local input shows it (the browser's time zone); '' when it is none. */
function toLocalInput(iso: string): string {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return '';
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** A datetime-local input's value as the ISO instant the API takes. */
function fromLocalInput(value: string): string {
  return value ? new Date(value).toISOString() : '';
}

/**
 * The project's audit log, newest first: who did what, to what, with which outcome. The filters live in the
 * page's URL (a filtered view can be shared); pages of 25 come one after the other ("Load more").
 */
export function AuditLog({ slug }: { slug: string }) {
  const searchParams = useSearchParams();
  const filters = readFilters(searchParams);
  const canRead = useCan(slug, 'audit.read');
  const events = useAuditEvents(slug, filters, canRead !== false);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const filtered = FILTER_NAMES.some((name) => filters[name]);
  const base = `/projects/${slug}/audit`;
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];
  // A filter the API refused (400 naming it) is shown beside that filter, not as a page error.
  const refusedFilter =
    events.error instanceof AdminApiError && events.error.status === 400 && events.error.body.fields?.length
      ? events.error
      : undefined;

  function toggle(id: string) {
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  return (
    <div className="space-y-6">
      <PageHeader
        crumbs={[{ href: '/', label: 'Projects' }, { href: `/projects/${slug}`, label: slug }, { label: 'Audit log' }]}
        title="Audit log"
        description="Every administrative change and security event in this project, newest first."
      />
      {canRead === false ? (
        <Alert tone="error" title="You may not read this audit log">
          Reading it needs the audit.read permission in this project.
        </Alert>
      ) : (
        <>
          <AuditFilterForm key={searchParams.toString()} base={base} filters={filters} refused={refusedFilter} />
          <nav aria-label="Quick filters" className="flex flex-wrap gap-2 text-sm">
            <FilterChip href={base} active={!filtered}>
              All events
            </FilterChip>
            {QUICK_FILTERS.map((quick) => (
              <FilterChip
                key={quick.type}
                href={`${base}${queryString({ ...filters, type: quick.type })}`}
                active={filters.type === quick.type}
              >
                {quick.label}
              </FilterChip>
            ))}
          </nav>
          {events.isPending && <Skeleton className="h-64" />}
          {events.isError && !refusedFilter && <QueryError error={events.error} retry={() => void events.refetch()} />}
          {events.data && items.length === 0 && (
            <EmptyState title={filtered ? 'No event matches these filters' : 'Nothing recorded yet'}>
              {filtered ? (
                <Link href={base} className="font-medium text-indigo-600 hover:text-indigo-500">
                  Clear the filters
                </Link>
              ) : (
                'Changes to the project and security events appear here as they happen.'
              )}
            </EmptyState>
          )}
          {items.length > 0 && (
            <Card className={`overflow-x-auto ${events.isPlaceholderData ? 'opacity-60' : ''}`}>
              <table className="w-full text-left text-sm" aria-busy={events.isFetching}>
                <caption className="sr-only">Audit events</caption>
                <thead className="bg-zinc-50 text-xs text-zinc-500 uppercase dark:bg-zinc-950">
                  <tr>
                    <th scope="col" className="px-4 py-3 font-medium">
                      Time
                    </th>
                    <th scope="col" className="px-4 py-3 font-medium">
                      Event
                    </th>
                    <th scope="col" className="px-4 py-3 font-medium">
                      Actor
                    </th>
                    <th scope="col" className="px-4 py-3 font-medium">
                      Target
                    </th>
                    <th scope="col" className="px-4 py-3 font-medium">
                      Outcome
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
                  {items.map((event) => (
                    <Fragment key={event.id}>
                      <EventRow
                        slug={slug}
                        event={event}
                        expanded={open.has(event.id)}
                        onToggle={() => toggle(event.id)}
                      />
                      {open.has(event.id) && (
                        <tr id={`audit-${event.id}`} className="bg-zinc-50/70 dark:bg-zinc-950/50">
                          <td colSpan={5} className="px-4 py-4 pl-10">
                            <AuditDetails data={event.data} />
                            <p className="mt-3 font-mono text-xs text-zinc-400">event {event.id}</p>
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  ))}
                </tbody>
              </table>
            </Card>
          )}
          {events.data && items.length > 0 && (
            <div className="flex items-center justify-between gap-3 text-sm text-zinc-500">
              <span role="status">
                {items.length} event{items.length === 1 ? '' : 's'}
                {events.hasNextPage ? ' so far' : ''}
              </span>
              {events.hasNextPage && (
                <Button
                  variant="secondary"
                  disabled={events.isFetchingNextPage}
                  onClick={() => void events.fetchNextPage()}
                >
                  {events.isFetchingNextPage ? 'Loading…' : 'Load more'}
                </Button>
              )}
            </div>
          )}
        </>
      )}
    </div>
  );
}

function FilterChip({ href, active, children }: { href: string; active: boolean; children: string }) {
  return (
    <Link
      href={href}
      aria-current={active ? 'true' : undefined}
      className="rounded-full px-3 py-1 font-medium text-zinc-600 ring-1 ring-zinc-300 ring-inset hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-indigo-600 aria-[current=true]:bg-indigo-600 aria-[current=true]:text-white aria-[current=true]:ring-indigo-600 dark:text-zinc-300 dark:ring-zinc-700 dark:hover:bg-zinc-800"
    >
      {children}
    </Link>
  );
}

type FilterErrors = Partial<Record<(typeof FILTER_NAMES)[number], string>>;

/** The filters as a form: checked here, then put in the URL (which the list follows). */
function AuditFilterForm({
  base,
  filters,
  refused,
}: {
  base: string;
  filters: AuditFilters;
  refused: AdminApiError | undefined;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const [draft, setDraft] = useState({
    ...filters,
    from: toLocalInput(filters.from),
    to: toLocalInput(filters.to),
  });
  const [local, setLocal] = useState<FilterErrors>({});
  // The form's own checks first, then what the API said about the filters in the URL (a shared link may hold any).
  const errors: FilterErrors = Object.fromEntries(
    FILTER_NAMES.map((name) => [name, local[name] ?? fieldProblem(refused, name)]),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const next: AuditFilters = {
      type: draft.type.trim(),
      actor: draft.actor.trim(),
      identity: draft.identity.trim(),
      from: fromLocalInput(draft.from),
      to: fromLocalInput(draft.to),
    };
    const problems: FilterErrors = {};
    if (next.type && !TYPE_PATTERN.test(next.type))
      problems.type = 'An event type (member.invited) or the start of one ending in * (member.*).';
    if (next.actor.length > 320) problems.actor = 'At most 320 characters.';
    if (next.identity && !UUID.test(next.identity)) problems.identity = 'A user id (a UUID).';
    if (next.from && next.to && next.from >= next.to) problems.to = 'Must be later than “From”.';
    setLocal(problems);
    if (Object.keys(problems).length > 0) return;
    router.push(`${pathname}${queryString(next)}`);
  }

  const set = (name: keyof typeof draft) => (value: string) => setDraft((current) => ({ ...current, [name]: value }));

  return (
    <form
      role="search"
      aria-label="Filter the audit log"
      onSubmit={submit}
      noValidate
      className="grid gap-3 sm:grid-cols-2 lg:grid-cols-6"
    >
      <div className="lg:col-span-2">
        <Field label="Event type" hint="Exact, or a prefix ending in *" error={errors.type}>
          {(props) => (
            <>
              <input
                {...props}
                list="audit-event-types"
                className={`${inputClass} font-mono`}
                value={draft.type}
                onChange={(event) => set('type')(event.target.value)}
                placeholder="member.*"
              />
              <datalist id="audit-event-types">
                {KNOWN_TYPES.map((type) => (
                  <option key={type} value={type} />
                ))}
              </datalist>
            </>
          )}
        </Field>
      </div>
      <div className="lg:col-span-2">
        <Field label="Actor" hint="Email, API key id, or root" error={errors.actor}>
          {(props) => (
            <input
              {...props}
              className={inputClass}
              value={draft.actor}
              onChange={(event) => set('actor')(event.target.value)}
            />
          )}
        </Field>
      </div>
      <div className="lg:col-span-2">
        <Field label="User id" hint="Events about one end user" error={errors.identity}>
          {(props) => (
            <input
              {...props}
              className={`${inputClass} font-mono`}
              value={draft.identity}
              onChange={(event) => set('identity')(event.target.value)}
            />
          )}
        </Field>
      </div>
      <div className="lg:col-span-2">
        <Field label="From" error={errors.from}>
          {(props) => (
            <input
              {...props}
              type="datetime-local"
              className={inputClass}
              value={draft.from}
              onChange={(event) => set('from')(event.target.value)}
            />
          )}
        </Field>
      </div>
      <div className="lg:col-span-2">
        <Field label="To" hint="Up to, not including" error={errors.to}>
          {(props) => (
            <input
              {...props}
              type="datetime-local"
              className={inputClass}
              value={draft.to}
              onChange={(event) => set('to')(event.target.value)}
            />
          )}
        </Field>
      </div>
      <div className="flex items-start gap-2 pt-6 lg:col-span-2">
        <Button type="submit">Apply filters</Button>
        <Link
          href={base}
          className="rounded-lg px-3.5 py-2 text-sm font-medium text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800"
        >
          Clear
        </Link>
      </div>
    </form>
  );
}

const ACTOR_KIND: Record<string, string> = {
  'console-user': 'console user',
  'api-key': 'API key',
  root: 'root token',
};

function EventRow({
  slug,
  event,
  expanded,
  onToggle,
}: {
  slug: string;
  event: AuditEvent;
  expanded: boolean;
  onToggle: () => void;
}) {
  const data = event.data && typeof event.data === 'object' ? (event.data as Record<string, unknown>) : {};
  const outcome = typeof data['outcome'] === 'string' ? data['outcome'] : undefined;
  const reason = typeof data['reason'] === 'string' ? data['reason'] : undefined;
  return (
    <tr data-testid="audit-row" className="align-top hover:bg-zinc-50 dark:hover:bg-zinc-800/50">
      <td className="px-4 py-3 whitespace-nowrap text-zinc-500">
        <time dateTime={event.createdAt}>{formatDate(event.createdAt)}</time>
      </td>
      <td className="px-4 py-3">
        <button
          type="button"
          aria-expanded={expanded}
          aria-controls={`audit-${event.id}`}
          onClick={onToggle}
          className="flex items-center gap-1.5 rounded text-left font-mono text-xs font-medium text-indigo-700 hover:text-indigo-500 focus-visible:outline-2 focus-visible:outline-indigo-600 dark:text-indigo-300"
        >
          <span aria-hidden="true" className={`text-zinc-400 transition ${expanded ? 'rotate-90' : ''}`}>
            ▸
          </span>
          {event.type}
          <span className="sr-only">{expanded ? ', hide details' : ', show details'}</span>
        </button>
      </td>
      <td className="px-4 py-3">
        <Actor event={event} />
      </td>
      <td className="px-4 py-3">
        <Target slug={slug} event={event} />
      </td>
      <td className="px-4 py-3">
        {outcome && <Badge tone={outcome === 'done' ? 'green' : 'zinc'}>{outcome}</Badge>}
        {reason && <span className="mt-0.5 block max-w-56 truncate text-xs text-zinc-500">{reason}</span>}
        {!outcome && !reason && <span className="text-zinc-400">—</span>}
      </td>
    </tr>
  );
}

function Actor({ event }: { event: AuditEvent }) {
  if (event.actor)
    return (
      <span>
        <span className="block max-w-56 truncate">{event.actor.name ?? event.actor.id ?? 'unknown'}</span>
        <span className="text-xs text-zinc-500">{ACTOR_KIND[event.actor.kind] ?? event.actor.kind}</span>
      </span>
    );
  // No admin actor: the end user did it (a sign-in, a password change) or Keyway itself did.
  return (
    <span>
      <span className="block">{event.identityId ? 'The user' : 'Keyway'}</span>
      <span className="text-xs text-zinc-500">{event.identityId ? 'end user' : 'system'}</span>
    </span>
  );
}

function Target({ slug, event }: { slug: string; event: AuditEvent }) {
  const identityId = event.target?.type === 'identity' ? event.target.id : event.identityId;
  const userLink = identityId && (
    <Link
      href={`/projects/${slug}/users/${identityId}`}
      className="font-mono text-xs text-indigo-600 hover:text-indigo-500"
    >
      {identityId}
    </Link>
  );
  if (event.target && event.target.type !== 'identity')
    return (
      <span className="block max-w-64">
        <span className="text-xs text-zinc-500">{event.target.type} </span>
        {event.target.type === 'application' && event.target.id ? (
          <Link
            href={`/projects/${slug}/applications/${encodeURIComponent(event.target.id)}`}
            className="font-mono text-xs break-all text-indigo-600 hover:text-indigo-500"
          >
            {event.target.id}
          </Link>
        ) : (
          <span className="font-mono text-xs break-all">{event.target.id ?? ''}</span>
        )}
        {userLink && <span className="block">{userLink}</span>}
      </span>
    );
  if (userLink)
    return (
      <span className="block max-w-64">
        <span className="text-xs text-zinc-500">user </span>
        {userLink}
      </span>
    );
  if (event.clientId)
    return (
      <span>
        <span className="text-xs text-zinc-500">application </span>
        <span className="font-mono text-xs">{event.clientId}</span>
      </span>
    );
  return <span className="text-zinc-400">—</span>;
}
