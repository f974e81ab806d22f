'use client';

import { AdminApiError } from '@keyway/admin-client';
import type { Role } from '@keyway/admin-api';
import { useState, type ReactNode } from 'react';
import { Dialog } from '../common/page-parts';
import { Alert, Button } from '../ui';

/** What to tell the user about a refused or failed request: the API's own words when it answered. */
export function problemOf(error: unknown): string {
  if (error instanceof AdminApiError) return error.message;
  return 'The console could not be reached. Check your connection and try again.';
}

/** The API's complaint about one field of the body, matching `field` or anything under it (`permissions.0`). */
export function fieldProblem(error: unknown, field: string): string | undefined {
  if (!(error instanceof AdminApiError)) return undefined;
  return error.body.fields?.find(
    (entry) => entry.field === field || entry.field.startsWith(`${field}.`) || entry.field.startsWith(`${field}[`),
  )?.message;
}

/**
 * A question before an irreversible step. The step runs on confirm; when the API refuses it (the last owner,
 * a role still in use) its reason shows here and the dialog stays open.
 */
export function ConfirmDialog({
  title,
  confirmLabel,
  busyLabel,
  children,
  onConfirm,
  onClose,
}: {
  title: string;
  confirmLabel: string;
  busyLabel: string;
  children: ReactNode;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function confirm() {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
    } catch (caught) {
      setError(problemOf(caught));
      setBusy(false);
    }
  }

  return (
    <Dialog title={title} onClose={onClose}>
      <div className="space-y-4">
        <div className="text-sm text-zinc-600 dark:text-zinc-400">{children}</div>
        {error && (
          <Alert tone="error" title="Refused">
            {error}
          </Alert>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="danger" disabled={busy} onClick={() => void confirm()}>
            {busy ? busyLabel : confirmLabel}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}

/** A section of the page: a heading, what it is about, its actions, its content. */
export function Section({
  id,
  title,
  description,
  actions,
  children,
}: {
  id: string;
  title: string;
  description: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={`${id}-title`} className="space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id={`${id}-title`} className="text-lg font-semibold">
            {title}
          </h2>
          <p className="text-sm text-zinc-500">{description}</p>
        </div>
        {actions && <div className="flex gap-2">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

/** The built-in roles' names, for when the project's roles cannot be listed (no members.read). */
const BUILT_IN_ROLE_NAMES = ['owner', 'admin', 'developer', 'helpdesk'] as const;

/**
 * The roles the caller may hand out (to a member, an invitation, an API key): those whose every permission it
 * holds itself. The API refuses the others (no one grants more than they hold); they are listed but disabled.
 */
export function roleChoices(
  roles: Role[] | undefined,
  held: readonly string[] | undefined,
): { name: string; grantable: boolean }[] {
  const list = roles ?? BUILT_IN_ROLE_NAMES.map((name) => ({ name, permissions: undefined }));
  return list.map((role) => ({
    name: role.name,
    grantable: !held || !role.permissions || role.permissions.every((permission) => held.includes(permission)),
  }));
}

/** A role's <option>s, those beyond the caller's permissions disabled. */
export function RoleOptions({ choices }: { choices: { name: string; grantable: boolean }[] }) {
  return (
    <>
      {choices.map((choice) => (
        <option key={choice.name} value={choice.name} disabled={!choice.grantable}>
          {choice.name}
          {choice.grantable ? '' : ' (beyond your permissions)'}
        </option>
      ))}
    </>
  );
}

export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
