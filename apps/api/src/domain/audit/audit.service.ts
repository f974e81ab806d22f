import { Injectable, Logger } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';

export type AuditEventType =
  | 'project.created'
  | 'project.updated'
  | 'application.created'
  | 'application.updated'
  | 'application.secret_rotated'
  | 'application.deleted'
  | 'project.deleted'
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
  | 'backup_codes.generated'
  | 'email.template_updated'
  | 'email.template_reset'
  | 'email.smtp_updated'
  | 'email.smtp_removed'
  | 'email.test_queued'
  | 'login.succeeded'
  | 'oauth.code_replayed'
  | 'oauth.refresh_token_reused';

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
}
