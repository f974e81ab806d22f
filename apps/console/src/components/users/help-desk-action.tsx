'use client';

import { IdentityActionResult } from '@keyway/admin-api';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { queryKeys } from '../../lib/admin-types';
import { ConsoleApiError, useConsoleApi } from '../../lib/console-api';
import { Dialog, Field } from '../common/page-parts';
import { Alert, Button, inputClass } from '../ui';

/** A help-desk action as the API takes it: where to send it, what else the body carries, how to say it. */
export interface HelpDeskAction {
  title: string;
  /** What happens, said before it does. */
  explanation: string;
  method: 'POST' | 'DELETE';
  /** Relative to the identity's path: `actions/disable`, `sessions/<id>`. */
  path: string;
  body?: Record<string, unknown>;
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
  const api = useConsoleApi();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<IdentityActionResult['outcome']>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = reason.trim();
    if (trimmed.length < 3) return setReasonError('Say why, in at least 3 characters (a ticket number will do).');
    if (trimmed.length > 500) return setReasonError('At most 500 characters.');
    setReasonError(undefined);
    setError(undefined);
    setBusy(true);
    const path = `/api/admin/projects/${encodeURIComponent(slug)}/identities/${encodeURIComponent(identityId)}/${action.path}`;
    const body = { ...action.body, reason: trimmed };
    try {
      const result = IdentityActionResult.parse(
        action.method === 'DELETE' ? await api.delete(path, body) : await api.post(path, body),
      );
      setOutcome(result.outcome);
      await queryClient.invalidateQueries({ queryKey: queryKeys.identity(slug, identityId) });
      await queryClient.invalidateQueries({ queryKey: ['admin', 'projects', slug, 'identities', 'list'] });
    } catch (failure) {
      if (failure instanceof ConsoleApiError) {
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
          <Field
            label="Reason"
            hint="Kept in the audit log: a ticket number, what the user asked for."
            error={reasonError}
          >
            {(props) => (
              <textarea
                {...props}
                rows={3}
                maxLength={600}
                className={inputClass}
                value={reason}
                onChange={(event) => setReason(event.target.value)}
              />
            )}
          </Field>
          {error && <Alert tone="error">{error}</Alert>}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" disabled={busy} className={action.danger ? 'bg-rose-600 hover:bg-rose-500' : ''}>
              {busy ? 'Working…' : action.confirmLabel}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
