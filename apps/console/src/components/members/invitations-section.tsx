'use client';

import { Invitation } from '@keyway/admin-api';
import { AdminApiError, ok } from '@keyway/admin-client';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useAdminClient } from '../../lib/console-api';
import { accessKeys, useInvitations } from '../../lib/queries-members';
import { Dialog, EmptyState, Field, formatDate, QueryError, Skeleton } from '../common/page-parts';
import { RoleBadge } from '../shell/role-badge';
import { Alert, Button, Card, inputClass } from '../ui';
import { EMAIL_PATTERN, fieldProblem, problemOf, RoleOptions, Section } from './access-parts';

/** Invitations not yet accepted: who, with which role, until when; a new one mails a link, valid 7 days. */
export function InvitationsSection({
  slug,
  canWrite,
  roleChoices,
}: {
  slug: string;
  canWrite: boolean;
  roleChoices: { name: string; grantable: boolean }[];
}) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const invitations = useInvitations(slug);
  const [inviting, setInviting] = useState(false);
  const [revoking, setRevoking] = useState<string>();
  const [notice, setNotice] = useState<{ tone: 'error' | 'info'; text: string }>();

  async function revoke(invitation: Invitation) {
    setRevoking(invitation.id);
    setNotice(undefined);
    try {
      await ok(
        admin.DELETE('/api/admin/v1/projects/{slug}/invitations/{id}', {
          params: { path: { slug, id: invitation.id } },
        }),
      );
      setNotice({ tone: 'info', text: `The invitation to ${invitation.email} was revoked: its link no longer works.` });
      await queryClient.invalidateQueries({ queryKey: accessKeys.invitations(slug) });
    } catch (error) {
      setNotice({ tone: 'error', text: problemOf(error) });
    } finally {
      setRevoking(undefined);
    }
  }

  return (
    <Section
      id="invitations"
      title="Pending invitations"
      description="Each invitation is a single-use link mailed to the address; it works for 7 days."
      actions={canWrite && <Button onClick={() => setInviting(true)}>Invite member</Button>}
    >
      {notice && <Alert tone={notice.tone}>{notice.text}</Alert>}
      {invitations.isPending && <Skeleton className="h-20" />}
      {invitations.isError && <QueryError error={invitations.error} retry={() => void invitations.refetch()} />}
      {invitations.data?.length === 0 && (
        <EmptyState title="No pending invitations">
          {canWrite ? 'Invite a colleague by email with the role they need.' : 'Nobody is invited right now.'}
        </EmptyState>
      )}
      {invitations.data && invitations.data.length > 0 && (
        <Card className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Pending invitations</caption>
            <thead className="bg-zinc-50 text-xs text-zinc-500 uppercase dark:bg-zinc-950">
              <tr>
                <th scope="col" className="px-5 py-3 font-medium">
                  Email
                </th>
                <th scope="col" className="px-5 py-3 font-medium">
                  Role
                </th>
                <th scope="col" className="px-5 py-3 font-medium">
                  Invited by
                </th>
                <th scope="col" className="px-5 py-3 font-medium">
                  Expires
                </th>
                {canWrite && (
                  <th scope="col" className="px-5 py-3 font-medium">
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
              {invitations.data.map((invitation) => (
                <tr key={invitation.id} data-testid="invitation-row">
                  <td className="px-5 py-3 font-medium">{invitation.email}</td>
                  <td className="px-5 py-3">
                    <RoleBadge role={invitation.role} />
                  </td>
                  <td className="px-5 py-3 text-zinc-500">
                    {invitation.invitedBy ?? '—'}
                    <span className="block text-xs">{formatDate(invitation.createdAt)}</span>
                  </td>
                  <td className="px-5 py-3 text-zinc-500">{formatDate(invitation.expiresAt)}</td>
                  {canWrite && (
                    <td className="px-5 py-3 text-right">
                      <Button
                        variant="ghost"
                        disabled={revoking === invitation.id}
                        onClick={() => void revoke(invitation)}
                      >
                        {revoking === invitation.id ? 'Revoking…' : 'Revoke'}
                        <span className="sr-only"> the invitation to {invitation.email}</span>
                      </Button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
      {inviting && (
        <InviteDialog
          slug={slug}
          roleChoices={roleChoices}
          onClose={() => setInviting(false)}
          onInvited={(invitation) => {
            setInviting(false);
            setNotice({
              tone: 'info',
              text: `Invitation sent to ${invitation.email} as ${invitation.role}. The link works until ${formatDate(invitation.expiresAt)}.`,
            });
          }}
        />
      )}
    </Section>
  );
}

type InviteField = 'email' | 'role';

function InviteDialog({
  slug,
  roleChoices,
  onClose,
  onInvited,
}: {
  slug: string;
  roleChoices: { name: string; grantable: boolean }[];
  onClose: () => void;
  onInvited: (invitation: Invitation) => void;
}) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState(
    roleChoices.find((choice) => choice.grantable && choice.name !== 'owner')?.name ?? '',
  );
  const [errors, setErrors] = useState<Partial<Record<InviteField, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFormError(undefined);
    const local: Partial<Record<InviteField, string>> = {};
    const address = email.trim();
    if (!address) local.email = 'An email address is required.';
    else if (address.length > 254 || !EMAIL_PATTERN.test(address)) local.email = 'Enter an email address.';
    if (!role) local.role = 'Choose a role.';
    setErrors(local);
    if (Object.keys(local).length > 0) return;

    setBusy(true);
    try {
      const invitation = Invitation.parse(
        await ok(
          admin.POST('/api/admin/v1/projects/{slug}/invitations', {
            params: { path: { slug } },
            body: { email: address, role },
          }),
        ),
      );
      await queryClient.invalidateQueries({ queryKey: accessKeys.invitations(slug) });
      onInvited(invitation);
    } catch (error) {
      const byField = { email: fieldProblem(error, 'email'), role: fieldProblem(error, 'role') };
      // 409: the address belongs to a member already — a problem with the address.
      if (error instanceof AdminApiError && error.status === 409) byField.email = error.message;
      setErrors(byField);
      if (!byField.email && !byField.role) setFormError(problemOf(error));
      setBusy(false);
    }
  }

  return (
    <Dialog title="Invite a member" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate className="space-y-4">
        <Field label="Email" hint="The invitation link is mailed here." error={errors.email}>
          {(props) => (
            <input
              {...props}
              type="email"
              autoComplete="off"
              className={inputClass}
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              placeholder="colleague@example.com"
            />
          )}
        </Field>
        <Field label="Role" hint="What they may do in this project once they accept." error={errors.role}>
          {(props) => (
            <select {...props} className={inputClass} value={role} onChange={(event) => setRole(event.target.value)}>
              <option value="" disabled>
                Choose a role
              </option>
              <RoleOptions choices={roleChoices} />
            </select>
          )}
        </Field>
        {formError && <Alert tone="error">{formError}</Alert>}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={busy}>
            {busy ? 'Sending…' : 'Send invitation'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
