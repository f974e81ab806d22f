import { Injectable, Logger } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import type { PagePosition } from '../../infra/http/page-cursor';

/** What help desk and administrators do to an identity through the admin API; each is `admin.identity.<action>`. */
export const IDENTITY_ADMIN_ACTIONS = [
  'updated',
  'deleted',
  'unlock',
  'disable',
  'enable',
  'verify-address',
  'resend-verification',
  'send-recovery',
  'remove-totp',
  'remove-backup-codes',
  'remove-passkey',
  'unlink-connection',
  'revoke-sessions',
  'revoke-session',
] as const;
export type IdentityAdminAction = (typeof IDENTITY_ADMIN_ACTIONS)[number];

export type AuditEventType =
  | 'project.created'
  | 'project.updated'
  | 'application.created'
  | 'application.updated'
  | 'application.secret_rotated'
  | 'application.deleted'
  | 'application.resource_grants_updated'
  | 'api_resource.created'
  | 'api_resource.updated'
  | 'api_resource.deleted'
  | 'connection.created'
  | 'connection.updated'
  | 'connection.deleted'
  | 'token_issuer.created'
  | 'token_issuer.updated'
  | 'token_issuer.secret_rotated'
  | 'token_issuer.deleted'
  | 'project.deleted'
  | 'signing_keys.rotated'
  | 'identity.created'
  | 'identity_schema.created'
  | 'identity_schema.default_set'
  | 'identity.locked'
  | 'identity.traits_updated'
  | 'password.changed'
  | 'totp.enrolled'
  | 'totp.removed'
  | 'passkey.registered'
  | 'passkey.removed'
  | 'linked_account.added'
  | 'linked_account.removed'
  | 'backup_codes.generated'
  | 'email.template_updated'
  | 'email.template_reset'
  | 'email.smtp_updated'
  | 'email.smtp_removed'
  | 'email.test_queued'
  | 'member.role_changed'
  | 'member.removed'
  | 'member.invited'
  | 'member.invitation_revoked'
  | 'member.invitation_accepted'
  | 'role.created'
  | 'role.updated'
  | 'role.deleted'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'login.succeeded'
  | 'oauth.code_replayed'
  | 'oauth.refresh_token_reused'
  | 'oauth.token_revoked'
  | 'session.logged_out'
  | `admin.identity.${IdentityAdminAction}`;

/** Who did it, through the admin API. */
export interface AuditActor {
  kind: 'console-user' | 'api-key' | 'root';
  id: string;
  /** Readable (an email, an API key's name). */
  name: string;
}

export interface AuditEventInput {
  projectId?: string | undefined;
  /** The end user the event is about: it shows on that identity's timeline. */
  identityId?: string | undefined;
  clientId?: string | undefined;
  actor?: AuditActor | undefined;
  /** What an admin action changed. */
  target?: { type: string; id: string } | undefined;
  data?: Prisma.InputJsonObject;
}

export type AuditEventRow = Prisma.AuditEventGetPayload<object>;

/** Which of a project's events to read; every given filter must match. */
export interface AuditEventFilter {
  /** The actor's id (a console user's identity id, an API key's id, `root`) or readable name (an email). */
  actor?: string | undefined;
  /** Events about this identity: its timeline. */
  identityId?: string | undefined;
  /** An event type, or a prefix ending in `*` (`admin.identity.*`). */
  type?: string | undefined;
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
}

/** Append-only record of security-relevant events. Never holds secrets. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(private readonly prisma: PrismaClient) {}

  async record(type: AuditEventType, event: AuditEventInput): Promise<void> {
    const { actor, target, data, ...rest } = event;
    await this.prisma.auditEvent.create({
      data: {
        type,
        ...rest,
        ...(actor ? { actorKind: actor.kind, actorId: actor.id, actorName: actor.name } : {}),
        ...(target ? { targetType: target.type, targetId: target.id } : {}),
        data: data ?? {},
      },
      select: { id: true },
    });
    this.logger.log({
      audit: type,
      projectId: event.projectId,
      identityId: event.identityId,
      clientId: event.clientId,
      ...(actor ? { actor: `${actor.kind}:${actor.id}` } : {}),
      ...(target ? { target: `${target.type}:${target.id}` } : {}),
    });
  }

  /**
   * A page of the project's events, newest first by (createdAt, id), served by the (project, createdAt),
   * (project, identity, createdAt) and (project, actor, createdAt) indexes.
   */
  list(
    projectId: string,
    filter: AuditEventFilter,
    page: { after?: PagePosition | undefined; take: number },
  ): Promise<AuditEventRow[]> {
    const { actor, identityId, type, from, to } = filter;
    const { after, take } = page;
    const where: Prisma.AuditEventWhereInput = {
      projectId,
      ...(identityId ? { identityId } : {}),
      ...(actor ? { OR: [{ actorId: actor }, { actorName: actor }] } : {}),
      ...(type ? { type: type.endsWith('*') ? { startsWith: type.slice(0, -1) } : type } : {}),
      ...(from || to ? { createdAt: { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } } : {}),
    };
    return this.prisma.auditEvent.findMany({
      where: after
        ? {
            AND: [
              where,
              {
                OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }],
              },
            ],
          }
        : where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take,
    });
  }
}
