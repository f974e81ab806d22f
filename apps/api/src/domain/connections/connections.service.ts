import { Inject, Injectable } from '@nestjs/common';
import { createLocalJWKSet, importJWK, type JWK } from 'jose';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import { ApiError, fieldError, type FieldError } from '../../infra/http/errors';
import { isUuid } from '../../infra/http/ids';
import { ApplicationsService } from '../applications/applications.service';
import { FederatedIdentities } from '../federation/federated-identities';
import type { Project } from '../projects/projects.service';
import { IdentitySchemasService } from '../schemas/identity-schemas.service';
import {
  upstreamUrlProblem,
  type Connection,
  type ConnectionEndpoints,
  type ConnectionMode,
  type ConnectionPresetName,
  type LinkingPolicy,
} from './connection';
import { CONNECTION_PRESETS_TABLE, discoveryUrlOf, presetEndpoints } from './connection-presets';
import { checkClaimMapping } from '../schemas/claim-mapping';
import {
  ConnectionsRepository,
  type ConnectionApplicationInput,
  type ConnectionChanges,
  type ConnectionDeletion,
  type NewConnection,
} from './connections.repository';
import { callUpstream, jsonObjectOf } from './upstream-http';

/** The applications a connection is offered on, by client_id, as the admin API names them. */
export interface ConnectionApplicationByClientId {
  clientId: string;
  mode: ConnectionMode;
}

export interface CreateConnectionInput {
  name: string;
  preset: ConnectionPresetName;
  clientId: string;
  clientSecret?: string | null | undefined;
  allowedAudiences?: string[] | undefined;
  scopes?: string[] | undefined;
  claimMapping?: Record<string, string> | undefined;
  trustEmailVerified?: boolean | undefined;
  linkingPolicy?: LinkingPolicy | undefined;
  applications?: ConnectionApplicationByClientId[] | undefined;
  /** Microsoft: the Entra tenant ('common' when absent). */
  tenant?: string | undefined;
  /** Generic OIDC: the discovery URL or the issuer. */
  discoveryUrl?: string | undefined;
  /** Generic OAuth 2.0: the endpoints. */
  authorizationUrl?: string | undefined;
  tokenUrl?: string | undefined;
  userinfoUrl?: string | undefined;
}

export type UpdateConnectionInput = Partial<Omit<CreateConnectionInput, 'name' | 'preset'>>;

/** An upstream account linked to an identity, with its connection as people know it. */
export interface LinkedAccount {
  connectionId: string;
  connectionName: string;
  preset: ConnectionPresetName;
  subject: string;
  linkedAt: string;
}

/** One thing `test` checked, and what it found. */
export interface ConnectionCheck {
  check: 'discovery' | 'jwks' | 'token_endpoint' | 'userinfo_endpoint';
  ok: boolean;
  detail: string;
}

/** The admin side of connections: presets filled in, discovery, checks against the identity schema, tests. */
@Injectable()
export class ConnectionsService {
  constructor(
    private readonly connections: ConnectionsRepository,
    private readonly applications: ApplicationsService,
    private readonly schemas: IdentitySchemasService,
    private readonly federated: FederatedIdentities,
    @Inject(KEYWAY_CONFIG) private readonly config: KeywayConfig,
  ) {}

  list(project: Pick<Project, 'id'>): Promise<Connection[]> {
    return this.connections.list(project.id);
  }

  /** The identity's linked accounts, named by their connections (deleting a connection removes its links). */
  async linkedAccounts(projectId: string, identityId: string): Promise<LinkedAccount[]> {
    const links = await this.federated.links(identityId);
    if (!links.length) return [];
    const connections = new Map((await this.connections.list(projectId)).map((c) => [c.id, c]));
    return links.flatMap(({ connectionId, subject, linkedAt }) => {
      const connection = connections.get(connectionId);
      return connection
        ? [{ connectionId, connectionName: connection.name, preset: connection.preset, subject, linkedAt }]
        : [];
    });
  }

  async get(project: Project, id: string): Promise<Connection> {
    const connection = isUuid(id) ? await this.connections.find(project.id, id) : undefined;
    if (!connection) throw ApiError.notFound(`No connection with id '${id}'.`);
    return connection;
  }

  async create(project: Project, input: CreateConnectionInput): Promise<Connection> {
    const preset = CONNECTION_PRESETS_TABLE[input.preset];
    const claimMapping = input.claimMapping ?? preset.claimMapping;
    const [endpoints, applications] = await Promise.all([
      this.endpointsFor(input.preset, input),
      this.applicationsOf(project, input.applications ?? []),
      checkClaimMapping(this.schemas, project.id, claimMapping),
    ]);
    const connection: NewConnection = {
      name: input.name,
      kind: preset.kind,
      preset: input.preset,
      clientId: input.clientId,
      clientSecret: input.clientSecret ?? null,
      allowedAudiences: input.allowedAudiences ?? [],
      scopes: input.scopes ?? preset.scopes,
      claimMapping,
      trustEmailVerified: input.trustEmailVerified ?? preset.trustEmailVerified,
      linkingPolicy: input.linkingPolicy ?? 'proof',
      applications,
      discoveryUrl: input.preset === 'oidc' && input.discoveryUrl ? discoveryUrlOf(input.discoveryUrl) : null,
      ...endpoints,
    };
    try {
      return await this.connections.create(project.id, connection);
    } catch (error) {
      if (isUniqueViolation(error)) throw ApiError.conflict(`A connection named '${input.name}' already exists.`);
      throw error;
    }
  }

  async update(project: Project, id: string, input: UpdateConnectionInput): Promise<Connection> {
    const current = await this.get(project, id);
    const endpointFields = (['tenant', 'discoveryUrl', 'authorizationUrl', 'tokenUrl', 'userinfoUrl'] as const).filter(
      (field) => input[field] !== undefined,
    );
    let endpoints: Partial<ConnectionEndpoints> & { discoveryUrl?: string } = {};
    if (endpointFields.length) {
      const allowed = {
        microsoft: ['tenant'],
        oidc: ['discoveryUrl'],
        oauth2: ['authorizationUrl', 'tokenUrl', 'userinfoUrl'],
      };
      const refused = endpointFields.filter(
        (field) => !(allowed[current.preset as keyof typeof allowed] ?? []).includes(field),
      );
      if (refused.length)
        throw ApiError.invalidFields(
          refused.map((field) =>
            fieldError(field, 'field_not_allowed', `not a setting of the ${current.preset} preset`),
          ),
        );
      endpoints = await this.endpointsFor(current.preset, {
        authorizationUrl: current.authorizationUrl ?? undefined,
        tokenUrl: current.tokenUrl ?? undefined,
        userinfoUrl: current.userinfoUrl ?? undefined,
        ...input,
      });
      if (current.preset === 'oidc' && input.discoveryUrl) endpoints.discoveryUrl = discoveryUrlOf(input.discoveryUrl);
    }
    if (input.claimMapping) await checkClaimMapping(this.schemas, project.id, input.claimMapping);
    const changes: ConnectionChanges = {
      ...endpoints,
      ...pick(input, [
        'clientId',
        'clientSecret',
        'allowedAudiences',
        'scopes',
        'claimMapping',
        'trustEmailVerified',
        'linkingPolicy',
      ]),
      ...(input.applications ? { applications: await this.applicationsOf(project, input.applications) } : {}),
    };
    const updated = await this.connections.update(project.id, id, changes);
    if (!updated) throw ApiError.notFound(`No connection with id '${id}'.`);
    return updated;
  }

  /** Deletes the connection with its users' links (Auth0 does the same); says how many went. */
  async remove(project: Project, id: string): Promise<ConnectionDeletion> {
    const deletion = isUuid(id) ? await this.connections.delete(project.id, id) : undefined;
    if (!deletion) throw ApiError.notFound(`No connection with id '${id}'.`);
    return deletion;
  }

  /**
   * What can be checked without a user: the discovery document reachable and naming the configured issuer, the
   * JWKS reachable with keys that parse, the token (and for OAuth 2.0 the userinfo) endpoint answering. No secret
   * is ever sent.
   */
  async test(project: Project, id: string): Promise<{ ok: boolean; checks: ConnectionCheck[] }> {
    const connection = await this.get(project, id);
    const checks: ConnectionCheck[] = [];
    if (connection.kind === 'oidc' && connection.issuer) {
      const discovery = jsonObjectOf(await this.call(connection.discoveryUrl ?? discoveryUrlOf(connection.issuer)));
      if ('error' in discovery)
        checks.push({ check: 'discovery', ok: false, detail: `The discovery document ${discovery.error}.` });
      else {
        const issuer = discovery.value['issuer'];
        const matches = issuerMatches(connection, issuer);
        checks.push({
          check: 'discovery',
          ok: matches,
          detail: matches
            ? 'The discovery document names the configured issuer.'
            : `The discovery document names the issuer ${JSON.stringify(issuer)}, not ${connection.issuer}.`,
        });
      }
    }
    if (connection.jwksUri) checks.push(await this.checkJwks(connection.jwksUri));
    if (connection.tokenUrl) checks.push(await this.checkReachable('token_endpoint', connection.tokenUrl, 'POST'));
    if (connection.kind === 'oauth2' && connection.userinfoUrl)
      checks.push(await this.checkReachable('userinfo_endpoint', connection.userinfoUrl, 'GET'));
    return { ok: checks.every((check) => check.ok), checks };
  }

  private async checkJwks(jwksUri: string): Promise<ConnectionCheck> {
    const answer = jsonObjectOf(await this.call(jwksUri));
    if ('error' in answer) return { check: 'jwks', ok: false, detail: `The JWKS ${answer.error}.` };
    try {
      createLocalJWKSet(answer.value as { keys: JWK[] });
      const keys = (answer.value['keys'] as JWK[]).filter((key) => key.use !== 'enc');
      if (!keys.length) return { check: 'jwks', ok: false, detail: 'The JWKS holds no signing key.' };
      await Promise.all(keys.map((key) => importJWK(key, key.alg ?? 'RS256')));
      return { check: 'jwks', ok: true, detail: `The JWKS holds ${keys.length} signing key(s).` };
    } catch {
      return { check: 'jwks', ok: false, detail: 'The JWKS is not a valid JSON Web Key Set.' };
    }
  }

  /** Any answer below 500 shows the endpoint is there (without a code or a token it refuses, as it should). */
  private async checkReachable(
    check: 'token_endpoint' | 'userinfo_endpoint',
    url: string,
    method: 'GET' | 'POST',
  ): Promise<ConnectionCheck> {
    const answer = await this.call(
      url,
      method === 'POST' ? { method, body: 'grant_type=authorization_code' } : { method },
    );
    const what = check === 'token_endpoint' ? 'The token endpoint' : 'The userinfo endpoint';
    if (!answer.ok) return { check, ok: false, detail: `${what} ${answer.error}.` };
    const ok = answer.status < 500;
    return { check, ok, detail: `${what} answered HTTP ${answer.status}.` };
  }

  /** Calls a URL stored or discovered, after checking it as one given in a body. */
  private call(url: string, init?: { method: 'GET' | 'POST'; body?: string }) {
    const problem = upstreamUrlProblem(url, this.config.production);
    if (problem) return Promise.resolve({ ok: false as const, error: `is not called: the URL ${problem}` });
    return callUpstream(url, init);
  }

  /** A preset's endpoints, generic OAuth 2.0's as given, or generic OIDC's from discovery; 400 naming what is wrong. */
  private async endpointsFor(
    preset: ConnectionPresetName,
    input: Pick<CreateConnectionInput, 'tenant' | 'discoveryUrl' | 'authorizationUrl' | 'tokenUrl' | 'userinfoUrl'>,
  ): Promise<ConnectionEndpoints> {
    const filled = presetEndpoints(preset, input);
    if (filled && 'missing' in filled)
      throw ApiError.invalidFields(
        filled.missing.map((field) => fieldError(field, 'field_required', `required by the ${preset} preset`)),
      );
    const endpoints = filled ? filled.endpoints : await this.discover(input.discoveryUrl);
    const problems: FieldError[] = Object.entries(endpoints).flatMap(([field, url]) => {
      const problem = url === null ? undefined : upstreamUrlProblem(url, this.config.production);
      return problem ? [fieldError(field, 'invalid_url', problem)] : [];
    });
    if (problems.length) throw ApiError.invalidFields(problems);
    return endpoints;
  }

  /** Generic OIDC: the issuer and endpoints of the provider's discovery document (OIDC Discovery §4). */
  private async discover(discoveryUrl: string | undefined): Promise<ConnectionEndpoints> {
    const refuse = (message: string) =>
      ApiError.invalidFields([fieldError('discoveryUrl', 'discovery_failed', message)]);
    if (!discoveryUrl)
      throw ApiError.invalidFields([fieldError('discoveryUrl', 'field_required', 'required by the oidc preset')]);
    const url = discoveryUrlOf(discoveryUrl);
    const problem = upstreamUrlProblem(url, this.config.production);
    if (problem) throw refuse(problem);
    const document = jsonObjectOf(await callUpstream(url));
    if ('error' in document) throw refuse(`the discovery document ${document.error}`);
    const { issuer, authorization_endpoint, token_endpoint, userinfo_endpoint, jwks_uri } = document.value;
    const expected = url.slice(0, -'/.well-known/openid-configuration'.length);
    if (typeof issuer !== 'string' || trimSlash(issuer) !== trimSlash(expected))
      throw refuse(`the discovery document names the issuer ${JSON.stringify(issuer)}, not ${expected}`);
    if (
      typeof authorization_endpoint !== 'string' ||
      typeof token_endpoint !== 'string' ||
      typeof jwks_uri !== 'string'
    )
      throw refuse('the discovery document lacks authorization_endpoint, token_endpoint or jwks_uri');
    return {
      issuer,
      authorizationUrl: authorization_endpoint,
      tokenUrl: token_endpoint,
      userinfoUrl: typeof userinfo_endpoint === 'string' ? userinfo_endpoint : null,
      jwksUri: jwks_uri,
    };
  }

  /** The project's applications by client_id; 400 naming those it does not have, or any named twice. */
  private async applicationsOf(
    project: Project,
    wanted: readonly ConnectionApplicationByClientId[],
  ): Promise<ConnectionApplicationInput[]> {
    const clientIds = wanted.map((application) => application.clientId);
    const repeated = clientIds.filter((clientId, index) => clientIds.indexOf(clientId) !== index);
    if (repeated.length) throw ApiError.badRequest(`applications: '${repeated[0]}' is named more than once.`);
    const found = await Promise.all(
      wanted.map((application) => this.applications.findByClientId(project.id, application.clientId)),
    );
    const unknown = clientIds.filter((_, index) => !found[index]);
    if (unknown.length)
      throw ApiError.badRequest(`applications: no application '${unknown.join("', '")}' in this project.`);
    return wanted.map((application, index) => ({ applicationId: found[index]!.id, mode: application.mode }));
  }
}

/**
 * Whether a discovery document's issuer is the connection's. Microsoft's multi-tenant endpoints publish a
 * template (`…/{tenantid}/v2.0`), which stands for every tenant.
 */
function issuerMatches(connection: Connection, issuer: unknown): boolean {
  if (typeof issuer !== 'string' || !connection.issuer) return false;
  if (trimSlash(issuer) === trimSlash(connection.issuer)) return true;
  return connection.preset === 'microsoft' && issuer === MICROSOFT_ISSUER_TEMPLATE;
}

const MICROSOFT_ISSUER_TEMPLATE = 'https://login.microsoftonline.com/{tenantid}/v2.0';

const trimSlash = (value: string) => value.replace(/\/+$/, '');

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((key) => value[key] !== undefined).map((key) => [key, value[key]])) as Partial<
    Pick<T, K>
  >;
}
