import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';

export type SmtpConfigRow = Prisma.SmtpConfigGetPayload<object>;
export type SmtpConfigData = Omit<Prisma.SmtpConfigUncheckedCreateInput, 'projectId' | 'createdAt' | 'updatedAt'>;

@Injectable()
export class SmtpSettingsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  find(projectId: string): Promise<SmtpConfigRow | null> {
    return this.prisma.smtpConfig.findUnique({ where: { projectId } });
  }

  findWithProjectName(projectId: string): Promise<(SmtpConfigRow & { project: { name: string } }) | null> {
    return this.prisma.smtpConfig.findUnique({
      where: { projectId },
      include: { project: { select: { name: true } } },
    });
  }

  upsert(projectId: string, data: SmtpConfigData): Promise<SmtpConfigRow> {
    return this.prisma.smtpConfig.upsert({ where: { projectId }, create: { projectId, ...data }, update: data });
  }

  async delete(projectId: string): Promise<boolean> {
    const { count } = await this.prisma.smtpConfig.deleteMany({ where: { projectId } });
    return count > 0;
  }
}
