import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';

export type ProjectRow = Prisma.ProjectGetPayload<object>;

@Injectable()
export class ProjectsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  findBySlug(slug: string): Promise<ProjectRow | null> {
    return this.prisma.project.findUnique({ where: { slug } });
  }

  list(): Promise<ProjectRow[]> {
    return this.prisma.project.findMany({ orderBy: { createdAt: 'asc' } });
  }

  update(id: string, data: { name?: string; settings?: object }): Promise<ProjectRow> {
    return this.prisma.project.update({ where: { id }, data });
  }

  /** Deletes the project and, by cascade, everything that belongs to it. */
  async delete(id: string): Promise<void> {
    await this.prisma.project.delete({ where: { id } });
  }

  /** Creates the project; its signing keys come next, from the keys unit (SigningKeysService.ensureKeys). */
  create(data: { slug: string; name: string; settings: object }): Promise<ProjectRow> {
    return this.prisma.project.create({ data });
  }
}
