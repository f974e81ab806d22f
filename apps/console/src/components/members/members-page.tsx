'use client';

import { useProject, useProjectPermissions } from '../../lib/queries';
import { useRoles } from '../../lib/queries-members';
import { PageHeader, QueryError, Skeleton } from '../common/page-parts';
import { Alert } from '../ui';
import { roleChoices } from './access-parts';
import { ApiKeysSection } from './api-keys-section';
import { InvitationsSection } from './invitations-section';
import { MembersSection } from './members-section';
import { RolesSection } from './roles-section';

/**
 * Who may do what in the project: its members, pending invitations, roles and API keys, each section shown
 * to whoever may read it and its changes offered to whoever may make them (the API decides either way).
 */
export function MembersPage({ slug }: { slug: string }) {
  const permissions = useProjectPermissions(slug);
  const held = permissions.data?.permissions;
  const can = (permission: string) => held?.includes(permission) === true;
  const roles = useRoles(slug, can('members.read'));
  const project = useProject(slug);
  const choices = roleChoices(roles.data, held);
  // The API's public address, as the project's issuer ({publicUrl}/t/{slug}) names it.
  const apiBase = project.data?.issuer.replace(/\/t\/[^/]+$/, '') ?? 'https://keyway.example.com';

  return (
    <div className="space-y-10">
      <PageHeader
        crumbs={[
          { href: '/', label: 'Projects' },
          { href: `/projects/${slug}`, label: slug },
          { label: 'Members & API keys' },
        ]}
        title="Members & API keys"
        description="Who can administer this project, with which role, and the keys automation uses."
      />
      {permissions.isPending && <Skeleton className="h-64" />}
      {permissions.isError && <QueryError error={permissions.error} retry={() => void permissions.refetch()} />}
      {held && !can('members.read') && !can('api_keys.read') && (
        <Alert tone="error" title="You may not see this project’s members">
          This page needs the members.read or api_keys.read permission in this project.
        </Alert>
      )}
      {held && can('members.read') && (
        <>
          <MembersSection slug={slug} canWrite={can('members.write')} roleChoices={choices} />
          <InvitationsSection slug={slug} canWrite={can('members.write')} roleChoices={choices} />
          <RolesSection slug={slug} canWrite={can('roles.write')} held={held} />
        </>
      )}
      {held && can('api_keys.read') && (
        <ApiKeysSection slug={slug} apiBase={apiBase} canWrite={can('api_keys.write')} roleChoices={choices} />
      )}
    </div>
  );
}
