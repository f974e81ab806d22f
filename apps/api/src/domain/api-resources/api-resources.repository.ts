import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import type { ApiResource, ApiScope, ResourceGrant } from './api-resource';
import { DatabaseNotifications } from '../../infra/database/database-notifications';
import { ReplicatedCache } from '../../infra/database/replicated-cache';

type ApiResourceRow = Prisma.ApiResourceGetPayload<object>;

export type NewApiResource = Pick<ApiResource, 'identifier' | 'name' | 'scopes' | 'accessTokenTtlSeconds'>;
/** What an update may change: never the identifier (resource servers check tokens' `aud` against it). */
export type ApiResourceChanges = Partial<Pick<ApiResource, 'name' | 'scopes' | 'accessTokenTtlSeconds'>>;

/**
 * The only writer of API resources and of applications' grants of them. The token endpoint's read (an application's
 * grants) is cached per application on every replica and dropped there by each write here (ReplicatedCache).
 */
@Injectable()
export class ApiResourcesRepository {
  private readonly grantsCache: ReplicatedCache<ResourceGrant[]>;

  constructor(
    private readonly prisma: PrismaClient,
    notifications: DatabaseNotifications,
  ) {
    this.grantsCache = new ReplicatedCache('resource-grants', notifications);
  }

  async list(projectId: string): Promise<ApiResource[]> {
    const rows = await this.prisma.apiResource.findMany({
      where: { projectId },
      orderBy: [{ createdAt: 'asc' }, { identifier: 'asc' }],
    });
    return rows.map(toApiResource);
  }

  async find(projectId: string, id: string): Promise<ApiResource | undefined> {
    const row = await this.prisma.apiResource.findFirst({ where: { id, projectId } });
    return row ? toApiResource(row) : undefined;
  }

  /** The project's resources with these identifiers (those that exist). */
  async findByIdentifiers(projectId: string, identifiers: readonly string[]): Promise<ApiResource[]> {
    const rows = await this.prisma.apiResource.findMany({
      where: { projectId, identifier: { in: [...identifiers] } },
    });
    return rows.map(toApiResource);
  }

  /** P2002 when the project already has a resource with this identifier. */
  async create(projectId: string, resource: NewApiResource): Promise<ApiResource> {
    return toApiResource(
      await this.prisma.apiResource.create({ data: { projectId, ...resource, scopes: toJson(resource.scopes) } }),
    );
  }

  /**
   * Changes a resource; undefined when the project has none with this id. Scopes it no longer defines are taken
   * out of every application's grant in the same transaction, so a grant never names a scope that is gone.
   */
  async update(projectId: string, id: string, changes: ApiResourceChanges): Promise<ApiResource | undefined> {
    const updated = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.apiResource.updateMany({
        where: { id, projectId },
        data: { ...changes, scopes: changes.scopes && toJson(changes.scopes) },
      });
      if (count === 0) return undefined;
      const row = await tx.apiResource.findUniqueOrThrow({ where: { id } });
      if (changes.scopes) {
        const defined = new Set(changes.scopes.map((scope) => scope.name));
        const grants = await tx.applicationResourceGrant.findMany({ where: { resourceId: id } });
        for (const grant of grants) {
          const kept = grant.scopes.filter((scope) => defined.has(scope));
          if (kept.length !== grant.scopes.length)
            await tx.applicationResourceGrant.update({
              where: { applicationId_resourceId: { applicationId: grant.applicationId, resourceId: id } },
              data: { scopes: kept },
            });
        }
      }
      return toApiResource(row);
    });
    // The grants carry the resource (its scopes, its token lifetime): every application's may have changed.
    if (updated) await this.grantsCache.invalidate('*');
    return updated;
  }

  /** Deletes a resource and every grant of it; false when the project has none with this id. */
  async delete(projectId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.apiResource.deleteMany({ where: { id, projectId } });
    if (count > 0) await this.grantsCache.invalidate('*');
    return count > 0;
  }

  /** An application's grants, in the order the resources were created. */
  async grantsOf(applicationId: string): Promise<ResourceGrant[]> {
    const rows = await this.prisma.applicationResourceGrant.findMany({
      where: { applicationId },
      include: { resource: true },
      orderBy: [{ resource: { createdAt: 'asc' } }, { resource: { identifier: 'asc' } }],
    });
    return rows.map((row) => ({ resource: toApiResource(row.resource), scopes: row.scopes }));
  }

  /** Replaces an application's grants with these (resources of its project, scopes they define: the caller checks). */
  async replaceGrants(
    applicationId: string,
    grants: ReadonlyArray<{ resourceId: string; scopes: string[] }>,
  ): Promise<ResourceGrant[]> {
    await this.prisma.$transaction([
      this.prisma.applicationResourceGrant.deleteMany({ where: { applicationId } }),
      this.prisma.applicationResourceGrant.createMany({
        data: grants.map(({ resourceId, scopes }) => ({ applicationId, resourceId, scopes })),
      }),
    ]);
    await this.grantsCache.invalidate(applicationId);
    return this.grantsOf(applicationId);
  }

  /**
   * The token endpoint's read, from memory after the first: the application's grant of the resource with this
   * identifier, or, without one, up to two of its grants (enough to tell "exactly one" from "several").
   */
  async grantsForToken(applicationId: string, identifier: string | undefined): Promise<ResourceGrant[]> {
    const grants = await this.grantsCache.get(applicationId, () => this.grantsOf(applicationId));
    return identifier === undefined
      ? grants.slice(0, 2)
      : grants.filter((grant) => grant.resource.identifier === identifier);
  }
}

function toJson(scopes: readonly ApiScope[]): Prisma.InputJsonArray {
  return scopes.map(({ name, description }) => ({ name, description }));
}

function toApiResource(row: ApiResourceRow): ApiResource {
  return {
    id: row.id,
    projectId: row.projectId,
    identifier: row.identifier,
    name: row.name,
    scopes: row.scopes as unknown as ApiScope[],
    accessTokenTtlSeconds: row.accessTokenTtlSeconds,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
