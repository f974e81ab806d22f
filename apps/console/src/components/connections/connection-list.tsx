'use client';

import { ConnectionDeletionView, ConnectionTestView, type ConnectionView } from '@keyway/admin-api';
import { AdminApiError, ok } from '@keyway/admin-client';
import { useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useAdminClient } from '../../lib/console-api';
import { useApplications, useCan, useProject } from '../../lib/queries';
import { connectionKeys, useConnections } from '../../lib/queries-connections';
import { useIdentitySchema } from '../../lib/queries-users';
import {
  Badge,
  Dialog,
  EmptyState,
  Field,
  PageHeader,
  QueryError,
  ReadOnlyValue,
  Skeleton,
} from '../common/page-parts';
import { Alert, Button, Card, inputClass } from '../ui';

type Preset = ConnectionView['preset'];
type LinkingPolicy = ConnectionView['linkingPolicy'];
type Mode = ConnectionView['applications'][number]['mode'];

const MODES: Record<Mode, string> = {
  native: 'Native (SDK in the app)',
  redirect: 'Redirect (browser)',
  both: 'Native and redirect',
};

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
  const project = useProject(slug);
  const canWrite = useCan(slug, 'connections.write') === true;
  const [editing, setEditing] = useState<ConnectionView | 'new'>();
  const [deleted, setDeleted] = useState<string>();

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
      {deleted && <Alert tone="info">{deleted}</Alert>}
      {project.data && (
        <Card>
          <ReadOnlyValue
            label="Redirect URI to register at each provider"
            value={`${project.data.issuer}/ui/federation/callback`}
            hint="Where providers send users back in the hosted login. For app-native redirect mode, register your apps' own redirect URIs there too (docs/federation.md)."
            copy
          />
        </Card>
      )}
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
                onDeleted={setDeleted}
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
  onDeleted,
}: {
  slug: string;
  connection: ConnectionView;
  canWrite: boolean;
  onEdit: () => void;
  onDeleted: (notice: string) => void;
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
      const deletion = ConnectionDeletionView.parse(
        await ok(admin.DELETE('/api/admin/v1/projects/{slug}/connections/{id}', path)),
      );
      onDeleted(deletionNotice(connection.name, deletion));
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
            Users can no longer sign in with {PRESETS[connection.preset].label} through this connection. Every
            user&apos;s linked account at it is removed too; users who signed in only with it are left without a way to
            sign in until they recover their account.
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
  const [audiences, setAudiences] = useState(connection?.allowedAudiences.join('\n') ?? '');
  // Empty on a new connection: the preset's own mapping is used.
  const [mapping, setMapping] = useState<MappingRow[]>(
    Object.entries(connection?.claimMapping ?? {}).map(([claim, trait]) => ({ claim, trait })),
  );
  const [trustEmail, setTrustEmail] = useState<boolean | undefined>(connection?.trustEmailVerified);
  const [offeredOn, setOfferedOn] = useState<Map<string, Mode>>(
    new Map(connection?.applications.map(({ clientId, mode }) => [clientId, mode]) ?? []),
  );
  const applications = useApplications(slug);
  const canReadSchemas = useCan(slug, 'schemas.read') === true;
  const schema = useIdentitySchema(slug, 'default', canReadSchemas);
  const traits = [...new Set(schema.data?.fields.map((field) => field.trait) ?? [])];
  const [removeSecret, setRemoveSecret] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<FormField | ListField, string>>>({});
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
    const allowedAudiences = audiences.split(/[\s,]+/).filter(Boolean);
    const rows = mapping.filter((row) => row.claim.trim() || row.trait.trim());
    const claimMapping = Object.fromEntries(rows.map((row) => [row.claim.trim(), row.trait.trim()]));
    const settings = {
      allowedAudiences,
      applications: [...offeredOn].map(([clientId, mode]) => ({ clientId, mode })),
      // A new connection without rows takes the preset's mapping; an edited one says what it wants.
      ...(connection || rows.length ? { claimMapping } : {}),
      ...(trustEmail !== undefined ? { trustEmailVerified: trustEmail } : {}),
    };
    setBusy(true);
    try {
      if (connection)
        await ok(
          admin.PATCH('/api/admin/v1/projects/{slug}/connections/{id}', {
            params: { path: { slug, id: connection.id } },
            body: { clientId: values.clientId.trim(), scopes, linkingPolicy, ...settings, ...secret, ...endpoints },
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
              ...settings,
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
          'claimMapping',
          'allowedAudiences',
          'applications',
          'trustEmailVerified',
          'linkingPolicy',
        ] as const;
        // Every message of a field (a mapping may name several unknown traits), and nested paths under their field.
        const byField = Object.fromEntries(
          fields.flatMap((field) => {
            const messages = (error.body.fields ?? [])
              .filter((entry) => entry.field === field || entry.field.startsWith(`${field}.`))
              .map((entry) => entry.message);
            return messages.length ? [[field, messages.join('; ')]] : [];
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
        <Field
          label="Allowed audiences"
          hint="Further client ids whose ID tokens are accepted (the iOS and Android apps'): one a line."
          {...(errors.allowedAudiences ? { error: errors.allowedAudiences } : {})}
        >
          {(props) => (
            <textarea
              {...props}
              rows={2}
              className={`${inputClass} font-mono`}
              value={audiences}
              onChange={(event) => setAudiences(event.target.value)}
            />
          )}
        </Field>
        <ClaimMapping
          rows={mapping}
          traits={traits}
          onChange={setMapping}
          error={errors.claimMapping}
          hint={
            connection
              ? undefined
              : "Empty: the provider's usual claims (email, name) go to the traits of the same name."
          }
        />
        <fieldset>
          <legend className="text-sm font-medium">Applications</legend>
          <p className="mt-1 text-xs text-zinc-500">Where the connection is offered, and how.</p>
          {applications.isError && (
            <p className="mt-2 text-sm text-zinc-500">The applications could not be read (applications.read).</p>
          )}
          {applications.data?.length === 0 && <p className="mt-2 text-sm text-zinc-500">No applications yet.</p>}
          <ul className="mt-2 space-y-2" aria-label="Applications">
            {applications.data?.map((application) => {
              const mode = offeredOn.get(application.clientId);
              const toggle = (on: boolean) =>
                setOfferedOn((current) => {
                  const next = new Map(current);
                  if (on) next.set(application.clientId, 'both');
                  else next.delete(application.clientId);
                  return next;
                });
              return (
                <li key={application.clientId} className="flex items-center justify-between gap-3 text-sm">
                  <label className="flex min-w-0 items-center gap-2">
                    <input
                      type="checkbox"
                      checked={mode !== undefined}
                      onChange={(event) => toggle(event.target.checked)}
                    />
                    <span className="truncate">
                      {application.name} <span className="font-mono text-xs text-zinc-500">{application.clientId}</span>
                    </span>
                  </label>
                  {mode !== undefined && (
                    <select
                      aria-label={`Mode for ${application.clientId}`}
                      className={`${inputClass} w-auto`}
                      value={mode}
                      onChange={(event) =>
                        setOfferedOn((current) =>
                          new Map(current).set(application.clientId, event.target.value as Mode),
                        )
                      }
                    >
                      {Object.entries(MODES).map(([value, label]) => (
                        <option key={value} value={value}>
                          {label}
                        </option>
                      ))}
                    </select>
                  )}
                </li>
              );
            })}
          </ul>
          {errors.applications && <p className="mt-1 text-xs text-rose-600">{errors.applications}</p>}
        </fieldset>
        <div>
          <label className="flex items-center gap-2 text-sm font-medium">
            <input
              type="checkbox"
              aria-describedby="trust-email-hint"
              checked={trustEmail ?? connection?.trustEmailVerified ?? false}
              onChange={(event) => setTrustEmail(event.target.checked)}
            />
            Trust email_verified
          </label>
          <p id="trust-email-hint" className="mt-1 text-xs text-zinc-500">
            {connection ? '' : "Untouched: the preset's default. "}Only then does an address the provider calls verified
            count as verified here, or link to an existing user by the policy below.
          </p>
        </div>
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

type ListField = 'claimMapping' | 'allowedAudiences' | 'applications' | 'trustEmailVerified' | 'linkingPolicy';

interface MappingRow {
  claim: string;
  trait: string;
}

/**
 * Claim → trait rows. The traits of the project's default schema are suggested (a datalist: a trait the schema
 * lacks can still be typed, and the server says so beside the mapping).
 */
function ClaimMapping({
  rows,
  traits,
  onChange,
  error,
  hint,
}: {
  rows: MappingRow[];
  traits: string[];
  onChange: (rows: MappingRow[]) => void;
  error: string | undefined;
  hint: string | undefined;
}) {
  const listId = useId();
  const set = (index: number, change: Partial<MappingRow>) =>
    onChange(rows.map((row, at) => (at === index ? { ...row, ...change } : row)));
  return (
    <fieldset aria-describedby={error ? `${listId}-error` : undefined}>
      <legend className="text-sm font-medium">Claim mapping</legend>
      {hint && <p className="mt-1 text-xs text-zinc-500">{hint}</p>}
      <datalist id={listId}>
        {traits.map((trait) => (
          <option key={trait} value={trait} />
        ))}
      </datalist>
      <ul className="mt-2 space-y-2" aria-label="Claim mapping">
        {rows.map((row, index) => (
          <li key={index} className="flex items-center gap-2">
            <input
              aria-label={`Claim ${index + 1}`}
              placeholder="claim"
              className={`${inputClass} font-mono`}
              value={row.claim}
              onChange={(event) => set(index, { claim: event.target.value })}
            />
            <span aria-hidden="true">→</span>
            <input
              aria-label={`Trait ${index + 1}`}
              placeholder="trait"
              list={listId}
              aria-invalid={Boolean(error)}
              className={`${inputClass} font-mono`}
              value={row.trait}
              onChange={(event) => set(index, { trait: event.target.value })}
            />
            <Button variant="secondary" onClick={() => onChange(rows.filter((_, at) => at !== index))}>
              Remove
            </Button>
          </li>
        ))}
      </ul>
      <div className="mt-2">
        <Button variant="secondary" onClick={() => onChange([...rows, { claim: '', trait: '' }])}>
          Add claim
        </Button>
      </div>
      {error && (
        <p id={`${listId}-error`} className="mt-1 text-xs text-rose-600">
          {error}
        </p>
      )}
    </fieldset>
  );
}

function deletionNotice(name: string, { linksRemoved, identitiesStranded }: ConnectionDeletionView): string {
  const links = `${linksRemoved} linked account${linksRemoved === 1 ? ' was' : 's were'} removed`;
  const stranded = identitiesStranded
    ? `; ${identitiesStranded} user${identitiesStranded === 1 ? ' has' : 's have'} no other way to sign in`
    : '';
  return `${name} was deleted: ${links}${stranded}.`;
}
