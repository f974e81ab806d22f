/** How long Keyway waits for a provider's discovery document, JWKS or endpoint when an admin sets one up. */
const UPSTREAM_TIMEOUT_MS = 5_000;
/** Discovery documents and key sets are small; a provider sending more is refused rather than buffered. */
const MAX_BODY_BYTES = 512 * 1024;

/** What an upstream call answered, or why there was no answer. */
export type UpstreamAnswer = { ok: true; status: number; body: string } | { ok: false; error: string };

/**
 * One call to an identity provider at set-up time (never with a secret): 5 s timeout, no redirects followed
 * (a URL is checked before it is called, a redirect would skip the check), the body capped.
 */
export async function callUpstream(url: string, init: { method: 'GET' | 'POST'; body?: string } = { method: 'GET' }) {
  try {
    const response = await fetch(url, {
      method: init.method,
      redirect: 'manual',
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      headers: {
        accept: 'application/json',
        ...(init.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
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
      error: name === 'TimeoutError' ? 'no answer within 5 seconds' : 'could not be reached',
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
