import type { ApiHealth } from '../../../lib/api-health';
import { apiUrl as keywayApiUrl } from '../../../lib/server/config';
import { notSignedIn } from '../../../lib/server/responses';
import { hasSession } from '../../../lib/server/sessions';

// The browser asks the console, and the console asks the API. Going through the console server means
// the API needs no CORS rule for the console's origin, and in Docker the API's internal address
// (http://api:3000) is one the browser could never resolve.

const TIMEOUT_MS = 3000;

export async function GET(): Promise<Response> {
  // The API's internal address and health report are for the console's users, not for every visitor.
  if (!(await hasSession())) return notSignedIn();
  const apiUrl = keywayApiUrl();
  const checkedAt = new Date().toISOString();
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(`${apiUrl}/health`, {
      headers: { accept: 'application/json' },
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    return reply({ state: 'unreachable', apiUrl, checkedAt, reason: describeFetchError(error) });
  }
  const latencyMs = Math.round(performance.now() - started);

  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok && isRecord(body) && body['status'] === 'ok') {
    return reply({ state: 'ok', apiUrl, checkedAt, latencyMs, body });
  }
  const reason = !response.ok
    ? `HTTP ${response.status} from /health`
    : isRecord(body)
      ? `status is ${JSON.stringify(body['status'])}, expected "ok"`
      : '/health did not answer with a JSON object';
  return reply({ state: 'degraded', apiUrl, checkedAt, latencyMs, httpStatus: response.status, reason });
}

function reply(health: ApiHealth): Response {
  return Response.json(health, { headers: { 'cache-control': 'no-store' } });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing listens at that address',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
};

// Node's fetch only says "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND) is in `cause`.
function describeFetchError(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `no answer within ${TIMEOUT_MS / 1000} s`;
  }
  if (error instanceof Error) {
    const cause: unknown = error.cause;
    const code = isRecord(cause) && typeof cause['code'] === 'string' ? cause['code'] : undefined;
    if (code) return NETWORK_ERRORS[code] ? `${NETWORK_ERRORS[code]} (${code})` : code;
    return error.message;
  }
  return String(error);
}
