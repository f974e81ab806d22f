// Loads @prisma/schema-engine-wasm: the WASM build of exactly the schema engine this Prisma CLI expects.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import { EnginePanic } from './json-rpc.mjs';

const require = createRequire(import.meta.url);
const WASM_IMPORT_MODULE = './schema_engine_bg.js';

let loaded = false;
/** @type {string | undefined} */
let panicMessage;

/**
 * Does what the package's own entry point does (`import * as wasm from "./schema_engine_bg.wasm"`),
 * which Node cannot import without --experimental-wasm-modules: instantiate the module with the JS
 * bindings as its imports, then hand the instance to the bindings.
 * @returns {typeof bindings}
 */
export function loadSchemaEngineWasm() {
  if (loaded) return bindings;
  // The engine's panic hook reports the panic message here before the WASM instance traps.
  /** @type {any} */ (globalThis).PRISMA_WASM_PANIC_REGISTRY = {
    set_message(/** @type {string} */ message) {
      panicMessage = message;
    },
  };
  const entry = require.resolve('@prisma/schema-engine-wasm');
  const wasmPath = entry.replace(/schema_engine\.js$/, 'schema_engine_bg.wasm');
  const module = new WebAssembly.Module(fs.readFileSync(wasmPath));
  const instance = new WebAssembly.Instance(module, { [WASM_IMPORT_MODULE]: bindings });
  bindings.__wbg_set_wasm(instance.exports);
  /** @type {{ __wbindgen_start?: () => void }} */ (instance.exports).__wbindgen_start?.();
  loaded = true;
  return bindings;
}

/**
 * A panic surfaces as a WebAssembly trap; the message is the one the panic hook recorded.
 * @param {unknown} error
 */
export function asEnginePanic(error) {
  if (!(error instanceof WebAssembly.RuntimeError)) return error;
  return new EnginePanic(panicMessage ?? error.message);
}
