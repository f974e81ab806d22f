import { Injectable } from '@nestjs/common';
import type { Application } from '../applications/application';
import type { Project } from '../projects/projects.service';
import { ApiError } from '../../infra/http/errors';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import { isUuid } from '../../infra/http/ids';
import type { ApiResource, ResourceGrant } from './api-resource';
import { ApiResourcesRepository, type ApiResourceChanges, type NewApiResource } from './api-resources.repository';

/** An application's grant as the admin API names it: the resource by its identifier. */
export interface ResourceGrantInput {
  resource: string;
  scopes: string[];
}

/** The admin side of API resources and of which applications may get tokens for them. */
@Injectable()
export class ApiResourcesService {
  constructor(private readonly resources: ApiResourcesRepository) {}

  list(project: Project): Promise<ApiResource[]> {
    return this.resources.list(project.id);
  }

  async get(project: Project, id: string): Promise<ApiResource> {
    const resource = isUuid(id) ? await this.resources.find(project.id, id) : undefined;
    if (!resource) throw ApiError.notFound(`No API resource with id '${id}'.`);
    return resource;
  }

  async create(project: Project, input: NewApiResource): Promise<ApiResource> {
    // The issuer is the audience of user access tokens (userinfo, /me): an API resource must never share it.
    if (input.identifier === project.issuer)
      throw ApiError.badRequest("identifier: the project's issuer is not an API resource's identifier.");
    try {
      return await this.resources.create(project.id, input);
    } catch (error) {
      if (isUniqueViolation(error))
        throw ApiError.conflict(`An API resource with identifier '${input.identifier}' already exists.`);
      throw error;
    }
  }

  async update(project: Project, id: string, changes: ApiResourceChanges): Promise<ApiResource> {
    const updated = isUuid(id) ? await this.resources.update(project.id, id, changes) : undefined;
    if (!updated) throw ApiError.notFound(`No API resource with id '${id}'.`);
    return updated;
  }

  async remove(project: Project, id: string): Promise<void> {
    if (!isUuid(id) || !(await this.resources.delete(project.id, id)))
      throw ApiError.notFound(`No API resource with id '${id}'.`);
  }

  grantsOf(application: Application): Promise<ResourceGrant[]> {
    return this.resources.grantsOf(application.id);
  }

  /**
   * Replaces what a confidential application may get with client_credentials: resources of its project, each
   * once, with scopes the resource defines. Refused whole (400) when any of it is not so.
   */
  async replaceGrants(
    project: Project,
    application: Application,
    grants: readonly ResourceGrantInput[],
  ): Promise<ResourceGrant[]> {
    if (application.type !== 'confidential' && grants.length)
      throw ApiError.badRequest('Only confidential applications get tokens with client_credentials.');
    const identifiers = grants.map((grant) => grant.resource);
    const repeated = identifiers.filter((identifier, index) => identifiers.indexOf(identifier) !== index);
    if (repeated.length) throw ApiError.badRequest(`grants: '${repeated[0]}' is named more than once.`);
    const found = new Map(
      (await this.resources.findByIdentifiers(project.id, identifiers)).map((resource) => [
        resource.identifier,
        resource,
      ]),
    );
    const problems: string[] = [];
    const rows = grants.flatMap(({ resource: identifier, scopes }) => {
      const resource = found.get(identifier);
      if (!resource) return (problems.push(`no API resource '${identifier}'`), []);
      const defined = new Set(resource.scopes.map((scope) => scope.name));
      const undefinedScopes = scopes.filter((scope) => !defined.has(scope));
      if (undefinedScopes.length)
        problems.push(`'${identifier}' defines no scope ${undefinedScopes.map((s) => `'${s}'`).join(', ')}`);
      return [{ resourceId: resource.id, scopes: [...new Set(scopes)] }];
    });
    if (problems.length) throw ApiError.badRequest(`grants: ${problems.join('; ')}.`);
    return this.resources.replaceGrants(application.id, rows);
  }
}
