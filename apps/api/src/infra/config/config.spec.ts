import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from './config';

describe('loadConfig', () => {
  const dataDir = () => mkdtempSync(path.join(tmpdir(), 'keyway-config-'));

  it('defaults to the embedded database and generates dev secrets once, readable only by the owner', () => {
    const dir = dataDir();
    const first = loadConfig({ KEYWAY_DATA_DIR: dir });
    expect(first).toMatchObject({
      port: 3000,
      publicUrl: 'http://localhost:3000',
      databaseUrl: undefined,
      seedDemo: true,
      adminTokenGenerated: true,
    });
    expect(first.secretKey).toHaveLength(32);
    expect(statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    const second = loadConfig({ KEYWAY_DATA_DIR: dir });
    expect(second.adminToken).toBe(first.adminToken);
    expect(Buffer.from(second.secretKey).equals(Buffer.from(first.secretKey))).toBe(true);
    expect(readFileSync(path.join(dir, 'admin-token'), 'utf8').trim()).toBe(first.adminToken);
  });

  it('switches to PostgreSQL with DATABASE_URL and stops seeding by default', () => {
    const config = loadConfig({
      KEYWAY_DATA_DIR: dataDir(),
      DATABASE_URL: 'postgresql://u@h/db',
      PORT: '8080',
      KEYWAY_PUBLIC_URL: 'https://id.example/',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgresql://u@h/db',
      seedDemo: false,
      port: 8080,
      publicUrl: 'https://id.example',
    });
  });

  it('reads the database timeouts, with defaults that bound every wait', () => {
    expect(loadConfig({ KEYWAY_DATA_DIR: dataDir() }).database).toEqual({
      connectTimeoutMs: 5_000,
      statementTimeoutMs: 15_000,
      startRetrySeconds: 60,
    });
    const set = loadConfig({
      KEYWAY_DATA_DIR: dataDir(),
      KEYWAY_DB_CONNECT_TIMEOUT_MS: '1000',
      KEYWAY_DB_STATEMENT_TIMEOUT_MS: '2000',
      KEYWAY_DB_START_RETRY_SECONDS: '0',
    });
    expect(set.database).toEqual({ connectTimeoutMs: 1_000, statementTimeoutMs: 2_000, startRetrySeconds: 0 });
    expect(() => loadConfig({ KEYWAY_DATA_DIR: dataDir(), KEYWAY_DB_STATEMENT_TIMEOUT_MS: '0' })).toThrow(
      /KEYWAY_DB_STATEMENT_TIMEOUT_MS/,
    );
  });

  it('reads the instance SMTP default and outbox timing', () => {
    const defaults = loadConfig({ KEYWAY_DATA_DIR: dataDir(), KEYWAY_PUBLIC_URL: 'https://id.example' });
    expect(defaults.smtp).toEqual({ url: undefined, from: 'Keyway <no-reply@id.example>' });
    expect(defaults.email).toEqual({
      retryBaseMs: 30_000,
      retryMaxMs: 3_600_000,
      maxAttempts: 10,
      pollMs: 5_000,
      leaseMs: 120_000,
    });
    const set = loadConfig({
      KEYWAY_DATA_DIR: dataDir(),
      KEYWAY_SMTP_URL: 'smtps://u:p@smtp.example:465',
      KEYWAY_SMTP_FROM: 'Acme <a@acme.example>',
      KEYWAY_EMAIL_RETRY_BASE_MS: '100',
    });
    expect(set.smtp).toEqual({ url: 'smtps://u:p@smtp.example:465', from: 'Acme <a@acme.example>' });
    expect(set.email.retryBaseMs).toBe(100);
    expect(() => loadConfig({ KEYWAY_DATA_DIR: dataDir(), KEYWAY_SMTP_URL: 'http://smtp.example' })).toThrow(
      /smtp:\/\/ or smtps:\/\//,
    );
  });

  it('requires real secrets in production and explains bad values', () => {
    expect(() => loadConfig({ KEYWAY_DATA_DIR: dataDir(), NODE_ENV: 'production' })).toThrow(
      /KEYWAY_SECRET_KEY is required/,
    );
    expect(() => loadConfig({ KEYWAY_DATA_DIR: dataDir(), KEYWAY_SECRET_KEY: 'short' })).toThrow(/32 bytes/);
    expect(() => loadConfig({ KEYWAY_DATA_DIR: dataDir(), DATABASE_URL: 'mysql://x' })).toThrow(/postgresql:\/\//);
    expect(() => loadConfig({ KEYWAY_DATA_DIR: dataDir(), PORT: 'eighty' })).toThrow(/PORT/);
  });
  it('trusts X-Forwarded-For from nobody unless KEYWAY_TRUST_PROXY names proxies', () => {
    const trust = (value?: string) =>
      loadConfig({ KEYWAY_DATA_DIR: dataDir(), ...(value !== undefined ? { KEYWAY_TRUST_PROXY: value } : {}) })
        .trustProxy;
    expect(trust()).toBe(false);
    expect(trust('')).toBe(false);
    expect(trust('false')).toBe(false);
    expect(trust('0')).toBe(false);
    expect(trust('true')).toBe(true);
    expect(trust('2')).toBe(2);
    expect(trust('10.0.0.0/8, 192.168.1.7,fd00::/8,loopback')).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'fd00::/8',
      'loopback',
    ]);
    expect(() => trust('10.0.0.0/33')).toThrow(/KEYWAY_TRUST_PROXY.*'10\.0\.0\.0\/33'/);
    expect(() => trust('proxy.internal')).toThrow(/KEYWAY_TRUST_PROXY/);
  });

  it('reads Redis and the instance rate limits', () => {
    const defaults = loadConfig({ KEYWAY_DATA_DIR: dataDir() });
    expect(defaults.redis).toEqual({ url: undefined, keyPrefix: 'keyway:' });
    expect(defaults.rateLimits.login.ip).toEqual({ limit: 60, windowSeconds: 60 });
    const set = loadConfig({
      KEYWAY_DATA_DIR: dataDir(),
      KEYWAY_REDIS_URL: 'redis://r:6379/2',
      KEYWAY_REDIS_KEY_PREFIX: 'kw1:',
      KEYWAY_RATE_LIMITS: '{"login":{"ip":{"limit":300}}}',
    });
    expect(set.redis).toEqual({ url: 'redis://r:6379/2', keyPrefix: 'kw1:' });
    expect(set.rateLimits.login.ip).toEqual({ limit: 300, windowSeconds: 60 });
    expect(set.rateLimits.token).toEqual(defaults.rateLimits.token);
    expect(() => loadConfig({ KEYWAY_DATA_DIR: dataDir(), KEYWAY_REDIS_URL: 'http://r' })).toThrow(/redis:\/\//);
    expect(() => loadConfig({ KEYWAY_DATA_DIR: dataDir(), KEYWAY_RATE_LIMITS: '{login' })).toThrow(/must be JSON/);
    expect(() =>
      loadConfig({ KEYWAY_DATA_DIR: dataDir(), KEYWAY_RATE_LIMITS: '{"login":{"ip":{"limit":-1}}}' }),
    ).toThrow(/KEYWAY_RATE_LIMITS: login\.ip\.limit/);
  });
});
