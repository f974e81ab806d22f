/**
 * Recognises "the database did not answer" among the shapes it takes on the way up: node-postgres
 * errors (socket codes, SQLSTATEs, its own timeout messages), driver-adapter errors as Prisma wraps
 * them (`meta.driverAdapterError.cause`), and Prisma's connection error codes. These are answered 503
 * with Retry-After and logged as one line, not as a server fault with a stack trace.
 */

/** Seconds a client (or load balancer) should wait after a 503 for an unreachable database. */
export const RETRY_AFTER_SECONDS = 5;

/** Prisma: can't reach the server (P1001), timed out (P1002, P1008), server closed it (P1017), pool timeout (P2024). */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

/** Node's socket errors on the way to the database. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs: 57014 query_canceled (our statement_timeout), 57P01–57P03 shutdown / crash / not yet
 * accepting connections, 53300 too_many_connections; class 08 is "connection exception".
 */
const SQLSTATES = new Set(['57014', '57P01', '57P02', '57P03', '53300']);

/** @prisma/adapter-pg's kinds for socket problems and too many connections. */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/** node-postgres says these in words only (no code). */
const PG_MESSAGES = [
  'timeout exceeded when trying to connect', // the pool: no connection within connectionTimeoutMillis
  'Connection terminated due to connection timeout',
  'Connection terminated unexpectedly',
  'Query read timeout', // query_timeout: the server did not answer at all
  'Client has encountered a connection error and is not queryable',
];

/** pg.Client.connect() past connectionTimeoutMillis: too generic a text to look for inside others. */
const PG_EXACT_MESSAGES = new Set(['timeout expired']);

export function isDatabaseUnavailable(error: unknown): boolean {
  return causes(error).some(matches);
}

/** A short reason for the log line, e.g. `57014: canceling statement due to statement timeout`. */
export function describeUnavailable(error: unknown): string {
  const cause = causes(error).find(matches) ?? error;
  const { code, message } = (cause ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message.split('\n').filter(Boolean).at(-1)?.trim() : String(cause);
  return typeof code === 'string' ? `${code}: ${text}` : (text ?? 'database unavailable');
}

function matches(candidate: object): boolean {
  const { code, kind, message } = candidate as { code?: unknown; kind?: unknown; message?: unknown };
  if (
    typeof code === 'string' &&
    (PRISMA_CODES.has(code) || SOCKET_CODES.has(code) || SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))
  )
    return true;
  if (typeof kind === 'string' && ADAPTER_KINDS.has(kind)) return true;
  return (
    typeof message === 'string' &&
    (PG_EXACT_MESSAGES.has(message) || PG_MESSAGES.some((text) => message.includes(text)))
  );
}

/** The error, its `cause` chain, and a Prisma error's driver-adapter error and its cause. */
function causes(error: unknown): object[] {
  const found: object[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && found.length < 10) {
    const next = queue.shift();
    if (typeof next !== 'object' || next === null || found.includes(next)) continue;
    found.push(next);
    const { cause, meta } = next as { cause?: unknown; meta?: { driverAdapterError?: unknown } };
    queue.push(cause, meta?.driverAdapterError);
  }
  return found;
}
