'use client';

import { IdentityActionResult } from '@keyway/admin-api';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { queryKeys } from '../../lib/admin-types';
import { AdminApiError, ok, type AdminClient } from '@keyway/admin-client';
import { useAdminClient } from '../../lib/console-api';
import { Dialog } from '../common/page-parts';
import { Alert, Button } from '../ui';
import { ReasonField, reasonProblem } from './reason-field';

/** An action on an identity (POST …/actions/<action>, with what it acts on), or revoking one session. */
export type HelpDeskRequest =
  | { action: IdentityActionName; address?: string; passkeyId?: string; connectionId?: string }
  | { revokeSession: string };

type IdentityActionName =
  | 'unlock'
  | 'disable'
  | 'enable'
  | 'verify-address'
  | 'resend-verification'
  | 'send-recovery'
  | 'remove-totp'
  | 'remove-backup-codes'
  | 'remove-passkey'
  | 'unlink-connection'
  | 'revoke-sessions';

type ActionBody = { reason: string; address?: string; passkeyId?: string; connectionId?: string };
type IdentityPath = { slug: string; id: string };

/** Each action's route, spelled out so that the typed client checks its body against the API's document. */
const SEND: Record<IdentityActionName, (admin: AdminClient, path: IdentityPath, body: ActionBody) => Promise<unknown>> =
  {
    unlock: (admin, path, body) =>
      ok(admin.POST('/api/admin/v1/projects/{slug}/identities/{id}/actions/unlock', { params: { path }, body })),
    disable: (admin, path, body) =>
      ok(admin.POST('/api/admin/v1/projects/{slug}/identities/{id}/actions/disable', { params: { path }, body })),
    enable: (admin, path, body) =>
      ok(admin.POST('/api/admin/v1/projects/{slug}/identities/{id}/actions/enable', { params: { path }, body })),
    'verify-address': (admin, path, { reason, address = '' }) =>
      ok(
        admin.POST('/api/admin/v1/projects/{slug}/identities/{id}/actions/verify-address', {
          params: { path },
          body: { reason, address },
        }),
      ),
    'resend-verification': (admin, path, { reason, address = '' }) =>
      ok(
        admin.POST('/api/admin/v1/projects/{slug}/identities/{id}/actions/resend-verification', {
          params: { path },
          body: { reason, address },
        }),
      ),
    'send-recovery': (admin, path, body) =>
      ok(admin.POST('/api/admin/v1/projects/{slug}/identities/{id}/actions/send-recovery', { params: { path }, body })),
    'remove-totp': (admin, path, body) =>
      ok(admin.POST('/api/admin/v1/projects/{slug}/identities/{id}/actions/remove-totp', { params: { path }, body })),
    'remove-backup-codes': (admin, path, body) =>
      ok(
        admin.POST('/api/admin/v1/projects/{slug}/identities/{id}/actions/remove-backup-codes', {
          params: { path },
          body,
        }),
      ),
    'remove-passkey': (admin, path, { reason, passkeyId = '' }) =>
      ok(
        admin.POST('/api/admin/v1/projects/{slug}/identities/{id}/actions/remove-passkey', {
          params: { path },
          body: { reason, passkeyId },
        }),
      ),
    'unlink-connection': (admin, path, { reason, connectionId = '' }) =>
      ok(
        admin.POST('/api/admin/v1/projects/{slug}/identities/{id}/actions/unlink-connection', {
          params: { path },
          body: { reason, connectionId },
        }),
      ),
    'revoke-sessions': (admin, path, body) =>
      ok(
        admin.POST('/api/admin/v1/projects/{slug}/identities/{id}/actions/revoke-sessions', { params: { path }, body }),
      ),
  };

/** POSTs an action: its name picks the route, the rest (address, passkeyId) goes in the body with the reason. */
function send(
  admin: AdminClient,
  path: IdentityPath,
  { action, ...rest }: Extract<HelpDeskRequest, { action: IdentityActionName }>,
  reason: string,
): Promise<unknown> {
  // The API's bodies are strict: the action's name is the route's, never a body field.
  return SEND[action](admin, path, { ...rest, reason });
}

/** A help-desk action as the console offers it: what it sends, how to say it. */
export interface HelpDeskAction {
  title: string;
  /** What happens, said before it does. */
  explanation: string;
  request: HelpDeskRequest;
  confirmLabel: string;
  danger?: boolean;
}

/**
 * The dialog every help-desk action goes through: a reason (3..500 characters, kept in the audit log) checked
 * here before sending, the API's complaint about it shown beside it, then the outcome.
 */
export function HelpDeskActionDialog({
  slug,
  identityId,
  action,
  onClose,
}: {
  slug: string;
  identityId: string;
  action: HelpDeskAction;
  onClose: () => void;
}) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<IdentityActionResult['outcome']>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = reason.trim();
    const problem = reasonProblem(trimmed);
    if (problem) return setReasonError(problem);
    setReasonError(undefined);
    setError(undefined);
    setBusy(true);
    const path = { slug, id: identityId };
    const { request } = action;
    try {
      const result = IdentityActionResult.parse(
        'revokeSession' in request
          ? await ok(
              admin.DELETE('/api/admin/v1/projects/{slug}/identities/{id}/sessions/{sessionId}', {
                params: { path: { ...path, sessionId: request.revokeSession } },
                body: { reason: trimmed },
              }),
            )
          : await send(admin, path, request, trimmed),
      );
      setOutcome(result.outcome);
      await queryClient.invalidateQueries({ queryKey: queryKeys.identity(slug, identityId) });
      await queryClient.invalidateQueries({ queryKey: ['admin', 'projects', slug, 'identities', 'list'] });
    } catch (failure) {
      if (failure instanceof AdminApiError) {
        const field = failure.fieldMessage('reason');
        if (field) setReasonError(field);
        else setError(failure.message);
      } else setError('The console could not be reached. Try again.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={action.title} onClose={onClose}>
      {outcome ? (
        <div className="space-y-4">
          <Alert tone="info" title={outcome === 'done' ? 'Done' : 'Nothing to do'}>
            {outcome === 'done'
              ? 'The action was carried out and recorded in the audit log with your reason.'
              : 'The account was already as asked: nothing changed.'}
          </Alert>
          <div className="flex justify-end">
            <Button onClick={onClose}>Close</Button>
          </div>
        </div>
      ) : (
        <form onSubmit={(event) => void submit(event)} noValidate className="space-y-4">
          <p className="text-sm text-zinc-600 dark:text-zinc-400">{action.explanation}</p>
          <ReasonField
            hint="Kept in the audit log: a ticket number, what the user asked for."
            value={reason}
            error={reasonError}
            rows={3}
            onChange={setReason}
          />
          {error && <Alert tone="error">{error}</Alert>}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" disabled={busy} variant={action.danger ? 'danger' : 'primary'}>
              {busy ? 'Working…' : action.confirmLabel}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
