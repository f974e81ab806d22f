// The Prisma CLI's wire protocol with its schema engine: JSON-RPC 2.0, one message per line, the CLI
// writing requests to our stdin and reading responses from our stdout. The engine may also send requests
// of its own to the CLI (`print`), which the CLI answers on our stdin.
import readline from 'node:readline';

/** The error code the native engine uses for every failed request; the details go in `data`. */
const ENGINE_ERROR_CODE = 4466;

/**
 * @typedef {{ jsonrpc: '2.0', id: number | string, method: string, params?: unknown }} Request
 * @typedef {(method: string, params: unknown, peer: Peer) => Promise<unknown>} Handler
 * @typedef {{ request(method: string, params: unknown): Promise<unknown> }} Peer
 */

/**
 * Serves requests one at a time, in arrival order (the engine is single-threaded and the CLI sends
 * one request at a time anyway). Resolves when the input closes and the last request is answered, or
 * after answering a request with a panic.
 * @param {{ input: NodeJS.ReadableStream, output: NodeJS.WritableStream, handle: Handler }} options
 * @returns {Promise<{ panicked: boolean }>}
 */
export async function serveJsonRpc({ input, output, handle }) {
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let panicked = false;
  /** @type {Map<number, (message: any) => void>} */
  const awaitingAnswer = new Map();
  let nextOwnId = 1;
  /** @param {object} message */
  const send = (message) => output.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);

  /** @type {Peer} */
  const peer = {
    request(method, params) {
      const id = nextOwnId++;
      return new Promise((resolve) => {
        awaitingAnswer.set(id, resolve);
        send({ id, method, params });
      });
    },
  };

  /** @param {Request} request */
  const answer = async (request) => {
    try {
      send({ id: request.id, result: (await handle(request.method, request.params, peer)) ?? {} });
    } catch (error) {
      send({ id: request.id, error: toRpcError(error) });
      // Like the native engine, stop after a panic: the engine's state is unusable.
      if (error instanceof EnginePanic) {
        panicked = true;
        lines.close();
      }
    }
  };

  let queue = Promise.resolve();
  for await (const line of lines) {
    if (!line.trim()) continue;
    const message = JSON.parse(line);
    if (message.method === undefined) {
      // The CLI's answer to one of our own requests.
      awaitingAnswer.get(message.id)?.(message);
      awaitingAnswer.delete(message.id);
    } else {
      queue = queue.then(() => answer(message));
    }
  }
  await queue;
  return { panicked };
}

/**
 * The native engine's error shape, which the CLI turns into its messages: `data.message` is shown to
 * the user, `data.error_code` (P3005, P3006, …) selects special handling, `is_panic` asks for a bug
 * report.
 * @param {any} error
 */
export function toRpcError(error) {
  return {
    code: ENGINE_ERROR_CODE,
    message: 'An error happened. Check the data field for details.',
    data: {
      is_panic: error instanceof EnginePanic,
      message: withoutBacktrace(String(error?.message ?? error)),
      // The WASM engine's known errors carry their Prisma code as `code`; driver errors carry SQLSTATEs.
      error_code: /^P\d{4}$/.test(error?.code) ? error.code : undefined,
    },
  };
}

/** A panic inside the WASM engine: its instance is unusable afterwards. */
export class EnginePanic extends Error {}

/**
 * WASM engine errors end with a span trace ("\n   0: schema_engine_wasm::…\n   at …") that the native
 * engine does not put in user-facing messages.
 * @param {string} message
 */
function withoutBacktrace(message) {
  return message.replace(/\n\s+0: [\s\S]*$/, '');
}
