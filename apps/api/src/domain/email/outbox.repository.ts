import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient, type OutboxStatus } from '../../generated/prisma/client';

export interface OutboxMessageInput {
  projectId: string;
  /** A template kind, or `test`. */
  kind: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Makes the enqueue a no-op when a message with this key exists for the project (e.g. `verification:<flowId>`). */
  idempotencyKey?: string | undefined;
}

/** A message a worker holds: `attempts` (after the claim) identifies this lease. */
export interface ClaimedMessage {
  id: string;
  projectId: string;
  kind: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  attempts: number;
}

export type OutboxMessageMeta = Prisma.OutboxMessageGetPayload<{ select: typeof META }>;

// Metadata only: bodies (and subjects, which a custom template may fill with a code) carry secrets.
const META = {
  id: true,
  kind: true,
  toAddress: true,
  status: true,
  attempts: true,
  nextAttemptAt: true,
  lastError: true,
  sentAt: true,
  createdAt: true,
} as const;

/**
 * The outbox table. Times come from the database clock (now()) so several replicas agree on what is due.
 */
@Injectable()
export class OutboxRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Inserts in the caller's transaction, so the message exists exactly when the state change that
   * caused it commits. ON CONFLICT DO NOTHING (not a caught P2002): a unique violation would abort the
   * caller's PostgreSQL transaction. Returns the new message's id, or null when the key existed.
   */
  async insert(tx: Prisma.TransactionClient, message: OutboxMessageInput): Promise<string | null> {
    // The id is made here because createMany (the only insert with ON CONFLICT DO NOTHING) returns none.
    const id = randomUUID();
    const { count } = await tx.outboxMessage.createMany({
      data: [
        {
          id,
          projectId: message.projectId,
          kind: message.kind,
          toAddress: message.to,
          subject: message.subject,
          html: message.html,
          text: message.text,
          idempotencyKey: message.idempotencyKey ?? null,
        },
      ],
      skipDuplicates: true,
    });
    // Delivered to LISTENers only when the transaction commits: it wakes the workers of every replica.
    if (count === 0) return null;
    await tx.$executeRaw`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`;
    return id;
  }

  /**
   * Takes up to `limit` due messages: pending ones whose retry time came, and `sending` ones whose lease
   * expired (their worker died mid-send). FOR UPDATE SKIP LOCKED lets concurrent workers on PostgreSQL
   * take disjoint sets; the claim counts as an attempt, so a message that crashes its worker every time
   * still ends `failed`.
   */
  claimDue(limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
    return this.prisma.$queryRaw<ClaimedMessage[]>`
      UPDATE outbox_messages AS m
         SET status = 'sending', attempts = m.attempts + 1, next_attempt_at = now() + ${leaseMs} * interval '1 millisecond'
       WHERE m.id IN (
         SELECT id FROM outbox_messages
          WHERE status IN ('pending', 'sending') AND next_attempt_at <= now()
          ORDER BY next_attempt_at
          LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
      RETURNING m.id, m.project_id AS "projectId", m.kind, m.to_address AS "to", m.subject, m.html, m.text, m.attempts`;
  }

  /**
   * Marks a message sent. Unconditional on the lease: the SMTP server accepted it, so even a worker whose
   * lease expired must record that, or the message would go out once more.
   */
  async markSent(id: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE outbox_messages SET status = 'sent', sent_at = now(), last_error = NULL WHERE id = ${id}::uuid AND status <> 'sent'`;
  }

  /**
   * Records a failed attempt: back to pending after `delayMs`, or `failed` for good. Only while this
   * worker still holds the lease (same attempt number), so a stale worker cannot overwrite a newer state.
   */
  async markFailedAttempt(
    id: string,
    attempts: number,
    error: string,
    retry: { delayMs: number } | 'give-up',
  ): Promise<void> {
    const status: OutboxStatus = retry === 'give-up' ? 'failed' : 'pending';
    const delayMs = retry === 'give-up' ? 0 : retry.delayMs;
    await this.prisma.$executeRaw`
      UPDATE outbox_messages
         SET status = ${status}::"OutboxStatus", last_error = ${error.slice(0, 1000)},
             next_attempt_at = now() + ${delayMs} * interval '1 millisecond'
       WHERE id = ${id}::uuid AND status = 'sending' AND attempts = ${attempts}`;
  }

  /**
   * Deletes a claimed job (kind `job:…`) in the transaction of the work it asked for, only while this worker
   * still holds its lease (same attempt number): false when another worker took it over.
   */
  async completeJob(tx: Prisma.TransactionClient, id: string, attempts: number): Promise<boolean> {
    const { count } = await tx.outboxMessage.deleteMany({ where: { id, status: 'sending', attempts } });
    return count === 1;
  }

  /** A transaction of its own, for mail that is the whole state change (the admin's test email), and for jobs. */
  inTransaction<T>(fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn);
  }

  list(projectId: string, status: OutboxStatus | undefined, limit = 100): Promise<OutboxMessageMeta[]> {
    return this.prisma.outboxMessage.findMany({
      where: { projectId, ...(status ? { status } : {}) },
      orderBy: { createdAt: 'desc' },
      take: limit,
      select: META,
    });
  }

  find(projectId: string, id: string): Promise<OutboxMessageMeta | null> {
    return this.prisma.outboxMessage.findFirst({ where: { projectId, id }, select: META });
  }
}

export const OUTBOX_CHANNEL = 'keyway_outbox';
