import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import pg from 'pg';
import { PrismaClient } from '../../generated/prisma/client';
import { KEYWAY_CONFIG, type KeywayConfig } from '../config/config';

type Handler = (payload: string) => void;

/** How long to wait before listening again after the LISTEN connection was lost. */
const RECONNECT_DELAY_MS = 1_000;

/**
 * PostgreSQL LISTEN/NOTIFY for every part of the process, on one connection of its own: what one replica
 * commits wakes or informs the others (the outbox's workers, the caches of projects and applications). On the
 * embedded database there is one process only (its data dir is locked), so nothing needs to travel: `notify` does
 * nothing and `reliable` is true. Over PostgreSQL, while the connection is down, notifications are lost:
 * `reliable` is false until it is back, and `onReconnect` handlers run then, so that what was missed is re-read.
 */
@Injectable()
export class DatabaseNotifications implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DatabaseNotifications');
  private readonly handlers = new Map<string, Handler[]>();
  private readonly reconnectHandlers: Array<() => void> = [];
  private client: pg.Client | undefined;
  private stopped = true;

  constructor(
    private readonly prisma: PrismaClient,
    @Inject(KEYWAY_CONFIG) private readonly config: KeywayConfig,
  ) {}

  /** Whether every notification of the other processes reaches this one now. */
  get reliable(): boolean {
    return !this.config.databaseUrl || this.client !== undefined;
  }

  /** Runs `handler` for each notification on `channel` (a fixed identifier of ours, never user input). */
  subscribe(channel: string, handler: Handler): void {
    if (!/^[a-z_]+$/.test(channel)) throw new Error(`Invalid notification channel ${channel}`);
    const known = this.handlers.has(channel);
    this.handlers.set(channel, [...(this.handlers.get(channel) ?? []), handler]);
    // Subscribed after the connection was made: listen on it now too.
    if (!known && this.client)
      this.client
        .query(`LISTEN ${channel}`)
        .catch((error: unknown) => this.logger.warn({ msg: 'LISTEN failed', err: error }));
  }

  /** Runs after the LISTEN connection came back: notifications may have been missed meanwhile. */
  onReconnect(handler: () => void): void {
    this.reconnectHandlers.push(handler);
  }

  /**
   * Tells every process, this one included, at once (outside a transaction; inside one, a `pg_notify` in the
   * transaction is delivered at its commit, which is what the outbox does).
   */
  async notify(channel: string, payload: string): Promise<void> {
    if (!this.config.databaseUrl) return;
    await this.prisma.$executeRaw`SELECT pg_notify(${channel}, ${payload})`;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.stopped = false;
    if (!this.config.databaseUrl) return;
    await this.listen(this.config.databaseUrl, false).catch((error: unknown) => {
      this.logger.warn({ msg: 'LISTEN failed; retrying', err: error });
      this.retry(this.config.databaseUrl as string);
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async listen(url: string, reconnect: boolean): Promise<void> {
    // Bounded like the pool's connections, so a reconnect during an outage cannot hang for good.
    const client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: this.config.database.connectTimeoutMs,
    });
    client.on('notification', ({ channel, payload }) => {
      for (const handler of this.handlers.get(channel) ?? []) handler(payload ?? '');
    });
    client.on('error', (error) => {
      this.logger.warn({ msg: 'LISTEN connection lost', err: error });
      if (this.client === client) this.client = undefined;
      this.retry(url);
    });
    await client.connect();
    for (const channel of this.handlers.keys()) await client.query(`LISTEN ${channel}`);
    this.client = client;
    if (reconnect) for (const handler of this.reconnectHandlers) handler();
  }

  private retry(url: string): void {
    if (this.stopped) return;
    setTimeout(() => {
      if (this.stopped || this.client) return;
      void this.listen(url, true).catch(() => this.retry(url));
    }, RECONNECT_DELAY_MS).unref();
  }
}
