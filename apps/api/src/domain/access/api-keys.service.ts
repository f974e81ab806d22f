import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { sha256 } from '../../infra/crypto/tokens';
import { ApiError, fieldError } from '../../infra/http/errors';
import { isUuid } from '../../infra/http/ids';
import type { Project } from '../projects/projects.service';
import { AccessRepository, type ApiKeyRow } from './access.repository';
import { AccessService, type AdminPrincipal } from './access.service';
import { formatApiKey, newApiKeySecret } from './api-key-format';

/** An API key as listed: never its secret or the secret's hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  role: string;
  createdAt: string;
  /** Who created it, readable (an email, another key's name). */
  createdBy: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/**
 * A project's API keys: automation acting with a role in the project. The key (`kwk_<id>_<secret>`) is shown
 * once, at creation; only the secret's SHA-256 is stored. Revoked and expired keys are refused at once
 * (admin/auth checks every request against the row).
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly repository: AccessRepository,
    private readonly access: AccessService,
  ) {}

  async list(projectId: string): Promise<ApiKeyView[]> {
    return (await this.repository.apiKeys(projectId)).map(apiKeyView);
  }

  async create(
    principal: AdminPrincipal,
    project: Project,
    input: { name: string; role: string; expiresAt?: Date | undefined; createdBy: string },
    now = new Date(),
  ): Promise<ApiKeyView & { key: string }> {
    if (input.expiresAt && input.expiresAt <= now)
      throw ApiError.invalidFields([fieldError('expiresAt', 'msg_field_invalid', 'must be in the future')]);
    await this.access.assertMayGrant(principal, project, input.role);
    const id = randomUUID();
    const secret = newApiKeySecret();
    const row = await this.repository.createApiKey({
      id,
      projectId: project.id,
      name: input.name,
      role: input.role,
      secretHash: sha256(secret),
      expiresAt: input.expiresAt ?? null,
      createdBy: input.createdBy,
    });
    return { ...apiKeyView(row), key: formatApiKey(id, secret) };
  }

  /** Revokes a key: true when this call revoked it, false when it was revoked already; 404 for an unknown key. */
  async revoke(project: Project, id: string): Promise<{ key: ApiKeyView; revoked: boolean }> {
    const key = isUuid(id) ? await this.repository.findApiKey(id) : null;
    if (!key || key.projectId !== project.id)
      throw ApiError.notFound(`No API key '${id}' in project '${project.slug}'.`);
    const revoked = await this.repository.revokeApiKey(project.id, id);
    return { key: apiKeyView(key), revoked };
  }
}

function apiKeyView(key: ApiKeyRow): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    role: key.role,
    createdAt: key.createdAt.toISOString(),
    createdBy: key.createdBy,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}
