// PostgreSQL for the schema engine: @prisma/adapter-pg plus fixes for what the engine needs from it.
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';

/** @typedef {import('@prisma/driver-adapter-utils').SqlMigrationAwareDriverAdapterFactory} SqlMigrationAwareDriverAdapterFactory */

const CHAR_OID = 18; // the one-byte "char" type, used all over pg_catalog
const TEXT_OID = 25;

/**
 * adapter-pg cannot map the "char" type and fails the engine's catalog queries with
 * "UnsupportedNativeDataType". Its values arrive as one-character strings anyway, so this client
 * reports such columns as text. It covers both call shapes pg uses: pool.query passes a callback,
 * a checked-out client (transactions) is awaited.
 */
class CharAsTextClient extends pg.Client {
  /** @param {any} config @param {any} [values] @param {any} [callback] */
  // @ts-ignore -- one override for all of pg.Client's query overloads
  query(config, values, callback) {
    if (typeof values === 'function') return this.query(config, undefined, values);
    if (typeof callback === 'function') {
      return super.query(config, values, (/** @type {Error} */ error, /** @type {any} */ result) =>
        callback(error, result && reportCharAsText(result)),
      );
    }
    const pending = /** @type {any} */ (super.query(config, values));
    return typeof pending?.then === 'function' ? pending.then(reportCharAsText) : pending;
  }
}

/** @param {pg.QueryResult | pg.QueryResult[]} result a multi-statement query yields an array */
function reportCharAsText(result) {
  for (const one of Array.isArray(result) ? result : [result]) {
    for (const field of one.fields ?? []) {
      if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

/**
 * The migration-aware adapter factory the engine drives.
 * @implements {SqlMigrationAwareDriverAdapterFactory}
 */
export class PostgresAdapterFactory {
  provider = /** @type {const} */ ('postgres');
  adapterName = '@prisma/adapter-pg (keyway offline bridge)';

  /** @type {Array<{ dispose(): Promise<void> }>} */
  #connected = [];

  /** @param {string} url */
  constructor(url) {
    this.url = url;
  }

  async connect() {
    const adapter = await connectAdapter(this.url);
    this.#connected.push(adapter);
    return adapter;
  }

  /** Ends the pools of the main connections, so that the process can exit. */
  async close() {
    await Promise.all(this.#connected.splice(0).map((adapter) => adapter.dispose()));
  }

  /**
   * adapter-pg's own connectToShadowDb() spreads `database` next to `connectionString`, which wins, so
   * its "shadow" database is the main one and the engine would reset it. We create a uniquely named
   * database ourselves and drop it when the engine disposes of the adapter.
   */
  async connectToShadowDb() {
    const name = `prisma_shadow_${randomUUID().replaceAll('-', '')}`;
    await runAdminStatement(this.url, `CREATE DATABASE ${quoteIdentifier(name)}`);
    const adapter = await connectAdapter(withDatabase(this.url, name));
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await runAdminStatement(this.url, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
    };
    return adapter;
  }
}

/** @param {string} url */
async function connectAdapter(url) {
  const pool = new pg.Pool({ connectionString: url, Client: CharAsTextClient });
  const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
  // adapter-pg's executeScript splits the script on ";", which breaks `$$ ... $$` bodies. A query
  // without parameters goes through pg's simple protocol, which runs a whole multi-statement script
  // (as one implicit transaction, like the native engine does) and still maps errors the adapter way.
  adapter.executeScript = async (script) => {
    await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
  };
  return adapter;
}

/**
 * Runs one statement on a short-lived connection (CREATE/DROP DATABASE cannot run in a transaction
 * and must not go through the adapter's pool).
 * @param {string} url @param {string} sql
 */
async function runAdminStatement(url, sql) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** @param {string} url @param {string} database */
function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** @param {string} url */
function databaseName(url) {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!name) throw new Error('The database URL names no database.');
  return name;
}

/** @param {string} name */
function quoteIdentifier(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

// One-shot commands (`schema-engine cli …`). CREATE/DROP DATABASE connect to the maintenance database
// "postgres", since the target may not exist or must not be in use by ourselves.

/** @param {string} url */
export async function canConnect(url) {
  await runAdminStatement(url, 'SELECT 1');
}

/** @param {string} url @returns {Promise<string>} the database name */
export async function createDatabase(url) {
  const name = databaseName(url);
  await runAdminStatement(withDatabase(url, 'postgres'), `CREATE DATABASE ${quoteIdentifier(name)}`);
  return name;
}

/** @param {string} url */
export async function dropDatabase(url) {
  const name = databaseName(url);
  await runAdminStatement(
    withDatabase(url, 'postgres'),
    `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`,
  );
}

/**
 * Prisma error codes the CLI understands for connection problems (it offers to create a database on
 * P1003, for instance).
 * @param {unknown} error
 * @param {string} url
 * @returns {{ code?: string, message: string }}
 */
export function describeConnectionError(error, url) {
  const { code, message } = /** @type {{ code?: string, message: string }} */ (error);
  const { hostname, port } = new URL(url);
  const server = `${hostname}:${port || 5432}`;
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'ETIMEDOUT':
      return { code: 'P1001', message: `Can't reach database server at \`${server}\`` };
    case '3D000':
      return {
        code: 'P1003',
        message: `Database \`${databaseName(url)}\` does not exist on the database server at \`${server}\`.`,
      };
    case '28P01':
      return { code: 'P1000', message: `Authentication failed against database server at \`${server}\`: ${message}` };
    case '42P04':
      return {
        code: 'P1009',
        message: `Database \`${databaseName(url)}\` already exists on the database server at \`${server}\``,
      };
    default:
      return { message };
  }
}
