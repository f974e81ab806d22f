import { Injectable } from '@nestjs/common';
import type { Application } from '../applications/application';
import { isResourceIdentifier, type ResourceGrant } from '../api-resources/api-resource';
import { ApiResourcesRepository } from '../api-resources/api-resources.repository';
import { OAuthError } from '../../infra/http/errors';
import type { Project } from '../projects/projects.service';
import { parseScope } from './scopes';
import { TokenMinter } from './token-minter.service';
import type { ClientTokenResponse, TokenRequestParams } from './token-request';

/** What a client_credentials request is granted: one API resource (the token's audience) and scopes of it. */
export interface ClientCredentialsDecision {
  grant: ResourceGrant;
  scopes: string[];
}

/**
 * The rules of a client_credentials request, given the application's grants that can answer it (the one of the
 * requested resource, or — without a `resource` — up to two of them):
 * - `resource` (RFC 8707): at most one, since the JWT carries one audience; malformed, unknown or not granted is
 *   `invalid_target`. Without it, the application's only granted resource is meant; with none or several granted
 *   it is `invalid_target` too (the client must say which).
 * - `scope`: a subset of the scopes granted for that resource, else `invalid_scope`. Without it the token gets
 *   every granted scope of the resource: RFC 6749 §3.3's "pre-defined default value", and what the grant says the
 *   client may do anyway.
 */
export function decideClientCredentials(
  candidates: readonly ResourceGrant[],
  resources: readonly string[],
  scope: string | undefined,
): ClientCredentialsDecision {
  if (resources.length > 1)
    throw new OAuthError('invalid_target', 'one resource per request: the access token has a single audience');
  const [requested] = resources;
  let grant: ResourceGrant | undefined;
  if (requested !== undefined) {
    if (!isResourceIdentifier(requested))
      throw new OAuthError('invalid_target', 'resource must be an absolute URI without a fragment');
    grant = candidates.find((candidate) => candidate.resource.identifier === requested);
    if (!grant) throw new OAuthError('invalid_target', 'the resource is unknown or not granted to this client');
  } else {
    if (candidates.length === 0) throw new OAuthError('invalid_target', 'no API resource is granted to this client');
    if (candidates.length > 1)
      throw new OAuthError('invalid_target', 'resource is required: this client is granted several API resources');
    grant = candidates[0]!;
  }
  // A scope taken off the resource is gone from its grants too (ApiResourcesRepository); this also holds meanwhile.
  const defined = new Set(grant.resource.scopes.map((definition) => definition.name));
  const granted = grant.scopes.filter((name) => defined.has(name));
  if (scope === undefined) return { grant, scopes: granted };
  const scopes = parseScope(scope);
  if (scopes.length === 0) throw new OAuthError('invalid_scope', 'scope is empty');
  const refused = scopes.filter((name) => !granted.includes(name));
  if (refused.length)
    throw new OAuthError('invalid_scope', `not granted to this client for this resource: ${refused.join(' ')}`);
  return { grant, scopes };
}

/**
 * grant_type=client_credentials (RFC 6749 §4.4) for confidential applications allowed it: a JWT access token
 * (RFC 9068) for one API resource, about the client itself (sub = client_id). No refresh token (§4.4.3), no ID
 * token. One database statement (the grant with its resource); the signing key is cached.
 */
@Injectable()
export class ClientCredentialsGrant {
  constructor(
    private readonly resources: ApiResourcesRepository,
    private readonly minter: TokenMinter,
  ) {}

  async handle(project: Project, client: Application, params: TokenRequestParams): Promise<ClientTokenResponse> {
    if (client.type !== 'confidential' || !client.grantTypes.includes('client_credentials'))
      throw new OAuthError('unauthorized_client', 'grant type not allowed for this client');
    const resources = params.resource === undefined ? [] : [params.resource].flat();
    // A request the rules refuse whatever is granted (several or malformed resources) costs no query.
    const answerable = resources.length <= 1 && resources.every(isResourceIdentifier);
    const candidates = answerable ? await this.resources.grantsForToken(client.id, resources[0]) : [];
    const { grant, scopes } = decideClientCredentials(candidates, resources, params.scope);
    const scope = scopes.join(' ');
    const { token, expiresIn } = await this.minter.clientAccessToken(project, {
      clientId: client.clientId,
      audience: grant.resource.identifier,
      scope,
      expiresIn: grant.resource.accessTokenTtlSeconds ?? project.settings.accessTokenTtlSeconds,
    });
    return { access_token: token, token_type: 'Bearer', expires_in: expiresIn, ...(scope ? { scope } : {}) };
  }
}
