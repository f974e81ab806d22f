import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { DatabaseNotifications } from '../../infra/database/database-notifications';
import { describeUnavailable, isDatabaseUnavailable } from '../../infra/database/unavailable';
import { retryDelayMs } from './backoff';
import { isJobKind, OutboxJobs } from './outbox-jobs';
import { OUTBOX_CHANNEL, OutboxRepository, type ClaimedMessage } from './outbox.repository';
import { SmtpSettingsService } from './smtp-settings.service';

const BATCH_SIZE = 10;

/**
 * Sends the outbox, in-process: started with the app, stopped (after finishing what it holds) on shutdown.
 *
 * Delivery guarantees. A message is claimed with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL, so
 * replicas never take the same one), sent, and marked `sent` right after the SMTP server accepted it.
 * If the process dies before the claim's lease runs out, the message stays `sending` and is reclaimed
 * after the lease: nothing is lost. The one unavoidable duplicate: a crash (or lost database) between the
 * server's "250 OK" and our UPDATE — SMTP has no two-phase commit. That window is one UPDATE long; the
 * Message-ID is the outbox id, so a resend is recognisable as the same message by its receiver.
 */
@Injectable()
export class OutboxWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('EmailOutbox');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    private readonly repository: OutboxRepository,
    private readonly smtp: SmtpSettingsService,
    private readonly jobs: OutboxJobs,
    @Inject(KEYWAY_CONFIG) private readonly config: KeywayConfig,
    notifications: DatabaseNotifications,
  ) {
    // A committed enqueue on any replica wakes this worker; after a lost connection, what was missed is looked for.
    notifications.subscribe(OUTBOX_CHANNEL, () => this.wake());
    notifications.onReconnect(() => this.wake());
  }

  async onApplicationBootstrap(): Promise<void> {
    this.stopped = false;
    // The poll finds retries that came due (and leases that expired); enqueues wake the worker at once.
    this.timer = setInterval(() => this.wake(), this.config.email.pollMs);
    this.timer.unref();
    // Messages left from before a restart go out now rather than at the first poll.
    this.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    // Let the messages we hold finish (bounded by the SMTP timeouts) so they are not left for the lease.
    await this.running;
  }

  /** Runs a pass now, or right after the current one (a wake during a pass is not lost). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Claims and sends due messages until none is left. Exposed for tests. */
  async drain(): Promise<void> {
    try {
      while (!this.stopped) {
        const batch = await this.repository.claimDue(BATCH_SIZE, this.config.email.leaseMs);
        if (!batch.length) return;
        await Promise.all(batch.map((message) => this.deliver(message)));
      }
    } catch (error) {
      // The database may be briefly unreachable; the next poll tries again. One line per pass then,
      // not a stack trace every few seconds of an outage.
      if (isDatabaseUnavailable(error))
        this.logger.warn({ msg: 'outbox pass failed: database unavailable', reason: describeUnavailable(error) });
      else this.logger.error({ msg: 'outbox pass failed', err: error });
    }
  }

  private async deliver(message: ClaimedMessage): Promise<void> {
    try {
      if (isJobKind(message.kind)) {
        // A job deletes itself in the transaction of its work (OutboxJob.transaction): nothing to mark.
        await this.runJob(message);
        return;
      }
      await this.send(message);
    } catch (error) {
      const reason = describe(error);
      const giveUp = message.attempts >= this.config.email.maxAttempts;
      await this.repository.markFailedAttempt(
        message.id,
        message.attempts,
        reason,
        giveUp ? 'give-up' : { delayMs: retryDelayMs(message.attempts, this.config.email) },
      );
      this.logger.warn({
        msg: giveUp ? 'email failed for good' : 'email attempt failed, will retry',
        id: message.id,
        attempts: message.attempts,
        reason,
      });
      return;
    }
    // Accepted by the server: record it before anything else can happen (see the class comment).
    await this.repository.markSent(message.id);
  }

  /** Deferred work (outbox-jobs.ts); a job never goes to SMTP, so its payload is never mailed by mistake. */
  private async runJob(message: ClaimedMessage): Promise<void> {
    const handler = this.jobs.handlerFor(message.kind);
    if (!handler) throw new Error(`No handler for ${message.kind}`);
    await handler({
      id: message.id,
      projectId: message.projectId,
      kind: message.kind,
      to: message.to,
      payload: JSON.parse(message.text) as Record<string, unknown>,
      transaction: (work) =>
        this.repository.inTransaction(async (tx) =>
          (await this.repository.completeJob(tx, message.id, message.attempts)) ? work(tx) : undefined,
        ),
    });
  }

  private async send(message: ClaimedMessage): Promise<void> {
    const route = await this.smtp.route(message.projectId);
    if (!route) throw new Error('No SMTP server: set the project SMTP settings or KEYWAY_SMTP_URL');
    // Loaded on the first send, not at start-up: a process that sends no mail never holds nodemailer (about 2 MiB
    // of heap).
    const { createTransport } = await import('nodemailer');
    const transport = createTransport(route.transport);
    try {
      await transport.sendMail({
        from: route.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: `<${message.id}@outbox.keyway>`,
      });
    } finally {
      transport.close();
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code =
      (error as { code?: unknown; responseCode?: unknown }).responseCode ?? (error as { code?: unknown }).code;
    return code ? `${String(code)}: ${error.message}` : error.message;
  }
  return String(error);
}
