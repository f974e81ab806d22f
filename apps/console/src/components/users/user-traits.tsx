'use client';

import { IdentityActionResult, type IdentityDetail } from '@keyway/admin-api';
import { AdminApiError, ok } from '@keyway/admin-client';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { useAdminClient } from '../../lib/console-api';
import { refreshIdentity, useIdentitySchema } from '../../lib/queries-users';
import { formatDate, QueryError, Skeleton } from '../common/page-parts';
import { Alert, Button, Card } from '../ui';
import { TraitInputs } from './trait-inputs';
import {
  buildTraits,
  formFields,
  initialJson,
  initialValues,
  JSON_TRAITS,
  placeApiErrors,
  traitFields,
  withoutError,
  type TraitErrors,
  type TraitField,
  type TraitValues,
} from './traits-form';
import { ReasonField, reasonProblem } from './reason-field';

/**
 * The identity's traits, labelled by its own schema version, and (with identities.write) an Edit mode: the
 * schema's fields as a form, the other traits as JSON, and the reason the audit log keeps; PATCH replaces the
 * traits as a whole.
 */
export function UserTraits({
  slug,
  identity,
  canWrite,
  canReadSchemas,
}: {
  slug: string;
  identity: IdentityDetail;
  canWrite: boolean;
  canReadSchemas: boolean | undefined;
}) {
  const schema = useIdentitySchema(slug, identity.schemaVersion, canReadSchemas === true);
  const fields = useMemo(() => (schema.data ? traitFields(schema.data) : undefined), [schema.data]);
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<IdentityActionResult['outcome']>();
  const traits = traitsOf(identity);
  const schemaLoading = canReadSchemas === undefined || (canReadSchemas && schema.isPending);

  return (
    <Card className="p-5">
      <div className="mb-3 flex items-center justify-between gap-3">
        <h2 className="text-base font-semibold">Traits</h2>
        {canWrite && !editing && (
          <Button
            variant="secondary"
            aria-label="Edit traits"
            disabled={schemaLoading}
            onClick={() => {
              setSaved(undefined);
              setEditing(true);
            }}
          >
            Edit
          </Button>
        )}
      </div>
      {saved && !editing && (
        <div className="mb-3">
          <Alert tone="info" title={saved === 'done' ? 'Traits saved' : 'Nothing changed'}>
            {saved === 'done'
              ? 'The change is recorded in the audit log with your reason.'
              : 'The traits were already as given.'}
          </Alert>
        </div>
      )}
      {schema.isError && <QueryError error={schema.error} retry={() => void schema.refetch()} />}
      {schemaLoading ? (
        <Skeleton className="h-24" />
      ) : editing ? (
        <EditTraits
          slug={slug}
          identity={identity}
          fields={fields}
          onCancel={() => setEditing(false)}
          onSaved={(outcome) => {
            setSaved(outcome);
            setEditing(false);
          }}
        />
      ) : (
        <TraitsView traits={traits} fields={fields} />
      )}
      <dl className="mt-4 grid grid-cols-2 gap-2 border-t border-zinc-200 pt-3 text-sm dark:border-zinc-800">
        <dt className="text-zinc-500">Created</dt>
        <dd>{formatDate(identity.createdAt)}</dd>
        <dt className="text-zinc-500">Updated</dt>
        <dd>{formatDate(identity.updatedAt)}</dd>
        <dt className="text-zinc-500">Schema version</dt>
        <dd>{identity.schemaVersion}</dd>
        <dt className="text-zinc-500">Failed attempts</dt>
        <dd>{identity.failedAttempts}</dd>
        {identity.lockedUntil && (
          <>
            <dt className="text-zinc-500">Locked until</dt>
            <dd>{formatDate(identity.lockedUntil)}</dd>
          </>
        )}
      </dl>
    </Card>
  );
}

function traitsOf(identity: IdentityDetail): Record<string, unknown> {
  const { traits } = identity;
  return traits && typeof traits === 'object' && !Array.isArray(traits) ? (traits as Record<string, unknown>) : {};
}

/** The traits by the schema's labels, in its order; the rest as JSON. */
function TraitsView({ traits, fields }: { traits: Record<string, unknown>; fields: TraitField[] | undefined }) {
  if (!fields)
    return (
      <pre className="overflow-x-auto rounded-lg bg-zinc-50 p-3 font-mono text-xs dark:bg-zinc-950">
        {JSON.stringify(traits, null, 2)}
      </pre>
    );
  const known = new Set(fields.map((field) => field.trait));
  const others = Object.entries(traits).filter(([name]) => !known.has(name));
  return (
    <div className="space-y-3">
      <dl
        className="grid grid-cols-[minmax(0,1fr)_minmax(0,2fr)] gap-x-4 gap-y-2 text-sm"
        data-testid="identity-traits"
      >
        {fields.map((field) => (
          <div key={field.trait} className="contents">
            <dt className="text-zinc-500">{field.label}</dt>
            <dd className="break-words">{shown(traits[field.trait])}</dd>
          </div>
        ))}
      </dl>
      {others.length > 0 && (
        <div>
          <p className="text-xs font-medium text-zinc-500 uppercase">Other traits</p>
          <pre className="mt-1 overflow-x-auto rounded-lg bg-zinc-50 p-3 font-mono text-xs dark:bg-zinc-950">
            {JSON.stringify(Object.fromEntries(others), null, 2)}
          </pre>
        </div>
      )}
    </div>
  );
}

function shown(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object')) return value.join(', ') || '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function EditTraits({
  slug,
  identity,
  fields,
  onCancel,
  onSaved,
}: {
  slug: string;
  identity: IdentityDetail;
  fields: TraitField[] | undefined;
  onCancel: () => void;
  onSaved: (outcome: IdentityActionResult['outcome']) => void;
}) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const before = traitsOf(identity);
  const [values, setValues] = useState<TraitValues>(() => (fields ? initialValues(fields, before) : {}));
  const [json, setJson] = useState(() => (fields ? initialJson(fields, before) : JSON.stringify(before, null, 2)));
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<TraitErrors>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFormError(undefined);
    const built = buildTraits(fields ?? [], values, fields ? json : json.trim() || '{}', before);
    const local: TraitErrors = { ...built.errors };
    const why = reason.trim();
    const problem = reasonProblem(why);
    if (problem) local.reason = problem;
    setErrors(local);
    if (Object.keys(local).length > 0 || !built.traits) return;

    setBusy(true);
    try {
      const result = IdentityActionResult.parse(
        await ok(
          admin.PATCH('/api/admin/v1/projects/{slug}/identities/{id}', {
            params: { path: { slug, id: identity.id } },
            body: { traits: built.traits, reason: why },
          }),
        ),
      );
      await refreshIdentity(queryClient, slug, identity.id);
      onSaved(result.outcome);
    } catch (error) {
      if (!(error instanceof AdminApiError)) {
        setFormError('The console could not be reached. Check your connection and try again.');
        return;
      }
      const placed = placeApiErrors(fields ?? [], error.body.fields);
      setErrors(placed);
      const shownKeys = new Set([...formFields(fields ?? []).map((field) => field.trait), JSON_TRAITS, 'reason']);
      const keys = Object.keys(placed);
      if (keys.length === 0 || keys.some((key) => !shownKeys.has(key))) setFormError(error.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate className="space-y-5" aria-label="Edit traits">
      <TraitInputs
        fields={fields}
        values={values}
        json={json}
        errors={errors}
        onValue={(trait, value) => {
          setValues((current) => ({ ...current, [trait]: value }));
          setErrors((current) => withoutError(current, trait));
        }}
        onJson={(text) => {
          setJson(text);
          setErrors((current) => withoutError(current, JSON_TRAITS));
        }}
      />
      <ReasonField
        hint="Kept in the audit log with what changed: a ticket number, who asked."
        value={reason}
        error={errors.reason}
        onChange={(value) => {
          setReason(value);
          setErrors((current) => withoutError(current, 'reason'));
        }}
      />
      {formError && <Alert tone="error">{formError}</Alert>}
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save traits'}
        </Button>
      </div>
    </form>
  );
}
