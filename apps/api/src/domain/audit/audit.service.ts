import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import { PreparedSql, preparedStatement } from '../../infra/database/prepared-sql';
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

  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: PreparedSql,
  ) {}

  async record(type: AuditEventType, event: AuditEventInput): Promise<void> {
    const { actor, target, data } = event;
    await this.sql.query(INSERT_AUDIT_EVENT, [
      randomUUID(),
      event.projectId ?? null,
      type,
      event.identityId ?? null,
      event.clientId ?? null,
      actor?.kind ?? null,
      actor?.id ?? null,
      actor?.name ?? null,
      target?.type ?? null,
      target?.id ?? null,
      JSON.stringify(data ?? {}),
      new Date(),
    ]);
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

/** record's one statement: $1 id, $2 project, $3 type, $4 identity, $5 client_id, $6–$8 actor kind, id and name, $9–$10 target type and id, $11 data (JSON), $12 created_at. */
const INSERT_AUDIT_EVENT = preparedStatement<never>(
  'audit.record',
  `INSERT INTO audit_events (id, project_id, type, identity_id, client_id, actor_kind, actor_id, actor_name, target_type,
                             target_id, data, created_at)
   VALUES ($1::uuid, $2::uuid, $3::text, $4::uuid, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text, $11::jsonb,
           $12::timestamptz)`,
);
