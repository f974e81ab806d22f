/**
 * Keyway benchmark (not a test): app-native password logins and refresh-token rotation against the real
 * API on PostgreSQL, reported as ratios to a peer measured in the same process tree — the raw argon2id
 * verify rate of one core at the configured parameters.
 *
 *   npm run bench -- [--duration 10] [--concurrency 8] [--database postgresql://postgres@127.0.0.1:5432/postgres] [--profile DIR]
 *   npm run bench -- --enumeration [--samples 200] [--gap-ms 20] [--database postgresql://…|pglite] [--api dist/…/main.js]
 *
 * `--enumeration` times the self-service steps that take an email address for known and unknown
 * addresses instead (tools/bench/enumeration.ts). `--database pglite` runs the API on its embedded
 * database; `--api` runs another build (e.g. one compiled from an older commit) to compare.
 *
 * It builds nothing: run `npx nx run api:build` first. It creates a scratch database, boots
 * dist/apps/api as a child process on it, drives it over loopback for a fixed time per phase, reads the
 * API's CPU time and peak RSS from /proc, and drops the database at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { Client } from 'pg';
import { runEnumeration } from './enumeration';
import { percentile } from './stats';

const UNLIMITED = { limit: 1_000_000, windowSeconds: 1 };
const BENCH_RATE_LIMITS = {
  login: { ip: UNLIMITED, identifier: UNLIMITED },
  token: { ip: UNLIMITED, client: UNLIMITED },
  selfService: { ip: UNLIMITED, identifier: UNLIMITED },
};

const ROOT = path.resolve(__dirname, '../..');
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '8' },
    database: {
      type: 'string',
      default: process.env['BENCH_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    },
    /** Write a V8 CPU profile of the API to this folder (open it in Chrome DevTools). */
    profile: { type: 'string' },
    /** Known vs unknown addresses on the self-service steps, instead of logins and refreshes. */
    enumeration: { type: 'boolean', default: false },
    samples: { type: 'string', default: '200' },
    'gap-ms': { type: 'string', default: '20' },
    /** The API build to run (main.js); default: this workspace's `nx run api:build` output. */
    api: { type: 'string', default: path.join(ROOT, 'dist/apps/api/apps/api/src/main.js') },
  },
});
const PGLITE = args.database === 'pglite';
const DURATION_MS = Number(args.duration) * 1000;
const CONCURRENCY = Number(args.concurrency);
const ARGON2 = {
  memoryCost: Number(process.env['KEYWAY_ARGON2_MEMORY_KIB'] ?? 19456),
  timeCost: Number(process.env['KEYWAY_ARGON2_ITERATIONS'] ?? 2),
  parallelism: Number(process.env['KEYWAY_ARGON2_PARALLELISM'] ?? 1),
};
const CLOCK_TICKS = 100; // USER_HZ on Linux

interface PhaseResult {
  name: string;
  count: number;
  errors: number;
  seconds: number;
  apiCpuSeconds: number;
  latencies: number[];
}

async function main(): Promise<void> {
  if (args.enumeration) {
    console.log(
      `Keyway bench, enumeration mode: ${PGLITE ? 'PGlite' : 'PostgreSQL'}, API ${path.relative(process.cwd(), path.resolve(args.api!))}`,
    );
    const api = await startApi();
    try {
      await runEnumeration(api, { samples: Number(args.samples), gapMs: Number(args['gap-ms']) });
    } finally {
      await api.stop();
    }
    return;
  }
  console.log(
    `Keyway bench: ${DURATION_MS / 1000}s per phase, concurrency ${CONCURRENCY}, argon2id m=${ARGON2.memoryCost} t=${ARGON2.timeCost} p=${ARGON2.parallelism}`,
  );
  const rawRate = await rawArgon2Rate();
  console.log(`peer: raw argon2id verify, one core: ${rawRate.toFixed(1)}/s`);

  const api = await startApi();
  try {
    const tenant = await setUpTenant(api.baseUrl, api.adminToken);
    await login(tenant); // warm-up: key loading, JIT

    const logins = await phase('logins', api.pid, async () => {
      await login(tenant);
    });
    const chains = await Promise.all(
      Array.from({ length: CONCURRENCY }, () => login(tenant).then((t) => t.refresh_token)),
    );
    const refreshes = await phase('refreshes', api.pid, async (worker) => {
      chains[worker] = await refresh(tenant, chains[worker]!);
    });
    const peakRate = refreshes.count / refreshes.seconds;
    const halfLoad = await phase(
      'refreshes at half of peak',
      api.pid,
      async (worker) => {
        chains[worker] = await refresh(tenant, chains[worker]!);
      },
      peakRate / 2,
    );

    report(logins, rawRate, 'logins');
    report(refreshes, rawRate);
    report(halfLoad, rawRate);
    const loginsPerCore = logins.count / logins.apiCpuSeconds;
    console.log(
      `\nlogins per API core-second / raw argon2id per core-second: ${((loginsPerCore / rawRate) * 100).toFixed(1)}% (target >= 90%)`,
    );
    console.log(
      `refreshes per API core-second: ${(refreshes.count / refreshes.apiCpuSeconds).toFixed(0)} (target >= 2000)`,
    );
    console.log(
      `p99 at half of peak refresh load: ${percentile(halfLoad.latencies, 99).toFixed(1)} ms (target < 50 ms)`,
    );
    console.log(`API peak RSS: ${(peakRss(api.pid) / 1024).toFixed(0)} MiB`);
  } finally {
    await api.stop();
  }
}

/** Sequential verifications on one libuv thread = one core, at the API's parameters. */
async function rawArgon2Rate(): Promise<number> {
  const phc = await hash('benchmark password', { algorithm: Algorithm.Argon2id, ...ARGON2 });
  const deadline = Date.now() + Math.min(DURATION_MS, 5000);
  const started = process.hrtime.bigint();
  let count = 0;
  while (Date.now() < deadline) {
    await verify(phc, 'benchmark password');
    count++;
  }
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** Runs `work` in CONCURRENCY loops (or paced at `rate` per second) for the phase duration. */
async function phase(
  name: string,
  pid: number,
  work: (worker: number) => Promise<void>,
  rate?: number,
): Promise<PhaseResult> {
  const latencies: number[] = [];
  let errors = 0;
  const cpuBefore = cpuSeconds(pid);
  const started = Date.now();
  const deadline = started + DURATION_MS;
  const interval = rate ? (1000 * CONCURRENCY) / rate : 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      let next = Date.now() + (interval * worker) / CONCURRENCY;
      while (Date.now() < deadline) {
        if (interval) {
          const wait = next - Date.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          next += interval;
        }
        const t0 = performance.now();
        try {
          await work(worker);
          latencies.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  return { name, count: latencies.length, errors, seconds, apiCpuSeconds: cpuSeconds(pid) - cpuBefore, latencies };
}

function report(result: PhaseResult, rawRate: number, unit = 'requests'): void {
  const perSecond = result.count / result.seconds;
  const cores = result.apiCpuSeconds / result.seconds;
  console.log(
    `\n${result.name}: ${perSecond.toFixed(1)} ${unit}/s (${result.count} in ${result.seconds.toFixed(1)}s, ${result.errors} errors), ` +
      `p50 ${percentile(result.latencies, 50).toFixed(1)} ms, p99 ${percentile(result.latencies, 99).toFixed(1)} ms, ` +
      `API used ${cores.toFixed(2)} cores` +
      (unit === 'logins' ? `, ${(perSecond / cores / rawRate).toFixed(2)}x raw argon2id per core` : ''),
  );
}

/** utime + stime of the API process, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** VmHWM: the process's peak resident set, in KiB. */
function peakRss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return Number(line?.replace(/\D+/g, '') ?? 0);
}

interface Tenant {
  issuer: string;
  clientId: string;
  redirectUri: string;
  email: string;
  password: string;
}

async function setUpTenant(baseUrl: string, adminToken: string): Promise<Tenant> {
  const admin = (p: string, body: unknown) =>
    fetch(`${baseUrl}/api/admin/v1${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify(body),
    }).then(async (r) => {
      if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
      return r.json() as Promise<Record<string, string>>;
    });
  const project = await admin('/projects', {
    slug: 'bench',
    name: 'Bench',
    settings: { lockout: { maxAttempts: 100 } },
  });
  const redirectUri = 'com.keyway.bench:/cb';
  const app = await admin('/projects/bench/applications', {
    name: 'Bench',
    type: 'public',
    redirectUris: [redirectUri],
    appNative: true,
  });
  const email = 'bench@keyway.local';
  const password = 'bench password 123';
  await admin('/projects/bench/identities', { traits: { email }, password });
  return { issuer: project['issuer']!, clientId: app['clientId']!, redirectUri, email, password };
}

/** authorize → authn → token, as an app-native client does. */
async function login(tenant: Tenant): Promise<{ access_token: string; refresh_token: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const flow = await form(`${tenant.issuer}/oauth2/authorize`, {
    client_id: tenant.clientId,
    response_type: 'code',
    redirect_uri: tenant.redirectUri,
    scope: 'openid email',
    response_mode: 'direct',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const authn = await fetch(`${tenant.issuer}/oauth2/authn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      flowId: flow['flowId'],
      selectedAuthenticator: {
        authenticatorId: 'QmFzaWNBdXRoZW50aWNhdG9yOkxPQ0FM',
        params: { username: tenant.email, password: tenant.password },
      },
    }),
  }).then((r) => r.json() as Promise<{ authData?: { code: string } }>);
  if (!authn.authData) throw new Error(`login failed: ${JSON.stringify(authn)}`);
  return (await form(`${tenant.issuer}/oauth2/token`, {
    grant_type: 'authorization_code',
    code: authn.authData.code,
    redirect_uri: tenant.redirectUri,
    code_verifier: verifier,
    client_id: tenant.clientId,
  })) as { access_token: string; refresh_token: string };
}

async function refresh(tenant: Tenant, refreshToken: string): Promise<string> {
  const tokens = await form(`${tenant.issuer}/oauth2/token`, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: tenant.clientId,
  });
  return tokens['refresh_token'] as string;
}

async function form(url: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

async function startApi(): Promise<{ baseUrl: string; adminToken: string; pid: number; stop(): Promise<void> }> {
  const name = `keyway_bench_${randomBytes(4).toString('hex')}`;
  const adminUrl = args.database!;
  // PGlite: the API's embedded database, in the scratch data dir.
  const databaseUrl = PGLITE ? undefined : new URL(adminUrl);
  if (databaseUrl) {
    await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
    databaseUrl.pathname = `/${name}`;
  }
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'keyway-bench-'));
  const adminToken = `bench_${randomBytes(24).toString('hex')}`;
  const baseUrl = `http://127.0.0.1:${port}`;
  const profile = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args.profile)}`] : [];
  const { DATABASE_URL: _inherited, ...env } = process.env;
  const child: ChildProcess = spawn(process.execPath, [...profile, path.resolve(args.api!)], {
    env: {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      KEYWAY_PUBLIC_URL: baseUrl,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl.toString() } : {}),
      KEYWAY_DATA_DIR: dataDir,
      KEYWAY_ADMIN_TOKEN: adminToken,
      KEYWAY_SEED_DEMO: 'false',
      KEYWAY_LOG_LEVEL: 'warn',
      // One load generator on 127.0.0.1 is every client at once: the request rate limits (which would
      // refuse it within a second) are lifted, so the bench measures the work, not the 429s.
      KEYWAY_RATE_LIMITS: JSON.stringify(BENCH_RATE_LIMITS),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    if (databaseUrl) await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    rmSync(dataDir, { recursive: true, force: true });
  };
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) break;
    if (
      await fetch(`${baseUrl}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { baseUrl, adminToken, pid: child.pid!, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error('the API did not start (was it built? npx nx run api:build)');
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
