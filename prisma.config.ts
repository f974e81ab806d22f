import path from 'node:path';
import { defineConfig } from 'prisma/config';

// Keyway never downloads Prisma's native schema engine: the CLI spawns our offline bridge, which runs
// the WASM build of the same engine (tools/prisma-engine). See docs/prisma-offline.md.
process.env['PRISMA_SCHEMA_ENGINE_BINARY'] ??= path.join(__dirname, 'tools', 'prisma-engine', 'schema-engine.mjs');

const dataDir = process.env['KEYWAY_DATA_DIR'] ?? path.join(__dirname, '.data');

export default defineConfig({
  schema: path.join(__dirname, 'prisma', 'schema.prisma'),
  migrations: { path: path.join(__dirname, 'prisma', 'migrations') },
  datasource: {
    // PostgreSQL when DATABASE_URL is set; otherwise the embedded PGlite folder (the bridge understands
    // the `pglite:` scheme).
    url: process.env['DATABASE_URL'] ?? `pglite:${path.join(dataDir, 'pglite')}`,
  },
});
