import { Injectable } from '@nestjs/common';
import type { Prisma } from '../../generated/prisma/client';
import { type EmailKind, type EmailVariables } from '../projects/email-kinds';
import { isJobKind } from './outbox-jobs';
import { OutboxRepository, type OutboxMessageInput } from './outbox.repository';
import { OutboxWorker } from './outbox-worker';
import { renderTemplate } from './template-renderer';
import { TemplatesService } from './templates.service';

export interface TemplatedEmail<K extends EmailKind> {
  projectId: string;
  kind: K;
  /** BCP 47; falls back to the language, then "en". */
  locale: string;
  to: string;
  variables: EmailVariables<K> & { projectName: string };
  /** See OutboxMessageInput.idempotencyKey. */
  idempotencyKey?: string | undefined;
}

/**
 * How the rest of Keyway sends email. Call it with the Prisma transaction (`tx`) of the state change
 * that causes the mail — e.g. a verification flow storing its code hash — so the message is stored if and
 * only if that change commits:
 *
 *     await flows.transaction(async (tx) => {
 *       await flows.update(tx, flow, …);               // the state change
 *       await outbox.enqueueTemplate(tx, { projectId, kind: 'verification_code', locale, to,
 *         variables: { projectName, code, expiresInMinutes: 10 }, idempotencyKey: `verification:${flowId}:${n}` });
 *     });
 *
 * Nothing is sent inside the transaction (SMTP is slow and may be down); the worker sends after commit
 * (woken by the commit) and retries until the server accepts it. Never call it with the outer client.
 */
@Injectable()
export class EmailOutbox {
  constructor(
    private readonly repository: OutboxRepository,
    private readonly templates: TemplatesService,
    private readonly worker: OutboxWorker,
  ) {}

  /** Stores a ready message; returns its id, or null when the idempotency key was used already (nothing written). */
  async enqueue(tx: Prisma.TransactionClient, message: OutboxMessageInput): Promise<string | null> {
    const written = await this.repository.insert(tx, message);
    // On PGlite (one connection) the worker's next query waits for this transaction, so it sees the row;
    // on PostgreSQL the commit's NOTIFY wakes the workers (this early wake then finds nothing, harmlessly).
    if (written) this.worker.wake();
    return written;
  }

  /**
   * Stores deferred work (outbox-jobs.ts) for the worker, in the caller's transaction. A job row keeps its
   * JSON payload in `text` (subject and html stay empty): the outbox's columns, lease, retries and wake-up
   * serve it unchanged. The payload may hold secrets (a code to mail), as mail bodies do; the row is deleted
   * when the job's work commits.
   */
  async enqueueJob(
    tx: Prisma.TransactionClient,
    job: { projectId: string; kind: string; to: string; payload: Record<string, unknown>; idempotencyKey: string },
  ): Promise<string | null> {
    if (!isJobKind(job.kind)) throw new Error(`not a job kind: ${job.kind}`);
    return this.enqueue(tx, {
      projectId: job.projectId,
      kind: job.kind,
      to: job.to,
      subject: '',
      html: '',
      text: JSON.stringify(job.payload),
      idempotencyKey: job.idempotencyKey,
    });
  }

  /** Renders the project's template for the kind and locale (read through `tx`) and stores the message. */
  async enqueueTemplate<K extends EmailKind>(
    tx: Prisma.TransactionClient,
    email: TemplatedEmail<K>,
  ): Promise<string | null> {
    const template = await this.templates.resolve(email.projectId, email.kind, email.locale, tx);
    const rendered = renderTemplate(template, { email: email.to, ...email.variables });
    return this.enqueue(tx, {
      projectId: email.projectId,
      kind: email.kind,
      to: email.to,
      ...rendered,
      idempotencyKey: email.idempotencyKey,
    });
  }
}
