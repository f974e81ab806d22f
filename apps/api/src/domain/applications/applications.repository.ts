import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import type { Application } from './application';

type ApplicationRow = Prisma.ApplicationGetPayload<object>;

@Injectable()
export class ApplicationsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async findByClientId(projectId: string, clientId: string): Promise<Application | undefined> {
    const row = await this.prisma.application.findUnique({ where: { clientId } });
    return row && row.projectId === projectId ? toApplication(row) : undefined;
  }

  async listByProject(projectId: string): Promise<Application[]> {
    const rows = await this.prisma.application.findMany({ where: { projectId }, orderBy: { createdAt: 'asc' } });
    return rows.map(toApplication);
  }

  async create(data: Omit<Application, 'id'>): Promise<Application> {
    return toApplication(await this.prisma.application.create({ data }));
  }

  /** Updates a project's client; P2025 when the project has no such client. */
  async update(
    projectId: string,
    clientId: string,
    changes: Partial<
      Pick<Application, 'name' | 'redirectUris' | 'grantTypes' | 'appNative' | 'loginFlow' | 'allowEnrollmentInFlow'>
    >,
  ): Promise<Application> {
    return toApplication(await this.prisma.application.update({ where: { clientId, projectId }, data: changes }));
  }

  async setClientSecretHash(projectId: string, clientId: string, clientSecretHash: string): Promise<void> {
    await this.prisma.application.update({ where: { clientId, projectId }, data: { clientSecretHash } });
  }
}

function toApplication(row: ApplicationRow): Application {
  return {
    id: row.id,
    projectId: row.projectId,
    clientId: row.clientId,
    clientSecretHash: row.clientSecretHash,
    name: row.name,
    type: row.type,
    redirectUris: row.redirectUris,
    grantTypes: row.grantTypes,
    appNative: row.appNative,
    loginFlow: row.loginFlow as string[][],
    allowEnrollmentInFlow: row.allowEnrollmentInFlow,
  };
}
