import { Injectable } from '@nestjs/common';
import { ApiError } from '../../infra/http/errors';
import type { OutboxStatus } from '../../generated/prisma/client';
import type { Project } from '../projects/projects.service';
import { TEST_EMAIL } from './default-templates';
import { EmailOutbox } from './email-outbox';
import { OutboxRepository, type OutboxMessageMeta } from './outbox.repository';
import { renderTemplate } from './template-renderer';

/** The admin API's view of the outbox: metadata, never bodies (they may hold codes and links). */
@Injectable()
export class EmailAdminService {
  constructor(
    private readonly outbox: EmailOutbox,
    private readonly repository: OutboxRepository,
  ) {}

  list(projectId: string, status?: OutboxStatus): Promise<OutboxMessageMeta[]> {
    return this.repository.list(projectId, status);
  }

  /** Queues a test email through the outbox, so it takes the same route (and retries) as real mail. */
  async sendTest(project: Project, to: string): Promise<OutboxMessageMeta> {
    const rendered = renderTemplate(TEST_EMAIL, { projectName: project.name, email: to });
    const id = await this.repository.inTransaction((tx) =>
      this.outbox.enqueue(tx, { projectId: project.id, kind: 'test', to, ...rendered }),
    );
    const message = id ? await this.repository.find(project.id, id) : null;
    if (!message) throw ApiError.conflict('The test email could not be queued.');
    return message;
  }
}
