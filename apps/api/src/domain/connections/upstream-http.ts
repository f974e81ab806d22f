/** How long Keyway waits for a provider's discovery document, JWKS or endpoint, unless the call says otherwise. */
const UPSTREAM_TIMEOUT_MS = 5_000;
/** Discovery documents and key sets are small; a provider sending more is refused rather than buffered. */
const MAX_BODY_BYTES = 512 * 1024;

/** What an upstream call answered, or why there was no answer. */
export type UpstreamAnswer = { ok: true; status: number; body: string } | { ok: false; error: string };

/** A call's method and body; a form body unless `contentType` says otherwise. */
export interface UpstreamRequest {
  method: 'GET' | 'POST';
  body?: string;
  contentType?: string;
  /** Further headers (a partner callback's signature). */
  headers?: Record<string, string>;
  /** 5 s unless given. */
  timeoutMs?: number;
}

/**
 * One call to an identity provider or partner backend: 5 s timeout (unless told), no redirects followed (a URL is
 * checked before it is called, a redirect would skip the check), the body capped.
 */
export async function callUpstream(url: string, init: UpstreamRequest = { method: 'GET' }) {
  const timeoutMs = init.timeoutMs ?? UPSTREAM_TIMEOUT_MS;
  try {
    const response = await fetch(url, {
      method: init.method,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        accept: 'application/json',
        ...(init.body !== undefined ? { 'content-type': init.contentType ?? 'application/x-www-form-urlencoded' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    const body = await response.text();
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) return { ok: false, error: 'the answer is too large' } as const;
    return { ok: true, status: response.status, body } as const;
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    return {
      ok: false,
      error: name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} seconds` : 'could not be reached',
    } as const;
  }
}

/** The JSON object of a 200 answer, or why it is not one. */
export function jsonObjectOf(answer: UpstreamAnswer): { value: Record<string, unknown> } | { error: string } {
  if (!answer.ok) return { error: answer.error };
  if (answer.status !== 200) return { error: `answered HTTP ${answer.status}` };
  try {
    const value: unknown = JSON.parse(answer.body);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return { value: value as Record<string, unknown> };
  } catch {
    // reported below
  }
  return { error: 'did not answer a JSON object' };
}
