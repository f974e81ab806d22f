'use client';

import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useId, useState, type FormEvent } from 'react';
import { ProjectView } from '@keyway/admin-api';
import { queryKeys } from '../../lib/admin-types';
import { AdminApiError, ok } from '@keyway/admin-client';
import { useAdminClient } from '../../lib/console-api';
import { useCaller } from '../../lib/queries';
import { Alert, Button, Card, inputClass } from '../ui';

type Field = 'slug' | 'name';

/** A slug from a name: what the API accepts (lowercase letters, digits, inner hyphens, at most 63). */
function slugOf(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** POST /api/admin/v1/projects {slug, name}; the API's complaints are shown beside the field they are about. */
export function CreateProjectForm() {
  const admin = useAdminClient();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { data: caller } = useCaller();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string>();
  const ids = { name: useId(), slug: useId() };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitting(true);
    setFieldErrors({});
    setFormError(undefined);
    try {
      const project = ProjectView.parse(await ok(admin.POST('/api/admin/v1/projects', { body: { slug, name } })));
      await queryClient.invalidateQueries({ queryKey: queryKeys.me });
      router.push(`/projects/${project.slug}`);
    } catch (error) {
      setSubmitting(false);
      if (!(error instanceof AdminApiError)) {
        setFormError('The console could not be reached. Check your connection and try again.');
        return;
      }
      const byField = { slug: error.fieldMessage('slug'), name: error.fieldMessage('name') };
      // A taken or reserved slug is a conflict about the slug, though the API names no field for it.
      if (error.status === 409) byField.slug = error.message;
      if (byField.slug || byField.name) setFieldErrors(byField);
      else setFormError(error.message);
    }
  }

  if (caller && !caller.instanceOwner)
    return (
      <Alert tone="error" title="Only an owner of this instance may create projects">
        Ask an instance owner to create the project and invite you to it.
      </Alert>
    );

  return (
    <div className="max-w-2xl">
      <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
        <Link href="/" className="hover:text-zinc-900 dark:hover:text-zinc-100">
          Projects
        </Link>{' '}
        / <span aria-current="page">New</span>
      </nav>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Create project</h1>
      <p className="mt-1 text-sm text-zinc-500">
        A project gets its own issuer, signing keys and default identity schema. You become its owner.
      </p>

      <Card className="mt-6 p-6">
        <form onSubmit={(event) => void submit(event)} className="space-y-5" aria-label="Create project">
          {formError && <Alert tone="error">{formError}</Alert>}
          <TextField
            id={ids.name}
            label="Name"
            hint="Shown to your team in the console, and to users on passkey prompts."
            value={name}
            error={fieldErrors.name}
            onChange={(value) => {
              setName(value);
              if (!slugEdited) setSlug(slugOf(value));
            }}
            autoFocus
            maxLength={200}
          />
          <TextField
            id={ids.slug}
            label="Slug"
            hint="Part of the issuer URL (…/t/<slug>); it cannot be changed later."
            value={slug}
            error={fieldErrors.slug}
            onChange={(value) => {
              setSlug(value);
              setSlugEdited(true);
            }}
            mono
            maxLength={63}
          />
          <div className="flex items-center justify-end gap-3">
            <Link href="/" className="text-sm font-medium text-zinc-600 hover:text-zinc-900 dark:text-zinc-400">
              Cancel
            </Link>
            <Button type="submit" disabled={submitting}>
              {submitting ? 'Creating…' : 'Create project'}
            </Button>
          </div>
        </form>
      </Card>
    </div>
  );
}

function TextField({
  id,
  label,
  hint,
  value,
  error,
  onChange,
  autoFocus,
  mono = false,
  maxLength,
}: {
  id: string;
  label: string;
  hint: string;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
  autoFocus?: boolean;
  mono?: boolean;
  maxLength: number;
}) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <input
        id={id}
        name={label.toLowerCase()}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        autoFocus={autoFocus}
        maxLength={maxLength}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        className={`mt-1.5 ${inputClass} ${mono ? 'font-mono' : ''}`}
      />
      <p id={`${id}-hint`} className="mt-1.5 text-xs text-zinc-500">
        {hint}
      </p>
      {error && (
        <p id={`${id}-error`} role="alert" className="mt-1 text-sm text-rose-700 dark:text-rose-300">
          {label} {error}
        </p>
      )}
    </div>
  );
}
