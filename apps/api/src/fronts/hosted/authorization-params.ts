import type { ApplicationsService } from '../../domain/applications/applications.service';
import { matchesRegisteredRedirectUri } from '../../domain/applications/application';
import { AuthorizationRequestParams } from '../../domain/grants/authorization-request';
import type { Project } from '../../domain/projects/projects.service';
import { describeIssues } from '../../infra/validation/zod-issues';

/** What the hosted pages read of an authorization request in a query or form: the params, or why not. */
export type ParsedAuthorizationParams =
  { ok: true; params: AuthorizationRequestParams } | { ok: false; description: string };

/** The request's params, each at most once (RFC 6749 §3.1: a repeated parameter is refused, never guessed). */
export function parseAuthorizationParams(input: unknown): ParsedAuthorizationParams {
  const entries = input && typeof input === 'object' ? Object.entries(input as Record<string, unknown>) : [];
  const repeated = entries.find(([, value]) => typeof value !== 'string');
  if (repeated) return { ok: false, description: `The parameter '${repeated[0]}' is included more than once.` };
  const result = AuthorizationRequestParams.safeParse(Object.fromEntries(entries));
  if (!result.success) return { ok: false, description: describeIssues(result.error) };
  return { ok: true, params: result.data };
}

/** The named params as a query string ("start again" repeats the request exactly). */
export function queryOf(
  params: AuthorizationRequestParams,
  names: readonly (keyof AuthorizationRequestParams)[],
): string {
  const query = new URLSearchParams();
  for (const name of names) {
    const value = params[name];
    if (value !== undefined) query.set(name, value);
  }
  return query.toString();
}

/** A posted restart query, re-read through the same schema so only the named authorization params come back. */
export function reparsedQuery(
  value: string | undefined,
  names: readonly (keyof AuthorizationRequestParams)[],
): string | undefined {
  if (value === undefined) return undefined;
  const parsed = parseAuthorizationParams(Object.fromEntries(new URLSearchParams(value)));
  return parsed.ok ? queryOf(parsed.params, names) : undefined;
}

export function withQuery(uri: string, params: Record<string, string>): string {
  const url = new URL(uri);
  for (const [name, value] of Object.entries(params)) url.searchParams.append(name, value);
  return url.toString();
}

/**
 * RFC 6749 §4.1.2.1: where a refused request's error may go. Only once its client and redirect_uri are known
 * good; before that the user is told on our page and never sent anywhere.
 */
export async function errorRedirectUri(
  applications: ApplicationsService,
  project: Project,
  params: AuthorizationRequestParams,
): Promise<{ clientId: string; redirectUri: string } | undefined> {
  if (!params.client_id || !params.redirect_uri) return undefined;
  const application = await applications.findByClientId(project.id, params.client_id);
  if (!application || !matchesRegisteredRedirectUri(params.redirect_uri, application.redirectUris)) return undefined;
  return { clientId: application.clientId, redirectUri: params.redirect_uri };
}
