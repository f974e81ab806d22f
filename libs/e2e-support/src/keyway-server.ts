import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

const ROOT = path.resolve(__dirname, '../../..');
// E2E_API_MAIN lets a developer test another build of the API (e.g. one compiled to a separate outDir).
const MAIN = path.resolve(ROOT, process.env['E2E_API_MAIN'] ?? 'dist/apps/api/apps/api/src/main.js');
const POSTGRES_ADMIN_URL = process.env['E2E_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const E2E_RATE_LIMITS = JSON.stringify({
  login: { ip: { limit: 100_000 }, identifier: { limit: 100_000 } },
  token: { ip: { limit: 100_000 }, client: { limit: 100_000 } },
  selfService: { ip: { limit: 100_000 }, identifier: { limit: 100_000 } },
});

export type E2EDatabase = 'pglite' | 'postgres';
export const E2E_DATABASE: E2EDatabase = process.env['E2E_DATABASE'] === 'postgres' ? 'postgres' : 'pglite';

export interface KeywayServer {
  baseUrl: string;
  adminToken: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** What the server printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
  /** Stops the process (SIGTERM, as a deployment would) and starts a new one on the same port, data dir and database. */
  restart(): Promise<void>;
  /** Runs a command of the API's command line (`create-owner --email …`) with the server's configuration. */
  command(args: string[]): Promise<{ exitCode: number | null; output: string }>;
  /**
   * Another API process on the same PostgreSQL database, data dir (its generated secret key) and issuer, on its
   * own port: a second replica behind the issuer's load balancer. PostgreSQL only (PGlite is one process).
   */
  replica(): Promise<KeywayReplica>;
}

export interface KeywayReplica {
  baseUrl: string;
  output(): string;
  stop(): Promise<void>;
}

/** Boots the built API as a real process on a fresh database, and waits until it answers /health. */
export async function startKeyway(
  options: {
    env?: Record<string, string>;
    /** Rewrites the PostgreSQL URL the server gets (e.g. through a proxy); `databaseUrl` stays the real one. */
    routeDatabase?: (url: string) => string;
    /**
     * The host of KEYWAY_PUBLIC_URL (the issuer), default 127.0.0.1. Browser tests of passkeys need `localhost`:
     * WebAuthn takes a domain as its RP ID, never an IP address. Requests from the tests still go to 127.0.0.1.
     */
    publicHost?: 'localhost';
  } = {},
): Promise<KeywayServer> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the API first (npx nx run api:build)`);
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'keyway-e2e-'));
  const database = E2E_DATABASE === 'postgres' ? await createPostgresDatabase() : undefined;
  const adminToken = `kw_test_${randomBytes(24).toString('hex')}`;
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = '';

  const spawnApi = (args: string[] = [], apiPort = port, log = (chunk: Buffer) => (output += chunk.toString())) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(apiPort),
        HOST: '127.0.0.1',
        KEYWAY_PUBLIC_URL: options.publicHost ? `http://${options.publicHost}:${port}` : baseUrl,
        KEYWAY_DATA_DIR: dataDir,
        KEYWAY_ADMIN_TOKEN: adminToken,
        KEYWAY_SEED_DEMO: 'true',
        KEYWAY_LOG_LEVEL: 'warn',
        // The suite signs the same few users in from 127.0.0.1 far more often than people do: instance-default
        // rate limits raised out of its way. rate-limits.e2e-spec.ts tests the real defaults (KEYWAY_RATE_LIMITS: '').
        KEYWAY_RATE_LIMITS: E2E_RATE_LIMITS,
        ...(database
          ? { DATABASE_URL: options.routeDatabase ? options.routeDatabase(database.url) : database.url }
          : { DATABASE_URL: '' }),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', log);
    child.stderr?.on('data', log);
    return child;
  };
  let child = spawnApi();

  const stop = async (): Promise<void> => {
    await terminate(child);
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const restart = async (): Promise<void> => {
    await terminate(child);
    child = spawnApi();
    await waitForHealth(baseUrl, child, () => output);
  };
  try {
    await waitForHealth(baseUrl, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  const command = (args: string[]) =>
    new Promise<{ exitCode: number | null; output: string }>((resolve) => {
      const before = output.length;
      const run = spawnApi(args);
      run.once('exit', (exitCode) => resolve({ exitCode, output: output.slice(before) }));
    });
  const replicas: ChildProcess[] = [];
  const replica = async (): Promise<KeywayReplica> => {
    if (!database) throw new Error('replicas need PostgreSQL (E2E_DATABASE=postgres)');
    const replicaPort = await freePort();
    let replicaOutput = '';
    const replicaProcess = spawnApi([], replicaPort, (chunk) => (replicaOutput += chunk.toString()));
    replicas.push(replicaProcess);
    const replicaUrl = `http://127.0.0.1:${replicaPort}`;
    await waitForHealth(replicaUrl, replicaProcess, () => replicaOutput);
    return { baseUrl: replicaUrl, output: () => replicaOutput, stop: () => terminate(replicaProcess) };
  };
  const stopAll = async (): Promise<void> => {
    for (const replicaProcess of replicas) await terminate(replicaProcess);
    await stop();
  };
  return {
    baseUrl,
    adminToken,
    dataDir,
    databaseUrl: database?.url,
    output: () => output,
    stop: stopAll,
    restart,
    command,
    replica,
  };
}

async function waitForHealth(baseUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  // Generous: a PGlite server (initdb, migrations, the system project's keys and first owner) was seen taking 26 s
  // to boot on a machine at load 11, and some specs boot two at once.
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`API exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${baseUrl}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`API did not become healthy:\n${output()}`);
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A TCP port nothing listens on right now (the OS picks it), for a server the test starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `keyway_e2e_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
