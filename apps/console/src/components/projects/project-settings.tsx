'use client';

import type { ProjectView } from '@keyway/admin-api';
import { AdminApiError } from '@keyway/admin-client';
import { useRouter } from 'next/navigation';
import { useId, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { SYSTEM_PROJECT_SLUG } from '../../lib/admin-types';
import { useCan, useProject } from '../../lib/queries';
import { useProjectActions, type ProjectChanges } from '../../lib/queries-settings';
import { Dialog, EmptyState, Field, PageHeader, QueryError, ReadOnlyValue, Skeleton } from '../common/page-parts';
import { Alert, Button, Card, inputClass } from '../ui';
import { SigningKeysSection } from './signing-keys-section';
import {
  ALL_SETTINGS,
  apiValueOf,
  formValueOf,
  humanDuration,
  keyOf,
  originsProblem,
  problemOf,
  RATE_LIMIT_ROWS,
  sameValue,
  SETTINGS_SECTIONS,
  type FormValue,
  type NumberSetting,
  type Setting,
} from './settings-catalogue';

const NAME_MAX = 200;

/** A project's settings: name, sign-in security, token lifetimes, passkeys, codes, mails, rate limits; deletion. */
export function ProjectSettingsPage({ slug }: { slug: string }) {
  const project = useProject(slug);
  const canWrite = useCan(slug, 'projects.write') === true;
  const canDelete = useCan(slug, 'projects.delete') === true;

  if (project.error instanceof AdminApiError && project.error.status === 404)
    return (
      <EmptyState title="Project not found">
        There is no project <code className="font-mono">{slug}</code>, or you have no access to it.
      </EmptyState>
    );

  return (
    <div className="space-y-6">
      <PageHeader
        crumbs={[{ href: '/', label: 'Projects' }, { href: `/projects/${slug}`, label: slug }, { label: 'Settings' }]}
        title="Settings"
        description="The project's policy. Every setting has a secure default; changes apply to new sign-ins and tokens."
      />
      {!canWrite && project.data && (
        <Alert tone="info">You may read the settings; changing them needs the projects.write permission.</Alert>
      )}
      {project.isPending && <Skeleton className="h-96" />}
      {project.isError && <QueryError error={project.error} retry={() => void project.refetch()} />}
      {project.data && (
        <div className="grid gap-6 lg:grid-cols-[10rem_minmax(0,1fr)]">
          <SectionNav danger={canDelete} />
          <div className="min-w-0 space-y-6">
            <SettingsForm project={project.data} canWrite={canWrite} />
            <SigningKeysSection slug={slug} canWrite={canWrite} />
            {canDelete && <DangerZone project={project.data} />}
          </div>
        </div>
      )}
    </div>
  );
}

type Values = Record<string, FormValue>;

const valuesOf = (project: ProjectView): Values =>
  Object.fromEntries(ALL_SETTINGS.map((setting) => [keyOf(setting), formValueOf(setting, project.settings)]));

/** `settings.webauthn.origins[2]` → the setting `webauthn.origins`, line 3; `name` → the name. */
function fieldOf(apiField: string): { key: string; line?: number } {
  if (!apiField.startsWith('settings.')) return { key: apiField };
  const match = /^(.*?)(?:\[(\d+)\])?$/.exec(apiField.slice('settings.'.length));
  const key = match?.[1] ?? apiField;
  return match?.[2] === undefined ? { key } : { key, line: Number(match[2]) + 1 };
}

/** The control of a setting, found by its key (its id is the label's, from Field). */
const controlOf = (key: string) => document.querySelector<HTMLElement>(`[data-setting="${key}"]`);

function SettingsForm({ project, canWrite }: { project: ProjectView; canWrite: boolean }) {
  const actions = useProjectActions(project.slug);
  const saved = useMemo(() => ({ name: project.name, values: valuesOf(project) }), [project]);
  // Only what the user touched: the rest follows the project as the API has it (a refetch, another tab),
  // and only the touched settings are sent, so a save never puts back values changed elsewhere.
  const [nameEdit, setNameEdit] = useState<string>();
  const [edits, setEdits] = useState<Values>({});
  const name = nameEdit ?? saved.name;
  const values: Values = { ...saved.values, ...edits };
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [formError, setFormError] = useState<ReactNode>();
  const [notice, setNotice] = useState<string>();
  const [saving, setSaving] = useState(false);

  const changed = ALL_SETTINGS.filter(
    (setting) =>
      keyOf(setting) in edits && !sameValue(setting, values[keyOf(setting)] ?? '', saved.values[keyOf(setting)] ?? ''),
  );
  const nameChanged = name.trim() !== saved.name;
  const changeCount = changed.length + (nameChanged ? 1 : 0);

  function set(key: string, value: FormValue) {
    setEdits((current) => ({ ...current, [key]: value }));
    setErrors((current) => ({ ...current, [key]: undefined }));
    setNotice(undefined);
  }

  function validate(): Record<string, string | undefined> {
    const found: Record<string, string | undefined> = {};
    if (!name.trim()) found['name'] = 'A name is required.';
    else if (name.trim().length > NAME_MAX) found['name'] = `At most ${NAME_MAX} characters.`;
    for (const setting of ALL_SETTINGS) {
      const key = keyOf(setting);
      const problem = problemOf(setting, values[key] ?? '', saved.values[key] ?? '');
      if (problem) found[key] = problem;
    }
    if (!found['webauthn.origins'] && !found['webauthn.rpId']) {
      const across = originsProblem(String(values['webauthn.rpId'] ?? ''), String(values['webauthn.origins'] ?? ''));
      if (across) found['webauthn.origins'] = across;
    }
    return found;
  }

  function focusFirst(found: Record<string, string | undefined>) {
    const first = ['name', ...ALL_SETTINGS.map(keyOf)].find((key) => found[key]);
    if (first) controlOf(first)?.focus();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(undefined);
    setFormError(undefined);
    const found = validate();
    setErrors(found);
    if (Object.values(found).some(Boolean)) {
      focusFirst(found);
      return;
    }
    if (changeCount === 0) return;
    const settings: Record<string, unknown> = {};
    for (const setting of changed) {
      let at = settings;
      for (const key of setting.path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
      at[setting.path.at(-1) ?? ''] = apiValueOf(setting, values[keyOf(setting)] ?? '');
    }
    const body = {
      ...(nameChanged ? { name: name.trim() } : {}),
      ...(changed.length ? { settings } : {}),
    } as ProjectChanges;
    setSaving(true);
    try {
      // The cache now holds the project as saved (useProjectActions): the form shows it, nothing edited.
      await actions.update(body);
      setNameEdit(undefined);
      setEdits({});
      setErrors({});
      setNotice(`Settings saved (${changeCount} change${changeCount === 1 ? '' : 's'}).`);
    } catch (error) {
      if (!(error instanceof AdminApiError)) {
        setFormError('The console could not be reached. Check your connection and try again.');
        return;
      }
      const byField: Record<string, string | undefined> = {};
      const elsewhere: string[] = [];
      for (const entry of error.body.fields ?? []) {
        const { key, line } = fieldOf(entry.field);
        const known = key === 'name' || ALL_SETTINGS.some((setting) => keyOf(setting) === key);
        const message = line ? `Line ${line}: ${entry.message}` : entry.message;
        if (known) byField[key] ??= message;
        else elsewhere.push(`${entry.field}: ${entry.message}`);
      }
      setErrors(byField);
      focusFirst(byField);
      if (elsewhere.length || !Object.keys(byField).length)
        setFormError(elsewhere.length ? elsewhere.join('; ') : error.message);
      else setFormError('Not saved: the API refused the values marked below.');
    } finally {
      setSaving(false);
    }
  }

  function reset() {
    setNameEdit(undefined);
    setEdits({});
    setErrors({});
    setFormError(undefined);
    setNotice(undefined);
  }

  const issuerHost = hostOf(project.issuer);
  const placeholders: Record<string, string> = {
    'webauthn.rpId': issuerHost ? `${issuerHost} (from the public URL)` : '',
    'webauthn.rpName': `${project.name} (the project name)`,
    'webauthn.origins': originOf(project.issuer) ? `${originOf(project.issuer)} (from the public URL)` : '',
  };
  const fieldProps = { values, errors, set, canWrite, placeholders, saved: saved.values };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate className="space-y-6" aria-label="Project settings">
      <fieldset disabled={!canWrite || saving} className="min-w-0 space-y-6">
        <Section id="general" title="General" description="How the project is named, and where its apps find it.">
          <Field
            label="Name"
            hint={`Shown in the console and to users (passkey prompts, mails). At most ${NAME_MAX} characters.`}
            error={errors['name']}
          >
            {(props) => (
              <input
                {...props}
                data-setting="name"
                className={inputClass}
                value={name}
                maxLength={NAME_MAX + 50}
                onChange={(event) => {
                  setNameEdit(event.target.value);
                  setErrors((current) => ({ ...current, name: undefined }));
                  setNotice(undefined);
                }}
              />
            )}
          </Field>
          <div className="grid gap-4 sm:grid-cols-2">
            <ReadOnlyValue label="Slug" value={project.slug} hint="The project's id in URLs; it cannot change." />
            <ReadOnlyValue label="Issuer" value={project.issuer} hint="What apps configure as the OIDC issuer." copy />
          </div>
        </Section>

        {SETTINGS_SECTIONS.map((section) => (
          <Section key={section.id} id={section.id} title={section.title} description={section.description}>
            <div
              className={section.settings.every((s) => s.kind === 'number') ? 'grid gap-5 sm:grid-cols-2' : 'space-y-5'}
            >
              {section.settings.map((setting) => (
                <SettingField key={keyOf(setting)} setting={setting} {...fieldProps} />
              ))}
            </div>
          </Section>
        ))}

        <Section
          id="rate-limits"
          title="Rate limits"
          description="Requests allowed per window, over the instance's defaults (KEYWAY_RATE_LIMITS). Left empty, the instance default applies."
        >
          <RateLimitTable {...fieldProps} />
        </Section>
      </fieldset>

      {canWrite && (
        <div className="sticky bottom-4 z-10 rounded-xl border border-zinc-200 bg-white/95 px-4 py-3 shadow-lg backdrop-blur dark:border-zinc-800 dark:bg-zinc-900/95">
          <div className="space-y-3">
            {formError && <Alert tone="error">{formError}</Alert>}
            {notice && <Alert tone="info">{notice}</Alert>}
            <div className="flex flex-wrap items-center justify-end gap-3">
              <p className="mr-auto text-sm text-zinc-500" aria-live="polite">
                {changeCount === 0
                  ? 'No unsaved changes.'
                  : `${changeCount} unsaved change${changeCount === 1 ? '' : 's'}.`}
              </p>
              <Button
                variant="secondary"
                onClick={reset}
                disabled={saving || (changeCount === 0 && !Object.values(errors).some(Boolean))}
              >
                Reset
              </Button>
              <Button type="submit" disabled={saving || changeCount === 0}>
                {saving ? 'Saving…' : 'Save settings'}
              </Button>
            </div>
          </div>
        </div>
      )}
    </form>
  );
}

/** In-page links to the sections, beside them on wide screens. */
function SectionNav({ danger }: { danger: boolean }) {
  return (
    <nav aria-label="Settings sections" className="hidden lg:block">
      <ul className="sticky top-20 space-y-1 text-sm">
        {[
          { id: 'general', title: 'General' },
          ...SETTINGS_SECTIONS,
          { id: 'rate-limits', title: 'Rate limits' },
          { id: 'signing-keys', title: 'Signing keys' },
          ...(danger ? [{ id: 'danger', title: 'Danger zone' }] : []),
        ].map((section) => (
          <li key={section.id}>
            <a
              href={`#section-${section.id}`}
              className="block rounded-md px-2 py-1 text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
            >
              {section.title}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Section({
  id,
  title,
  description,
  children,
}: {
  id: string;
  title: string;
  description: string;
  children: ReactNode;
}) {
  const headingId = useId();
  return (
    <Card className="p-6">
      <section id={`section-${id}`} aria-labelledby={headingId} className="scroll-mt-24 space-y-5">
        <div>
          <h2 id={headingId} className="text-base font-semibold">
            {title}
          </h2>
          <p className="mt-1 text-sm text-zinc-500">{description}</p>
        </div>
        {children}
      </section>
    </Card>
  );
}

interface FieldProps {
  values: Values;
  saved: Values;
  errors: Record<string, string | undefined>;
  set: (key: string, value: FormValue) => void;
  canWrite: boolean;
  placeholders: Record<string, string>;
}

const UNIT_LABEL: Record<NumberSetting['unit'], string> = {
  seconds: 'seconds',
  attempts: 'attempts',
  digits: 'digits',
  codes: 'codes',
  requests: 'requests',
};

function rangeHint(setting: NumberSetting): string {
  const range = `${setting.min.toLocaleString('en')}–${setting.max.toLocaleString('en')} ${UNIT_LABEL[setting.unit]}`;
  return setting.unit === 'seconds' && setting.max >= 120 ? `${range} (up to ${humanDuration(setting.max)})` : range;
}

function SettingField({ setting, values, errors, set, placeholders }: FieldProps & { setting: Setting }) {
  const key = keyOf(setting);
  const value = values[key] ?? '';
  const error = errors[key];
  if (setting.kind === 'boolean')
    return <Switch setting={setting} checked={value === true} onChange={(next) => set(key, next)} />;
  const hint = setting.kind === 'number' ? `${setting.hint} ${rangeHint(setting)}.` : setting.hint;
  return (
    <Field label={setting.label} hint={hint} error={error}>
      {(props) =>
        setting.kind === 'number' ? (
          <NumberInput {...props} setting={setting} value={String(value)} onChange={(next) => set(key, next)} />
        ) : setting.kind === 'lines' ? (
          <textarea
            {...props}
            data-setting={key}
            rows={3}
            className={`${inputClass} font-mono`}
            value={String(value)}
            placeholder={placeholders[key]}
            onChange={(event) => set(key, event.target.value)}
          />
        ) : (
          <input
            {...props}
            data-setting={key}
            className={inputClass}
            value={String(value)}
            placeholder={placeholders[key]}
            onChange={(event) => set(key, event.target.value)}
          />
        )
      }
    </Field>
  );
}

function NumberInput({
  setting,
  value,
  onChange,
  placeholder,
  bare,
  ...props
}: {
  /** Without the unit inside the field (a table's column says it). */
  bare?: boolean;
  id?: string;
  'aria-invalid': boolean;
  'aria-describedby'?: string;
  'aria-label'?: string;
  setting: NumberSetting;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
}) {
  const number = Number(value);
  const human =
    setting.unit === 'seconds' && value.trim() !== '' && Number.isInteger(number) && number >= 60
      ? humanDuration(number)
      : '';
  return (
    <div className="flex items-center gap-2">
      <div className="relative w-40 shrink-0">
        <input
          {...props}
          data-setting={keyOf(setting)}
          type="number"
          inputMode="numeric"
          step={1}
          min={setting.min}
          max={setting.max}
          className={`${inputClass} ${bare ? '' : 'pr-16'} [appearance:textfield] tabular-nums [&::-webkit-inner-spin-button]:appearance-none [&::-webkit-outer-spin-button]:appearance-none`}
          value={value}
          placeholder={placeholder}
          onChange={(event) => onChange(event.target.value)}
        />
        {!bare && (
          <span
            aria-hidden="true"
            className="pointer-events-none absolute inset-y-0 right-3 flex items-center text-xs text-zinc-400"
          >
            {setting.unit === 'seconds' ? 's' : UNIT_LABEL[setting.unit]}
          </span>
        )}
      </div>
      {human && <span className="text-xs text-zinc-500">= {human}</span>}
    </div>
  );
}

function Switch({
  setting,
  checked,
  onChange,
}: {
  setting: Setting;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="flex items-start justify-between gap-4">
      <div>
        <p id={`${id}-label`} className="text-sm font-medium">
          {setting.label}
        </p>
        <p id={`${id}-hint`} className="mt-0.5 text-xs text-zinc-500">
          {setting.hint}
        </p>
      </div>
      <button
        type="button"
        role="switch"
        data-setting={keyOf(setting)}
        aria-checked={checked}
        aria-labelledby={`${id}-label`}
        aria-describedby={`${id}-hint`}
        onClick={() => onChange(!checked)}
        className={`relative inline-flex h-6 w-11 shrink-0 items-center rounded-full transition focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:opacity-60 ${
          checked ? 'bg-indigo-600' : 'bg-zinc-300 dark:bg-zinc-700'
        }`}
      >
        <span
          aria-hidden="true"
          className={`inline-block size-5 rounded-full bg-white shadow transition ${checked ? 'translate-x-5.5' : 'translate-x-0.5'}`}
        />
      </button>
    </div>
  );
}

function RateLimitTable({ values, errors, set, saved }: FieldProps) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Rate limits</caption>
        <thead className="text-xs tracking-wide text-zinc-500 uppercase">
          <tr>
            <th scope="col" className="py-2 pr-4 font-medium">
              Counted
            </th>
            <th scope="col" className="px-2 py-2 font-medium">
              Requests (1–1,000,000)
            </th>
            <th scope="col" className="px-2 py-2 font-medium">
              Window (1–86,400 s)
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {RATE_LIMIT_ROWS.map((row) => {
            const problems = [
              ['Requests', row.limit],
              ['Window', row.window],
            ] as const;
            const said = problems
              .filter(([, setting]) => errors[keyOf(setting)])
              .map(([column, setting]) => `${column}: ${errors[keyOf(setting)]}`);
            const errorId = `rate-limit-${keyOf(row.limit).replace(/\./g, '-')}-error`;
            return (
              <tr key={row.label} className="align-top">
                <th scope="row" className="py-3 pr-4 font-medium">
                  {row.label}
                  {said.length > 0 && (
                    <span id={errorId} className="mt-1 block text-sm font-normal text-rose-600 dark:text-rose-400">
                      {said.join(' ')}
                    </span>
                  )}
                </th>
                {[row.limit, row.window].map((setting) => {
                  const key = keyOf(setting);
                  return (
                    <td key={key} className="px-2 py-2">
                      <NumberInput
                        aria-label={setting.label}
                        aria-invalid={Boolean(errors[key])}
                        {...(errors[key] ? { 'aria-describedby': errorId } : {})}
                        setting={setting}
                        bare
                        value={String(values[key] ?? '')}
                        placeholder={saved[key] === '' ? 'Default' : undefined}
                        onChange={(next) => set(key, next)}
                      />
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function DangerZone({ project }: { project: ProjectView }) {
  const actions = useProjectActions(project.slug);
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const isSystem = project.slug === SYSTEM_PROJECT_SLUG;

  async function remove() {
    setBusy(true);
    setError(undefined);
    try {
      await actions.remove(typed);
      router.push('/');
    } catch (failure) {
      setBusy(false);
      setError(failure instanceof Error ? failure.message : 'The project could not be deleted.');
    }
  }

  return (
    <Card className="border-rose-300 p-6 dark:border-rose-900">
      <section id="section-danger" aria-labelledby="danger-zone-title" className="scroll-mt-24 space-y-4">
        <div>
          <h2 id="danger-zone-title" className="text-base font-semibold text-rose-700 dark:text-rose-400">
            Danger zone
          </h2>
          <p className="mt-1 text-sm text-zinc-500">
            {isSystem
              ? 'The console project cannot be deleted: its users are the people who sign in to this console.'
              : 'Deleting the project deletes everything in it: users, applications, signing keys, sessions, mails and the audit log. Its apps stop signing anyone in. This cannot be undone.'}
          </p>
        </div>
        {!isSystem && (
          <div className="flex justify-end">
            <Button
              variant="danger"
              onClick={() => {
                setTyped('');
                setError(undefined);
                setConfirming(true);
              }}
            >
              Delete project
            </Button>
          </div>
        )}
      </section>
      {confirming && (
        <Dialog title={`Delete ${project.name}?`} onClose={() => setConfirming(false)}>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              if (typed === project.slug) void remove();
            }}
            className="space-y-4"
          >
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              Every user, application and key of <span className="font-medium">{project.name}</span> is deleted with it.
            </p>
            <Field label={`Type the project's slug (${project.slug}) to confirm`}>
              {(props) => (
                <input
                  {...props}
                  className={`${inputClass} font-mono`}
                  value={typed}
                  autoComplete="off"
                  onChange={(event) => setTyped(event.target.value)}
                />
              )}
            </Field>
            {error && <Alert tone="error">{error}</Alert>}
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={() => setConfirming(false)}>
                Cancel
              </Button>
              <Button type="submit" variant="danger" disabled={busy || typed !== project.slug}>
                {busy ? 'Deleting…' : 'Delete project'}
              </Button>
            </div>
          </form>
        </Dialog>
      )}
    </Card>
  );
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
