'use client';

import type { EmailTemplateKind } from '@keyway/admin-api';
import { useState, type FormEvent } from 'react';
import { useEmailTemplate, useEmailTemplates } from '../../lib/queries-email';
import { Dialog, EmptyState, Field, QueryError, Skeleton } from '../common/page-parts';
import { Button, Card, inputClass } from '../ui';
import { canonicalLocale, kindDescription, kindLabel, localeName } from './email-labels';
import { TemplateEditor } from './template-editor';

/**
 * The templates: a kind, a locale (the shipped ones, those the project customised in any kind, and any the
 * user adds here), and the editor of that pair. Leaving a draft with unsaved changes asks first.
 */
export function TemplatesPanel({ slug, canWrite }: { slug: string; canWrite: boolean }) {
  const kinds = useEmailTemplates(slug);
  const [selection, setSelection] = useState<{ kind?: string; locale: string }>({ locale: 'en' });
  const [added, setAdded] = useState<string[]>([]);
  const [dirty, setDirty] = useState(false);
  const [leaving, setLeaving] = useState<{ kind: string; locale: string }>();
  const [adding, setAdding] = useState(false);

  if (kinds.isPending) return <Skeleton className="h-96" />;
  if (kinds.isError) return <QueryError error={kinds.error} retry={() => void kinds.refetch()} />;
  if (kinds.data.length === 0) return <EmptyState title="No email templates">This server sends no mail.</EmptyState>;

  const current = kinds.data.find((entry) => entry.kind === selection.kind) ?? kinds.data[0];
  if (!current) return null;
  const locales = projectLocales(kinds.data, added);

  function go(next: { kind: string; locale: string }) {
    if (next.kind === current?.kind && next.locale === selection.locale) return;
    if (dirty) setLeaving(next);
    else {
      setSelection(next);
      setDirty(false);
    }
  }

  return (
    <div className="space-y-4">
      <Card className="flex flex-wrap items-end gap-x-6 gap-y-4 p-4">
        <div className="min-w-64">
          <label htmlFor="email-template-kind" className="block text-sm font-medium">
            Template
          </label>
          <select
            id="email-template-kind"
            className={`${inputClass} mt-1.5`}
            value={current.kind}
            onChange={(event) => go({ kind: event.target.value, locale: selection.locale })}
          >
            {kinds.data.map((entry) => (
              <option key={entry.kind} value={entry.kind}>
                {kindLabel(entry.kind)}
                {entry.customLocales.length > 0 ? ` (custom: ${entry.customLocales.join(', ')})` : ''}
              </option>
            ))}
          </select>
        </div>
        <div role="group" aria-labelledby="email-locale-label" className="min-w-0 flex-1">
          <p id="email-locale-label" className="text-sm font-medium">
            Language
          </p>
          <div className="mt-1.5 flex flex-wrap items-center gap-1.5">
            {locales.map((locale) => {
              const custom = current.customLocales.includes(locale);
              const selected = locale === selection.locale;
              return (
                <button
                  key={locale}
                  type="button"
                  aria-pressed={selected}
                  title={`${localeName(locale)}: ${custom ? 'custom template' : 'Keyway’s default'}`}
                  onClick={() => go({ kind: current.kind, locale })}
                  className={`inline-flex items-center gap-1.5 rounded-lg px-2.5 py-1.5 font-mono text-sm ring-1 ring-inset focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 ${
                    selected
                      ? 'bg-indigo-600 text-white ring-indigo-600'
                      : 'bg-white text-zinc-700 ring-zinc-300 hover:bg-zinc-50 dark:bg-zinc-900 dark:text-zinc-200 dark:ring-zinc-700 dark:hover:bg-zinc-800'
                  }`}
                >
                  {locale}
                  {custom && (
                    <span
                      aria-hidden="true"
                      className={`size-1.5 rounded-full ${selected ? 'bg-white' : 'bg-emerald-500'}`}
                    />
                  )}
                  <span className="sr-only">{custom ? ' (custom)' : ' (default)'}</span>
                </button>
              );
            })}
            {canWrite && (
              <Button variant="ghost" className="px-2.5 py-1.5" onClick={() => setAdding(true)}>
                + Add language
              </Button>
            )}
          </div>
        </div>
        <p className="flex items-center gap-1.5 text-xs text-zinc-500">
          <span aria-hidden="true" className="size-1.5 rounded-full bg-emerald-500" /> customised for this project
        </p>
      </Card>

      <TemplateLoader
        key={`${current.kind}/${selection.locale}`}
        slug={slug}
        kind={current}
        locale={selection.locale}
        canWrite={canWrite}
        onDirtyChange={setDirty}
      />

      {adding && (
        <AddLocaleDialog
          onClose={() => setAdding(false)}
          onAdd={(locale) => {
            setAdding(false);
            setAdded((list) => (list.includes(locale) ? list : [...list, locale]));
            go({ kind: current.kind, locale });
          }}
        />
      )}
      {leaving && (
        <Dialog title="Discard your changes?" onClose={() => setLeaving(undefined)}>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            The {kindLabel(current.kind)} template in <span className="font-mono">{selection.locale}</span> has changes
            that are not saved.
          </p>
          <div className="mt-6 flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setLeaving(undefined)}>
              Keep editing
            </Button>
            <Button
              variant="danger"
              onClick={() => {
                setSelection(leaving);
                setLeaving(undefined);
                setDirty(false);
              }}
            >
              Discard changes
            </Button>
          </div>
        </Dialog>
      )}
    </div>
  );
}

/** The shipped locales, every locale the project customised a template in, and those added on this page. */
function projectLocales(kinds: EmailTemplateKind[], added: string[]): string[] {
  const shipped = [...new Set(kinds.flatMap((entry) => entry.shippedLocales))];
  const custom = kinds.flatMap((entry) => entry.customLocales);
  const others = [...new Set([...custom, ...added])].filter((locale) => !shipped.includes(locale)).sort();
  return [...shipped, ...others];
}

function TemplateLoader({
  slug,
  kind,
  locale,
  canWrite,
  onDirtyChange,
}: {
  slug: string;
  kind: EmailTemplateKind;
  locale: string;
  canWrite: boolean;
  onDirtyChange: (dirty: boolean) => void;
}) {
  const template = useEmailTemplate(slug, kind.kind, locale);
  if (template.isPending) return <Skeleton className="h-[36rem]" />;
  if (template.isError) return <QueryError error={template.error} retry={() => void template.refetch()} />;
  return (
    <TemplateEditor
      slug={slug}
      template={template.data}
      description={kindDescription(kind.kind)}
      canWrite={canWrite}
      onDirtyChange={onDirtyChange}
    />
  );
}

function AddLocaleDialog({ onClose, onAdd }: { onClose: () => void; onAdd: (locale: string) => void }) {
  const [tag, setTag] = useState('');
  const [error, setError] = useState<string>();
  const canonical = tag.trim() ? canonicalLocale(tag) : undefined;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!tag.trim()) return setError('Enter a language tag, e.g. fr or de-CH.');
    if (!canonical) return setError(`'${tag.trim()}' is not a BCP 47 language tag (e.g. fr, pt-BR, de-CH).`);
    // A language already listed is simply selected.
    onAdd(canonical);
  }

  return (
    <Dialog title="Add a language" onClose={onClose}>
      <form onSubmit={submit} noValidate className="space-y-4">
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Mail goes out in the recipient’s language when there is a template for it; until you save one, a language
          falls back (de-CH → de → en).
        </p>
        <Field
          label="Language tag"
          hint={canonical ? `${canonical}: ${localeName(canonical)}` : 'BCP 47, e.g. fr, pt-BR, de-CH.'}
          error={error}
        >
          {(props) => (
            <input
              {...props}
              className={`${inputClass} font-mono`}
              value={tag}
              autoComplete="off"
              spellCheck={false}
              onChange={(event) => {
                setTag(event.target.value);
                setError(undefined);
              }}
            />
          )}
        </Field>
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit">Add language</Button>
        </div>
      </form>
    </Dialog>
  );
}
