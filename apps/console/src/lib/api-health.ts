// What the console's /api/keyway-health route answers. Shared by the route (server) and the status card
// (browser) so both sides agree on one shape.

export type ApiHealth =
  /** The API answered `{status: "ok", ...}`. */
  | { state: 'ok'; apiUrl: string; checkedAt: string; latencyMs: number; body: Record<string, unknown> }
  /** The API answered, but not with a healthy report (non-2xx, not JSON, or another status). */
  | { state: 'degraded'; apiUrl: string; checkedAt: string; latencyMs: number; httpStatus: number; reason: string }
  /** Nothing answered: connection refused, DNS failure, timeout. */
  | { state: 'unreachable'; apiUrl: string; checkedAt: string; reason: string };

export const API_HEALTH_ROUTE = '/api/keyway-health';
