'use client';

import { AdminApiError } from '@keyway/admin-client';
import { LinkedAccount, type AuditEvent, type IdentityDetail } from '@keyway/admin-api';
import Link from 'next/link';
import { useState, type ReactNode } from 'react';
import { z } from 'zod';

import { useFlashNotice } from '../../lib/flash-notice';
import { useIdentity, useIdentitySessions, useIdentityTimeline, useProjectPermissions } from '../../lib/queries';
import { Badge, EmptyState, formatDate, PageHeader, QueryError, Skeleton } from '../common/page-parts';
import { Alert, Button, Card } from '../ui';
import { DeleteUser } from './delete-user';
import { HelpDeskActionDialog, type HelpDeskAction } from './help-desk-action';
import { identityLabel, identityState, isLocked, STATE_TONE } from './identity-labels';
import { UserTraits } from './user-traits';

/** One end user as help desk sees them: traits, addresses, credentials' metadata, sessions, timeline, actions. */
export function UserDetail({ slug, id }: { slug: string; id: string }) {
  const identity = useIdentity(slug, id);
  const permissions = useProjectPermissions(slug);
  const can = (permission: string) => permissions.data?.permissions.includes(permission) === true;
  const sessions = useIdentitySessions(slug, id, can('sessions.read'));
  const timeline = useIdentityTimeline(slug, id);
  const [action, setAction] = useState<HelpDeskAction>();
  const notice = useFlashNotice();

  if (identity.error instanceof AdminApiError && identity.error.status === 404)
    return (
      <EmptyState title="User not found">
        <Link href={`/projects/${slug}/users`} className="font-medium text-indigo-600">
          Back to users
        </Link>
      </EmptyState>
    );

  const data = identity.data;
  const state = data ? identityState(data) : undefined;

  return (
    <div className="space-y-6">
      <PageHeader
        crumbs={[
          { href: '/', label: 'Projects' },
          { href: `/projects/${slug}`, label: slug },
          { href: `/projects/${slug}/users`, label: 'Users' },
          { label: data ? identityLabel(data) : id },
        ]}
        title={
          <span className="flex items-center gap-3">
            {data ? identityLabel(data) : '…'}
            {state && <Badge tone={STATE_TONE[state]}>{state}</Badge>}
            {data && isLocked(data) && <Badge tone="amber">locked</Badge>}
          </span>
        }
        description={<span className="font-mono">{id}</span>}
      />
      {notice && (
        <Alert tone={notice.tone} title={notice.title}>
          {notice.text}
        </Alert>
      )}
      {identity.isPending && <Skeleton className="h-64" />}
      {identity.isError && <QueryError error={identity.error} retry={() => void identity.refetch()} />}
      {data && (
        <>
          <AccountActions identity={data} can={can} onAction={setAction} />
          <div className="grid gap-6 lg:grid-cols-2">
            <UserTraits
              slug={slug}
              identity={data}
              canWrite={can('identities.write')}
              canReadSchemas={permissions.data ? can('schemas.read') : undefined}
            />
            <Section title="Addresses">
              {data.verifiableAddresses.length === 0 && <p className="text-sm text-zinc-500">None.</p>}
              <ul className="divide-y divide-zinc-200 dark:divide-zinc-800">
                {data.verifiableAddresses.map((address) => (
                  <li
                    key={`${address.via}:${address.value}`}
                    className="flex flex-wrap items-center gap-2 py-2 text-sm"
                  >
                    <span className="min-w-0 flex-1 truncate">
                      {address.value} <span className="text-xs text-zinc-500">({address.via})</span>
                    </span>
                    {address.verified ? <Badge tone="green">verified</Badge> : <Badge tone="amber">not verified</Badge>}
                    {!address.verified && can('identities.addresses.write') && (
                      <>
                        <Button
                          variant="ghost"
                          onClick={() =>
                            setAction({
                              title: `Mark ${address.value} verified`,
                              explanation: 'Only when you have checked that the user controls this address.',
                              request: { action: 'verify-address', address: address.value },
                              confirmLabel: 'Mark verified',
                            })
                          }
                        >
                          Verify
                        </Button>
                        <Button
                          variant="ghost"
                          onClick={() =>
                            setAction({
                              title: `Resend the verification code to ${address.value}`,
                              explanation: 'A new verification code is sent to the address.',
                              request: { action: 'resend-verification', address: address.value },
                              confirmLabel: 'Send code',
                            })
                          }
                        >
                          Resend code
                        </Button>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            </Section>
            <Section title="Credentials">
              <Credentials identity={data} canRemove={can('identities.credentials.write')} onAction={setAction} />
            </Section>
            <Section title="Sessions">
              {!can('sessions.read') && <p className="text-sm text-zinc-500">Needs the sessions.read permission.</p>}
              {sessions.isPending && can('sessions.read') && <Skeleton className="h-16" />}
              {sessions.isError && <QueryError error={sessions.error} retry={() => void sessions.refetch()} />}
              {sessions.data?.length === 0 && <p className="text-sm text-zinc-500">No sessions.</p>}
              <ul className="divide-y divide-zinc-200 dark:divide-zinc-800">
                {sessions.data?.map((session) => (
                  <li key={session.id} className="flex flex-wrap items-center gap-2 py-2 text-sm">
                    <span className="min-w-0 flex-1">
                      <span className="block truncate">{session.device.userAgent ?? 'Unknown device'}</span>
                      <span className="block text-xs text-zinc-500">
                        {session.device.ip ?? '—'} · signed in {formatDate(session.authTime)} · {session.amr.join(', ')}
                      </span>
                    </span>
                    {session.active ? (
                      <Badge tone="green">active</Badge>
                    ) : (
                      <Badge tone="zinc">{session.revoked ? 'revoked' : 'expired'}</Badge>
                    )}
                    {session.active && can('sessions.revoke') && (
                      <Button
                        variant="ghost"
                        onClick={() =>
                          setAction({
                            title: 'Revoke this session',
                            explanation: 'The session ends and its refresh tokens stop working.',
                            request: { revokeSession: session.id },
                            confirmLabel: 'Revoke',
                            danger: true,
                          })
                        }
                      >
                        Revoke
                      </Button>
                    )}
                  </li>
                ))}
              </ul>
            </Section>
          </div>
          <Section title="Recent activity">
            {timeline.isPending && <Skeleton className="h-24" />}
            {timeline.isError && <QueryError error={timeline.error} retry={() => void timeline.refetch()} />}
            {timeline.data?.items.length === 0 && <p className="text-sm text-zinc-500">Nothing recorded yet.</p>}
            <ol className="space-y-3" aria-label="Timeline" data-testid="identity-timeline">
              {timeline.data?.items.map((event) => (
                <TimelineEntry key={event.id} event={event} />
              ))}
            </ol>
          </Section>
          {can('identities.write') && <DeleteUser slug={slug} identity={data} />}
        </>
      )}
      {action && (
        <HelpDeskActionDialog slug={slug} identityId={id} action={action} onClose={() => setAction(undefined)} />
      )}
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card className="p-5">
      <h2 className="mb-3 text-base font-semibold">{title}</h2>
      {children}
    </Card>
  );
}

/** The account-wide actions the caller's permissions allow. */
function AccountActions({
  identity,
  can,
  onAction,
}: {
  identity: IdentityDetail;
  can: (permission: string) => boolean;
  onAction: (action: HelpDeskAction) => void;
}) {
  const buttons: { label: string; action: HelpDeskAction }[] = [];
  if (can('identities.state.write')) {
    if (isLocked(identity))
      buttons.push({
        label: 'Unlock',
        action: {
          title: 'Unlock this account',
          explanation: 'The lock is lifted and the failed attempts forgotten.',
          request: { action: 'unlock' },
          confirmLabel: 'Unlock',
        },
      });
    if (identity.state === 'disabled')
      buttons.push({
        label: 'Enable',
        action: {
          title: 'Enable this account',
          explanation: 'The user can sign in again.',
          request: { action: 'enable' },
          confirmLabel: 'Enable',
        },
      });
    else
      buttons.push({
        label: 'Disable',
        action: {
          title: 'Disable this account',
          explanation: 'The user can no longer sign in; their sessions end and refresh tokens stop working.',
          request: { action: 'disable' },
          confirmLabel: 'Disable',
          danger: true,
        },
      });
  }
  if (can('identities.credentials.write'))
    buttons.push({
      label: 'Send recovery code',
      action: {
        title: 'Send a recovery code',
        explanation: 'A recovery code is sent to the user’s verified address so they can set a new password.',
        request: { action: 'send-recovery' },
        confirmLabel: 'Send',
      },
    });
  if (can('sessions.revoke'))
    buttons.push({
      label: 'Revoke all sessions',
      action: {
        title: 'Revoke all sessions',
        explanation: 'Every session of the user ends and their refresh tokens stop working.',
        request: { action: 'revoke-sessions' },
        confirmLabel: 'Revoke all',
        danger: true,
      },
    });
  if (buttons.length === 0) return null;
  return (
    <div className="flex flex-wrap gap-2" role="group" aria-label="Help-desk actions">
      {buttons.map((button) => (
        <Button key={button.label} variant="secondary" onClick={() => onAction(button.action)}>
          {button.label}
        </Button>
      ))}
    </div>
  );
}

interface PasskeyMetadata {
  id: string;
  name: string | null;
  createdAt: string;
}

function Credentials({
  identity,
  canRemove,
  onAction,
}: {
  identity: IdentityDetail;
  canRemove: boolean;
  onAction: (action: HelpDeskAction) => void;
}) {
  if (identity.credentials.length === 0) return <p className="text-sm text-zinc-500">None.</p>;
  return (
    <ul className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
      {identity.credentials.map((credential) => {
        const passkeys = Array.isArray(credential.passkeys) ? (credential.passkeys as PasskeyMetadata[]) : [];
        const links = credential.type === 'oidc' ? z.array(LinkedAccount).catch([]).parse(credential.links) : [];
        return (
          <li key={credential.type} className="py-2">
            <div className="flex flex-wrap items-center gap-2">
              <span className="flex-1 font-medium">{CREDENTIAL_LABELS[credential.type] ?? credential.type}</span>
              <span className="text-xs text-zinc-500">since {formatDate(credential.createdAt)}</span>
              {credential.type === 'totp' && credential.confirmed === false && <Badge tone="amber">unconfirmed</Badge>}
              {credential.type === 'backup_codes' && <Badge tone="zinc">{String(credential.remaining)} left</Badge>}
              {canRemove && (credential.type === 'totp' || credential.type === 'backup_codes') && (
                <Button
                  variant="ghost"
                  onClick={() =>
                    onAction({
                      title: credential.type === 'totp' ? 'Remove the authenticator app' : 'Remove the backup codes',
                      explanation: 'The user will have to set it up again.',
                      request: { action: credential.type === 'totp' ? 'remove-totp' : 'remove-backup-codes' },
                      confirmLabel: 'Remove',
                      danger: true,
                    })
                  }
                >
                  Remove
                </Button>
              )}
            </div>
            {credential.type === 'oidc' && links.length === 0 && (
              <p className="mt-1 pl-4 text-xs text-zinc-500">No linked account.</p>
            )}
            {links.length > 0 && (
              <ul className="mt-2 space-y-1 pl-4" aria-label="Linked accounts">
                {links.map((link) => (
                  <li key={link.connectionId} className="flex items-center gap-2">
                    <span className="flex-1">
                      {link.connectionName}{' '}
                      <span className="font-mono text-xs text-zinc-500" title="The provider's subject">
                        {link.subject}
                      </span>
                    </span>
                    <span className="text-xs text-zinc-500">{formatDate(link.linkedAt)}</span>
                    {canRemove && (
                      <Button
                        variant="ghost"
                        aria-label={`Unlink ${link.connectionName}`}
                        onClick={() =>
                          onAction({
                            title: `Unlink the ${link.connectionName} account`,
                            explanation:
                              'The user can no longer sign in with it until they link it again. Refused when it is their only way to sign in.',
                            request: { action: 'unlink-connection', connectionId: link.connectionId },
                            confirmLabel: 'Unlink',
                            danger: true,
                          })
                        }
                      >
                        Unlink
                      </Button>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {passkeys.length > 0 && (
              <ul className="mt-2 space-y-1 pl-4">
                {passkeys.map((passkey) => (
                  <li key={passkey.id} className="flex items-center gap-2">
                    <span className="flex-1">{passkey.name ?? 'Passkey'}</span>
                    <span className="text-xs text-zinc-500">{formatDate(passkey.createdAt)}</span>
                    {canRemove && (
                      <Button
                        variant="ghost"
                        onClick={() =>
                          onAction({
                            title: `Remove the passkey ${passkey.name ?? ''}`.trim(),
                            explanation: 'The user can no longer sign in with it.',
                            request: { action: 'remove-passkey', passkeyId: passkey.id },
                            confirmLabel: 'Remove',
                            danger: true,
                          })
                        }
                      >
                        Remove
                      </Button>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </ul>
  );
}

const CREDENTIAL_LABELS: Record<string, string> = {
  password: 'Password',
  totp: 'Authenticator app (TOTP)',
  webauthn: 'Passkeys',
  backup_codes: 'Backup codes',
  oidc: 'Linked accounts',
};

function TimelineEntry({ event }: { event: AuditEvent }) {
  const data = event.data && typeof event.data === 'object' ? (event.data as Record<string, unknown>) : {};
  const reason = typeof data.reason === 'string' ? data.reason : undefined;
  return (
    <li className="flex gap-3 text-sm">
      <span aria-hidden="true" className="mt-1.5 size-2 shrink-0 rounded-full bg-indigo-500" />
      <div className="min-w-0">
        <p>
          <span className="font-mono text-xs">{event.type}</span>
          {event.actor?.name && <span className="text-zinc-500"> by {event.actor.name}</span>}
          <span className="text-zinc-500"> · {formatDate(event.createdAt)}</span>
        </p>
        {reason && <p className="text-zinc-600 dark:text-zinc-400">Reason: {reason}</p>}
      </div>
    </li>
  );
}
