#!/usr/bin/env node
// Keyway's offline schema engine. The Prisma CLI (`migrate *`, `db *`) spawns this script in place of
// its native `schema-engine` binary, which it would otherwise download from a host these machines cannot
// reach (prisma.config.ts points PRISMA_SCHEMA_ENGINE_BINARY here). It speaks the binary's command line
// and JSON-RPC protocol and forwards every request to the WASM build of the same engine, which reaches
// the database through a Prisma driver adapter: PostgreSQL (postgresql://…) or PGlite (pglite:<dir>).
// See docs/prisma-offline.md.
import fs from 'node:fs';
import path from 'node:path';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { serveJsonRpc } from './json-rpc.mjs';
import * as pglite from './pglite.mjs';
import * as postgres from './postgres.mjs';
import { asEnginePanic, loadSchemaEngineWasm } from './wasm-engine.mjs';

/**
 * @typedef {{ kind: 'postgres', url: string } | { kind: 'pglite', dataDir: string }} Datasource
 * @typedef {{ datamodels: string[], datasource?: Datasource, cliCommand?: string, version: boolean }} Args
 */

/** Options the CLI may pass that change nothing for PostgreSQL; their values are skipped. */
const IGNORED_OPTIONS = new Set(['--enabled-preview-features', '--extension-types']);

/** @param {string[]} argv @returns {Args} */
function parseArgs(argv) {
  /** @type {Args} */
  const args = { datamodels: [], version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--version') args.version = true;
    else if (arg === '--datamodels') args.datamodels.push(requireValue(argv, ++i, arg));
    // {"url": …}; a shadowDatabaseUrl is ignored: the bridge makes its own shadow databases.
    else if (arg === '--datasource') args.datasource = parseDatasource(JSON.parse(requireValue(argv, ++i, arg)).url);
    else if (arg === 'cli') args.cliCommand = requireValue(argv, ++i, arg);
    else if (arg !== undefined && IGNORED_OPTIONS.has(arg)) i++;
    else throw new Error(`Unknown argument "${arg}".`);
  }
  return args;
}

/** @param {string[]} argv @param {number} i @param {string} name */
function requireValue(argv, i, name) {
  const value = argv[i];
  if (value === undefined) throw new Error(`${name} needs a value`);
  return value;
}

/**
 * @param {unknown} url
 * @returns {Datasource}
 */
function parseDatasource(url) {
  if (typeof url !== 'string' || url === '') {
    throw new Error('No datasource URL: set DATABASE_URL or the datasource url in prisma.config.ts.');
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url };
  if (url.startsWith('pglite:')) {
    const dataDir = url.slice('pglite:'.length);
    if (!path.isAbsolute(dataDir)) throw new Error(`A pglite: URL needs an absolute folder, got "${url}".`);
    return { kind: 'pglite', dataDir };
  }
  throw new Error(
    `Unsupported datasource URL "${url.split(':')[0]}:…": use postgresql://… or pglite:<absolute folder>.`,
  );
}

// ---- one-shot commands: `schema-engine --datasource … cli <command>` ----

/**
 * Exit 0 on success. On failure the CLI parses stderr as log lines (JSON, the first line skipped) and
 * looks for an ERROR from target schema_engine::logger carrying `error_code` and `message`.
 * @param {string} command @param {Datasource | undefined} datasource
 */
async function runCliCommand(command, datasource) {
  logLine('INFO', `Starting schema engine CLI: ${command}`);
  if (!datasource) throw new Error('The `cli` commands need --datasource.');
  try {
    await runDatabaseCommand(command, datasource);
  } catch (error) {
    const { code, message } =
      datasource.kind === 'postgres'
        ? postgres.describeConnectionError(error, datasource.url)
        : { message: String(/** @type {Error} */ (error).message) };
    logLine('ERROR', message, code);
    process.exitCode = 1;
  }
}

/** @param {string} command @param {Datasource} datasource */
async function runDatabaseCommand(command, datasource) {
  const onPostgres = datasource.kind === 'postgres';
  switch (command) {
    case 'can-connect-to-database':
      // A PGlite folder is created on first use.
      if (onPostgres) await postgres.canConnect(datasource.url);
      return;
    case 'create-database':
      if (onPostgres) await postgres.createDatabase(datasource.url);
      else pglite.createDatabase(datasource.dataDir);
      return;
    case 'drop-database':
      if (onPostgres) await postgres.dropDatabase(datasource.url);
      else pglite.dropDatabase(datasource.dataDir);
      return;
    default:
      throw new Error(`Unknown cli command "${command}".`);
  }
}

/**
 * @param {'INFO' | 'ERROR'} level @param {string} message @param {string} [errorCode]
 */
function logLine(level, message, errorCode) {
  const fields = errorCode ? { message, error_code: errorCode } : { message };
  process.stderr.write(
    `${JSON.stringify({ timestamp: new Date().toISOString(), level, fields, target: 'schema_engine::logger' })}\n`,
  );
}

// ---- JSON-RPC server ----

/** @param {Datasource} datasource */
function adapterFactoryFor(datasource) {
  return datasource.kind === 'postgres'
    ? new postgres.PostgresAdapterFactory(datasource.url)
    : new pglite.PGliteAdapterFactory(datasource.dataDir);
}

/** @param {string[]} paths @returns {[string, string][] | undefined} */
function readDatamodels(paths) {
  return paths.length ? paths.map((file) => [file, fs.readFileSync(file, 'utf8')]) : undefined;
}

const SHADOW_DB_NOT_READY = /shadow DB must be provided through an external factory/;

/**
 * Serves the CLI's requests until it closes our stdin.
 * @param {Args} args
 */
async function serve(args) {
  if (!args.datasource)
    throw new Error('No datasource URL: set DATABASE_URL or the datasource url in prisma.config.ts.');
  const factory = adapterFactoryFor(args.datasource);
  const boundFactory = bindMigrationAwareSqlAdapterFactory(factory);
  /** @param {unknown} error */
  const explain = (error) => asEnginePanic(revealAdapterError(error, boundFactory.errorRegistry));

  // The engine connects to the database as it starts. If that fails (server down, PGlite folder
  // locked), we still serve: each request is answered with the error, which the CLI shows as the
  // native engine's. Exiting early instead races the CLI, which then sometimes exits 0 in silence.
  /** @type {any} */
  let engine;
  /** @type {unknown} */
  let startupError;
  try {
    engine = await loadSchemaEngineWasm().SchemaEngine.new(
      { datamodels: readDatamodels(args.datamodels) },
      (/** @type {string} */ log) => process.stderr.write(`${log}\n`),
      boundFactory,
    );
  } catch (error) {
    startupError = explain(error);
  }

  const shutdown = onceOnly(() => factory.close());
  // The CLI ends our stdin and, on POSIX, sends SIGTERM right after: close PGlite cleanly either way.
  for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
    process.once(signal, () => shutdown().finally(() => process.exit(0)));
  }

  const { panicked } = await serveJsonRpc({
    input: process.stdin,
    output: process.stdout,
    handle: async (method, params, cli) => {
      if (startupError) throw startupError;
      return handleRequest(engine, method, params, cli).catch((error) => {
        throw explain(error);
      });
    },
  });
  await shutdown();
  // The exit code the CLI expects from a panicked engine.
  if (panicked) process.exitCode = 101;
}

/**
 * @param {any} engine the WASM SchemaEngine
 * @param {string} method @param {any} params
 * @param {import('./json-rpc.mjs').Peer} cli
 */
async function handleRequest(engine, method, params, cli) {
  switch (method) {
    case 'diff': {
      // The native engine prints the diff through a `print` request to the CLI, which writes it to
      // stdout (or to --output); the WASM engine returns it instead.
      const { exitCode, stdout } = await engine.diff(params);
      if (stdout) await cli.request('print', { content: stdout });
      return { exitCode };
    }
    case 'evaluateDataLoss':
    case 'createMigration':
      return withShadowDatabaseReady(engine, method, params);
    case 'getDatabaseVersion':
      return engine.version(params);
    default:
      if (typeof engine[method] !== 'function')
        throw new Error(`The offline schema engine does not support "${method}".`);
      return engine[method](params);
  }
}

/**
 * These two fail with "shadow DB must be provided through an external factory" until the engine
 * has set up its shadow database once, which diagnoseMigrationHistory with the shadow database opted in
 * does; then they succeed.
 * @param {any} engine @param {'evaluateDataLoss' | 'createMigration'} method @param {any} params
 */
async function withShadowDatabaseReady(engine, method, params) {
  try {
    return await engine[method](params);
  } catch (error) {
    if (!SHADOW_DB_NOT_READY.test(String(/** @type {Error} */ (error)?.message))) throw error;
    await engine.diagnoseMigrationHistory({
      migrationsList: params.migrationsList,
      optInToShadowDatabase: true,
      filters: params.filters,
    });
    return engine[method](params);
  }
}

/**
 * JavaScript errors thrown inside the adapters (a refused PGlite lock, a failed CREATE DATABASE) reach
 * the engine as registry ids, and its message is only "External error id#N": show the original.
 * @param {any} error
 * @param {{ consumeError(id: number): { error: unknown } | undefined }} registry
 */
function revealAdapterError(error, registry) {
  const id = /External error id#(\d+)/.exec(String(error?.message))?.[1];
  return (id !== undefined && registry.consumeError(Number(id))?.error) || error;
}

/** @template T @param {() => Promise<T>} fn */
function onceOnly(fn) {
  /** @type {Promise<T> | undefined} */
  let result;
  return () => (result ??= fn());
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.version) {
    process.stdout.write(`schema-engine-cli ${loadSchemaEngineWasm().version()}\n`);
  } else if (args.cliCommand) {
    await runCliCommand(args.cliCommand, args.datasource);
  } else {
    await serve(args);
  }
}

main().catch((error) => {
  // The CLI shows the messages of JSON log lines on stderr when the engine exits with an error.
  logLine('ERROR', String(error?.message ?? error));
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
