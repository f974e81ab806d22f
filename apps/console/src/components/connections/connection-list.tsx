'use client';

import { ConnectionTestView, type ConnectionView } from '@keyway/admin-api';
import { AdminApiError, ok } from '@keyway/admin-client';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useAdminClient } from '../../lib/console-api';
import { useCan } from '../../lib/queries';
import { connectionKeys, useConnections } from '../../lib/queries-connections';
import { Badge, Dialog, EmptyState, Field, PageHeader, QueryError, Skeleton } from '../common/page-parts';
import { Alert, Button, Card, inputClass } from '../ui';

type Preset = ConnectionView['preset'];
type LinkingPolicy = ConnectionView['linkingPolicy'];

/** The preset picker: what each fills in, and what the admin still gives. */
const PRESETS: Record<Preset, { label: string; hint: string }> = {
  google: { label: 'Google', hint: 'Endpoints, scopes and claim mapping are filled in.' },
  apple: { label: 'Apple', hint: 'The client id is the Services ID; the secret is a JWT signed with your team key.' },
  microsoft: { label: 'Microsoft Entra ID', hint: 'Tenant “common” unless you name one.' },
  github: { label: 'GitHub', hint: 'OAuth 2.0: the profile and verified addresses come from the GitHub API.' },
  facebook: { label: 'Facebook', hint: 'OAuth 2.0 with the Graph API.' },
  oidc: { label: 'OpenID Connect', hint: 'Give the discovery URL (or the issuer): the endpoints are read from it.' },
  oauth2: { label: 'OAuth 2.0', hint: 'Give the authorization, token and userinfo endpoints.' },
};

const POLICIES: Record<LinkingPolicy, string> = {
  proof: 'Link after the user proves the existing account',
  'trust-verified-email': 'Link on an address the provider verified',
  never: 'Never link: always a new user',
};

/** The project's connections (GET /projects/:slug/connections): the identity providers its users may sign in with. */
export function ConnectionList({ slug }: { slug: string }) {
  const connections = useConnections(slug);
  const canWrite = useCan(slug, 'connections.write') === true;
  const [editing, setEditing] = useState<ConnectionView | 'new'>();

  return (
    <div className="space-y-6">
      <PageHeader
        crumbs={[
          { href: '/', label: 'Projects' },
          { href: `/projects/${slug}`, label: slug },
          { label: 'Connections' },
        ]}
        title="Connections"
        description="Identity providers your users may sign in with: Google, Apple, Microsoft, GitHub, Facebook, or any OpenID Connect or OAuth 2.0 server."
        actions={canWrite && <Button onClick={() => setEditing('new')}>New connection</Button>}
      />
      {connections.isPending && <Skeleton className="h-40" />}
      {connections.isError && <QueryError error={connections.error} retry={() => void connections.refetch()} />}
      {connections.data?.length === 0 && (
        <EmptyState title="No connections yet">
          {canWrite ? 'Add one from a preset.' : 'Someone with connections.write can add one.'}
        </EmptyState>
      )}
      {connections.data && connections.data.length > 0 && (
        <Card>
          <ul className="divide-y divide-zinc-200 dark:divide-zinc-800" aria-label="Connections">
            {connections.data.map((connection) => (
              <ConnectionRow
                key={connection.id}
                slug={slug}
                connection={connection}
                canWrite={canWrite}
                onEdit={() => setEditing(connection)}
              />
            ))}
          </ul>
        </Card>
      )}
      {editing && (
        <ConnectionDialog
          slug={slug}
          connection={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
        />
      )}
    </div>
  );
}

function ConnectionRow({
  slug,
  connection,
  canWrite,
  onEdit,
}: {
  slug: string;
  connection: ConnectionView;
  canWrite: boolean;
  onEdit: () => void;
}) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const [result, setResult] = useState<ConnectionTestView>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const path = { params: { path: { slug, id: connection.id } } };

  async function test() {
    setBusy(true);
    setError(undefined);
    try {
      setResult(
        ConnectionTestView.parse(await ok(admin.POST('/api/admin/v1/projects/{slug}/connections/{id}/test', path))),
      );
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : 'The test could not run.');
    }
    setBusy(false);
  }

  async function remove() {
    setBusy(true);
    setError(undefined);
    try {
      await ok(admin.DELETE('/api/admin/v1/projects/{slug}/connections/{id}', path));
      await queryClient.invalidateQueries({ queryKey: connectionKeys.list(slug) });
    } catch (failure) {
      setBusy(false);
      setError(failure instanceof Error ? failure.message : 'The connection could not be deleted.');
    }
  }

  return (
    <li className="space-y-3 px-5 py-4">
      <div className="flex items-center justify-between gap-4">
        <span className="min-w-0">
          <span className="block font-medium">{connection.name}</span>
          <span className="block truncate font-mono text-xs text-zinc-500">
            {connection.issuer ?? connection.authorizationUrl}
          </span>
        </span>
        <span className="flex items-center gap-2">
          <Badge tone="zinc">{PRESETS[connection.preset].label}</Badge>
          {canWrite && (
            <>
              <Button variant="secondary" onClick={() => void test()} disabled={busy}>
                Test
              </Button>
              <Button variant="secondary" onClick={onEdit}>
                Edit
              </Button>
              <Button variant="danger" onClick={() => setConfirming(true)}>
                Delete
              </Button>
            </>
          )}
        </span>
      </div>
      {result && (
        <ul aria-label={`Test of ${connection.name}`} className="space-y-1 text-sm">
          {result.checks.map((check) => (
            <li key={check.check} className={check.ok ? 'text-emerald-700' : 'text-rose-600'}>
              {check.ok ? '✓' : '✗'} {check.check}: {check.detail}
            </li>
          ))}
        </ul>
      )}
      {error && <Alert tone="error">{error}</Alert>}
      {confirming && (
        <Dialog title={`Delete ${connection.name}?`} onClose={() => setConfirming(false)}>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Users can no longer sign in with {PRESETS[connection.preset].label} through this connection.
          </p>
          <div className="mt-6 flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button variant="danger" onClick={() => void remove()} disabled={busy}>
              {busy ? 'Deleting…' : 'Delete'}
            </Button>
          </div>
        </Dialog>
      )}
    </li>
  );
}

type FormField =
  | 'name'
  | 'clientId'
  | 'clientSecret'
  | 'scopes'
  | 'tenant'
  | 'discoveryUrl'
  | 'authorizationUrl'
  | 'tokenUrl'
  | 'userinfoUrl';

/** Create (with the preset picker) or edit a connection; the client secret is write-only, as the SMTP password. */
function ConnectionDialog({
  slug,
  connection,
  onClose,
}: {
  slug: string;
  connection: ConnectionView | undefined;
  onClose: () => void;
}) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const [preset, setPreset] = useState<Preset>(connection?.preset ?? 'google');
  const [values, setValues] = useState<Record<FormField, string>>({
    name: connection?.name ?? '',
    clientId: connection?.clientId ?? '',
    clientSecret: '',
    scopes: connection?.scopes.join(' ') ?? '',
    tenant: '',
    discoveryUrl: connection?.discoveryUrl ?? '',
    authorizationUrl: connection?.authorizationUrl ?? '',
    tokenUrl: connection?.tokenUrl ?? '',
    userinfoUrl: connection?.userinfoUrl ?? '',
  });
  const [linkingPolicy, setLinkingPolicy] = useState<LinkingPolicy>(connection?.linkingPolicy ?? 'proof');
  const [removeSecret, setRemoveSecret] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<FormField, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (field: FormField) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [field]: event.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFormError(undefined);
    setErrors({});
    const given = (field: FormField) => (values[field].trim() ? { [field]: values[field].trim() } : {});
    const scopes = values.scopes.split(/\s+/).filter(Boolean);
    const endpoints = {
      ...(preset === 'microsoft' ? given('tenant') : {}),
      ...(preset === 'oidc' ? given('discoveryUrl') : {}),
      ...(preset === 'oauth2' ? { ...given('authorizationUrl'), ...given('tokenUrl'), ...given('userinfoUrl') } : {}),
    };
    // Omitted, the stored secret is kept; null removes it.
    const secret = removeSecret
      ? { clientSecret: null }
      : values.clientSecret
        ? { clientSecret: values.clientSecret }
        : {};
    setBusy(true);
    try {
      if (connection)
        await ok(
          admin.PATCH('/api/admin/v1/projects/{slug}/connections/{id}', {
            params: { path: { slug, id: connection.id } },
            body: { clientId: values.clientId.trim(), scopes, linkingPolicy, ...secret, ...endpoints },
          }),
        );
      else
        await ok(
          admin.POST('/api/admin/v1/projects/{slug}/connections', {
            params: { path: { slug } },
            body: {
              name: values.name.trim(),
              preset,
              clientId: values.clientId.trim(),
              linkingPolicy,
              ...(scopes.length ? { scopes } : {}),
              ...secret,
              ...endpoints,
            },
          }),
        );
      await queryClient.invalidateQueries({ queryKey: connectionKeys.list(slug) });
      onClose();
    } catch (error) {
      setBusy(false);
      if (!(error instanceof AdminApiError)) setFormError('The console could not be reached. Try again.');
      else {
        const fields = [
          'name',
          'clientId',
          'clientSecret',
          'scopes',
          'tenant',
          'discoveryUrl',
          'authorizationUrl',
          'tokenUrl',
          'userinfoUrl',
        ] as const;
        const byField = Object.fromEntries(
          fields.flatMap((field) => {
            const message = error.fieldMessage(field);
            return message ? [[field, message]] : [];
          }),
        );
        setErrors(byField);
        if (!Object.keys(byField).length) setFormError(error.message);
      }
    }
  }

  const text = (field: FormField, label: string, hint?: string, mono = false) => (
    <Field label={label} {...(hint ? { hint } : {})} {...(errors[field] ? { error: errors[field] } : {})}>
      {(props) => (
        <input
          {...props}
          className={`${inputClass}${mono ? ' font-mono' : ''}`}
          value={values[field]}
          onChange={set(field)}
        />
      )}
    </Field>
  );

  return (
    <Dialog title={connection ? `Edit ${connection.name}` : 'New connection'} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate className="space-y-4">
        {!connection && (
          <>
            <Field label="Provider" hint={PRESETS[preset].hint}>
              {(props) => (
                <select
                  {...props}
                  className={inputClass}
                  value={preset}
                  onChange={(event) => setPreset(event.target.value as Preset)}
                >
                  {Object.entries(PRESETS).map(([value, { label }]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {text('name', 'Name', 'Lower-case letters, digits and -: it cannot be changed later.', true)}
          </>
        )}
        {text('clientId', 'Client id', undefined, true)}
        <Field
          label="Client secret"
          hint={
            connection?.clientSecretSet
              ? 'A secret is set; it is never shown. Type a new one to replace it.'
              : 'Encrypted at rest and never shown again.'
          }
          {...(errors.clientSecret ? { error: errors.clientSecret } : {})}
        >
          {(props) => (
            <input
              {...props}
              type="password"
              autoComplete="new-password"
              className={inputClass}
              value={values.clientSecret}
              disabled={removeSecret}
              onChange={set('clientSecret')}
            />
          )}
        </Field>
        {connection?.clientSecretSet && (
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={removeSecret} onChange={(event) => setRemoveSecret(event.target.checked)} />
            Remove the secret
          </label>
        )}
        {preset === 'microsoft' && text('tenant', 'Tenant', 'A tenant id or domain; empty: common.', true)}
        {preset === 'oidc' && text('discoveryUrl', 'Discovery URL or issuer', undefined, true)}
        {preset === 'oauth2' && (
          <>
            {text('authorizationUrl', 'Authorization endpoint', undefined, true)}
            {text('tokenUrl', 'Token endpoint', undefined, true)}
            {text('userinfoUrl', 'Userinfo endpoint', undefined, true)}
          </>
        )}
        {text(
          'scopes',
          'Scopes',
          connection ? 'Separated by spaces.' : "Separated by spaces; empty: the provider's defaults.",
          true,
        )}
        <Field label="Linking to existing users">
          {(props) => (
            <select
              {...props}
              className={inputClass}
              value={linkingPolicy}
              onChange={(event) => setLinkingPolicy(event.target.value as LinkingPolicy)}
            >
              {Object.entries(POLICIES).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {formError && <Alert tone="error">{formError}</Alert>}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={busy}>
            {busy ? 'Saving…' : connection ? 'Save' : 'Create connection'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
