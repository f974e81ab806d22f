'use client';

import { TokenIssuerWithSecretView, type TokenIssuerView } from '@keyway/admin-api';
import { AdminApiError, ok } from '@keyway/admin-client';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useAdminClient } from '../../lib/console-api';
import { useCan } from '../../lib/queries';
import { tokenIssuerKeys, useTokenIssuers } from '../../lib/queries-token-issuers';
import { Badge, Dialog, EmptyState, Field, PageHeader, QueryError, SecretOnce, Skeleton } from '../common/page-parts';
import { Alert, Button, Card, inputClass } from '../ui';

type Mode = TokenIssuerView['mode'];
type UpdatePolicy = TokenIssuerView['updatePolicy'];

const SECRET_NOTE =
  'Copy the callback secret now and give it to the partner backend: it verifies Keyway’s calls with it. It is encrypted at rest and never shown again.';

/** The project's trusted token issuers: list, create, edit, rotate the callback secret, delete. */
export function TokenIssuerList({ slug }: { slug: string }) {
  const issuers = useTokenIssuers(slug);
  const canWrite = useCan(slug, 'connections.write') === true;
  const [editing, setEditing] = useState<TokenIssuerView | 'new'>();
  const [secret, setSecret] = useState<{ name: string; value: string }>();

  return (
    <div className="space-y-6">
      <PageHeader
        crumbs={[
          { href: '/', label: 'Projects' },
          { href: `/projects/${slug}`, label: slug },
          { label: 'Token issuers' },
        ]}
        title="Token issuers"
        description="Partner backends whose tokens sign your users in (token exchange): JWTs checked against the partner's keys, or opaque tokens checked at its callback."
        actions={canWrite && <Button onClick={() => setEditing('new')}>New token issuer</Button>}
      />
      {secret && (
        <Card className="space-y-3 p-5">
          <p className="text-sm font-medium">Callback secret of {secret.name}</p>
          <SecretOnce label="callback secret" secret={secret.value} note={SECRET_NOTE} />
          <Button variant="secondary" onClick={() => setSecret(undefined)}>
            Done
          </Button>
        </Card>
      )}
      {issuers.isPending && <Skeleton className="h-40" />}
      {issuers.isError && <QueryError error={issuers.error} retry={() => void issuers.refetch()} />}
      {issuers.data?.length === 0 && (
        <EmptyState title="No token issuers yet">
          {canWrite
            ? 'Add a partner backend whose tokens your apps exchange.'
            : 'Someone with connections.write can add one.'}
        </EmptyState>
      )}
      {issuers.data && issuers.data.length > 0 && (
        <Card>
          <ul className="divide-y divide-zinc-200 dark:divide-zinc-800" aria-label="Token issuers">
            {issuers.data.map((issuer) => (
              <IssuerRow
                key={issuer.id}
                slug={slug}
                issuer={issuer}
                canWrite={canWrite}
                onEdit={() => setEditing(issuer)}
                onSecret={(value) => setSecret({ name: issuer.name, value })}
              />
            ))}
          </ul>
        </Card>
      )}
      {editing && (
        <IssuerDialog
          slug={slug}
          issuer={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSecret={setSecret}
        />
      )}
    </div>
  );
}

function IssuerRow({
  slug,
  issuer,
  canWrite,
  onEdit,
  onSecret,
}: {
  slug: string;
  issuer: TokenIssuerView;
  canWrite: boolean;
  onEdit: () => void;
  onSecret: (secret: string) => void;
}) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const path = { params: { path: { slug, id: issuer.id } } };

  async function rotate() {
    setBusy(true);
    setError(undefined);
    try {
      const rotated = TokenIssuerWithSecretView.parse(
        await ok(admin.POST('/api/admin/v1/projects/{slug}/token-issuers/{id}/rotate-secret', path)),
      );
      if (rotated.callbackSecret) onSecret(rotated.callbackSecret);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : 'The secret could not be rotated.');
    }
    setBusy(false);
  }

  async function remove() {
    setBusy(true);
    setError(undefined);
    try {
      await ok(admin.DELETE('/api/admin/v1/projects/{slug}/token-issuers/{id}', path));
      await queryClient.invalidateQueries({ queryKey: tokenIssuerKeys.list(slug) });
    } catch (failure) {
      setBusy(false);
      setError(failure instanceof Error ? failure.message : 'The token issuer could not be deleted.');
    }
  }

  return (
    <li className="space-y-3 px-5 py-4">
      <div className="flex items-center justify-between gap-4">
        <span className="min-w-0">
          <span className="block font-medium">{issuer.name}</span>
          <span className="block truncate font-mono text-xs text-zinc-500">
            {issuer.mode === 'jwt' ? issuer.issuer : issuer.callbackUrl}
          </span>
          <span className="block text-xs text-zinc-500">
            {issuer.applications.length ? `Apps: ${issuer.applications.join(', ')}` : 'No application may use it yet'}
          </span>
        </span>
        <span className="flex items-center gap-2">
          <Badge tone="zinc">{issuer.mode === 'jwt' ? 'JWT' : 'Opaque'}</Badge>
          <Badge tone="zinc">{issuer.updatePolicy}</Badge>
          {canWrite && (
            <>
              {issuer.mode === 'opaque' && (
                <Button variant="secondary" onClick={() => void rotate()} disabled={busy}>
                  Rotate secret
                </Button>
              )}
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
      {error && <Alert tone="error">{error}</Alert>}
      {confirming && (
        <Dialog title={`Delete ${issuer.name}?`} onClose={() => setConfirming(false)}>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Its tokens stop signing anyone in at once. The users it registered stay.
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
  | 'issuer'
  | 'audiences'
  | 'jwksUri'
  | 'jwks'
  | 'callbackUrl'
  | 'callbackTimeoutMs'
  | 'subjectClaim'
  | 'claimMapping'
  | 'applications';

const words = (value: string) => value.split(/[\s,]+/).filter(Boolean);

/** `claim=trait` per line ⇄ the mapping object. */
const mappingText = (mapping: Record<string, string>) =>
  Object.entries(mapping)
    .map(([claim, trait]) => `${claim}=${trait}`)
    .join('\n');
function parseMapping(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((line) => line.split('=').map((part) => part.trim()))
      .filter((parts): parts is [string, string] => parts.length === 2 && Boolean(parts[0]) && Boolean(parts[1])),
  );
}

function IssuerDialog({
  slug,
  issuer,
  onClose,
  onSecret,
}: {
  slug: string;
  issuer: TokenIssuerView | undefined;
  onClose: () => void;
  onSecret: (secret: { name: string; value: string }) => void;
}) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<Mode>(issuer?.mode ?? 'jwt');
  const [updatePolicy, setUpdatePolicy] = useState<UpdatePolicy>(issuer?.updatePolicy ?? 'first-login');
  const [values, setValues] = useState<Record<FormField, string>>({
    name: issuer?.name ?? '',
    issuer: issuer?.issuer ?? '',
    audiences: issuer?.audiences.join(' ') ?? '',
    jwksUri: issuer?.jwksUri ?? '',
    jwks: issuer?.jwks ? JSON.stringify(issuer.jwks, null, 2) : '',
    callbackUrl: issuer?.callbackUrl ?? '',
    callbackTimeoutMs: String(issuer?.callbackTimeoutMs ?? 5000),
    subjectClaim: issuer?.subjectClaim ?? 'sub',
    claimMapping: mappingText(issuer?.claimMapping ?? { email: 'email', name: 'name' }),
    applications: issuer?.applications.join(' ') ?? '',
  });
  const [errors, setErrors] = useState<Partial<Record<FormField, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (field: FormField) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [field]: event.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFormError(undefined);
    setErrors({});
    let jwks: { keys: Record<string, unknown>[] } | undefined;
    if (mode === 'jwt' && values.jwks.trim()) {
      try {
        jwks = JSON.parse(values.jwks) as { keys: Record<string, unknown>[] };
      } catch {
        setErrors({ jwks: 'Not JSON: paste the key set, {"keys": [...]}.' });
        return;
      }
    }
    const settings = {
      subjectClaim: values.subjectClaim.trim() || 'sub',
      claimMapping: parseMapping(values.claimMapping),
      updatePolicy,
      applications: words(values.applications),
      ...(mode === 'jwt'
        ? {
            issuer: values.issuer.trim(),
            audiences: words(values.audiences),
            ...(jwks ? { jwks } : values.jwksUri.trim() ? { jwksUri: values.jwksUri.trim() } : {}),
          }
        : { callbackUrl: values.callbackUrl.trim(), callbackTimeoutMs: Number(values.callbackTimeoutMs) }),
    };
    setBusy(true);
    try {
      if (issuer)
        await ok(
          admin.PATCH('/api/admin/v1/projects/{slug}/token-issuers/{id}', {
            params: { path: { slug, id: issuer.id } },
            body: settings,
          }),
        );
      else {
        const created = TokenIssuerWithSecretView.parse(
          await ok(
            admin.POST('/api/admin/v1/projects/{slug}/token-issuers', {
              params: { path: { slug } },
              body: { name: values.name.trim(), mode, ...settings },
            }),
          ),
        );
        if (created.callbackSecret) onSecret({ name: created.name, value: created.callbackSecret });
      }
      await queryClient.invalidateQueries({ queryKey: tokenIssuerKeys.list(slug) });
      onClose();
    } catch (error) {
      setBusy(false);
      if (!(error instanceof AdminApiError)) setFormError('The console could not be reached. Try again.');
      else {
        const fields = Object.keys(values) as FormField[];
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

  const text = (field: FormField, label: string, hint?: string, multiline = false) => (
    <Field label={label} {...(hint ? { hint } : {})} {...(errors[field] ? { error: errors[field] } : {})}>
      {(props) =>
        multiline ? (
          <textarea
            {...props}
            rows={4}
            className={`${inputClass} font-mono`}
            value={values[field]}
            onChange={set(field)}
          />
        ) : (
          <input {...props} className={`${inputClass} font-mono`} value={values[field]} onChange={set(field)} />
        )
      }
    </Field>
  );

  return (
    <Dialog title={issuer ? `Edit ${issuer.name}` : 'New token issuer'} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate className="space-y-4">
        {!issuer && (
          <>
            <Field label="Kind of token">
              {(props) => (
                <select
                  {...props}
                  className={inputClass}
                  value={mode}
                  onChange={(event) => setMode(event.target.value as Mode)}
                >
                  <option value="jwt">JWT, checked against the partner&apos;s keys</option>
                  <option value="opaque">Opaque, checked at the partner&apos;s callback</option>
                </select>
              )}
            </Field>
            {text('name', 'Name', 'Lower-case letters, digits and -: it cannot be changed later.')}
          </>
        )}
        {mode === 'jwt' ? (
          <>
            {text('issuer', 'Issuer (iss)')}
            {text('audiences', 'Audiences (aud)', 'Separated by spaces; a token must name one.')}
            {text('jwksUri', 'JWKS URL', 'Or paste the public keys below instead.')}
            {text('jwks', 'Public keys (JWKS)', 'Public signing keys only: {"keys": [...]}.', true)}
          </>
        ) : (
          <>
            {text('callbackUrl', 'Callback URL', 'Keyway posts each token here, signed (see the docs).')}
            {text('callbackTimeoutMs', 'Timeout (ms)', 'At most 10000.')}
          </>
        )}
        {text('subjectClaim', 'Subject claim', "The claim holding the partner's user id.")}
        {text('claimMapping', 'Claim mapping', 'One claim=trait per line.', true)}
        <Field label="Update the user's traits">
          {(props) => (
            <select
              {...props}
              className={inputClass}
              value={updatePolicy}
              onChange={(event) => setUpdatePolicy(event.target.value as UpdatePolicy)}
            >
              <option value="first-login">At the first sign-in only</option>
              <option value="every-login">At every sign-in</option>
            </select>
          )}
        </Field>
        {text(
          'applications',
          'Applications',
          'Client ids, separated by spaces: the apps that may exchange its tokens.',
        )}
        {formError && <Alert tone="error">{formError}</Alert>}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={busy}>
            {busy ? 'Saving…' : issuer ? 'Save' : 'Create token issuer'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
