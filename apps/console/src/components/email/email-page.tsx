'use client';

import { useState, type KeyboardEvent } from 'react';
import { useCan } from '../../lib/queries';
import { PageHeader } from '../common/page-parts';
import { Alert } from '../ui';
import { OutboxPanel } from './outbox-panel';
import { SmtpPanel } from './smtp-panel';
import { TemplatesPanel } from './templates-panel';

const TABS = [
  { id: 'templates', label: 'Templates' },
  { id: 'smtp', label: 'SMTP' },
  { id: 'outbox', label: 'Outbox' },
] as const;
type Tab = (typeof TABS)[number]['id'];

/** A project's mail: what it says (templates per kind and locale), how it leaves (SMTP) and what became of it. */
export function EmailPage({ slug }: { slug: string }) {
  const writable = useCan(slug, 'email.write');
  const canWrite = writable === true;
  const [tab, setTab] = useState<Tab>('templates');
  // The outbox lists recipients: the API shows it to those who may change the mail settings only.
  const tabs = TABS.filter((entry) => entry.id !== 'outbox' || canWrite);

  function onTabKey(event: KeyboardEvent<HTMLButtonElement>, index: number) {
    const next =
      event.key === 'ArrowRight'
        ? index + 1
        : event.key === 'ArrowLeft'
          ? index - 1
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? tabs.length - 1
              : undefined;
    if (next === undefined) return;
    event.preventDefault();
    const target = tabs[(next + tabs.length) % tabs.length];
    if (!target) return;
    setTab(target.id);
    document.getElementById(`email-tab-${target.id}`)?.focus();
  }

  return (
    <div className="space-y-6">
      <PageHeader
        crumbs={[{ href: '/', label: 'Projects' }, { href: `/projects/${slug}`, label: slug }, { label: 'Email' }]}
        title="Email"
        description="The mail Keyway sends for this project: what it says in each language, the server it leaves through, and what became of it."
      />
      {writable === false && (
        <Alert tone="info">
          You may read the templates and SMTP settings; changing them, sending a test mail and seeing the outbox need
          the email.write permission.
        </Alert>
      )}
      <div role="tablist" aria-label="Email" className="flex gap-1 border-b border-zinc-200 dark:border-zinc-800">
        {tabs.map((entry, index) => (
          <button
            key={entry.id}
            id={`email-tab-${entry.id}`}
            type="button"
            role="tab"
            aria-selected={tab === entry.id}
            aria-controls={`email-panel-${entry.id}`}
            tabIndex={tab === entry.id ? 0 : -1}
            onClick={() => setTab(entry.id)}
            onKeyDown={(event) => onTabKey(event, index)}
            className="-mb-px border-b-2 border-transparent px-3 py-2 text-sm font-medium text-zinc-500 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-indigo-600 aria-selected:border-indigo-600 aria-selected:text-zinc-900 dark:hover:text-zinc-100 dark:aria-selected:text-zinc-100"
          >
            {entry.label}
          </button>
        ))}
      </div>
      {/* Every panel stays mounted: a draft in the template editor survives a look at the outbox. */}
      <div
        role="tabpanel"
        id="email-panel-templates"
        aria-labelledby="email-tab-templates"
        hidden={tab !== 'templates'}
      >
        <TemplatesPanel slug={slug} canWrite={canWrite} />
      </div>
      <div role="tabpanel" id="email-panel-smtp" aria-labelledby="email-tab-smtp" hidden={tab !== 'smtp'}>
        <SmtpPanel slug={slug} canWrite={canWrite} onShowOutbox={() => setTab('outbox')} />
      </div>
      {canWrite && (
        <div role="tabpanel" id="email-panel-outbox" aria-labelledby="email-tab-outbox" hidden={tab !== 'outbox'}>
          <OutboxPanel slug={slug} />
        </div>
      )}
    </div>
  );
}
