'use client';

import { ApplicationView, ApplicationWithSecret } from '@keyway/admin-api';
import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { queryKeys } from '../../lib/admin-types';
import { AdminApiError, ok, type AdminRequestBody } from '@keyway/admin-client';
import { useAdminClient } from '../../lib/console-api';
import { useApplication, useCan } from '../../lib/queries';
import {
  Badge,
  Dialog,
  EmptyState,
  Field,
  formatDate,
  PageHeader,
  QueryError,
  SecretOnce,
  Skeleton,
} from '../common/page-parts';
import { Alert, Button, Card, inputClass } from '../ui';
import {
  clientAuthenticationBody,
  draftOf,
  GRANT_TYPES,
  grantTypesFor,
  TOKEN_EXCHANGE,
  ID_TOKEN_ALGS,
  linesOf,
  urisProblem,
  type GrantType,
} from './application-form';
import { ClientAuthenticationFields } from './client-authentication-fields';
import { ResourceGrantsEditor } from './resource-grants-editor';
import { LoginFlowDesigner } from './login-flow-designer';

const TABS = [
  { id: 'settings', label: 'Settings' },
  { id: 'login-flow', label: 'Login flow' },
  { id: 'authentication', label: 'Client authentication' },
  { id: 'api-access', label: 'API access' },
  { id: 'danger', label: 'Delete' },
] as const;
type Tab = (typeof TABS)[number]['id'];

/** One application: its settings, login flow, secret and deletion, as tabs. */
export function ApplicationDetail({ slug, clientId }: { slug: string; clientId: string }) {
  const application = useApplication(slug, clientId);
  const canWrite = useCan(slug, 'applications.write') === true;
  const [tab, setTab] = useState<Tab>('settings');

  const tabs = TABS.filter(
    (entry) => entry.id === 'settings' || entry.id === 'login-flow' || entry.id === 'api-access' || canWrite,
  ).filter(
    (entry) =>
      (entry.id !== 'authentication' || application.data?.type === 'confidential') &&
      (entry.id !== 'login-flow' || application.data?.grantTypes.includes('authorization_code')) &&
      (entry.id !== 'api-access' || application.data?.grantTypes.includes('client_credentials')),
  );

  function onTabKey(event: KeyboardEvent<HTMLButtonElement>, index: number) {
    const next = event.key === 'ArrowRight' ? index + 1 : event.key === 'ArrowLeft' ? index - 1 : undefined;
    if (next === undefined) return;
    const target = tabs[(next + tabs.length) % tabs.length];
    if (!target) return;
    setTab(target.id);
    document.getElementById(`tab-${target.id}`)?.focus();
  }

  if (application.error instanceof AdminApiError && application.error.status === 404)
    return (
      <EmptyState title="Application not found">
        There is no application <code className="font-mono">{clientId}</code> in this project.{' '}
        <Link href={`/projects/${slug}/applications`} className="font-medium text-indigo-600">
          Back to applications
        </Link>
      </EmptyState>
    );

  return (
    <div className="space-y-6">
      <PageHeader
        crumbs={[
          { href: '/', label: 'Projects' },
          { href: `/projects/${slug}`, label: slug },
          { href: `/projects/${slug}/applications`, label: 'Applications' },
          { label: application.data?.name ?? clientId },
        ]}
        title={application.data?.name ?? (application.isPending ? '…' : clientId)}
        description={<span className="font-mono">{clientId}</span>}
        actions={
          application.data && (
            <>
              <Badge tone="zinc">{application.data.type}</Badge>
              {application.data.appNative && <Badge tone="green">app-native</Badge>}
            </>
          )
        }
      />
      {!canWrite && application.data && (
        <Alert tone="info">You may read this application; changing it needs the applications.write permission.</Alert>
      )}
      {application.isPending && <Skeleton className="h-64" />}
      {application.isError && <QueryError error={application.error} retry={() => void application.refetch()} />}
      {application.data && (
        <>
          <div
            role="tablist"
            aria-label="Application"
            className="flex gap-1 border-b border-zinc-200 dark:border-zinc-800"
          >
            {tabs.map((entry, index) => (
              <button
                key={entry.id}
                id={`tab-${entry.id}`}
                type="button"
                role="tab"
                aria-selected={tab === entry.id}
                aria-controls={`panel-${entry.id}`}
                tabIndex={tab === entry.id ? 0 : -1}
                onClick={() => setTab(entry.id)}
                onKeyDown={(event) => onTabKey(event, index)}
                className="-mb-px border-b-2 border-transparent px-3 py-2 text-sm font-medium text-zinc-500 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-indigo-600 aria-selected:border-indigo-600 aria-selected:text-zinc-900 dark:aria-selected:text-zinc-100"
              >
                {entry.label}
              </button>
            ))}
          </div>
          <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
            {tab === 'settings' && <SettingsTab slug={slug} application={application.data} canWrite={canWrite} />}
            {tab === 'login-flow' && (
              <LoginFlowDesigner slug={slug} application={application.data} canWrite={canWrite} />
            )}
            {tab === 'authentication' && (
              <div className="space-y-6">
                <AuthenticationSettings slug={slug} application={application.data} />
                {application.data.tokenEndpointAuthMethod !== 'private_key_jwt' && (
                  <SecretTab slug={slug} application={application.data} />
                )}
              </div>
            )}
            {tab === 'api-access' && (
              <ResourceGrantsEditor slug={slug} application={application.data} canWrite={canWrite} />
            )}
            {tab === 'danger' && <DeleteTab slug={slug} application={application.data} />}
          </div>
        </>
      )}
    </div>
  );
}

type SettingsField = 'name' | 'redirectUris' | 'postLogoutRedirectUris' | 'grantTypes' | 'backchannelLogoutUri';

function SettingsTab({
  slug,
  application,
  canWrite,
}: {
  slug: string;
  application: ApplicationView;
  canWrite: boolean;
}) {
  const save = useSaveApplication(slug, application.clientId);
  const [name, setName] = useState(application.name);
  const [redirectUris, setRedirectUris] = useState(application.redirectUris.join('\n'));
  const [postLogout, setPostLogout] = useState(application.postLogoutRedirectUris.join('\n'));
  const [grantTypes, setGrantTypes] = useState<GrantType[]>(
    GRANT_TYPES.filter((grant) => application.grantTypes.includes(grant)),
  );
  const [appNative, setAppNative] = useState(application.appNative);
  const [allowEnrollment, setAllowEnrollment] = useState(application.allowEnrollmentInFlow);
  const [idTokenAlg, setIdTokenAlg] = useState(application.idTokenSignedResponseAlg);
  const [backchannel, setBackchannel] = useState(application.backchannelLogoutUri ?? '');
  const [errors, setErrors] = useState<Partial<Record<SettingsField, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [saved, setSaved] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    setFormError(undefined);
    const local: Partial<Record<SettingsField, string>> = {};
    if (!name.trim()) local.name = 'A name is required.';
    // A client that only calls APIs (client_credentials) never redirects a browser.
    local.redirectUris = urisProblem(linesOf(redirectUris), grantTypes.includes('authorization_code'));
    local.postLogoutRedirectUris = urisProblem(linesOf(postLogout), false);
    if (
      backchannel.trim() &&
      !/^(https:\/\/|http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/])\S+$/.test(backchannel.trim())
    )
      local.backchannelLogoutUri = 'Must be an https URL (http only on a loopback address).';
    if (grantTypes.length === 0) local.grantTypes = 'Choose at least one grant type.';
    else if (
      grantTypes.includes('refresh_token') &&
      !grantTypes.includes('authorization_code') &&
      !grantTypes.includes(TOKEN_EXCHANGE)
    )
      local.grantTypes = 'refresh_token needs authorization_code or token exchange.';
    setErrors(local);
    if (Object.values(local).some(Boolean)) return;
    const outcome = await save({
      name: name.trim(),
      redirectUris: linesOf(redirectUris),
      postLogoutRedirectUris: linesOf(postLogout),
      grantTypes,
      appNative,
      allowEnrollmentInFlow: allowEnrollment,
      idTokenSignedResponseAlg: idTokenAlg,
      backchannelLogoutUri: backchannel.trim() || null,
    });
    if (outcome === true) setSaved(true);
    else if (outcome instanceof AdminApiError) {
      const fieldOf = (prefix: string) =>
        outcome.body.fields?.find((entry) => entry.field === prefix || entry.field.startsWith(`${prefix}[`))?.message;
      const byField = {
        name: fieldOf('name'),
        redirectUris: fieldOf('redirectUris'),
        postLogoutRedirectUris: fieldOf('postLogoutRedirectUris'),
        grantTypes: fieldOf('grantTypes'),
        backchannelLogoutUri: fieldOf('backchannelLogoutUri'),
      };
      setErrors(byField);
      if (!Object.values(byField).some(Boolean)) setFormError(outcome.message);
    } else setFormError(outcome);
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Card className="space-y-5 p-6">
        <fieldset disabled={!canWrite} className="space-y-5">
          <Field label="Name" error={errors.name}>
            {(props) => (
              <input {...props} className={inputClass} value={name} onChange={(event) => setName(event.target.value)} />
            )}
          </Field>
          <Field label="Redirect URIs" hint="One a line; needed for authorization_code." error={errors.redirectUris}>
            {(props) => (
              <textarea
                {...props}
                rows={3}
                className={`${inputClass} font-mono`}
                value={redirectUris}
                onChange={(event) => setRedirectUris(event.target.value)}
              />
            )}
          </Field>
          <Field
            label="Post-logout redirect URIs"
            hint="One a line; may be empty."
            error={errors.postLogoutRedirectUris}
          >
            {(props) => (
              <textarea
                {...props}
                rows={2}
                className={`${inputClass} font-mono`}
                value={postLogout}
                onChange={(event) => setPostLogout(event.target.value)}
              />
            )}
          </Field>
          <Field
            label="Back-channel logout URI"
            hint="Optional. When a session this app signed in with ends, Keyway posts a logout token here (OpenID Connect Back-Channel Logout)."
            error={errors.backchannelLogoutUri}
          >
            {(props) => (
              <input
                {...props}
                className={`${inputClass} font-mono`}
                placeholder="https://app.example.com/backchannel-logout"
                value={backchannel}
                onChange={(event) => setBackchannel(event.target.value)}
              />
            )}
          </Field>
          <fieldset aria-describedby={errors.grantTypes ? 'grant-types-error' : undefined}>
            <legend className="text-sm font-medium">Grant types</legend>
            <div className="mt-2 flex flex-wrap gap-4">
              {grantTypesFor(application.type).map((grant) => (
                <label key={grant} className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    checked={grantTypes.includes(grant)}
                    onChange={(event) =>
                      setGrantTypes((current) =>
                        event.target.checked ? [...current, grant] : current.filter((entry) => entry !== grant),
                      )
                    }
                  />
                  <span className="font-mono">{grant}</span>
                </label>
              ))}
            </div>
            {errors.grantTypes && (
              <p id="grant-types-error" className="mt-1 text-sm text-rose-600">
                {errors.grantTypes}
              </p>
            )}
          </fieldset>
          <label className="flex items-start gap-2 text-sm">
            <input
              type="checkbox"
              className="mt-1"
              checked={appNative}
              onChange={(e) => setAppNative(e.target.checked)}
            />
            <span>
              <span className="font-medium">App-native sign-in</span>
              <span className="block text-zinc-500">The app drives the login flow with its own screens (API).</span>
            </span>
          </label>
          <label className="flex items-start gap-2 text-sm">
            <input
              type="checkbox"
              className="mt-1"
              checked={allowEnrollment}
              onChange={(e) => setAllowEnrollment(e.target.checked)}
            />
            <span>
              <span className="font-medium">Allow enrollment in the flow</span>
              <span className="block text-zinc-500">
                A user who lacks a factor a step requires (TOTP) may set it up there instead of failing.
              </span>
            </span>
          </label>
          <Field
            label="ID token signing algorithm"
            hint="id_token_signed_response_alg: the app's OpenID Connect library must expect the same."
          >
            {(props) => (
              <select
                {...props}
                className={inputClass}
                value={idTokenAlg}
                onChange={(event) => setIdTokenAlg(event.target.value as typeof idTokenAlg)}
              >
                {ID_TOKEN_ALGS.map((alg) => (
                  <option key={alg.value} value={alg.value}>
                    {alg.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </fieldset>
        {formError && <Alert tone="error">{formError}</Alert>}
        {saved && <Alert tone="info">Saved.</Alert>}
        {canWrite && (
          <div className="flex justify-end">
            <Button type="submit">Save settings</Button>
          </div>
        )}
      </Card>
    </form>
  );
}

type ApplicationChanges = AdminRequestBody<'/api/admin/v1/projects/{slug}/applications/{clientId}', 'patch'>;

/** PATCH the application; true when saved, else the refusal (or a message when the console was unreachable). */
export function useSaveApplication(slug: string, clientId: string) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  return async (changes: ApplicationChanges): Promise<true | AdminApiError | string> => {
    try {
      const updated = ApplicationView.parse(
        await ok(
          admin.PATCH('/api/admin/v1/projects/{slug}/applications/{clientId}', {
            params: { path: { slug, clientId } },
            body: changes,
          }),
        ),
      );
      queryClient.setQueryData(queryKeys.application(slug, clientId), updated);
      await queryClient.invalidateQueries({ queryKey: queryKeys.applications(slug), exact: true });
      return true;
    } catch (error) {
      return error instanceof AdminApiError ? error : 'The console could not be reached. Try again.';
    }
  };
}

/**
 * The method a confidential client authenticates with, and its keys for private_key_jwt. Moving to private_key_jwt
 * drops the secret; moving back to a secret method needs a rotation (below) before the app can authenticate.
 */
function AuthenticationSettings({ slug, application }: { slug: string; application: ApplicationView }) {
  const save = useSaveApplication(slug, application.clientId);
  const [draft, setDraft] = useState(draftOf(application));
  const [errors, setErrors] = useState<{ jwks?: string; jwksUri?: string }>({});
  const [formError, setFormError] = useState<string>();
  const [saved, setSaved] = useState(false);
  const [switched, setSwitched] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    setFormError(undefined);
    const body = clientAuthenticationBody(draft);
    if ('problem' in body) return setErrors({ [body.field]: body.problem });
    setErrors({});
    const outcome = await save(body.body);
    if (outcome === true) {
      setSaved(true);
      setSwitched(application.tokenEndpointAuthMethod === 'private_key_jwt' && draft.method !== 'private_key_jwt');
    } else if (outcome instanceof AdminApiError && outcome.message.includes('jwks'))
      setErrors({ [draft.keySource]: outcome.message });
    else setFormError(outcome instanceof AdminApiError ? outcome.message : outcome);
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Card className="space-y-5 p-6">
        <ClientAuthenticationFields draft={draft} onChange={setDraft} errors={errors} />
        {formError && <Alert tone="error">{formError}</Alert>}
        {saved && (
          <Alert tone="info">
            {switched ? 'Saved. Rotate the secret below to give the app one: it has none yet.' : 'Saved.'}
          </Alert>
        )}
        <div className="flex justify-end">
          <Button type="submit">Save client authentication</Button>
        </div>
      </Card>
    </form>
  );
}

const GRACE_CHOICES = [
  { seconds: 0, label: 'None: the old secret stops working now' },
  { seconds: 3600, label: 'One hour' },
  { seconds: 86_400, label: 'One day' },
  { seconds: 604_800, label: 'One week' },
];

function SecretTab({ slug, application }: { slug: string; application: ApplicationView }) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const [grace, setGrace] = useState(86_400);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [secret, setSecret] = useState<string>();

  async function rotate() {
    setBusy(true);
    setError(undefined);
    try {
      const rotated = ApplicationWithSecret.parse(
        await ok(
          admin.POST('/api/admin/v1/projects/{slug}/applications/{clientId}/secret', {
            params: { path: { slug, clientId: application.clientId } },
            body: { graceSeconds: grace },
          }),
        ),
      );
      const { clientSecret, ...view } = rotated;
      queryClient.setQueryData(queryKeys.application(slug, application.clientId), view);
      setSecret(clientSecret);
      setConfirming(false);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : 'The secret could not be rotated.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card className="space-y-5 p-6">
      <div>
        <h2 className="text-base font-semibold">Rotate the client secret</h2>
        <p className="mt-1 text-sm text-zinc-500">
          A new secret is made and shown once. The old one keeps working for the grace period, so the app can be
          redeployed with the new one.
        </p>
        {application.previousSecretExpiresAt && (
          <p className="mt-2 text-sm">
            The previous secret is accepted until {formatDate(application.previousSecretExpiresAt)}.
          </p>
        )}
      </div>
      {secret && <SecretOnce label="new client secret" secret={secret} />}
      <Field label="Grace period for the old secret">
        {(props) => (
          <select
            {...props}
            className={inputClass}
            value={grace}
            onChange={(event) => setGrace(Number(event.target.value))}
          >
            {GRACE_CHOICES.map((choice) => (
              <option key={choice.seconds} value={choice.seconds}>
                {choice.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {error && <Alert tone="error">{error}</Alert>}
      <div className="flex justify-end">
        <Button onClick={() => setConfirming(true)}>Rotate secret</Button>
      </div>
      {confirming && (
        <Dialog title="Rotate the client secret?" onClose={() => setConfirming(false)}>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            {grace === 0
              ? 'The current secret stops working at once: the app fails until it has the new one.'
              : `The current secret keeps working for ${GRACE_CHOICES.find((c) => c.seconds === grace)?.label.toLowerCase()}.`}
          </p>
          <div className="mt-6 flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button onClick={() => void rotate()} disabled={busy}>
              {busy ? 'Rotating…' : 'Rotate'}
            </Button>
          </div>
        </Dialog>
      )}
    </Card>
  );
}

function DeleteTab({ slug, application }: { slug: string; application: ApplicationView }) {
  const admin = useAdminClient();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function remove() {
    setBusy(true);
    setError(undefined);
    try {
      await ok(
        admin.DELETE('/api/admin/v1/projects/{slug}/applications/{clientId}', {
          params: { path: { slug, clientId: application.clientId } },
        }),
      );
      queryClient.removeQueries({ queryKey: queryKeys.application(slug, application.clientId) });
      await queryClient.invalidateQueries({ queryKey: queryKeys.applications(slug), exact: true });
      router.push(`/projects/${slug}/applications`);
    } catch (failure) {
      setBusy(false);
      setError(failure instanceof Error ? failure.message : 'The application could not be deleted.');
    }
  }

  return (
    <Card className="space-y-4 border-rose-200 p-6 dark:border-rose-900">
      <h2 className="text-base font-semibold">Delete this application</h2>
      <p className="text-sm text-zinc-500">
        Its users can no longer sign in through it; its refresh tokens stop working. This cannot be undone.
      </p>
      <div className="flex justify-end">
        <Button variant="danger" onClick={() => setConfirming(true)}>
          Delete application
        </Button>
      </div>
      {confirming && (
        <Dialog title={`Delete ${application.name}?`} onClose={() => setConfirming(false)}>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              if (typed === application.clientId) void remove();
            }}
            className="space-y-4"
          >
            <Field label={`Type the client ID (${application.clientId}) to confirm`}>
              {(props) => (
                <input
                  {...props}
                  className={`${inputClass} font-mono`}
                  value={typed}
                  onChange={(event) => setTyped(event.target.value)}
                />
              )}
            </Field>
            {error && <Alert tone="error">{error}</Alert>}
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={() => setConfirming(false)}>
                Cancel
              </Button>
              <Button type="submit" variant="danger" disabled={busy || typed !== application.clientId}>
                {busy ? 'Deleting…' : 'Delete'}
              </Button>
            </div>
          </form>
        </Dialog>
      )}
    </Card>
  );
}
