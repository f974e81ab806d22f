import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';

export type EmailTemplateRow = Prisma.EmailTemplateGetPayload<object>;

@Injectable()
export class TemplatesRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The project's templates of a kind in any of `locales`; `db` is the caller's transaction when there is one. */
  findForLocales(
    projectId: string,
    kind: string,
    locales: string[],
    db: Prisma.TransactionClient = this.prisma,
  ): Promise<EmailTemplateRow[]> {
    return db.emailTemplate.findMany({ where: { projectId, kind, locale: { in: locales } } });
  }

  list(projectId: string): Promise<Pick<EmailTemplateRow, 'kind' | 'locale' | 'updatedAt'>[]> {
    return this.prisma.emailTemplate.findMany({
      where: { projectId },
      select: { kind: true, locale: true, updatedAt: true },
      orderBy: [{ kind: 'asc' }, { locale: 'asc' }],
    });
  }

  upsert(
    projectId: string,
    kind: string,
    locale: string,
    content: { subject: string; html: string; text: string },
  ): Promise<EmailTemplateRow> {
    return this.prisma.emailTemplate.upsert({
      where: { projectId_kind_locale: { projectId, kind, locale } },
      create: { projectId, kind, locale, ...content },
      update: content,
    });
  }

  async delete(projectId: string, kind: string, locale: string): Promise<boolean> {
    const { count } = await this.prisma.emailTemplate.deleteMany({ where: { projectId, kind, locale } });
    return count > 0;
  }
}
