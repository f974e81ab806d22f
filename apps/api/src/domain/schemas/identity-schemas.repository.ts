import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';

export type IdentitySchemaRow = Prisma.IdentitySchemaGetPayload<object>;
export type IdentitySchemaSummary = Pick<IdentitySchemaRow, 'version' | 'isDefault' | 'createdAt'>;

@Injectable()
export class IdentitySchemasRepository {
  constructor(private readonly prisma: PrismaClient) {}

  list(projectId: string): Promise<IdentitySchemaSummary[]> {
    return this.prisma.identitySchema.findMany({
      where: { projectId },
      select: { version: true, isDefault: true, createdAt: true },
      orderBy: { version: 'asc' },
    });
  }

  find(projectId: string, version: number): Promise<IdentitySchemaRow | null> {
    return this.prisma.identitySchema.findUnique({ where: { projectId_version: { projectId, version } } });
  }

  findDefault(projectId: string): Promise<IdentitySchemaRow | null> {
    return this.prisma.identitySchema.findFirst({
      where: { projectId, isDefault: true },
      orderBy: { version: 'desc' },
    });
  }

  async hasAny(projectId: string): Promise<boolean> {
    return (await this.prisma.identitySchema.count({ where: { projectId } })) > 0;
  }

  /**
   * Adds the next version (highest + 1). Two concurrent writers may pick the same number: the unique
   * (project, version) key refuses the second, and the caller retries. Making it the default clears the
   * flag on the others in the same transaction, so a project never has two defaults.
   */
  create(projectId: string, schema: Prisma.InputJsonObject, isDefault: boolean): Promise<IdentitySchemaRow> {
    return this.prisma.$transaction(async (tx) => {
      const latest = await tx.identitySchema.findFirst({
        where: { projectId },
        orderBy: { version: 'desc' },
        select: { version: true },
      });
      if (isDefault)
        await tx.identitySchema.updateMany({ where: { projectId, isDefault: true }, data: { isDefault: false } });
      return tx.identitySchema.create({ data: { projectId, version: (latest?.version ?? 0) + 1, schema, isDefault } });
    });
  }

  /** Version 1, the built-in default, for a project that has none yet (the unique key makes a race harmless). */
  async createFirst(projectId: string, schema: Prisma.InputJsonObject): Promise<void> {
    await this.prisma.identitySchema.create({ data: { projectId, version: 1, schema, isDefault: true } });
  }

  /** Makes one version the default; false when the project has no such version. */
  setDefault(projectId: string, version: number): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const target = await tx.identitySchema.findUnique({
        where: { projectId_version: { projectId, version } },
        select: { id: true },
      });
      if (!target) return false;
      await tx.identitySchema.updateMany({
        where: { projectId, isDefault: true, NOT: { id: target.id } },
        data: { isDefault: false },
      });
      await tx.identitySchema.update({ where: { id: target.id }, data: { isDefault: true } });
      return true;
    });
  }
}
