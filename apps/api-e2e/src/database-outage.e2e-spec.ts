import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { adminApi, createTenant, type Tenant } from './support/http';
import { E2E_DATABASE, startKeyway, type KeywayServer } from './support/keyway-server';
import { StallProxy } from './support/stall-proxy';

// A PostgreSQL that accepts connections but stops answering, played by a TCP proxy in this process.
// PGlite runs inside the API process: there is no connection to stall, so this file needs PostgreSQL.
const POSTGRES = { host: '127.0.0.1', port: 5432 };
const TIMEOUTS = { KEYWAY_DB_CONNECT_TIMEOUT_MS: '1000', KEYWAY_DB_STATEMENT_TIMEOUT_MS: '1000' };
const LOGS = { KEYWAY_LOG_LEVEL: 'info', KEYWAY_LOG_FORMAT: 'json' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A request that may hang (as it does without timeouts): give up after 10 s instead of the test's limit. */
async function timed(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; body: any; ms: number }> {
  const started = Date.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
    ms: Date.now() - started,
  };
}

const describePostgres = E2E_DATABASE === 'postgres' ? describe : describe.skip;
if (E2E_DATABASE !== 'postgres') {
  console.log(
    'database-outage.e2e-spec: skipped on PGlite (in-process, nothing to stall); run with E2E_DATABASE=postgres',
  );
}

describePostgres('a stalled or missing PostgreSQL', () => {
  describe('while running', () => {
    let server: KeywayServer;
    let proxy: StallProxy;
    let tenant: Tenant;

    beforeAll(async () => {
      proxy = new StallProxy(POSTGRES);
      await proxy.start();
      server = await startKeyway({ env: { ...TIMEOUTS, ...LOGS }, routeDatabase: (url) => proxy.wrap(url) });
      tenant = await createTenant(server);
    }, 90_000);
    afterAll(async () => {
      proxy?.set('forward');
      await server?.stop();
      await proxy?.stop();
    });

    it('answers 503 with Retry-After within the timeouts, stays live but not ready, logs one line per failure, and recovers', async () => {
      expect((await timed(`${server.baseUrl}/health/ready`)).status).toBe(200);
      const logFrom = server.output().length;
      proxy.set('stall');
      try {
        await duringTheStall(logFrom);
      } finally {
        proxy.set('forward');
      }
    });

    async function duringTheStall(logFrom: number): Promise<void> {
      const ids = Array.from({ length: 3 }, () => `outage-${randomBytes(6).toString('hex')}`);
      const admin = await timed(`${server.baseUrl}/api/admin/v1/projects`, {
        headers: { authorization: `Bearer ${server.adminToken}`, 'x-request-id': ids[0]! },
      });
      expect(admin).toMatchObject({ status: 503, body: { code: 'KW-50300', traceId: ids[0] } });
      expect(admin.headers.get('retry-after')).toBe('5');
      expect(admin.ms).toBeLessThan(5_000);

      // OAuth endpoints answer in RFC 6749's shape.
      const token = await timed(`${tenant.issuer}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': ids[1]! },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x', client_id: tenant.clientId }),
      });
      expect(token).toMatchObject({ status: 503, body: { error: 'temporarily_unavailable' } });
      expect(token.headers.get('retry-after')).toBe('5');

      const flow = await timed(`${tenant.issuer}/flows/registration`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': ids[2]! },
        body: JSON.stringify({ client_id: tenant.clientId }),
      });
      expect(flow).toMatchObject({ status: 503, body: { code: 'KW-50300' } });

      const live = await timed(`${server.baseUrl}/health/live`);
      expect(live).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(live.ms).toBeLessThan(1_000);
      const ready = await timed(`${server.baseUrl}/health/ready`);
      expect(ready).toMatchObject({ status: 503, body: { status: 'unavailable', database: 'postgres' } });
      expect(ready.headers.get('retry-after')).toBe('5');
      expect(ready.ms).toBeLessThan(5_000);
      expect((await timed(`${server.baseUrl}/health`)).status).toBe(503);

      proxy.set('forward');
      let recovered = 0;
      for (let i = 0; i < 40 && recovered !== 200; i++) {
        recovered = (await timed(`${server.baseUrl}/health/ready`)).status;
        if (recovered !== 200) await sleep(250);
      }
      expect(recovered).toBe(200);
      expect((await adminApi(server).get('/projects')).status).toBe(200);

      // The outage in the log: JSON lines, each failed request once (by its trace id), no stack traces.
      const lines = server.output().slice(logFrom).split('\n').filter(Boolean);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      for (const id of ids)
        expect(lines.filter((line) => line.includes(id))).toEqual([expect.stringContaining('"database unavailable"')]);
      expect(lines.filter((line) => line.includes('"stack"') || line.includes('    at '))).toEqual([]);
    }

    it('is not ready on a database that lost its schema (re-created empty)', async () => {
      expect((await timed(`${server.baseUrl}/health`)).status).toBe(200);
      const db = new Client({ connectionString: server.databaseUrl });
      await db.connect();
      try {
        await db.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      } finally {
        await db.end();
      }
      const ready = await timed(`${server.baseUrl}/health/ready`);
      expect(ready).toMatchObject({
        status: 503,
        body: { status: 'unavailable', reason: expect.stringContaining('no migrations table') },
      });
      expect((await timed(`${server.baseUrl}/health`)).status).toBe(503);
      expect((await timed(`${server.baseUrl}/health/live`)).status).toBe(200);
    });
  });

  it('is not ready while a migration of this build is missing', async () => {
    const server = await startKeyway();
    try {
      const db = new Client({ connectionString: server.databaseUrl });
      await db.connect();
      try {
        await db.query(
          `DELETE FROM "_prisma_migrations" WHERE "migration_name" = (SELECT max("migration_name") FROM "_prisma_migrations")`,
        );
      } finally {
        await db.end();
      }
      const ready = await timed(`${server.baseUrl}/health/ready`);
      expect(ready).toMatchObject({
        status: 503,
        body: { reason: expect.stringContaining('migration(s) not applied') },
      });
    } finally {
      await server.stop();
    }
  });

  it('keeps retrying at start-up while the database refuses or stalls, and comes up once it answers', async () => {
    const proxy = new StallProxy(POSTGRES, 'refuse');
    await proxy.start();
    const later: NodeJS.Timeout[] = [];
    // Timed from the server's first attempt: refused for 2 s, then stalled until 4.5 s, then up.
    void proxy.firstConnection.then(() =>
      later.push(
        setTimeout(() => proxy.set('stall'), 2_000),
        setTimeout(() => proxy.set('forward'), 4_500),
      ),
    );
    let server: KeywayServer | undefined;
    try {
      server = await startKeyway({
        env: { ...TIMEOUTS, ...LOGS, KEYWAY_DB_START_RETRY_SECONDS: '30' },
        routeDatabase: (url) => proxy.wrap(url),
      });
      expect((await timed(`${server.baseUrl}/health/ready`)).status).toBe(200);
      const retries = server
        .output()
        .split('\n')
        .filter((line) => line.includes('Database not reachable'));
      expect(retries.length).toBeGreaterThanOrEqual(2);
      for (const line of retries) expect(JSON.parse(line)).toMatchObject({ level: 40, context: 'Database' });
    } finally {
      later.forEach(clearTimeout);
      await server?.stop();
      await proxy.stop();
    }
  }, 60_000);

  it('gives up after KEYWAY_DB_START_RETRY_SECONDS with the error as a JSON log line, and exits non-zero', async () => {
    const proxy = new StallProxy(POSTGRES, 'refuse');
    await proxy.start();
    try {
      const failed = await startKeyway({
        env: { ...TIMEOUTS, ...LOGS, KEYWAY_DB_START_RETRY_SECONDS: '2' },
        routeDatabase: (url) => proxy.wrap(url),
      }).then(
        () => undefined,
        (error: Error) => error.message,
      );
      expect(failed).toMatch(/^API exited with 1:/);
      const output = failed!.replace(/^API exited with 1:\n/, '');
      const lines = output.split('\n').filter(Boolean);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      expect(lines.map((line) => JSON.parse(line))).toContainEqual(
        expect.objectContaining({
          level: 60,
          msg: 'Keyway failed to start',
          err: expect.objectContaining({ message: expect.any(String) }),
        }),
      );
    } finally {
      await proxy.stop();
    }
  }, 60_000);
});
