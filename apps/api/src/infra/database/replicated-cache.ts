import { Logger } from '@nestjs/common';
import type { DatabaseNotifications } from './database-notifications';

const logger = new Logger('ReplicatedCache');

/** Every replica's caches hear of every change on this channel; the payload names the cache and the key. */
const CACHE_CHANNEL = 'keyway_cache';
/** Long when every change is heard of at once (a safety net only); short while notifications may be missed. */
const TTL_NOTIFIED_MS = 60_000;
const TTL_UNNOTIFIED_MS = 5_000;

/**
 * A read-through cache of rarely changing rows read on every request (projects, applications), kept consistent
 * across the API's replicas: a change is dropped here and announced to the others by NOTIFY, which drop it too,
 * within milliseconds of the write. Entries also expire, sooner while notifications could be missed.
 */
export class ReplicatedCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();
  /** Counts the invalidations heard of: a load that overlapped one may have read the old row, and is not kept. */
  private epoch = 0;

  constructor(
    private readonly name: string,
    private readonly notifications: DatabaseNotifications,
  ) {
    const prefix = `${name}:`;
    notifications.subscribe(CACHE_CHANNEL, (payload) => {
      if (payload !== '*' && !payload.startsWith(prefix)) return;
      this.epoch += 1;
      if (payload === '*' || payload === `${prefix}*`) this.entries.clear();
      else this.entries.delete(payload.slice(prefix.length));
    });
    // Changes made while this replica was not listening were not heard of.
    notifications.onReconnect(() => {
      this.epoch += 1;
      this.entries.clear();
    });
  }

  async get(key: string, load: () => Promise<T>): Promise<T> {
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.value;
    const epoch = this.epoch;
    const value = await load();
    if (epoch === this.epoch) {
      const ttl = this.notifications.reliable ? TTL_NOTIFIED_MS : TTL_UNNOTIFIED_MS;
      this.entries.set(key, { value, expiresAt: Date.now() + ttl });
    }
    return value;
  }

  /**
   * After a change is written (committed): dropped here at once, and in every other replica by notification. `*`
   * drops every entry (a change that touches many keys).
   */
  async invalidate(key: string): Promise<void> {
    this.epoch += 1;
    if (key === '*') this.entries.clear();
    else this.entries.delete(key);
    // The change is committed whatever happens here; a lost notice leaves the others stale until the entry expires.
    await this.notifications.notify(CACHE_CHANNEL, `${this.name}:${key}`).catch((error: unknown) => {
      logger.warn({ msg: 'cache invalidation not sent to the other replicas', cache: this.name, err: error });
    });
  }
}
