import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { Prisma, PrismaClient } from '../../generated/prisma/client';

/**
 * A set of backup codes (Credential of type backup_codes, one per identity): the SHA-256 of each code
 * and when it was used (null while unused). Kept as one JSON value so that consuming a code is a single
 * compare-and-set on the whole set.
 */
export const BackupCodesConfig = z.object({
  createdAt: z.iso.datetime(),
  codes: z.array(z.object({ hash: z.string(), usedAt: z.iso.datetime().nullable() })),
});
export type BackupCodesConfig = z.infer<typeof BackupCodesConfig>;

export interface BackupCodesCredential {
  id: string;
  identityId: string;
  config: BackupCodesConfig;
}

export interface BackupCodesLogin {
  identity: { id: string; projectId: string; state: string; lockedUntil: Date | null };
  /** Undefined when the identity never generated codes. */
  credential: BackupCodesCredential | undefined;
}

@Injectable()
export class BackupCodesRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async find(identityId: string): Promise<BackupCodesCredential | undefined> {
    const row = await this.prisma.credential.findUnique({
      where: { identityId_type: { identityId, type: 'backup_codes' } },
    });
    return row ? toCredential(row) : undefined;
  }

  /**
   * What a login step needs in one query: the identity (for lockout) and its codes, if it has any.
   * Undefined only when the identity does not exist.
   */
  async findLogin(identityId: string): Promise<BackupCodesLogin | undefined> {
    const row = await this.prisma.identity.findUnique({
      where: { id: identityId },
      select: {
        id: true,
        projectId: true,
        state: true,
        lockedUntil: true,
        credentials: { where: { type: 'backup_codes' } },
      },
    });
    if (!row) return undefined;
    const { credentials, ...identity } = row;
    const credential = credentials[0];
    return { identity, credential: credential ? toCredential(credential) : undefined };
  }

  /** Replaces the identity's set (or creates the first one): old codes stop working at once. */
  async replace(identityId: string, config: BackupCodesConfig, tx?: Prisma.TransactionClient): Promise<void> {
    const data = { config: config as unknown as Prisma.InputJsonObject };
    await (tx ?? this.prisma).credential.upsert({
      where: { identityId_type: { identityId, type: 'backup_codes' } },
      create: { identityId, type: 'backup_codes', ...data },
      update: data,
    });
  }

  /** Removes the identity's set (an administrator's help-desk action); false when it had none. */
  async remove(identityId: string): Promise<boolean> {
    const { count } = await this.prisma.credential.deleteMany({ where: { identityId, type: 'backup_codes' } });
    return count > 0;
  }

  /**
   * Replaces the set only if nobody changed it since it was read (compare-and-set on the whole JSON
   * value), so one code cannot be consumed twice by concurrent requests.
   */
  async compareAndSetConfig(credential: BackupCodesCredential, config: BackupCodesConfig): Promise<boolean> {
    const { count } = await this.prisma.credential.updateMany({
      where: {
        id: credential.id,
        type: 'backup_codes',
        config: { equals: credential.config as unknown as Prisma.InputJsonObject },
      },
      data: { config: config as unknown as Prisma.InputJsonObject },
    });
    return count === 1;
  }
}

function toCredential(row: { id: string; identityId: string; config: Prisma.JsonValue }): BackupCodesCredential {
  return { id: row.id, identityId: row.identityId, config: BackupCodesConfig.parse(row.config) };
}
