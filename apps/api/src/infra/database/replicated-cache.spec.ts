import type { KeywayConfig } from '../config/config';
import { DatabaseNotifications } from './database-notifications';
import { ReplicatedCache } from './replicated-cache';
import { openScratchDatabase, type ScratchDatabase } from './scratch-database.testing';

const until = async (condition: () => Promise<boolean>, timeoutMs = 1_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('not within the time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('ReplicatedCache across two processes on one PostgreSQL (LISTEN/NOTIFY)', () => {
  let scratch: ScratchDatabase;
  let replicas: DatabaseNotifications[];
  /** The row as the database has it now. */
  let row: string;
  let loads: number;
  const load = async () => ((loads += 1), row);

  beforeAll(async () => {
    scratch = await openScratchDatabase('postgres');
    const config = { databaseUrl: scratch.url, database: { connectTimeoutMs: 5_000 } } as KeywayConfig;
    // Two replicas: each its own LISTEN connection, as two API processes have.
    replicas = [
      new DatabaseNotifications(scratch.db.prisma, config),
      new DatabaseNotifications(scratch.db.prisma, config),
    ];
  });
  afterAll(async () => {
    for (const replica of replicas ?? []) await replica.beforeApplicationShutdown();
    await scratch?.dispose();
  });
  beforeEach(() => {
    row = 'v1';
    loads = 0;
  });

  it("drops the other replica's copy within a second of a change, and keeps it until then", async () => {
    const [a, b] = [new ReplicatedCache<string>('app', replicas[0]!), new ReplicatedCache<string>('app', replicas[1]!)];
    for (const replica of replicas) await replica.onApplicationBootstrap();
    expect(replicas.every((replica) => replica.reliable)).toBe(true);
    expect(await b.get('k', load)).toBe('v1');
    expect(await b.get('k', load)).toBe('v1');
    expect(loads).toBe(1);

    row = 'v2';
    await a.invalidate('k');
    await until(async () => (await b.get('k', load)) === 'v2');
    // Another cache's keys are not touched.
    const other = new ReplicatedCache<string>('project', replicas[1]!);
    expect(await other.get('k', load)).toBe('v2');
    row = 'v3';
    await a.invalidate('k');
    await until(async () => (await b.get('k', load)) === 'v3');
    expect(await other.get('k', load)).toBe('v2');
  });

  it('does not keep what a load read while a change was being announced', async () => {
    const [a, b] = [
      new ReplicatedCache<string>('race', replicas[0]!),
      new ReplicatedCache<string>('race', replicas[1]!),
    ];
    let release!: () => void;
    const slowLoad = () =>
      new Promise<string>((resolve) => {
        const old = row;
        release = () => resolve(old);
      });
    const reading = b.get('k', slowLoad);
    row = 'v2';
    await a.invalidate('k');
    // The notification reaches b while its (old) read is in flight.
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    expect(await reading).toBe('v1');
    expect(await b.get('k', load)).toBe('v2');
  });
});

describe('ReplicatedCache on the embedded database (one process)', () => {
  it('needs no notifications: invalidation is local, and entries are trusted', async () => {
    const scratch = await openScratchDatabase('pglite');
    try {
      const notifications = new DatabaseNotifications(scratch.db.prisma, { databaseUrl: undefined } as KeywayConfig);
      await notifications.onApplicationBootstrap();
      expect(notifications.reliable).toBe(true);
      const cache = new ReplicatedCache<number>('local', notifications);
      let value = 1;
      expect(await cache.get('k', async () => value)).toBe(1);
      value = 2;
      expect(await cache.get('k', async () => value)).toBe(1);
      await cache.invalidate('k');
      expect(await cache.get('k', async () => value)).toBe(2);
    } finally {
      await scratch.dispose();
    }
  });
});
