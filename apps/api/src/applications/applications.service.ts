import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/errors';
import { randomToken, sha256 } from '../crypto/tokens';
import { isUniqueViolation } from '../prisma/prisma-errors';
import type { Application } from './application';
import { ApplicationsRepository } from './applications.repository';

export interface CreateApplicationInput {
  name: string;
  type: 'public' | 'confidential';
  redirectUris: string[];
  grantTypes: string[];
  appNative: boolean;
  clientId?: string | undefined;
}

/** Applications are read on every OAuth request: keep them briefly in memory. */
const CACHE_TTL_MS = 5_000;

@Injectable()
export class ApplicationsService {
  private readonly cache = new Map<string, { application: Application | undefined; expiresAt: number }>();

  constructor(private readonly applications: ApplicationsRepository) {}

  async findByClientId(projectId: string, clientId: string): Promise<Application | undefined> {
    const key = `${projectId}\n${clientId}`;
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.application;
    const application = await this.applications.findByClientId(projectId, clientId);
    this.cache.set(key, { application, expiresAt: Date.now() + CACHE_TTL_MS });
    return application;
  }

  list(projectId: string): Promise<Application[]> {
    return this.applications.listByProject(projectId);
  }

  /** Creates a client. A confidential client's secret is returned here, once, and stored only as a hash. */
  async create(projectId: string, input: CreateApplicationInput): Promise<{ application: Application; clientSecret?: string }> {
    const clientSecret = input.type === 'confidential' ? randomToken() : undefined;
    try {
      const application = await this.applications.create({
        projectId,
        clientId: input.clientId ?? randomToken(18),
        clientSecretHash: clientSecret ? sha256(clientSecret) : null,
        name: input.name,
        type: input.type,
        redirectUris: input.redirectUris,
        grantTypes: input.grantTypes,
        appNative: input.appNative,
        loginFlow: [['BasicAuthenticator']],
      });
      this.cache.delete(`${projectId}\n${application.clientId}`);
      return clientSecret ? { application, clientSecret } : { application };
    } catch (error) {
      if (isUniqueViolation(error)) throw ApiError.conflict(`client_id '${input.clientId}' is already taken.`);
      throw error;
    }
  }
}
