import { Injectable } from '@nestjs/common';
import type { Prisma } from '../../generated/prisma/client';

/**
 * Deferred work that rides the outbox: a row of kind `job:<name>` is not a mail but a task the worker
 * hands to the handler registered for that kind, after the request that wrote it has been answered.
 *
 * Why it exists: steps that must not reveal whether an address has an account (recovery, verification,
 * registration) answer after writing one job row, the same statements for every address; the work that
 * depends on the account (finding it, creating it, choosing the mail) runs here, after the answer, where
 * its time tells an attacker nothing. Writing the job in the request's transaction keeps the outbox's
 * guarantee: the work exists exactly when the state change that needs it commits.
 */
const JOB_KIND_PREFIX = 'job:';

export function isJobKind(kind: string): boolean {
  return kind.startsWith(JOB_KIND_PREFIX);
}

/** A claimed job as its handler sees it. `to` is the address the job is about. */
export interface OutboxJob {
  id: string;
  projectId: string;
  kind: string;
  to: string;
  payload: Record<string, unknown>;
  /**
   * Runs `work` in a transaction that first deletes the job row (while this worker still holds its lease):
   * the job is done exactly when its effects commit, and a retry after a rollback starts from scratch.
   * Returns undefined, running nothing, when another worker took the job over.
   */
  transaction<T>(work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T | undefined>;
}

/** Does the job's work; throwing leaves the job for a retry with the outbox's backoff, like a failed send. */
export type OutboxJobHandler = (job: OutboxJob) => Promise<void>;

/** Which code runs each job kind: the modules that write jobs register their handlers when they are created. */
@Injectable()
export class OutboxJobs {
  private readonly handlers = new Map<string, OutboxJobHandler>();

  register(kind: string, handler: OutboxJobHandler): void {
    if (!isJobKind(kind)) throw new Error(`job kinds start with '${JOB_KIND_PREFIX}': ${kind}`);
    if (this.handlers.has(kind)) throw new Error(`a handler for ${kind} is registered already`);
    this.handlers.set(kind, handler);
  }

  handlerFor(kind: string): OutboxJobHandler | undefined {
    return this.handlers.get(kind);
  }
}
