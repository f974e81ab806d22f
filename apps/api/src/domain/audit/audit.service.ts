import { Injectable, Logger } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';

export type AuditEventType =
  | 'project.created'
  | 'project.updated'
  | 'application.created'
  | 'application.updated'
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

export interface AuditEventInput {
  projectId?: string | undefined;
  identityId?: string | undefined;
  clientId?: string | undefined;
  data?: Prisma.InputJsonObject;
}

/** Append-only record of security-relevant events. Never holds secrets. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(private readonly prisma: PrismaClient) {}

  async record(type: AuditEventType, event: AuditEventInput): Promise<void> {
    await this.prisma.auditEvent.create({ data: { type, ...event, data: event.data ?? {} }, select: { id: true } });
    this.logger.log({
      audit: type,
      projectId: event.projectId,
      identityId: event.identityId,
      clientId: event.clientId,
    });
  }
}
