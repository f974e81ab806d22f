import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client';
import { type EmailKind, type EmailVariables } from './email-kinds';
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
 *     await prisma.$transaction(async (tx) => {
 *       await tx.flow.update(…);                       // the state change
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

  /** Renders the project's template for the kind and locale (read through `tx`) and stores the message. */
  async enqueueTemplate<K extends EmailKind>(tx: Prisma.TransactionClient, email: TemplatedEmail<K>): Promise<string | null> {
    const template = await this.templates.resolve(email.projectId, email.kind, email.locale, tx);
    const rendered = renderTemplate(template, { email: email.to, ...email.variables });
    return this.enqueue(tx, { projectId: email.projectId, kind: email.kind, to: email.to, ...rendered, idempotencyKey: email.idempotencyKey });
  }
}
