/**
 * Keyway benchmark (not a test): app-native password logins and refresh-token rotation against the real
 * API on PostgreSQL, reported as ratios to peers measured in the same process tree — the raw argon2id
 * verify rate of one core at the configured parameters, and oidc-provider (tools/bench/oidc-provider-peer.ts,
 * a child process like the API, on the same PostgreSQL) on the token endpoint rows, in alternating rounds.
 *
 *   npm run bench -- [--duration 10] [--concurrency 8] [--rounds 3] [--database postgresql://postgres@127.0.0.1:5432/postgres] [--profile DIR]
 *   npm run bench -- --enumeration [--samples 200] [--gap-ms 20] [--database postgresql://…|pglite] [--api dist/…/main.js]
 *   npm run bench -- --replicas 2 [--duration 10] [--concurrency 16]
 *   npm run bench -- --api-node-options=--max-semi-space-size=2   (Node options for the API processes only; default: the
 *     Docker image's --max-semi-space-size=4)
 *   npm run bench -- --api-env=MALLOC_ARENA_MAX=8   (environment for the API processes only; default: the Docker
 *     image's MALLOC_ARENA_MAX=2)
 *
 * `--replicas N` runs N API processes on one database instead, and compares one replica alone with all of
 * them behind client-side round robin (runReplicas). `--enumeration` times the self-service steps that take
 * an email address for known and unknown addresses instead (tools/bench/enumeration.ts). `--database pglite`
 * runs the API on its embedded database; `--api` runs another build (e.g. one compiled from an older commit)
 * to compare.
 *
 * It builds nothing: run `npx nx run api:build` first. It creates a scratch database, boots
 * dist/apps/api as a child process on it (and the peer on a second one), drives both over loopback with the
 * same client loop for a fixed time per phase, reads each server's CPU time and peak RSS from /proc, and drops
 * the databases at the end. `--profile DIR` writes V8 CPU profiles of both servers and prints their top
 * self-time functions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { Client } from 'pg';
import { runEnumeration } from './enumeration';
import { PEER } from './oidc-provider-peer';
import { formatSelfTime, topSelfTime, type CpuProfile } from './profile';
import { combineRounds, loginCpu, percentile, ratio, type PhaseResult } from './stats';
import { checkTokenShape, type TokenShape } from './token-shape';

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
    /** Rounds per server on each Keyway-vs-oidc-provider row (Keyway, peer, Keyway, peer, …). */
    rounds: { type: 'string', default: '3' },
    database: {
      type: 'string',
      default: process.env['BENCH_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    },
    /** Write V8 CPU profiles of the API and the peer into folders here (open them in Chrome DevTools). */
    profile: { type: 'string' },
    /** Only these parts, comma-separated: logins, refreshes (peak and half load), rows (against the peer). */
    only: { type: 'string', default: 'logins,refreshes,rows' },
    /** With rows: only the comparison rows whose name contains this text (e.g. client_credentials). */
    row: { type: 'string', default: '' },
    /** Scale-out mode: this many API processes on one database, driven one replica alone, then round robin. */
    replicas: { type: 'string', default: '1' },
    /** Known vs unknown addresses on the self-service steps, instead of logins and refreshes. */
    enumeration: { type: 'boolean', default: false },
    samples: { type: 'string', default: '200' },
    'gap-ms': { type: 'string', default: '20' },
    /** The API build to run (main.js); default: this workspace's `nx run api:build` output. */
    api: { type: 'string', default: path.join(ROOT, 'dist/apps/api/apps/api/src/main.js') },
    /**
     * Node options for the API processes only. The default is the young generation the Docker image and `npm start`
     * give the API (docker/Dockerfile.api); `--api-node-options=` runs it with V8's own sizes.
     */
    'api-node-options': { type: 'string', default: '--max-semi-space-size=4' },
    /**
     * Environment for the API processes only, `NAME=value` pairs separated by spaces. The default is the glibc arena
     * limit the Docker image and `npm start` set; `--api-env=` runs the API with glibc's own (8 per core).
     */
    'api-env': { type: 'string', default: 'MALLOC_ARENA_MAX=2' },
  },
});
const PGLITE = args.database === 'pglite';
const ONLY = new Set(args.only!.split(',').map((part) => part.trim()));
const DURATION_MS = Number(args.duration) * 1000;
const CONCURRENCY = Number(args.concurrency);
const ROUNDS = Number(args.rounds);
const REPLICAS = Number(args.replicas);
/** Every API process of a run gets this key, so replicas decrypt what the others wrote. */
const SECRET_KEY = randomBytes(32).toString('base64url');
/** One name per run for the profiles written into --profile. */
const PROFILE_STAMP = new Date().toISOString().replace(/[:.]/g, '-');
const ARGON2 = {
  memoryCost: Number(process.env['KEYWAY_ARGON2_MEMORY_KIB'] ?? 19456),
  timeCost: Number(process.env['KEYWAY_ARGON2_ITERATIONS'] ?? 2),
  parallelism: Number(process.env['KEYWAY_ARGON2_PARALLELISM'] ?? 1),
};
/** `--api-env`: NAME=value pairs for the API processes. */
const API_ENV = Object.fromEntries(
  args['api-env']!.split(' ')
    .filter(Boolean)
    .map((pair) => {
      const [name, ...value] = pair.split('=');
      if (!name || value.length === 0) throw new Error(`--api-env takes NAME=value pairs, not "${pair}"`);
      return [name, value.join('=')];
    }),
);
const CLOCK_TICKS = 100; // USER_HZ on Linux
/** Keyway's pool size (the API child inherits this environment); the peer's pool is sized the same. */
const POOL_SIZE = Number(process.env['KEYWAY_DB_POOL_SIZE'] ?? 10);

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
    `Keyway bench: ${DURATION_MS / 1000}s per phase, concurrency ${CONCURRENCY}, argon2id m=${ARGON2.memoryCost} t=${ARGON2.timeCost} p=${ARGON2.parallelism}, API node options: ${args['api-node-options'] || '(none)'}, API environment: ${args['api-env'] || '(none)'}`,
  );
  const raw = await rawArgon2();
  const rawRate = raw.rate;
  console.log(
    `peer: raw argon2id verify, one core: ${rawRate.toFixed(1)}/s, ${raw.cpuMsPerVerify.toFixed(1)} ms of CPU each`,
  );
  if (REPLICAS > 1) {
    await runReplicas(REPLICAS, raw);
    return;
  }

  const api = await startApi();
  // The peer stores in PostgreSQL: on PGlite the comparison rows are left out.
  const peer =
    PGLITE || !ONLY.has('rows')
      ? undefined
      : await startPeer().catch(async (error: unknown) => {
          await api.stop();
          throw error;
        });
  try {
    const tenant = await setUpTenant(api.baseUrl, api.adminToken);
    await login(tenant); // warm-up: key loading, JIT

    if (ONLY.has('logins')) {
      const logins = await phase('logins', api.pid, async () => {
        await login(tenant);
      });
      report(logins, rawRate, 'logins');
      reportLoginCpu(logins, raw);
      const loginsPerCore = logins.count / logins.serverCpuSeconds;
      console.log(
        `logins per API core-second / raw argon2id per core-second: ${((loginsPerCore / rawRate) * 100).toFixed(1)}% (target >= 90%)`,
      );
    }
    if (ONLY.has('refreshes')) {
      // The issue's refresh target is rotation without an ID token: grants without openid (OIDC Core §12.2).
      const chains = await Promise.all(
        Array.from({ length: CONCURRENCY }, () => login(tenant, 'email').then((t) => t.refresh_token)),
      );
      const tokenUrl = `${tenant.issuer}/oauth2/token`;
      const refreshes = await phase('refreshes', api.pid, async (worker) => {
        chains[worker] = await refresh(tokenUrl, tenant.clientId, chains[worker]!);
      });
      const peakRate = refreshes.count / refreshes.seconds;
      const halfLoad = await phase(
        'refreshes at half of peak',
        api.pid,
        async (worker) => {
          chains[worker] = await refresh(tokenUrl, tenant.clientId, chains[worker]!);
        },
        peakRate / 2,
      );
      report(refreshes, rawRate);
      report(halfLoad, rawRate);
      console.log(
        `refreshes per API core-second: ${(refreshes.count / refreshes.serverCpuSeconds).toFixed(0)} (target >= 2000)`,
      );
      console.log(
        `p99 at half of peak refresh load: ${percentile(halfLoad.latencies, 99).toFixed(1)} ms (target < 50 ms)`,
      );
    }
    if (!ONLY.has('rows')) return;
    if (!peer) {
      console.log('\nKeyway vs oidc-provider: left out (the peer needs PostgreSQL)');
      return;
    }

    // Neither server sets synchronous_commit: both commit at the server's setting, printed here.
    const synchronousCommit = await withClient(args.database!, (c) =>
      c.query<{ synchronous_commit: string }>('SHOW synchronous_commit'),
    );
    console.log(
      `\nKeyway vs oidc-provider ${peerVersion()} (same PostgreSQL, pool ${POOL_SIZE} each, ` +
        `synchronous_commit=${synchronousCommit.rows[0]?.synchronous_commit} as the server sets it), ` +
        `${ROUNDS} alternating rounds of ${DURATION_MS / 1000}s each, concurrency ${CONCURRENCY}:`,
    );
    for (const row of comparisonRows(tenant, peer.baseUrl).filter(({ name }) => name.includes(args.row!))) {
      printRow(await measureRow(row, api.pid, peer.pid));
    }
  } finally {
    await Promise.all([api.stop(), peer?.stop()]);
    if (args.profile) printProfiles(path.resolve(args.profile));
  }
}

/** One side of a comparison row: sets up its per-worker state (logins), then returns the request loop's body. */
type Side = () => Promise<(worker: number) => Promise<void>>;

interface ComparisonRow {
  name: string;
  keyway: Side;
  /** Absent: a Keyway-only row. */
  peer?: Side;
}

type SideResult = PhaseResult | { unavailable: string };

/**
 * The token endpoint rows. Every response is checked against the row's shape (checkTokenShape), so a server that
 * answers with less work (no ID token, no rotation) is reported as not doing the row instead of measured.
 */
function comparisonRows(tenant: Tenant, peerUrl: string): ComparisonRow[] {
  const workers = Array.from({ length: CONCURRENCY }, (_, worker) => worker);
  const keywayRefresh =
    (clientId: string, shape: TokenShape, scope = 'openid email'): Side =>
    async () => {
      const chains = await Promise.all(
        workers.map(() => login({ ...tenant, clientId }, scope).then((t) => t.refresh_token)),
      );
      return async (worker) => {
        chains[worker] = await refresh(`${tenant.issuer}/oauth2/token`, clientId, chains[worker]!, shape);
      };
    };
  const peerRefresh =
    (scope: string, shape: TokenShape): Side =>
    async () => {
      const chains = await Promise.all(workers.map(() => peerLogin(peerUrl, scope)));
      return async (worker) => {
        chains[worker] = await refresh(`${peerUrl}/token`, PEER.publicClientId, chains[worker]!, shape);
      };
    };
  const clientCredentials =
    (tokenUrl: string, clientId: string, clientSecret: string): Side =>
    async () => {
      const authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
      return async () => {
        const tokens = await form(
          tokenUrl,
          { grant_type: 'client_credentials', resource: PEER.resource, scope: PEER.resourceScope },
          { authorization },
        );
        checkTokenShape(tokens, { accessTokenAlg: 'ES256', refreshToken: false });
      };
    };
  const noIdToken: TokenShape = { accessTokenAlg: 'ES256', refreshToken: true };
  const es256IdToken: TokenShape = { ...noIdToken, idTokenAlg: 'ES256' };
  const rs256IdToken: TokenShape = { ...noIdToken, idTokenAlg: 'RS256' };
  return [
    {
      name: 'refresh rotation: ES256 JWT access token + rotated refresh token, no id_token',
      // Neither grant has the openid scope, so neither server signs an ID token (OIDC Core §12.2).
      keyway: keywayRefresh(tenant.es256ClientId, noIdToken, 'email'),
      peer: peerRefresh(PEER.resourceScope, noIdToken),
    },
    {
      name: 'refresh rotation with an ES256 id_token',
      keyway: keywayRefresh(tenant.es256ClientId, es256IdToken),
      peer: peerRefresh(`openid email ${PEER.resourceScope}`, es256IdToken),
    },
    {
      name: 'refresh rotation with an RS256 id_token (Keyway only)',
      keyway: keywayRefresh(tenant.clientId, rs256IdToken),
    },
    {
      name: 'client_credentials: ES256 JWT access token for one resource',
      keyway: clientCredentials(`${tenant.issuer}/oauth2/token`, tenant.serviceClientId, tenant.serviceClientSecret),
      peer: clientCredentials(`${peerUrl}/token`, PEER.serviceClientId, PEER.serviceClientSecret),
    },
  ];
}

/** Keyway round, peer round, Keyway, peer … after a short untimed warm-up of each. */
async function measureRow(
  row: ComparisonRow,
  keywayPid: number,
  peerPid: number,
): Promise<{ name: string; keyway: SideResult; peer?: SideResult }> {
  const prepare = async (side: Side): Promise<((worker: number) => Promise<void>) | string> => {
    try {
      const work = await side();
      await work(0); // one request decides whether the server does this row at all
      await phase('warm-up', 0, work, undefined, Math.min(DURATION_MS, 1000));
      return work;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
  const keyway = await prepare(row.keyway);
  const peer = row.peer && (await prepare(row.peer));
  const keywayRounds: PhaseResult[] = [];
  const peerRounds: PhaseResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (typeof keyway === 'function') keywayRounds.push(await phase(row.name, keywayPid, keyway));
    if (typeof peer === 'function') peerRounds.push(await phase(row.name, peerPid, peer));
  }
  const result = (side: typeof keyway, rounds: PhaseResult[]): SideResult =>
    typeof side === 'string' ? { unavailable: side } : combineRounds(row.name, rounds);
  return { name: row.name, keyway: result(keyway, keywayRounds), ...(peer ? { peer: result(peer, peerRounds) } : {}) };
}

function printRow(row: { name: string; keyway: SideResult; peer?: SideResult }): void {
  const columns = (values: string[]) =>
    values.map((value, i) => (i === 0 ? value.padEnd(12) : value.padStart(11))).join('');
  console.log(`\n${row.name}`);
  console.log(columns(['', 'req/s', 'req/CPU-s', 'p50 ms', 'p99 ms', 'RSS MiB', 'errors']));
  const figures = (side: SideResult) =>
    'unavailable' in side
      ? undefined
      : {
          rate: side.count / side.seconds,
          perCpu: side.count / side.serverCpuSeconds,
          p50: percentile(side.latencies, 50),
          p99: percentile(side.latencies, 99),
          rss: side.peakRssKiB / 1024,
          errors: side.errors,
        };
  const keyway = figures(row.keyway);
  const peer = row.peer && figures(row.peer);
  for (const [label, side, values] of [
    ['Keyway', row.keyway, keyway],
    ['peer', row.peer, peer],
  ] as const) {
    if (!side) continue;
    if (!values) {
      console.log(`${label.padEnd(12)}not measured: ${'unavailable' in side ? side.unavailable : ''}`);
      continue;
    }
    console.log(
      columns([
        label,
        values.rate.toFixed(1),
        values.perCpu.toFixed(0),
        values.p50.toFixed(1),
        values.p99.toFixed(1),
        values.rss.toFixed(0),
        String(values.errors),
      ]),
    );
  }
  if (keyway && peer) {
    const x = (a: number, b: number) => `${ratio(a, b).toFixed(2)}x`;
    console.log(
      columns([
        'Keyway/peer',
        x(keyway.rate, peer.rate),
        x(keyway.perCpu, peer.perCpu),
        x(keyway.p50, peer.p50),
        x(keyway.p99, peer.p99),
        x(keyway.rss, peer.rss),
        '',
      ]),
    );
  }
}

function peerVersion(): string {
  const manifest = JSON.parse(readFileSync(require.resolve('oidc-provider/package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** The top self-time functions of the profiles this run wrote (they are written when the servers exit). */
function printProfiles(dir: string): void {
  for (const [label, server] of [
    ['Keyway API', 'keyway-api'],
    ['oidc-provider peer', 'oidc-provider-peer'],
  ] as const) {
    const file = mainThreadProfile(profileDir(dir, server));
    if (!file) {
      console.log(`\n${label}: no profile in ${profileDir(dir, server)}`);
      continue;
    }
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    console.log(`\n${label} (${file}), self time over the whole run, idle left out; top 15 functions:`);
    console.log(formatSelfTime(topSelfTime(profile, 15), ROOT));
    console.log('by package:');
    console.log(formatSelfTime(topSelfTime(profile, 10, 'package')));
  }
}

/**
 * Node names profiles CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile, one per thread (tsx's loader runs in
 * a worker thread of the peer): the main thread is thread 0.
 */
function mainThreadProfile(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const file = readdirSync(dir).find((name) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name));
  return file && path.join(dir, file);
}

/** The raw argon2id peer: verifications per second on one core, and the CPU one verification costs. */
interface RawArgon2 {
  rate: number;
  cpuMsPerVerify: number;
}

/** Sequential verifications on one libuv thread = one core, at the API's parameters. */
async function rawArgon2(): Promise<RawArgon2> {
  const phc = await hash('benchmark password', { algorithm: Algorithm.Argon2id, ...ARGON2 });
  const deadline = Date.now() + Math.min(DURATION_MS, 5000);
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  let count = 0;
  while (Date.now() < deadline) {
    await verify(phc, 'benchmark password');
    count++;
  }
  const cpu = process.cpuUsage(cpuBefore);
  return {
    rate: count / (Number(process.hrtime.bigint() - started) / 1e9),
    cpuMsPerVerify: (cpu.user + cpu.system) / 1000 / count,
  };
}

/**
 * Runs `work` in CONCURRENCY loops (or paced at `rate` per second) for the phase duration, reading the CPU time
 * of the server `pid` (0: none) before and after.
 */
async function phase(
  name: string,
  pid: number | readonly number[],
  work: (worker: number) => Promise<void>,
  rate?: number,
  durationMs = DURATION_MS,
): Promise<PhaseResult> {
  const latencies: number[] = [];
  let errors = 0;
  const pids = typeof pid === 'number' ? (pid ? [pid] : []) : pid;
  const serverCpu = () => pids.reduce((sum, one) => sum + cpuSeconds(one), 0);
  const mainThreadCpu = () => pids.reduce((sum, one) => sum + cpuSeconds(one, one), 0);
  for (const one of pids) resetPeakRss(one);
  const cpuBefore = serverCpu();
  const mainThreadCpuBefore = mainThreadCpu();
  const started = Date.now();
  const deadline = started + durationMs;
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
  return {
    name,
    count: latencies.length,
    errors,
    seconds,
    serverCpuSeconds: serverCpu() - cpuBefore,
    mainThreadCpuSeconds: mainThreadCpu() - mainThreadCpuBefore,
    peakRssKiB: Math.max(0, ...pids.map(peakRss)),
    latencies,
  };
}

function report(result: PhaseResult, rawRate: number, unit = 'requests'): void {
  const perSecond = result.count / result.seconds;
  const cores = result.serverCpuSeconds / result.seconds;
  console.log(
    `\n${result.name}: ${perSecond.toFixed(1)} ${unit}/s (${result.count} in ${result.seconds.toFixed(1)}s, ${result.errors} errors), ` +
      `p50 ${percentile(result.latencies, 50).toFixed(1)} ms, p99 ${percentile(result.latencies, 99).toFixed(1)} ms, ` +
      `API used ${cores.toFixed(2)} cores` +
      (unit === 'logins' ? `, ${(perSecond / cores / rawRate).toFixed(2)}x raw argon2id per core` : '') +
      `, API peak RSS ${(result.peakRssKiB / 1024).toFixed(0)} MiB`,
  );
}

/**
 * A login's server CPU split by thread, beside the raw verify's: the main thread is the engine's share, and the
 * other threads' excess over the raw verify is what argon2id costs more inside the loaded server (plus V8's GC
 * helpers, which run there too).
 */
function reportLoginCpu(logins: PhaseResult, raw: RawArgon2): void {
  const cpu = loginCpu(logins);
  console.log(
    `  server CPU per login: ${cpu.total.toFixed(1)} ms = main thread ${cpu.mainThread.toFixed(1)} ms ` +
      `(${(100 * cpu.mainThreadShare).toFixed(0)} %: HTTP, the flow, SQL, token signing) + other threads ` +
      `${cpu.otherThreads.toFixed(1)} ms (argon2id on libuv's pool, V8's GC helpers); ` +
      `one raw argon2id verify: ${raw.cpuMsPerVerify.toFixed(1)} ms`,
  );
}

/** utime + stime of a process, or of one of its threads (the main thread's id is the pid), from procfs. */
function cpuSeconds(pid: number, thread?: number): number {
  const file = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
  const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** A reading of the whole machine's busy CPU time (every process: servers, PostgreSQL, this load generator). */
interface MachineReading {
  busySeconds: number;
  at: number;
}

function machineCpu(): MachineReading {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  return { busySeconds: (ticks.reduce((a, b) => a + b, 0) - idle) / CLOCK_TICKS, at: performance.now() / 1000 };
}

/** The cores the machine kept busy on average since `since`. */
function coresBusySince(since: MachineReading): number {
  const now = machineCpu();
  return (now.busySeconds - since.busySeconds) / (now.at - since.at);
}

/**
 * Starts a new peak resident set at the current one (Linux ≥ 4.0: "5" to clear_refs resets VmHWM), so that each
 * phase reports its own peak, not one left over from an earlier phase (argon2id's memory during the logins).
 */
function resetPeakRss(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not our process to reset (or no procfs): the peak is then the process's lifetime peak.
  }
}

/** VmHWM: the process's peak resident set (since the last resetPeakRss), in KiB. */
function peakRss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return Number(line?.replace(/\D+/g, '') ?? 0);
}

interface Tenant {
  issuer: string;
  /** A public app-native client with RS256 ID tokens (the default). */
  clientId: string;
  /** The same with idTokenSignedResponseAlg ES256. */
  es256ClientId: string;
  /** A confidential client granted the API resource PEER.resource, for client_credentials. */
  serviceClientId: string;
  serviceClientSecret: string;
  redirectUri: string;
  email: string;
  password: string;
}

async function setUpTenant(baseUrl: string, adminToken: string): Promise<Tenant> {
  const admin = (p: string, body: unknown, method = 'POST') =>
    fetch(`${baseUrl}/api/admin/v1${p}`, {
      method,
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
  const es256App = await admin('/projects/bench/applications', {
    name: 'Bench ES256',
    type: 'public',
    redirectUris: [redirectUri],
    appNative: true,
    idTokenSignedResponseAlg: 'ES256',
  });
  // The same resource and scope names as the peer's, so both mint the same access token.
  await admin('/projects/bench/api-resources', {
    identifier: PEER.resource,
    name: 'Bench orders',
    scopes: [{ name: PEER.resourceScope }],
  });
  const service = await admin('/projects/bench/applications', {
    name: 'Bench service',
    type: 'confidential',
    grantTypes: ['client_credentials'],
    tokenEndpointAuthMethod: 'client_secret_basic',
  });
  await admin(
    `/projects/bench/applications/${service['clientId']}/resource-grants`,
    { grants: [{ resource: PEER.resource, scopes: [PEER.resourceScope] }] },
    'PUT',
  );
  const email = 'bench@keyway.local';
  const password = 'bench password 123';
  await admin('/projects/bench/identities', { traits: { email }, password });
  return {
    issuer: project['issuer']!,
    clientId: app['clientId']!,
    es256ClientId: es256App['clientId']!,
    serviceClientId: service['clientId']!,
    serviceClientSecret: service['clientSecret']!,
    redirectUri,
    email,
    password,
  };
}

/**
 * authorize → authn → token, as an app-native client does. `at` picks the issuer URL of each request: with replicas,
 * the same path on the next one, as a round-robin load balancer would.
 */
async function login(
  tenant: Tenant,
  scope = 'openid email',
  at: () => string = () => tenant.issuer,
): Promise<{ access_token: string; refresh_token: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const flow = await form(`${at()}/oauth2/authorize`, {
    client_id: tenant.clientId,
    response_type: 'code',
    redirect_uri: tenant.redirectUri,
    scope,
    response_mode: 'direct',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const authn = await fetch(`${at()}/oauth2/authn`, {
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
  return (await form(`${at()}/oauth2/token`, {
    grant_type: 'authorization_code',
    code: authn.authData.code,
    redirect_uri: tenant.redirectUri,
    code_verifier: verifier,
    client_id: tenant.clientId,
  })) as { access_token: string; refresh_token: string };
}

/** A public client's refresh at `tokenUrl`; with a shape, the response must have it. Returns the next token. */
async function refresh(tokenUrl: string, clientId: string, refreshToken: string, shape?: TokenShape): Promise<string> {
  const tokens = await form(tokenUrl, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: clientId,
  });
  if (shape) checkTokenShape(tokens, shape, refreshToken);
  return tokens['refresh_token'] as string;
}

/**
 * The peer's authorization code flow with PKCE for its public client, following its redirects with a cookie jar
 * of its own (a new session per login, as each Keyway login is); its login page signs in at once. Returns the
 * refresh token.
 */
async function peerLogin(peerUrl: string, scope: string): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  let url = new URL(`${peerUrl}/auth`);
  url.search = new URLSearchParams({
    client_id: PEER.publicClientId,
    response_type: 'code',
    redirect_uri: PEER.redirectUri,
    scope,
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const cookies = new Map<string, string>();
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    const location = response.headers.get('location');
    if (!location) throw new Error(`peer answered ${response.status} without a redirect: ${await response.text()}`);
    if (location.startsWith(PEER.redirectUri)) {
      const code = new URL(location).searchParams.get('code');
      if (!code) throw new Error(`peer login failed: ${location}`);
      const tokens = await form(`${peerUrl}/token`, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: PEER.redirectUri,
        code_verifier: verifier,
        client_id: PEER.publicClientId,
      });
      return tokens['refresh_token'] as string;
    }
    url = new URL(location, url);
  }
  throw new Error('too many peer redirects');
}

async function form(
  url: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

interface Api {
  baseUrl: string;
  adminToken: string;
  pid: number;
  /** The scratch database (PostgreSQL), which replicas share. */
  databaseUrl?: URL;
  stop(): Promise<void>;
}

/**
 * Boots the built API on a scratch database, or — with `replicaOf` — another process of it on the same database,
 * with the same secret key, admin token and public URL (the issuer), on a port of its own.
 */
async function startApi(replicaOf?: Api): Promise<Api> {
  const name = `keyway_bench_${randomBytes(4).toString('hex')}`;
  const adminUrl = args.database!;
  // PGlite: the API's embedded database, in the scratch data dir.
  const databaseUrl = replicaOf ? replicaOf.databaseUrl : PGLITE ? undefined : new URL(adminUrl);
  if (databaseUrl && !replicaOf) {
    await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
    databaseUrl.pathname = `/${name}`;
  }
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'keyway-bench-'));
  const adminToken = replicaOf?.adminToken ?? `bench_${randomBytes(24).toString('hex')}`;
  const baseUrl = `http://127.0.0.1:${port}`;
  const profile = profileFlags(replicaOf ? `keyway-api-${port}` : 'keyway-api');
  const { DATABASE_URL: _inherited, ...env } = process.env;
  const nodeOptions = args['api-node-options']!.split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...profile, ...nodeOptions, path.resolve(args.api!)], {
    env: {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      KEYWAY_PUBLIC_URL: replicaOf?.baseUrl ?? baseUrl,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl.toString() } : {}),
      KEYWAY_DATA_DIR: dataDir,
      KEYWAY_SECRET_KEY: SECRET_KEY,
      KEYWAY_ADMIN_TOKEN: adminToken,
      KEYWAY_SEED_DEMO: 'false',
      KEYWAY_LOG_LEVEL: 'warn',
      // One load generator on 127.0.0.1 is every client at once: the request rate limits (which would
      // refuse it within a second) are lifted, so the bench measures the work, not the 429s.
      KEYWAY_RATE_LIMITS: JSON.stringify(BENCH_RATE_LIMITS),
      ...API_ENV,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    if (databaseUrl && !replicaOf)
      await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
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
      return { baseUrl, adminToken, pid: child.pid!, ...(databaseUrl ? { databaseUrl } : {}), stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error('the API did not start (was it built? npx nx run api:build)');
}

/**
 * `--replicas N`: N API processes on one PostgreSQL database, driven first through one of them alone, then round robin
 * over all of them (each request to the next one, as a round-robin load balancer does: a login's authorize, authn and
 * token land on different replicas, and a refresh token rotated on one is presented to the next). Prints the rate,
 * the API cores used (all processes), each process's share and p99 for both, and the rate's ratio.
 */
async function runReplicas(count: number, raw: RawArgon2): Promise<void> {
  if (PGLITE) throw new Error('--replicas needs PostgreSQL: PGlite is embedded in one process');
  const primary = await startApi();
  const replicas = [primary];
  try {
    for (let i = 1; i < count; i++) replicas.push(await startApi(primary));
    const tenant = await setUpTenant(primary.baseUrl, primary.adminToken);
    const pids = replicas.map((replica) => replica.pid);
    const issuers = replicas.map((replica) => tenant.issuer.replace(primary.baseUrl, replica.baseUrl));
    let turn = 0;
    const routes: [string, () => string][] = [
      ['1 replica', () => issuers[0]!],
      [`${count} replicas, round robin`, () => issuers[turn++ % issuers.length]!],
    ];
    await login(tenant, 'openid email', routes[1]![1]); // warm-up: key loading and JIT on every process

    console.log(`\n${count} API processes on one PostgreSQL database, concurrency ${CONCURRENCY}:`);
    const results: Record<string, PhaseResult[]> = { logins: [], refreshes: [] };
    for (const [label, at] of routes) {
      const before = pids.map(cpuSeconds);
      const measured = async (name: string, work: (worker: number) => Promise<void>) => {
        const machine = machineCpu();
        const result = await phase(name, pids, work);
        const busy = coresBusySince(machine);
        report(result, raw.rate, name.startsWith('logins') ? 'logins' : 'requests');
        if (name.startsWith('logins')) reportLoginCpu(result, raw);
        console.log(`  the machine: ${busy.toFixed(2)} of ${availableParallelism()} cores busy (all processes)`);
        return result;
      };
      results['logins']!.push(
        await measured(`logins, ${label}`, async () => void (await login(tenant, 'openid email', at))),
      );
      const chains = await Promise.all(
        Array.from({ length: CONCURRENCY }, () => login(tenant, 'email', at).then((t) => t.refresh_token)),
      );
      results['refreshes']!.push(
        await measured(`refreshes, ${label}`, async (worker) => {
          chains[worker] = await refresh(`${at()}/oauth2/token`, tenant.clientId, chains[worker]!);
        }),
      );
      const shares = pids.map((pid, i) => cpuSeconds(pid) - before[i]!);
      const total = shares.reduce((a, b) => a + b, 0);
      console.log(
        `CPU share per API process: ${shares.map((share) => `${((100 * share) / total).toFixed(0)}%`).join(' / ')}`,
      );
    }
    for (const [kind, [one, all]] of Object.entries(results) as [string, PhaseResult[]][]) {
      const rate = (result: PhaseResult) => result.count / result.seconds;
      console.log(
        `${kind}: ${count} replicas / 1 replica = ${ratio(rate(all!), rate(one!)).toFixed(2)}x the rate, ` +
          `${ratio(all!.serverCpuSeconds / all!.seconds, one!.serverCpuSeconds / one!.seconds).toFixed(2)}x the API cores used`,
      );
    }
  } finally {
    for (const replica of replicas.reverse()) await replica.stop();
  }
}

/** `--cpu-prof` flags for a server: its profiles go to a folder named after it and this run. */
function profileFlags(server: string): string[] {
  return args.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir(path.resolve(args.profile), server)}`] : [];
}

function profileDir(dir: string, server: string): string {
  return path.join(dir, `${server}.${PROFILE_STAMP}`);
}

/**
 * oidc-provider (tools/bench/oidc-provider-peer.ts) on a scratch database of the same PostgreSQL, as a child
 * process of its own (node with tsx's loader, no wrapper process: its pid is the server's).
 */
async function startPeer(): Promise<{ baseUrl: string; pid: number; stop(): Promise<void> }> {
  const name = `keyway_bench_peer_${randomBytes(4).toString('hex')}`;
  const adminUrl = args.database!;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${name}`;
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', ...profileFlags('oidc-provider-peer'), path.join(__dirname, 'oidc-provider-peer.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, PEER_PORT: String(port), PEER_DATABASE_URL: databaseUrl.toString() },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  };
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) break;
    if (
      await fetch(`${baseUrl}/.well-known/openid-configuration`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { baseUrl, pid: child.pid!, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error('the oidc-provider peer did not start');
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
