'use client';

import { IdentityActionResult, type IdentityDetail } from '@keyway/admin-api';
import { AdminApiError, ok } from '@keyway/admin-client';
import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { queryKeys } from '../../lib/admin-types';
import { useAdminClient } from '../../lib/console-api';
import { setFlashNotice } from '../../lib/flash-notice';
import { userQueryKeys } from '../../lib/queries-users';
import { Dialog, Field } from '../common/page-parts';
import { Alert, Button, Card, inputClass } from '../ui';
import { identityLabel } from './identity-labels';
import { ReasonField, reasonProblem } from './reason-field';

/** The danger zone of a user's page: deleting them, behind a dialog that wants their identifier typed and a reason. */
export function DeleteUser({ slug, identity }: { slug: string; identity: IdentityDetail }) {
  const [open, setOpen] = useState(false);
  return (
    <Card className="border-rose-200 p-5 dark:border-rose-900">
      <h2 className="text-base font-semibold text-rose-700 dark:text-rose-400">Danger zone</h2>
      <div className="mt-3 flex flex-wrap items-center justify-between gap-4">
        <p className="max-w-xl text-sm text-zinc-600 dark:text-zinc-400">
          Delete this user with their credentials, sessions and refresh tokens. It cannot be undone; the audit log keeps
          their id, not their traits.
        </p>
        <Button variant="danger" onClick={() => setOpen(true)}>
          Delete user
        </Button>
      </div>
      {open && <DeleteUserDialog slug={slug} identity={identity} onClose={() => setOpen(false)} />}
    </Card>
  );
}

function DeleteUserDialog({
  slug,
  identity,
  onClose,
}: {
  slug: string;
  identity: IdentityDetail;
  onClose: () => void;
}) {
  const admin = useAdminClient();
  const router = useRouter();
  const queryClient = useQueryClient();
  const label = identityLabel(identity);
  const [typed, setTyped] = useState('');
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const confirmed = typed.trim() === label;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!confirmed) return;
    const why = reason.trim();
    const problem = reasonProblem(why);
    if (problem) return setReasonError(problem);
    setReasonError(undefined);
    setError(undefined);
    setBusy(true);
    try {
      const result = IdentityActionResult.parse(
        await ok(
          admin.DELETE('/api/admin/v1/projects/{slug}/identities/{id}', {
            params: { path: { slug, id: identity.id } },
            body: { reason: why },
          }),
        ),
      );
      const list = `/projects/${slug}/users`;
      setFlashNotice(list, {
        tone: 'info',
        title: result.outcome === 'done' ? 'User deleted' : 'Already deleted',
        text:
          result.outcome === 'done'
            ? `${label} was deleted; the audit log keeps the reason.`
            : `${label} had already been deleted.`,
      });
      // The lists held the user: dropped, not merely refreshed, so that no page shows them again while reloading.
      queryClient.removeQueries({ queryKey: userQueryKeys.identityLists(slug) });
      router.push(list);
      queryClient.removeQueries({ queryKey: queryKeys.identity(slug, identity.id) });
    } catch (failure) {
      setBusy(false);
      if (failure instanceof AdminApiError) {
        const field = failure.fieldMessage('reason');
        if (field) setReasonError(field);
        else setError(failure.message);
      } else setError('The console could not be reached. Try again.');
    }
  }

  return (
    <Dialog title={`Delete ${label}`} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate className="space-y-4">
        <Alert tone="error" title="This cannot be undone">
          The user, their credentials, addresses, sessions and refresh tokens are deleted now; they are signed out of
          every app.
        </Alert>
        <Field label={`Type ${label} to confirm`}>
          {(props) => (
            <input
              {...props}
              autoComplete="off"
              spellCheck={false}
              className={`${inputClass} font-mono`}
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
            />
          )}
        </Field>
        <ReasonField
          hint="Kept in the audit log: a ticket number, a deletion request."
          value={reason}
          error={reasonError}
          onChange={setReason}
        />
        {error && <Alert tone="error">{error}</Alert>}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" variant="danger" disabled={!confirmed || busy}>
            {busy ? 'Deleting…' : 'Delete user'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
