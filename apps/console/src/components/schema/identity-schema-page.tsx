'use client';

import type { IdentitySchemaSummary, RegistrationField } from '@keyway/admin-api';
import { AdminApiError } from '@keyway/admin-client';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useCan } from '../../lib/queries';
import { useSchemaActions, useSchemaPreview, useSchemaVersion, useSchemaVersions } from '../../lib/queries-schema';
import { Badge, Dialog, EmptyState, formatDate, PageHeader, QueryError, Skeleton } from '../common/page-parts';
import { Alert, Button, Card, Spinner } from '../ui';
import { JsonEditor, type JsonEditorHandle } from './json-editor';
import { lineOfPath, parseJson } from './json-text';
import { RegistrationPreview } from './registration-preview';
import { useDebounced } from '../../lib/use-debounced';

/** How long typing must pause before the draft is previewed by the API. */
const PREVIEW_DELAY_MS = 400;

/** A problem the API named in the schema (`schema.properties.pin`), with the line it is on in the draft. */
interface SchemaProblem {
  field: string;
  message: string;
  line?: number;
}

/**
 * A project's identity schema: its versions (the default marked), one opened in a JSON editor seeded from the
 * default, and beside it the registration form the schema generates: the API's own fields for a saved
 * version, a live preview (POST …/preview, nothing stored) while a draft is typed. Saved drafts become a new
 * version, optionally the default. Without schemas.write the schema and form are shown, not editable.
 */
export function IdentitySchemaPage({ slug }: { slug: string }) {
  const versions = useSchemaVersions(slug);
  const canWrite = useCan(slug, 'schemas.write') === true;
  const [opened, setOpened] = useState<number>();
  // Kept here: saving opens the new version, which starts a new editor.
  const [notice, setNotice] = useState<string>();
  const defaultVersion = versions.data?.find((version) => version.isDefault)?.version;
  const shown = opened ?? defaultVersion ?? versions.data?.at(-1)?.version;
  const version = useSchemaVersion(slug, shown);

  const projectMissing = versions.error instanceof AdminApiError && versions.error.status === 404;

  return (
    <div className="space-y-6">
      <PageHeader
        crumbs={[
          { href: '/', label: 'Projects' },
          { href: `/projects/${slug}`, label: slug },
          { label: 'Identity schema' },
        ]}
        title="Identity schema"
        description="The traits every identity of this project has (JSON Schema 2020-12), and the registration form they make. New identities are checked against the default version; existing ones keep theirs."
      />
      {!canWrite && versions.data && (
        <Alert tone="info">You may read the schema; changing it needs the schemas.write permission.</Alert>
      )}
      {versions.isPending && <Skeleton className="h-40" />}
      {projectMissing ? (
        <EmptyState title="Project not found">
          There is no project <code className="font-mono">{slug}</code>, or you have no access to its schema.
        </EmptyState>
      ) : (
        versions.isError && <QueryError error={versions.error} retry={() => void versions.refetch()} />
      )}
      {versions.data && versions.data.length === 0 && (
        <EmptyState title="No schema versions">The API lists no identity schema for this project.</EmptyState>
      )}
      {versions.data && versions.data.length > 0 && shown !== undefined && (
        <SchemaWorkspace
          // A new editor per opened version: its draft starts from that version's text.
          key={shown}
          slug={slug}
          versions={versions.data}
          shown={shown}
          version={version}
          canWrite={canWrite}
          notice={notice}
          onNotice={setNotice}
          onOpen={(target) => {
            setNotice(undefined);
            setOpened(target);
          }}
        />
      )}
    </div>
  );
}

function SchemaWorkspace({
  slug,
  versions,
  shown,
  version,
  canWrite,
  notice,
  onNotice,
  onOpen,
}: {
  slug: string;
  versions: IdentitySchemaSummary[];
  shown: number;
  version: ReturnType<typeof useSchemaVersion>;
  canWrite: boolean;
  notice: string | undefined;
  onNotice: (notice: string | undefined) => void;
  onOpen: (version: number) => void;
}) {
  const actions = useSchemaActions(slug);
  const editorId = useId();
  const editor = useRef<JsonEditorHandle>(null);
  const savedText = useMemo(() => (version.data ? JSON.stringify(version.data.schema, null, 2) : ''), [version.data]);
  const [draft, setDraft] = useState<string>();
  const text = draft ?? savedText;
  const dirty = draft !== undefined && draft !== savedText;
  const [makeDefault, setMakeDefault] = useState(false);
  const [busy, setBusy] = useState<'save' | 'default'>();
  const [failure, setFailure] = useState<{ text: string; message: string; problems: SchemaProblem[] }>();
  const [pendingOpen, setPendingOpen] = useState<number>();

  const parsed = useMemo(() => parseJson(text), [text]);
  const schema = parsed.ok && isObject(parsed.value) ? parsed.value : undefined;
  const debouncedText = useDebounced(text, PREVIEW_DELAY_MS);
  const debouncedSchema = useMemo(() => {
    const value = parseJson(debouncedText);
    return value.ok && isObject(value.value) ? value.value : undefined;
  }, [debouncedText]);
  const previewing = dirty && debouncedText !== savedText;
  const preview = useSchemaPreview(slug, debouncedText, previewing ? debouncedSchema : undefined);

  // The last fields the API gave for this draft stay on screen while the draft is broken or the next loads.
  const [lastPreview, setLastPreview] = useState<RegistrationField[]>();
  if (preview.data && !preview.isPlaceholderData && preview.data.fields !== lastPreview)
    setLastPreview(preview.data.fields);

  // Leaving the page with an unsaved draft asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const problemsOf = (error: unknown, forText: string): SchemaProblem[] =>
    error instanceof AdminApiError && error.status === 400
      ? (error.body.fields ?? []).map(({ field, message }) => ({
          field,
          message,
          line: lineOfPath(forText, field, 'schema'),
        }))
      : [];
  const previewProblems =
    previewing && preview.isError && !preview.isFetching ? problemsOf(preview.error, debouncedText) : [];
  const previewFailure =
    previewing && preview.isError && previewProblems.length === 0 ? preview.error.message : undefined;
  // A refused save stays on screen until the draft changes; then the live preview speaks for it again.
  const saveFailure = failure?.text === text ? failure : undefined;
  const problems = saveFailure ? saveFailure.problems : schema ? previewProblems : [];

  const syntaxError = parsed.ok
    ? schema
      ? undefined
      : { message: 'The schema must be a JSON object ({ … }).', line: 1 }
    : {
        message: parsed.line ? `Line ${parsed.line}, column ${parsed.column}: ${parsed.message}` : parsed.message,
        line: parsed.line,
      };
  const markedLines = new Set<number>(
    [syntaxError?.line, ...problems.map((problem) => problem.line)].filter(
      (line): line is number => line !== undefined,
    ),
  );

  const current = versions.find((entry) => entry.version === shown);
  // Until the draft's first preview is in, the version it started from, dimmed.
  const fields = dirty ? (lastPreview ?? version.data?.fields) : version.data?.fields;
  const previewState = !dirty
    ? 'saved'
    : syntaxError
      ? 'broken'
      : !previewing || preview.isFetching
        ? 'updating'
        : problems.length > 0 || previewFailure
          ? 'refused'
          : 'live';

  function open(target: number) {
    if (target === shown) return;
    if (dirty) setPendingOpen(target);
    else onOpen(target);
  }

  async function save() {
    onNotice(undefined);
    setFailure(undefined);
    if (!schema) {
      editor.current?.goToLine(syntaxError?.line ?? 1);
      return;
    }
    setBusy('save');
    try {
      const created = await actions.create(schema, makeDefault);
      onOpen(created.version);
      onNotice(
        `Saved as version ${created.version}${created.isDefault ? ', now the default for new identities' : ''}.`,
      );
    } catch (error) {
      const named = problemsOf(error, text);
      setFailure({
        text,
        message: error instanceof Error ? error.message : 'The console could not be reached. Try again.',
        problems: named,
      });
      const first = named.find((problem) => problem.line !== undefined);
      if (first?.line) editor.current?.goToLine(first.line);
    } finally {
      setBusy(undefined);
    }
  }

  async function setAsDefault(target: number) {
    onNotice(undefined);
    setFailure(undefined);
    setBusy('default');
    try {
      const updated = await actions.makeDefault(target);
      onNotice(`Version ${updated.version} is now the default: new identities are checked against it.`);
    } catch (error) {
      setFailure({
        text,
        message: error instanceof Error ? error.message : 'The console could not be reached. Try again.',
        problems: [],
      });
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <>
      <VersionList
        versions={versions}
        shown={shown}
        canWrite={canWrite}
        busy={busy !== undefined}
        onOpen={open}
        onMakeDefault={(target) => void setAsDefault(target)}
      />
      {notice && <Alert tone="info">{notice}</Alert>}
      {failure && failure.problems.length === 0 && <Alert tone="error">{failure.message}</Alert>}

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <Card className="min-w-0 space-y-4 p-5">
          <div className="flex flex-wrap items-center justify-between gap-3">
            <div className="min-w-0">
              <h2 className="flex items-center gap-2 text-base font-semibold">
                <label htmlFor={editorId}>{dirty ? `Draft based on version ${shown}` : `Version ${shown}`}</label>
                {!dirty && current?.isDefault && <Badge tone="green">Default</Badge>}
                {dirty && <Badge tone="amber">Unsaved</Badge>}
              </h2>
              <p className="mt-0.5 text-xs text-zinc-500">
                {dirty
                  ? 'Saving makes it a new version; version ' + shown + ' stays as it is.'
                  : `Created ${formatDate(current?.createdAt)}. Versions never change once saved: edit to make a new one.`}
              </p>
            </div>
            {canWrite && (
              <div className="flex gap-2">
                <Button
                  variant="ghost"
                  disabled={!schema}
                  onClick={() => setDraft(JSON.stringify(schema, null, 2))}
                  title="Indent the JSON with two spaces"
                >
                  Format
                </Button>
                {dirty && (
                  <Button variant="ghost" onClick={() => setDraft(undefined)}>
                    Discard changes
                  </Button>
                )}
              </div>
            )}
          </div>

          {version.isPending && <Skeleton className="h-96" />}
          {version.isError && <QueryError error={version.error} retry={() => void version.refetch()} />}
          {version.data && (
            <>
              <JsonEditor
                ref={editor}
                id={editorId}
                value={text}
                onChange={setDraft}
                readOnly={!canWrite}
                invalid={Boolean(syntaxError) || problems.length > 0}
                markedLines={markedLines}
                describedBy={`${editorId}-help ${editorId}-problems`}
              />
              <div id={`${editorId}-problems`} aria-live="polite" className="space-y-2">
                {syntaxError && (
                  <p className="text-sm text-rose-600 dark:text-rose-400" data-testid="schema-syntax-error">
                    {syntaxError.message}
                  </p>
                )}
                {problems.length > 0 && (
                  <ProblemList
                    title={saveFailure ? 'Not saved. The API refused the schema:' : 'The API would refuse this schema:'}
                    problems={problems}
                    onGoTo={(line) => editor.current?.goToLine(line)}
                  />
                )}
                {!saveFailure && previewFailure && !syntaxError && (
                  <p className="text-sm text-rose-600 dark:text-rose-400">The preview failed: {previewFailure}</p>
                )}
              </div>
              <SchemaHelp id={`${editorId}-help`} canWrite={canWrite} />
            </>
          )}

          {canWrite && version.data && (
            <div className="flex flex-wrap items-center justify-end gap-4 border-t border-zinc-200 pt-4 dark:border-zinc-800">
              {!dirty && current && !current.isDefault && (
                <Button variant="secondary" disabled={busy !== undefined} onClick={() => void setAsDefault(shown)}>
                  {busy === 'default' ? 'Saving…' : 'Make default'}
                </Button>
              )}
              <label className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={makeDefault}
                  onChange={(event) => setMakeDefault(event.target.checked)}
                />
                Make it the default
              </label>
              <Button
                onClick={() => void save()}
                disabled={!dirty || busy !== undefined}
                title={dirty ? undefined : 'Edit the schema to save a new version'}
              >
                {busy === 'save' ? 'Saving…' : 'Save as new version'}
              </Button>
            </div>
          )}
        </Card>

        <Card className="space-y-3 p-5 lg:sticky lg:top-20 lg:self-start">
          <div className="flex items-center justify-between gap-2">
            <h2 className="text-base font-semibold">Registration form</h2>
            <PreviewState state={previewState} />
          </div>
          <p className="text-xs text-zinc-500">
            {dirty
              ? 'Live preview of the draft, as the API would generate it.'
              : `What version ${shown} asks at sign-up, from the API.`}
          </p>
          {fields ? (
            <div className={previewState === 'saved' || previewState === 'live' ? '' : 'opacity-60'}>
              <RegistrationPreview
                fields={fields}
                label={dirty ? 'Registration form preview (draft)' : `Registration form of version ${shown}`}
              />
            </div>
          ) : version.isPending || previewState === 'updating' ? (
            <Skeleton className="h-64" />
          ) : (
            <p className="text-sm text-zinc-500">Fix the schema to see its form.</p>
          )}
        </Card>
      </div>

      {pendingOpen !== undefined && (
        <Dialog title="Discard the draft?" onClose={() => setPendingOpen(undefined)}>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Opening version {pendingOpen} discards the changes you have not saved.
          </p>
          <div className="mt-6 flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setPendingOpen(undefined)}>
              Keep editing
            </Button>
            <Button
              onClick={() => {
                const target = pendingOpen;
                setPendingOpen(undefined);
                onOpen(target);
              }}
            >
              Discard and open
            </Button>
          </div>
        </Dialog>
      )}
    </>
  );
}

function VersionList({
  versions,
  shown,
  canWrite,
  busy,
  onOpen,
  onMakeDefault,
}: {
  versions: IdentitySchemaSummary[];
  shown: number;
  canWrite: boolean;
  busy: boolean;
  onOpen: (version: number) => void;
  onMakeDefault: (version: number) => void;
}) {
  const newestFirst = [...versions].sort((a, b) => b.version - a.version);
  return (
    <Card className="overflow-hidden">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Identity schema versions</caption>
        <thead className="bg-zinc-50 text-xs tracking-wide text-zinc-500 uppercase dark:bg-zinc-950">
          <tr>
            <th scope="col" className="px-4 py-2.5 font-medium">
              Version
            </th>
            <th scope="col" className="px-4 py-2.5 font-medium">
              Created
            </th>
            <th scope="col" className="px-4 py-2.5 font-medium">
              Status
            </th>
            <th scope="col" className="px-4 py-2.5 text-right font-medium">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {newestFirst.map((entry) => {
            const isShown = entry.version === shown;
            return (
              <tr
                key={entry.version}
                aria-current={isShown ? 'true' : undefined}
                className={isShown ? 'bg-indigo-50/60 dark:bg-indigo-950/40' : ''}
                data-testid={`schema-version-${entry.version}`}
              >
                <th scope="row" className="px-4 py-2.5 font-medium">
                  Version {entry.version}
                </th>
                <td className="px-4 py-2.5 text-zinc-500">{formatDate(entry.createdAt)}</td>
                <td className="px-4 py-2.5">
                  {entry.isDefault ? <Badge tone="green">Default</Badge> : <span className="text-zinc-400">—</span>}
                </td>
                <td className="px-4 py-2.5">
                  <div className="flex justify-end gap-2">
                    {isShown ? (
                      <span className="px-3.5 py-2 text-xs font-medium text-zinc-500">Viewing</span>
                    ) : (
                      <Button variant="ghost" onClick={() => onOpen(entry.version)}>
                        Open<span className="sr-only"> version {entry.version}</span>
                      </Button>
                    )}
                    {canWrite && !entry.isDefault && (
                      <Button variant="secondary" disabled={busy} onClick={() => onMakeDefault(entry.version)}>
                        Make default<span className="sr-only"> (version {entry.version})</span>
                      </Button>
                    )}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Card>
  );
}

function ProblemList({
  title,
  problems,
  onGoTo,
}: {
  title: string;
  problems: SchemaProblem[];
  onGoTo: (line: number) => void;
}) {
  return (
    <div
      role="alert"
      className="rounded-lg border border-rose-200 bg-rose-50 px-3.5 py-3 text-sm text-rose-800 dark:border-rose-900 dark:bg-rose-950 dark:text-rose-200"
      data-testid="schema-problems"
    >
      <p className="font-medium">{title}</p>
      <ul className="mt-1.5 space-y-1">
        {problems.map((problem, index) => (
          <li key={`${problem.field}-${index}`} className="flex flex-wrap items-baseline gap-x-2">
            {problem.line !== undefined && (
              <button
                type="button"
                onClick={() => onGoTo(problem.line ?? 1)}
                className="shrink-0 rounded font-mono text-xs underline decoration-dotted underline-offset-2 hover:text-rose-950 focus-visible:outline-2 focus-visible:outline-rose-600 dark:hover:text-white"
              >
                Line {problem.line}
              </button>
            )}
            <code className="font-mono text-xs">{problem.field}</code>
            <span>{problem.message}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function PreviewState({ state }: { state: 'saved' | 'live' | 'updating' | 'broken' | 'refused' }) {
  switch (state) {
    case 'saved':
      return <Badge tone="zinc">Saved version</Badge>;
    case 'live':
      return <Badge tone="green">Live</Badge>;
    case 'updating':
      return <Spinner label="Updating…" />;
    case 'broken':
      return <Badge tone="red">Invalid JSON</Badge>;
    case 'refused':
      return <Badge tone="red">Schema refused</Badge>;
  }
}

function SchemaHelp({ id, canWrite }: { id: string; canWrite: boolean }) {
  return (
    <details id={id} className="text-xs text-zinc-500">
      <summary className="cursor-pointer font-medium text-zinc-600 dark:text-zinc-400">
        How traits become the form{canWrite ? ' · editor keys' : ''}
      </summary>
      <ul className="mt-2 list-disc space-y-1 pl-5">
        <li>
          Each property of <code className="font-mono">properties</code> is a trait; those listed in{' '}
          <code className="font-mono">required</code> are required at sign-up.
        </li>
        <li>
          Per trait, <code className="font-mono">keyway</code> annotations:{' '}
          <code className="font-mono">credentials.password.identifier</code> (signs in with it; at least one trait),{' '}
          <code className="font-mono">verification.via</code> and <code className="font-mono">recovery.via</code> (email
          or phone), <code className="font-mono">display</code> (label, order, i18nKey, input: text, email, tel, date,
          select, checkbox, number, url, textarea).
        </li>
        <li>
          Without a <code className="font-mono">display.input</code>, the type decides: an enum is a select, a boolean a
          checkbox, a number a number field, format email/date/uri their inputs.
        </li>
        {canWrite && (
          <li>
            Tab indents, Shift+Tab outdents, Enter keeps the indentation. Press Escape, then Tab, to leave the editor.
          </li>
        )}
      </ul>
    </details>
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
