'use client';

import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { API_HEALTH_ROUTE, type ApiHealth } from '../lib/api-health';

const REFRESH_MS = 15_000;

async function fetchApiHealth(): Promise<ApiHealth> {
  const response = await fetch(API_HEALTH_ROUTE, { cache: 'no-store' });
  if (!response.ok) throw new Error(`the console server answered HTTP ${response.status}`);
  return (await response.json()) as ApiHealth;
}

type Tone = 'pending' | 'good' | 'warn' | 'bad';

const DOT: Record<Tone, string> = {
  pending: 'bg-zinc-400 animate-pulse',
  good: 'bg-emerald-500',
  warn: 'bg-amber-500',
  bad: 'bg-rose-500',
};

const BADGE: Record<Tone, string> = {
  pending: 'bg-zinc-100 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300',
  good: 'bg-emerald-50 text-emerald-700 dark:bg-emerald-950 dark:text-emerald-300',
  warn: 'bg-amber-50 text-amber-700 dark:bg-amber-950 dark:text-amber-300',
  bad: 'bg-rose-50 text-rose-700 dark:bg-rose-950 dark:text-rose-300',
};

export function ApiStatusCard() {
  const { data, error, isFetching, refetch } = useQuery({
    queryKey: ['keyway-api-health'],
    queryFn: fetchApiHealth,
    refetchInterval: REFRESH_MS,
    // API failures already arrive as data (state "unreachable"); an error here means the console's own
    // server is gone, and retrying with back-off would only delay saying so.
    retry: false,
  });

  const [tone, label]: [Tone, string] = error
    ? ['bad', 'Console server not responding']
    : !data
      ? ['pending', 'Checking…']
      : data.state === 'ok'
        ? ['good', 'Reachable']
        : data.state === 'degraded'
          ? ['warn', 'Answering, but not healthy']
          : ['bad', 'Unreachable'];

  return (
    <section className="rounded-2xl border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-3">
        <div>
          <h2 className="text-base font-semibold">Keyway API</h2>
          <p className="mt-1 text-sm text-zinc-500">
            Checked through the console server every {REFRESH_MS / 1000} seconds.
          </p>
        </div>
        <span
          role="status"
          className={`inline-flex shrink-0 items-center gap-2 rounded-full px-3 py-1 text-sm font-medium ${BADGE[tone]}`}
        >
          <span className={`size-2 rounded-full ${DOT[tone]}`} aria-hidden="true" />
          {label}
        </span>
      </div>

      <dl className="mt-6 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
        <Row term="Address">
          <code className="font-mono text-[0.8125rem]">{data ? `${data.apiUrl}/health` : '…'}</code>
        </Row>
        {data && data.state !== 'unreachable' && <Row term="Latency">{data.latencyMs} ms</Row>}
        {data && data.state !== 'ok' && <Row term="Reason">{data.reason}</Row>}
        {error && <Row term="Reason">{error.message}</Row>}
        {data && <Row term="Last check">{new Date(data.checkedAt).toLocaleTimeString()}</Row>}
      </dl>

      {data?.state === 'ok' && (
        <details className="mt-4 text-sm">
          <summary className="cursor-pointer text-zinc-500 hover:text-zinc-700 dark:hover:text-zinc-300">
            Health report
          </summary>
          <pre className="mt-2 overflow-x-auto rounded-lg bg-zinc-50 p-3 font-mono text-xs dark:bg-zinc-950">
            {JSON.stringify(data.body, null, 2)}
          </pre>
        </details>
      )}

      {data?.state === 'unreachable' && (
        <p className="mt-4 rounded-lg bg-zinc-50 p-3 text-sm text-zinc-600 dark:bg-zinc-950 dark:text-zinc-400">
          Start the API, or point the console at it with <code className="font-mono text-xs">KEYWAY_API_URL</code>.
        </p>
      )}

      <button
        type="button"
        onClick={() => void refetch()}
        disabled={isFetching}
        className="mt-6 rounded-lg bg-indigo-600 px-3.5 py-2 text-sm font-medium text-white shadow-sm transition hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-wait disabled:opacity-60"
      >
        {isFetching ? 'Checking…' : 'Check now'}
      </button>
    </section>
  );
}

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-zinc-500">{term}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </>
  );
}
