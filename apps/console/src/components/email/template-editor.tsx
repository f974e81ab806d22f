'use client';

import { EmailTemplate, RenderedEmail } from '@keyway/admin-api';
import { ok } from '@keyway/admin-client';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useAdminClient } from '../../lib/console-api';
import { emailKeys, type TemplateDraft } from '../../lib/queries-email';
import { useDebounced } from '../../lib/use-debounced';
import { Badge, Dialog } from '../common/page-parts';
import { Alert, Button, Card, inputClass, Spinner } from '../ui';
import { kindLabel, localeName, templateErrors, type TemplatePart } from './email-labels';

type Problems = Partial<Record<TemplatePart | 'other', string>>;

/** The API's limits on a template's parts (PUT and preview refuse longer ones). */
const MAX_LENGTH: Record<TemplatePart, number> = { subject: 500, html: 200_000, text: 100_000 };
const PART_LABEL: Record<TemplatePart, string> = { subject: 'Subject', html: 'HTML body', text: 'Text body' };
const PREVIEW_DELAY_MS = 400;

function localProblems(draft: TemplateDraft): Problems {
  const problems: Problems = {};
  for (const part of ['subject', 'html', 'text'] as const) {
    if (!draft[part].trim()) problems[part] = `${PART_LABEL[part]} is required.`;
    else if (draft[part].length > MAX_LENGTH[part])
      problems[part] = `At most ${MAX_LENGTH[part].toLocaleString('en')} characters.`;
  }
  if (!problems.subject && /[\r\n]/.test(draft.subject)) problems.subject = 'The subject must be a single line.';
  return problems;
}

/**
 * One template (a kind in a locale): subject, HTML and text in monospace editors, the kind's variables to
 * insert at the cursor, and beside them the draft as the recipient would see it, rendered by the API with
 * sample values a moment after each change. Template problems (unknown variables, broken tags) show beside
 * the part they are in, as the preview finds them and again on save.
 */
export function TemplateEditor({
  slug,
  template,
  description,
  canWrite,
  onDirtyChange,
}: {
  slug: string;
  template: EmailTemplate;
  description: string | undefined;
  canWrite: boolean;
  onDirtyChange: (dirty: boolean) => void;
}) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const { kind, locale } = template;
  const [shown, setShown] = useState(template);
  const [draft, setDraft] = useState<TemplateDraft>({
    subject: template.subject,
    html: template.html,
    text: template.text,
  });
  const [errors, setErrors] = useState<Problems>({});
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState<'save' | 'reset'>();
  const [confirmingReset, setConfirmingReset] = useState(false);
  const fields = useRef<Partial<Record<TemplatePart, HTMLInputElement | HTMLTextAreaElement | null>>>({});
  const lastFocused = useRef<TemplatePart>('html');

  // The draft as typed now, for a save's answer to compare with what it sent (typing goes on while it is out).
  const current = useRef(draft);
  current.current = draft;

  const dirty = draft.subject !== shown.subject || draft.html !== shown.html || draft.text !== shown.text;
  /** The project's own template in exactly this locale (not a default, not a fallback's). */
  const own = shown.source === 'custom' && shown.resolvedLocale === locale;

  useEffect(() => onDirtyChange(dirty), [dirty, onDirtyChange]);
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const preview = useLivePreview(slug, kind, locale, draft);

  function edit(part: TemplatePart, value: string) {
    setDraft((current) => ({ ...current, [part]: value }));
    setErrors((current) => ({ ...current, [part]: undefined, other: undefined }));
    setNotice(undefined);
  }

  function insert(variable: string) {
    const part = lastFocused.current;
    const element = fields.current[part];
    const token = `{{${variable}}}`;
    const value = draft[part];
    const start = element?.selectionStart ?? value.length;
    const end = element?.selectionEnd ?? start;
    edit(part, `${value.slice(0, start)}${token}${value.slice(end)}`);
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(start + token.length, start + token.length);
    });
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setNotice(undefined);
    const local = localProblems(draft);
    setErrors(local);
    if (Object.values(local).some(Boolean)) return;
    setBusy('save');
    const sent = draft;
    try {
      const saved = EmailTemplate.parse(
        await ok(
          admin.PUT('/api/admin/v1/projects/{slug}/email/templates/{kind}/{locale}', {
            params: { path: { slug, kind, locale } },
            body: sent,
          }),
        ),
      );
      // Other locales that fall back to this one show it now: they are read again when next opened.
      await queryClient.invalidateQueries({ queryKey: emailKeys.kind(slug, kind), refetchType: 'none' });
      queryClient.setQueryData(emailKeys.template(slug, kind, locale), saved);
      await queryClient.invalidateQueries({ queryKey: emailKeys.templates(slug), exact: true });
      setShown(saved);
      // Edits typed while the save was out stay in the draft (and keep it unsaved).
      if (current.current === sent) setDraft({ subject: saved.subject, html: saved.html, text: saved.text });
      setNotice(`Saved. ${kindLabel(kind)} mail in ${localeName(locale)} (${locale}) now uses this template.`);
    } catch (error) {
      setErrors(stillTrue(templateErrors(error), sent, current.current));
    } finally {
      setBusy(undefined);
    }
  }

  async function reset() {
    setBusy('reset');
    try {
      await ok(
        admin.DELETE('/api/admin/v1/projects/{slug}/email/templates/{kind}/{locale}', {
          params: { path: { slug, kind, locale } },
        }),
      );
      await queryClient.invalidateQueries({ queryKey: emailKeys.templates(slug), exact: true });
      // Read again (this one at once): they fall back to another template now.
      await queryClient.invalidateQueries({ queryKey: emailKeys.kind(slug, kind) });
      const fallback = EmailTemplate.parse(queryClient.getQueryData(emailKeys.template(slug, kind, locale)));
      setShown(fallback);
      setDraft({ subject: fallback.subject, html: fallback.html, text: fallback.text });
      setErrors({});
      setConfirmingReset(false);
      setNotice(
        fallback.source === 'default'
          ? `Reset. ${locale} mail uses Keyway’s default${fallback.resolvedLocale === locale ? '' : ` (${fallback.resolvedLocale})`} again.`
          : `Reset. ${locale} mail uses the project’s ${fallback.resolvedLocale} template again.`,
      );
    } catch (error) {
      setConfirmingReset(false);
      setErrors({ other: error instanceof Error ? error.message : 'The template could not be reset.' });
    } finally {
      setBusy(undefined);
    }
  }

  const shownErrors = (part: TemplatePart) => errors[part] ?? preview.problems[part];
  const fieldProps = (part: TemplatePart) => ({
    id: `template-${part}`,
    ref: (element: HTMLInputElement | HTMLTextAreaElement | null) => {
      fields.current[part] = element;
    },
    value: draft[part],
    readOnly: !canWrite,
    spellCheck: false,
    'aria-invalid': Boolean(shownErrors(part)),
    'aria-describedby': shownErrors(part) ? `template-${part}-error` : undefined,
    onFocus: () => {
      lastFocused.current = part;
    },
  });

  return (
    <Card className="p-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-2">
            <h2 className="text-base font-semibold">{kindLabel(kind)}</h2>
            <span className="font-mono text-xs text-zinc-500">{kind}</span>
            <Badge tone="zinc">
              {localeName(locale)} · <span className="ml-1 font-mono">{locale}</span>
            </Badge>
            {own ? <Badge tone="green">Custom</Badge> : <Badge tone="zinc">Default</Badge>}
            {dirty && <Badge tone="amber">Unsaved changes</Badge>}
          </div>
          {description && <p className="mt-1 text-sm text-zinc-500">{description}</p>}
          {shown.resolvedLocale !== locale && (
            <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
              There is no {locale} template yet: {locale} readers get the{' '}
              {shown.source === 'custom' ? 'project’s' : 'default'}{' '}
              <span className="font-mono">{shown.resolvedLocale}</span> one, shown here.
              {canWrite && ` Save to give ${locale} its own.`}
            </p>
          )}
        </div>
        {canWrite && (
          <div className="flex flex-wrap gap-2">
            {dirty && (
              <Button
                variant="ghost"
                onClick={() => {
                  setDraft({ subject: shown.subject, html: shown.html, text: shown.text });
                  setErrors({});
                }}
              >
                Discard changes
              </Button>
            )}
            {own && (
              <Button variant="secondary" onClick={() => setConfirmingReset(true)} disabled={busy !== undefined}>
                Reset to default
              </Button>
            )}
          </div>
        )}
      </div>

      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <form onSubmit={(event) => void save(event)} noValidate className="min-w-0 space-y-4">
          <Part part="subject" error={shownErrors('subject')}>
            <input
              {...fieldProps('subject')}
              className={`${inputClass} font-mono`}
              onChange={(e) => edit('subject', e.target.value)}
            />
          </Part>
          <div>
            <p id="template-variables-label" className="text-sm font-medium">
              Variables
            </p>
            <p className="text-xs text-zinc-500">
              {canWrite
                ? 'Click one to insert it at the cursor. Others are refused.'
                : 'The values this kind of mail can use.'}
            </p>
            <div role="group" aria-labelledby="template-variables-label" className="mt-2 flex flex-wrap gap-1.5">
              {template.variables.map((variable) =>
                canWrite ? (
                  <button
                    key={variable}
                    type="button"
                    aria-label={`Insert ${variable}`}
                    // Keep the focus (and the cursor) in the field being edited.
                    onMouseDown={(event) => event.preventDefault()}
                    onClick={() => insert(variable)}
                    className="rounded-md bg-indigo-50 px-2 py-1 font-mono text-xs text-indigo-700 ring-1 ring-indigo-600/20 ring-inset hover:bg-indigo-100 focus-visible:outline-2 focus-visible:outline-indigo-600 dark:bg-indigo-950 dark:text-indigo-300"
                  >
                    {`{{${variable}}}`}
                  </button>
                ) : (
                  <code
                    key={variable}
                    className="rounded-md bg-zinc-100 px-2 py-1 font-mono text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300"
                  >
                    {`{{${variable}}}`}
                  </code>
                ),
              )}
            </div>
          </div>
          <Part
            part="html"
            error={shownErrors('html')}
            hint="Mustache: {{variable}} is HTML-escaped; {{{…}}} is refused."
          >
            <textarea
              {...fieldProps('html')}
              rows={16}
              className={`${inputClass} font-mono text-xs leading-5`}
              onChange={(e) => edit('html', e.target.value)}
            />
          </Part>
          <Part part="text" error={shownErrors('text')} hint="For mail clients that show no HTML.">
            <textarea
              {...fieldProps('text')}
              rows={8}
              className={`${inputClass} font-mono text-xs leading-5`}
              onChange={(e) => edit('text', e.target.value)}
            />
          </Part>
          {errors.other && <Alert tone="error">{errors.other}</Alert>}
          {notice && <Alert tone="info">{notice}</Alert>}
          {canWrite && (
            <div className="flex justify-end">
              <Button type="submit" disabled={busy !== undefined || (own && !dirty)}>
                {busy === 'save' ? 'Saving…' : own ? 'Save template' : `Save as custom ${locale} template`}
              </Button>
            </div>
          )}
        </form>

        <PreviewPane preview={preview} />
      </div>

      {confirmingReset && (
        <Dialog title="Reset to the default?" onClose={() => setConfirmingReset(false)}>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            The project’s {kindLabel(kind)} template in <span className="font-mono">{locale}</span> is deleted; {locale}{' '}
            mail falls back to the next template (de-CH → de → en; Keyway’s default last). This cannot be undone.
          </p>
          <div className="mt-6 flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setConfirmingReset(false)}>
              Cancel
            </Button>
            <Button variant="danger" onClick={() => void reset()} disabled={busy !== undefined}>
              {busy === 'reset' ? 'Resetting…' : 'Reset to default'}
            </Button>
          </div>
        </Dialog>
      )}
    </Card>
  );
}

function Part({
  part,
  error,
  hint,
  children,
}: {
  part: TemplatePart;
  error: string | undefined;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div>
      <label htmlFor={`template-${part}`} className="block text-sm font-medium">
        {PART_LABEL[part]}
      </label>
      <div className="mt-1.5">{children}</div>
      {hint && !error && <p className="mt-1 text-xs text-zinc-500">{hint}</p>}
      {error && (
        <p id={`template-${part}-error`} className="mt-1 text-sm text-rose-600 dark:text-rose-400">
          {error}
        </p>
      )}
    </div>
  );
}

interface LivePreview {
  /** The latest draft that rendered (kept while a later one is loading or refused). */
  rendered: RenderedEmail | undefined;
  /** Whether `rendered` is the draft as it is now. */
  current: boolean;
  loading: boolean;
  problems: Problems;
}

/**
 * The draft rendered by the API (POST …/preview, sample values) once it has not changed for 400 ms. A request
 * still out when the draft changes again is abandoned; a draft missing a part is not sent.
 */
function useLivePreview(slug: string, kind: string, locale: string, draft: TemplateDraft): LivePreview {
  const admin = useAdminClient();
  const complete = !Object.values(localProblems(draft)).some(Boolean);
  const settled = useDebounced(complete ? JSON.stringify(draft) : '', PREVIEW_DELAY_MS);
  const [state, setState] = useState<{ key: string; rendered?: RenderedEmail; problems: Problems }>({
    key: '',
    problems: {},
  });

  useEffect(() => {
    if (!settled) return;
    const body = JSON.parse(settled) as TemplateDraft;
    const controller = new AbortController();
    void (async () => {
      try {
        const rendered = RenderedEmail.parse(
          await ok(
            admin.POST('/api/admin/v1/projects/{slug}/email/templates/{kind}/{locale}/preview', {
              params: { path: { slug, kind, locale } },
              body,
              signal: controller.signal,
            }),
          ),
        );
        if (!controller.signal.aborted) setState({ key: settled, rendered, problems: {} });
      } catch (error) {
        if (controller.signal.aborted) return;
        setState((previous) => ({ key: settled, rendered: previous.rendered, problems: templateErrors(error) }));
      }
    })();
    return () => controller.abort();
  }, [admin, slug, kind, locale, settled]);

  const now = complete ? JSON.stringify(draft) : '';
  return {
    rendered: state.rendered,
    current: state.key === now && Object.keys(state.problems).length === 0,
    loading: now !== settled || (settled !== '' && state.key !== settled),
    problems: state.key === settled ? state.problems : {},
  };
}

function PreviewPane({ preview }: { preview: LivePreview }) {
  const { rendered } = preview;
  const refused = Object.values(preview.problems).some(Boolean);
  return (
    <section aria-labelledby="template-preview-title" className="min-w-0 space-y-3">
      <div className="flex items-center justify-between gap-2">
        <div>
          <h3 id="template-preview-title" className="text-sm font-medium">
            Preview
          </h3>
          <p className="text-xs text-zinc-500">As a recipient sees it, with sample values.</p>
        </div>
        {preview.loading && <Spinner label="Rendering…" />}
      </div>
      {refused && (
        <Alert tone="error" title="This draft does not render">
          {rendered
            ? 'The preview shows the last draft that did. Fix the problems marked in the editor.'
            : 'Fix the problems marked in the editor.'}
        </Alert>
      )}
      {rendered ? (
        <div className={`space-y-3 ${preview.current ? '' : 'opacity-60'}`} data-testid="template-preview">
          <div className="rounded-lg bg-zinc-50 px-3 py-2 text-sm ring-1 ring-zinc-200 ring-inset dark:bg-zinc-950 dark:ring-zinc-800">
            <span className="text-xs font-medium text-zinc-500 uppercase">Subject</span>
            <p className="font-medium break-words" data-testid="preview-subject">
              {rendered.subject}
            </p>
          </div>
          <iframe
            title="HTML preview"
            sandbox=""
            srcDoc={rendered.html}
            className="h-[26rem] w-full rounded-lg bg-white ring-1 ring-zinc-200 dark:ring-zinc-800"
          />
          <div>
            <p className="text-xs font-medium text-zinc-500 uppercase">Text version</p>
            <pre
              data-testid="preview-text"
              className="mt-1 max-h-64 overflow-auto rounded-lg bg-zinc-50 p-3 font-mono text-xs whitespace-pre-wrap ring-1 ring-zinc-200 ring-inset dark:bg-zinc-950 dark:ring-zinc-800"
            >
              {rendered.text}
            </pre>
          </div>
        </div>
      ) : (
        !refused &&
        (preview.loading ? (
          <div aria-hidden="true" className="h-[26rem] animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-800" />
        ) : (
          <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-500 dark:border-zinc-700">
            Fill in the subject, HTML and text to see the preview.
          </p>
        ))
      )}
    </section>
  );
}

/**
 * A refused save's problems that still hold: those of the parts not edited since it was sent (a part fixed
 * meanwhile is not marked wrong when the late answer comes), and the general one only if nothing changed.
 */
function stillTrue(problems: Problems, sent: TemplateDraft, now: TemplateDraft): Problems {
  const unchanged = (part: TemplatePart) => sent[part] === now[part];
  return {
    ...(problems.subject && unchanged('subject') ? { subject: problems.subject } : {}),
    ...(problems.html && unchanged('html') ? { html: problems.html } : {}),
    ...(problems.text && unchanged('text') ? { text: problems.text } : {}),
    ...(problems.other && sent === now ? { other: problems.other } : {}),
  };
}
