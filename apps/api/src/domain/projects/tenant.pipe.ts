import { Injectable, PipeTransform } from '@nestjs/common';
import { DocumentedPathParam } from '../../infra/http/documented-response';
import { ApiError } from '../../infra/http/errors';
import { ProjectsService, type Project } from './projects.service';

/** Resolves the `{tenant}` path segment of an issuer to its project (404 when there is none). */
@Injectable()
export class TenantPipe implements PipeTransform<string, Promise<Project>> {
  constructor(private readonly projects: ProjectsService) {}

  async transform(slug: string): Promise<Project> {
    const project = await this.projects.findBySlug(slug);
    if (!project) throw ApiError.notFound(`Unknown tenant '${slug}'.`);
    return project;
  }
}

/** The project of the request's issuer: `@Tenant() project: Project`. */
export const Tenant = (): ParameterDecorator =>
  DocumentedPathParam('tenant', "The project's slug, the last segment of its issuer", TenantPipe);
