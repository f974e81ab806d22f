'use client';

import { CreatedApplication } from '@keyway/admin-api';
import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { queryKeys } from '../../lib/admin-types';
import { AdminApiError, ok } from '@keyway/admin-client';
import { useAdminClient } from '../../lib/console-api';
import { useCan } from '../../lib/queries';
import { Field, PageHeader, SecretOnce } from '../common/page-parts';
import { Alert, Button, Card, inputClass } from '../ui';
import {
  clientAuthenticationBody,
  draftOf,
  linesOf,
  PRESETS,
  urisProblem,
  type ClientAuthenticationDraft,
  type Preset,
} from './application-form';
import { ClientAuthenticationFields } from './client-authentication-fields';

type FieldName = 'name' | 'redirectUris' | 'jwks' | 'jwksUri';

/** POST /projects/:slug/applications from a preset; a confidential client's secret is shown here, once. */
export function CreateApplication({ slug }: { slug: string }) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const canWrite = useCan(slug, 'applications.write');
  const [preset, setPreset] = useState<Preset>('native');
  const [name, setName] = useState('');
  const [redirectUris, setRedirectUris] = useState('');
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);
  const [created, setCreated] = useState<CreatedApplication>();
  const [authentication, setAuthentication] = useState<ClientAuthenticationDraft>(draftOf());
  const chosen = PRESETS[preset];

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFormError(undefined);
    const uris = linesOf(redirectUris);
    const local: Partial<Record<FieldName, string>> = {};
    if (!name.trim()) local.name = 'A name is required.';
    else if (name.trim().length > 200) local.name = 'At most 200 characters.';
    const uriProblem = urisProblem(chosen.redirectExample ? uris : [], Boolean(chosen.redirectExample));
    if (uriProblem) local.redirectUris = uriProblem;
    const auth = chosen.type === 'confidential' ? clientAuthenticationBody(authentication) : undefined;
    if (auth && 'problem' in auth) local[auth.field] = auth.problem;
    setErrors(local);
    if (Object.keys(local).length > 0 || (auth && 'problem' in auth)) return;

    setSubmitting(true);
    try {
      const application = CreatedApplication.parse(
        await ok(
          admin.POST('/api/admin/v1/projects/{slug}/applications', {
            params: { path: { slug } },
            body: {
              name: name.trim(),
              type: chosen.type,
              appNative: chosen.appNative,
              redirectUris: chosen.redirectExample ? uris : [],
              ...(chosen.grantTypes ? { grantTypes: chosen.grantTypes } : {}),
              ...(auth ? auth.body : {}),
            },
          }),
        ),
      );
      await queryClient.invalidateQueries({ queryKey: queryKeys.applications(slug) });
      setCreated(application);
    } catch (error) {
      if (!(error instanceof AdminApiError)) {
        setFormError('The console could not be reached. Check your connection and try again.');
      } else {
        const byField: Partial<Record<FieldName, string>> = {
          name: error.fieldMessage('name'),
          redirectUris: error.body.fields?.find((entry) => entry.field.startsWith('redirectUris'))?.message,
        };
        if (byField.name || byField.redirectUris) setErrors(byField);
        else if (error.message.includes('jwks')) setErrors({ [authentication.keySource]: error.message });
        else setFormError(error.message);
      }
    } finally {
      setSubmitting(false);
    }
  }

  const header = (
    <PageHeader
      crumbs={[
        { href: '/', label: 'Projects' },
        { href: `/projects/${slug}`, label: slug },
        { href: `/projects/${slug}/applications`, label: 'Applications' },
        { label: 'New' },
      ]}
      title="Create application"
      description="Pick what kind of app it is: the preset sets its client type and how it signs users in."
    />
  );

  if (created) {
    const href = `/projects/${slug}/applications/${encodeURIComponent(created.clientId)}`;
    return (
      <div className="max-w-2xl space-y-6">
        {header}
        <Card className="space-y-4 p-6">
          <h2 className="text-base font-semibold">{created.name} is ready</h2>
          <dl className="text-sm">
            <dt className="text-zinc-500">Client ID</dt>
            <dd className="font-mono" data-testid="created-client-id">
              {created.clientId}
            </dd>
          </dl>
          {created.clientSecret && <SecretOnce label="client secret" secret={created.clientSecret} />}
          <Link href={href} className="inline-block text-sm font-medium text-indigo-600 hover:text-indigo-500">
            Open the application →
          </Link>
        </Card>
      </div>
    );
  }

  if (canWrite === false)
    return (
      <div className="max-w-2xl space-y-6">
        {header}
        <Alert tone="error" title="You may not create applications here">
          Creating an application needs the applications.write permission in this project.
        </Alert>
      </div>
    );

  return (
    <div className="max-w-2xl space-y-6">
      {header}
      <form onSubmit={(event) => void submit(event)} noValidate>
        <Card className="space-y-6 p-6">
          <fieldset>
            <legend className="text-sm font-medium">Kind of application</legend>
            <div className="mt-2 grid gap-3 sm:grid-cols-2">
              {(Object.keys(PRESETS) as Preset[]).map((key) => (
                <label
                  key={key}
                  className="flex cursor-pointer gap-3 rounded-xl p-3 ring-1 ring-zinc-200 has-checked:ring-2 has-checked:ring-indigo-600 dark:ring-zinc-700"
                >
                  <input
                    type="radio"
                    name="preset"
                    value={key}
                    checked={preset === key}
                    onChange={() => setPreset(key)}
                    className="mt-1"
                  />
                  <span>
                    <span className="block text-sm font-medium">{PRESETS[key].label}</span>
                    <span className="block text-xs text-zinc-500">{PRESETS[key].description}</span>
                    <span className="mt-1 block text-xs text-zinc-500">
                      {PRESETS[key].type}
                      {PRESETS[key].appNative ? ', app-native' : ''}
                    </span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
          <Field label="Name" error={errors.name}>
            {(props) => (
              <input {...props} className={inputClass} value={name} onChange={(event) => setName(event.target.value)} />
            )}
          </Field>
          {chosen.redirectExample ? (
            <Field
              label="Redirect URIs"
              hint={`One a line, e.g. ${chosen.redirectExample}`}
              error={errors.redirectUris}
            >
              {(props) => (
                <textarea
                  {...props}
                  rows={3}
                  className={`${inputClass} font-mono`}
                  placeholder={chosen.redirectExample}
                  value={redirectUris}
                  onChange={(event) => setRedirectUris(event.target.value)}
                />
              )}
            </Field>
          ) : (
            <p className="text-sm text-zinc-500">
              No redirect URIs: it gets tokens for the APIs you grant it on its page (API access), with its secret.
            </p>
          )}
          {chosen.type === 'confidential' && (
            <ClientAuthenticationFields draft={authentication} onChange={setAuthentication} errors={errors} />
          )}
          {formError && <Alert tone="error">{formError}</Alert>}
          <div className="flex justify-end gap-2">
            <Link
              href={`/projects/${slug}/applications`}
              className="rounded-lg px-3.5 py-2 text-sm font-medium text-zinc-600 hover:bg-zinc-100"
            >
              Cancel
            </Link>
            <Button type="submit" disabled={submitting}>
              {submitting ? 'Creating…' : 'Create application'}
            </Button>
          </div>
        </Card>
      </form>
    </div>
  );
}
