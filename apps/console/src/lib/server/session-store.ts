import 'server-only';

/**
 * Where the console's server keeps what the browser must never hold (tokens, PKCE verifiers), under the
 * SHA-256 of the id in the browser's cookie. A small interface so that a shared store (Redis, a database)
 * can replace the in-memory one when the console runs as several processes.
 */
export interface SessionStore<V> {
  get(key: string): Promise<V | undefined>;
  /** Stores (or replaces) a record until `expiresAt` (epoch milliseconds). */
  set(key: string, value: V, expiresAt: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * One console process: records live in a Map and die with the process (everyone signs in again after a
 * restart). Expired records are dropped when read and by a sweep each minute; past `capacity` the oldest
 * record goes first, so requests that create records cannot grow the process without bound.
 */
export class MemorySessionStore<V> implements SessionStore<V> {
  private readonly records = new Map<string, { value: V; expiresAt: number }>();

  constructor(private readonly capacity: number) {
    setInterval(() => this.sweep(), 60_000).unref();
  }

  async get(key: string): Promise<V | undefined> {
    const record = this.records.get(key);
    if (!record) return undefined;
    if (record.expiresAt <= Date.now()) {
      this.records.delete(key);
      return undefined;
    }
    return record.value;
  }

  async set(key: string, value: V, expiresAt: number): Promise<void> {
    this.records.delete(key); // re-inserted last: the Map's order is then the order of last writes
    this.records.set(key, { value, expiresAt });
    while (this.records.size > this.capacity) {
      const oldest = this.records.keys().next();
      if (oldest.done) break;
      this.records.delete(oldest.value);
    }
  }

  async delete(key: string): Promise<void> {
    this.records.delete(key);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, record] of this.records) if (record.expiresAt <= now) this.records.delete(key);
  }
}

/**
 * One store per name for the whole process. Next bundles route handlers, pages and the proxy separately,
 * and a module-level singleton could exist once per bundle; the process-wide registry makes it one.
 */
export function processWideStore<V>(name: string, create: () => SessionStore<V>): SessionStore<V> {
  const registry = ((globalThis as { __keywayConsoleStores?: Map<string, unknown> }).__keywayConsoleStores ??=
    new Map());
  let store = registry.get(name) as SessionStore<V> | undefined;
  if (!store) {
    store = create();
    registry.set(name, store);
  }
  return store;
}
