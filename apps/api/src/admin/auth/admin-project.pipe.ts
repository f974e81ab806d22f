import { Injectable, PipeTransform } from '@nestjs/common';
import { DocumentedPathParam } from '../../infra/http/documented-response';
import { ApiError } from '../../infra/http/errors';
import { ProjectsService, type Project } from '../../domain/projects/projects.service';

@Injectable()
export class AdminProjectPipe implements PipeTransform<string, Promise<Project>> {
  constructor(private readonly projects: ProjectsService) {}

  async transform(slug: string): Promise<Project> {
    const project = await this.projects.findBySlug(slug);
    if (!project) throw ApiError.notFound(`No project with slug '${slug}'.`);
    return project;
  }
}

/** The project named by the `{slug}` path segment of an admin route. */
export const AdminProject = (): ParameterDecorator =>
  DocumentedPathParam('slug', "The project's slug", AdminProjectPipe);
