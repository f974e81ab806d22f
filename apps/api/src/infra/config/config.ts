import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { describeIssues } from '../validation/zod-issues';
import {
  applyRateLimitSettings,
  DEFAULT_RATE_LIMITS,
  RateLimitSettings,
  type RateLimitPolicy,
} from './rate-limit-policy';
import { findWorkspaceRoot } from './workspace';

/** Everything the API reads from its environment, validated once at start-up. Documented in README. */
export interface KeywayConfig {
  port: number;
  host: string;
  publicUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** Bootstrap admin API token. */
  adminToken: string;
  /** Whether the admin token was generated (and so should be printed). */
  adminTokenGenerated: boolean;
  /** The admin console: where it runs, and the secret of its client in the system project (admin/system). */
  console: { url: string; clientSecret: string };
  /** 32-byte key for secrets at rest (signing keys, SMTP and IdP secrets). */
  secretKey: Uint8Array;
  seedDemo: boolean;
  logLevel: string;
  /** `pretty` for people at a terminal, `json` (one object per line) for log collectors. */
  logFormat: 'json' | 'pretty';
  /** argon2id parameters, and how many hashes run at once (the rest queue; see PasswordHasher). */
  argon2: { memoryCost: number; timeCost: number; parallelism: number; concurrency: number };
  production: boolean;
  /** Instance-wide SMTP server for projects without their own settings. */
  smtp: { url: string | undefined; from: string };
  /** Outbox worker timing (milliseconds). */
  email: EmailWorkerConfig;
  /** How long PostgreSQL may take before a request gives up with 503 (see database/database.ts). */
  database: DatabaseTimeouts;
  /**
   * Which peers may set X-Forwarded-For (Fastify's `trustProxy`): false = nobody (the socket address is the
   * client), a hop count, or addresses / CIDR ranges of the proxies.
   */
  trustProxy: TrustProxy;
  /** Shared store of rate-limit counters when several replicas run; unset = each process counts alone. */
  redis: { url: string | undefined; keyPrefix: string };
  /** Instance-default request rate limits (projects may override them in their settings). */
  rateLimits: RateLimitPolicy;
  /** How long clients may cache /oauth2/jwks; signing-key rotation publishes a key at least this long before it signs. */
  jwksMaxAgeSeconds: number;
  /** How far V8 lets the old generation grow past what survived the last full GC, in %; 0 = V8's own heuristics. */
  heapGrowthPercent: number;
}

export interface DatabaseTimeouts {
  /** Opening a connection, or waiting for a free one in the pool. */
  connectTimeoutMs: number;
  /** One statement (server-side statement_timeout; a silent server is cut off shortly after). */
  statementTimeoutMs: number;
  /** How long start-up keeps retrying an unreachable database before giving up. */
  startRetrySeconds: number;
}

export type TrustProxy = boolean | number | string[];

export interface EmailWorkerConfig {
  /** First retry delay; each later one doubles (with jitter) up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** After this many attempts a message is `failed`. */
  maxAttempts: number;
  /** How often the worker looks for due retries (enqueues wake it at once). */
  pollMs: number;
  /** How long a claimed message is reserved for one send; a worker that died is overtaken after it. */
  leaseMs: number;
}

const intFromEnv = (fallback: number, min: number) => z.coerce.number().int().min(min).default(fallback);

const EnvSchema = z.object({
  PORT: intFromEnv(3000, 0),
  HOST: z.string().default('0.0.0.0'),
  KEYWAY_PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgresql:// URL (leave it unset for the embedded database)')
    .optional(),
  KEYWAY_DATA_DIR: z.string().optional(),
  KEYWAY_ADMIN_TOKEN: z.string().min(32, 'KEYWAY_ADMIN_TOKEN must be at least 32 characters').optional(),
  KEYWAY_CONSOLE_URL: z.url({ protocol: /^https?$/, error: 'KEYWAY_CONSOLE_URL must be an http(s) URL' }).optional(),
  KEYWAY_CONSOLE_CLIENT_SECRET: z
    .string()
    .min(32, 'KEYWAY_CONSOLE_CLIENT_SECRET must be at least 32 characters')
    .optional(),
  KEYWAY_SECRET_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'KEYWAY_SECRET_KEY must be 32 bytes, base64url-encoded (43 characters)')
    .optional(),
  KEYWAY_SEED_DEMO: z.enum(['true', 'false']).optional(),
  KEYWAY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KEYWAY_LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  // argon2id defaults follow OWASP's password storage cheat sheet (19 MiB, 2 iterations, 1 lane).
  KEYWAY_ARGON2_MEMORY_KIB: intFromEnv(19456, 1024),
  KEYWAY_ARGON2_ITERATIONS: intFromEnv(2, 1),
  KEYWAY_ARGON2_PARALLELISM: intFromEnv(1, 1),
  // One hash per core: more only share the cores (and each holds its 19 MiB the longer).
  KEYWAY_ARGON2_CONCURRENCY: intFromEnv(availableParallelism(), 1),
  KEYWAY_SMTP_URL: z
    .string()
    .regex(
      /^smtps?:\/\//,
      'KEYWAY_SMTP_URL must be an smtp:// or smtps:// URL, e.g. smtps://user:password@smtp.example.com:465',
    )
    .optional(),
  KEYWAY_SMTP_FROM: z.string().optional(),
  KEYWAY_EMAIL_RETRY_BASE_MS: intFromEnv(30_000, 1),
  KEYWAY_EMAIL_RETRY_MAX_MS: intFromEnv(3_600_000, 1),
  KEYWAY_EMAIL_MAX_ATTEMPTS: intFromEnv(10, 1),
  KEYWAY_EMAIL_POLL_MS: intFromEnv(5_000, 50),
  // Longer than one SMTP conversation can take (the transport's own timeouts stop it well before).
  KEYWAY_EMAIL_LEASE_MS: intFromEnv(120_000, 1_000),
  KEYWAY_DB_CONNECT_TIMEOUT_MS: intFromEnv(5_000, 100),
  KEYWAY_DB_STATEMENT_TIMEOUT_MS: intFromEnv(15_000, 100),
  KEYWAY_DB_START_RETRY_SECONDS: intFromEnv(60, 0),
  KEYWAY_HEAP_GROWTH_PERCENT: intFromEnv(30, 0).pipe(z.number().max(300)),
  KEYWAY_TRUST_PROXY: z
    .string()
    .optional()
    .transform((value, context) => {
      const parsed = parseTrustProxy(value);
      if (typeof parsed === 'object' && 'error' in parsed) {
        context.addIssue({ code: 'custom', message: `KEYWAY_TRUST_PROXY: ${parsed.error}` });
        return z.NEVER;
      }
      return parsed;
    }),
  KEYWAY_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'KEYWAY_REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://redis:6379/0')
    .optional(),
  KEYWAY_REDIS_KEY_PREFIX: z.string().max(100).default('keyway:'),
  KEYWAY_RATE_LIMITS: z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined) return undefined;
      let json: unknown;
      try {
        json = JSON.parse(value);
      } catch {
        context.addIssue({
          code: 'custom',
          message: 'KEYWAY_RATE_LIMITS must be JSON, e.g. {"login":{"ip":{"limit":120}}}',
        });
        return z.NEVER;
      }
      const settings = RateLimitSettings.safeParse(json);
      if (!settings.success) {
        context.addIssue({ code: 'custom', message: `KEYWAY_RATE_LIMITS: ${describeIssues(settings.error)}` });
        return z.NEVER;
      }
      return settings.data;
    }),
  KEYWAY_JWKS_MAX_AGE_SECONDS: intFromEnv(300, 1).pipe(z.number().max(86_400)),
  NODE_ENV: z.string().optional(),
});

/** Names proxy-addr (Fastify's trustProxy) knows for ranges of addresses. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * KEYWAY_TRUST_PROXY: unset or `false` → trust nobody; `true` → trust every peer (only behind a proxy that
 * overwrites X-Forwarded-For); a number → that many proxy hops; otherwise a comma-separated list of
 * addresses, CIDR ranges and the names loopback, linklocal, uniquelocal.
 */
function parseTrustProxy(value: string | undefined): TrustProxy | { error: string } {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return hops === 0 ? false : hops <= 100 ? hops : { error: 'a hop count must be at most 100' };
  }
  const entries = text.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !PROXY_RANGE_NAMES.includes(entry) && !isAddressOrCidr(entry));
  if (bad.length)
    return {
      error: `not an address, CIDR range, hop count or true/false: ${bad.map((entry) => `'${entry}'`).join(', ')}`,
    };
  return entries;
}

function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): KeywayConfig {
  // An empty variable means unset (as compose files and shells often pass them).
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
  if (!parsed.success) throw new Error(`Invalid configuration: ${describeIssues(parsed.error)}`);
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const dataDir = path.resolve(e.KEYWAY_DATA_DIR ?? path.join(findWorkspaceRoot(), '.data'));

  if (production && !e.KEYWAY_SECRET_KEY) throw new Error('KEYWAY_SECRET_KEY is required when NODE_ENV=production');
  if (production && !e.KEYWAY_ADMIN_TOKEN) throw new Error('KEYWAY_ADMIN_TOKEN is required when NODE_ENV=production');
  if (production && !e.KEYWAY_CONSOLE_CLIENT_SECRET)
    throw new Error('KEYWAY_CONSOLE_CLIENT_SECRET is required when NODE_ENV=production');

  const secretKey =
    e.KEYWAY_SECRET_KEY ?? devSecret(dataDir, 'secret.key', () => randomBytes(32).toString('base64url'));
  const adminToken =
    e.KEYWAY_ADMIN_TOKEN ??
    devSecret(dataDir, 'admin-token', () => `kw_admin_${randomBytes(32).toString('base64url')}`);

  const publicUrl = (e.KEYWAY_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');

  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    adminToken,
    adminTokenGenerated: !e.KEYWAY_ADMIN_TOKEN,
    console: {
      url: (e.KEYWAY_CONSOLE_URL ?? 'http://localhost:3001').replace(/\/+$/, ''),
      // The console's server reads the same file when its variable is unset (apps/console/src/lib/server).
      clientSecret:
        e.KEYWAY_CONSOLE_CLIENT_SECRET ??
        devSecret(dataDir, 'console-client-secret', () => randomBytes(32).toString('base64url')),
    },
    secretKey: Buffer.from(secretKey, 'base64url'),
    seedDemo: e.KEYWAY_SEED_DEMO ? e.KEYWAY_SEED_DEMO === 'true' : !e.DATABASE_URL,
    logLevel: e.KEYWAY_LOG_LEVEL,
    logFormat: e.KEYWAY_LOG_FORMAT ?? (process.stdout.isTTY && !production ? 'pretty' : 'json'),
    argon2: {
      memoryCost: e.KEYWAY_ARGON2_MEMORY_KIB,
      timeCost: e.KEYWAY_ARGON2_ITERATIONS,
      parallelism: e.KEYWAY_ARGON2_PARALLELISM,
      concurrency: e.KEYWAY_ARGON2_CONCURRENCY,
    },
    production,
    smtp: { url: e.KEYWAY_SMTP_URL, from: e.KEYWAY_SMTP_FROM ?? `Keyway <no-reply@${new URL(publicUrl).hostname}>` },
    email: {
      retryBaseMs: e.KEYWAY_EMAIL_RETRY_BASE_MS,
      retryMaxMs: Math.max(e.KEYWAY_EMAIL_RETRY_MAX_MS, e.KEYWAY_EMAIL_RETRY_BASE_MS),
      maxAttempts: e.KEYWAY_EMAIL_MAX_ATTEMPTS,
      pollMs: e.KEYWAY_EMAIL_POLL_MS,
      leaseMs: e.KEYWAY_EMAIL_LEASE_MS,
    },
    database: {
      connectTimeoutMs: e.KEYWAY_DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: e.KEYWAY_DB_STATEMENT_TIMEOUT_MS,
      startRetrySeconds: e.KEYWAY_DB_START_RETRY_SECONDS,
    },
    trustProxy: e.KEYWAY_TRUST_PROXY,
    redis: { url: e.KEYWAY_REDIS_URL, keyPrefix: e.KEYWAY_REDIS_KEY_PREFIX },
    rateLimits: applyRateLimitSettings(DEFAULT_RATE_LIMITS, e.KEYWAY_RATE_LIMITS),
    jwksMaxAgeSeconds: e.KEYWAY_JWKS_MAX_AGE_SECONDS,
    heapGrowthPercent: e.KEYWAY_HEAP_GROWTH_PERCENT,
  };
}

/** A development secret generated once into the data dir (mode 0600) and reused across restarts. */
function devSecret(dataDir: string, file: string, generate: () => string): string {
  const location = path.join(dataDir, file);
  if (existsSync(location)) return readFileSync(location, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const value = generate();
  writeFileSync(location, `${value}\n`, { mode: 0o600 });
  chmodSync(location, 0o600);
  return value;
}

export const KEYWAY_CONFIG = Symbol('KEYWAY_CONFIG');
