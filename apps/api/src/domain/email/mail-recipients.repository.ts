import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';

/** An identity as mail needs it: its traits, schema version and best email address. */
export interface RecipientRow {
  traits: Prisma.JsonValue;
  schemaVersion: number;
  /** Verified first, then the oldest; undefined when the identity has no email address. */
  email: string | undefined;
}

/** What choosing a mail's recipient and locale reads; `db` is the caller's transaction when there is one. */
@Injectable()
export class MailRecipientsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async find(
    projectId: string,
    identityId: string,
    db: Prisma.TransactionClient = this.prisma,
  ): Promise<RecipientRow | undefined> {
    const row = await db.identity.findFirst({
      relationLoadStrategy: 'join',
      where: { id: identityId, projectId },
      select: {
        traits: true,
        schemaVersion: true,
        verifiableAddresses: {
          where: { via: 'email' },
          select: { value: true },
          orderBy: [{ verified: 'desc' }, { createdAt: 'asc' }],
          take: 1,
        },
      },
    });
    return row
      ? { traits: row.traits, schemaVersion: row.schemaVersion, email: row.verifiableAddresses[0]?.value }
      : undefined;
  }

  /** Whether the schema version declares a top-level `locale` trait (version 1 unwritten is the built-in schema: no). */
  async declaresLocale(
    projectId: string,
    version: number,
    db: Prisma.TransactionClient = this.prisma,
  ): Promise<boolean> {
    const row = await db.identitySchema.findUnique({
      where: { projectId_version: { projectId, version } },
      select: { schema: true },
    });
    const properties = (row?.schema as { properties?: unknown } | null)?.properties;
    return typeof properties === 'object' && properties !== null && Object.hasOwn(properties, 'locale');
  }
}
