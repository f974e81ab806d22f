'use client';

import { Member } from '@keyway/admin-api';
import { ok } from '@keyway/admin-client';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useAdminClient } from '../../lib/console-api';
import { useCaller } from '../../lib/queries';
import { accessKeys, useMembers } from '../../lib/queries-members';
import { Badge, EmptyState, formatDate, QueryError, Skeleton } from '../common/page-parts';
import { RoleBadge } from '../shell/role-badge';
import { Alert, Button, Card, inputClass } from '../ui';
import { ConfirmDialog, problemOf, RoleOptions, Section } from './access-parts';

type RowNotice = { memberId: string; tone: 'error' | 'info'; text: string };

/** The project's members: their role, changed in place, and removal (the API keeps the last owner). */
export function MembersSection({
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
  const members = useMembers(slug);
  const caller = useCaller();
  const [changing, setChanging] = useState<string>();
  const [notice, setNotice] = useState<RowNotice>();
  const [removing, setRemoving] = useState<Member>();

  async function changeRole(member: Member, role: string) {
    if (role === member.role) return;
    setChanging(member.id);
    setNotice(undefined);
    try {
      const updated = Member.parse(
        await ok(
          admin.PATCH('/api/admin/v1/projects/{slug}/members/{id}', {
            params: { path: { slug, id: member.id } },
            body: { role },
          }),
        ),
      );
      queryClient.setQueryData<Member[]>(accessKeys.members(slug), (list) =>
        list?.map((entry) => (entry.id === updated.id ? updated : entry)),
      );
      setNotice({ memberId: member.id, tone: 'info', text: `${member.email} is now ${updated.role}.` });
    } catch (error) {
      setNotice({ memberId: member.id, tone: 'error', text: problemOf(error) });
    } finally {
      setChanging(undefined);
    }
  }

  async function remove(member: Member) {
    await ok(admin.DELETE('/api/admin/v1/projects/{slug}/members/{id}', { params: { path: { slug, id: member.id } } }));
    setRemoving(undefined);
    setNotice({ memberId: '', tone: 'info', text: `${member.email} was removed from the project.` });
    await queryClient.invalidateQueries({ queryKey: accessKeys.members(slug) });
  }

  // Grantable choices plus the member's current role (shown even when the caller could not grant it).
  const choicesFor = (member: Member) =>
    roleChoices.some((choice) => choice.name === member.role)
      ? roleChoices
      : [{ name: member.role, grantable: false }, ...roleChoices];

  return (
    <Section
      id="members"
      title="Members"
      description="Console users with a role in this project. Instance owners act in every project without being members."
    >
      {notice && notice.memberId === '' && <Alert tone={notice.tone}>{notice.text}</Alert>}
      {members.isPending && <Skeleton className="h-32" />}
      {members.isError && <QueryError error={members.error} retry={() => void members.refetch()} />}
      {members.data?.length === 0 && (
        <EmptyState title="No members yet">
          Invite someone below: they join once they accept the mailed link.
        </EmptyState>
      )}
      {members.data && members.data.length > 0 && (
        <Card className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Members</caption>
            <thead className="bg-zinc-50 text-xs text-zinc-500 uppercase dark:bg-zinc-950">
              <tr>
                <th scope="col" className="px-5 py-3 font-medium">
                  Member
                </th>
                <th scope="col" className="px-5 py-3 font-medium">
                  Role
                </th>
                <th scope="col" className="px-5 py-3 font-medium">
                  Member since
                </th>
                {canWrite && (
                  <th scope="col" className="px-5 py-3 font-medium">
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
              {members.data.map((member) => {
                const rowNotice = notice?.memberId === member.id ? notice : undefined;
                const isCaller = caller.data?.id === member.identityId;
                return (
                  <tr key={member.id} data-testid="member-row">
                    <td className="px-5 py-3 align-top">
                      <span className="flex items-center gap-2 font-medium">
                        {member.email || member.identityId}
                        {isCaller && <Badge tone="zinc">you</Badge>}
                      </span>
                      <span className="block font-mono text-xs text-zinc-500">{member.identityId}</span>
                    </td>
                    <td className="px-5 py-3 align-top">
                      {canWrite ? (
                        <>
                          <select
                            aria-label={`Role of ${member.email}`}
                            className={`${inputClass} w-44`}
                            value={member.role}
                            disabled={changing === member.id}
                            aria-invalid={rowNotice?.tone === 'error'}
                            aria-describedby={rowNotice ? `member-${member.id}-notice` : undefined}
                            onChange={(event) => void changeRole(member, event.target.value)}
                          >
                            <RoleOptions choices={choicesFor(member)} />
                          </select>
                          {rowNotice && (
                            <p
                              id={`member-${member.id}-notice`}
                              role={rowNotice.tone === 'error' ? 'alert' : 'status'}
                              className={`mt-1 max-w-xs text-xs ${rowNotice.tone === 'error' ? 'text-rose-600 dark:text-rose-400' : 'text-emerald-700 dark:text-emerald-400'}`}
                            >
                              {rowNotice.text}
                            </p>
                          )}
                        </>
                      ) : (
                        <RoleBadge role={member.role} />
                      )}
                    </td>
                    <td className="px-5 py-3 align-top text-zinc-500">{formatDate(member.createdAt)}</td>
                    {canWrite && (
                      <td className="px-5 py-3 text-right align-top">
                        <Button variant="ghost" onClick={() => setRemoving(member)}>
                          Remove<span className="sr-only"> {member.email}</span>
                        </Button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Card>
      )}
      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.email}?`}
          confirmLabel="Remove member"
          busyLabel="Removing…"
          onConfirm={() => remove(removing)}
          onClose={() => setRemoving(undefined)}
        >
          They lose their <strong>{removing.role}</strong> role in <strong>{slug}</strong> at once. Their console
          account stays, with any roles they hold in other projects.
        </ConfirmDialog>
      )}
    </Section>
  );
}
