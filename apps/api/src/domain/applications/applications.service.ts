import { Injectable } from '@nestjs/common';
import { ApiError } from '../../infra/http/errors';
import { randomToken, sha256 } from '../../infra/crypto/tokens';
import { isNotFound, isUniqueViolation } from '../../infra/database/prisma-errors';
import { DatabaseNotifications } from '../../infra/database/database-notifications';
import { ReplicatedCache } from '../../infra/database/replicated-cache';
import { DEFAULT_ID_TOKEN_ALG, type SigningAlg } from '../keys/signing-key-lifecycle';
import type { Application, TokenEndpointAuthMethod } from './application';
import { ApplicationsRepository, type UpdateApplicationRow } from './applications.repository';
import {
  jwksProblems,
  nextClientAuthentication,
  usesClientSecret,
  type ClientAuthenticationChange,
  type ClientAuthenticationSettings,
} from './client-authentication-settings';

export interface CreateApplicationInput {
  name: string;
  type: 'public' | 'confidential';
  redirectUris: string[];
  postLogoutRedirectUris?: string[] | undefined;
  grantTypes: string[];
  appNative: boolean;
  /** Ordered login steps (validated by the caller against the authenticator registry); default: password only. */
  loginFlow?: string[][] | undefined;
  /** Let login steps enroll a missing required factor (default false). */
  allowEnrollmentInFlow?: boolean | undefined;
  backchannelLogoutUri?: string | null | undefined;
  /** The alg of its ID tokens (default RS256). */
  idTokenSignedResponseAlg?: SigningAlg | undefined;
  clientId?: string | undefined;
  /** Default: `none` for public clients, `client_secret_basic` for confidential ones. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | undefined;
  /** private_key_jwt: the client's public keys, inline or by URL (exactly one). */
  jwks?: ClientAuthenticationChange['jwks'];
  jwksUri?: ClientAuthenticationChange['jwksUri'];
}

export type UpdateApplicationInput = Omit<UpdateApplicationRow, 'jwks' | 'jwksUri'> & ClientAuthenticationChange;

/** The longest a rotated-out secret stays valid. */
export const MAX_SECRET_GRACE_SECONDS = 7 * 24 * 3600;

@Injectable()
export class ApplicationsService {
  /** Applications are read on every OAuth request: kept in memory, dropped on every replica when changed. */
  private readonly cache: ReplicatedCache<Application | undefined>;

  constructor(
    private readonly applications: ApplicationsRepository,
    notifications: DatabaseNotifications,
  ) {
    this.cache = new ReplicatedCache('application', notifications);
  }

  findByClientId(projectId: string, clientId: string): Promise<Application | undefined> {
    return this.cache.get(cacheKey(projectId, clientId), () => this.applications.findByClientId(projectId, clientId));
  }

  list(projectId: string): Promise<Application[]> {
    return this.applications.listByProject(projectId);
  }

  /** Creates a client. A confidential client's secret is returned here, once, and stored only as a hash. */
  async create(
    projectId: string,
    input: CreateApplicationInput,
  ): Promise<{ application: Application; clientSecret?: string }> {
    const authentication = await checkedClientAuthentication(input.type, undefined, input);
    const clientSecret = usesClientSecret(authentication.tokenEndpointAuthMethod) ? randomToken() : undefined;
    try {
      const application = await this.applications.create({
        projectId,
        clientId: input.clientId ?? randomToken(18),
        clientSecretHash: clientSecret ? sha256(clientSecret) : null,
        previousSecretHash: null,
        previousSecretExpiresAt: null,
        name: input.name,
        type: input.type,
        redirectUris: input.redirectUris,
        postLogoutRedirectUris: input.postLogoutRedirectUris ?? [],
        grantTypes: input.grantTypes,
        appNative: input.appNative,
        loginFlow: input.loginFlow ?? [['BasicAuthenticator']],
        allowEnrollmentInFlow: input.allowEnrollmentInFlow ?? false,
        backchannelLogoutUri: input.backchannelLogoutUri ?? null,
        idTokenSignedResponseAlg: input.idTokenSignedResponseAlg ?? DEFAULT_ID_TOKEN_ALG,
        ...authentication,
      });
      await this.cache.invalidate(cacheKey(projectId, application.clientId));
      return clientSecret ? { application, clientSecret } : { application };
    } catch (error) {
      if (isUniqueViolation(error)) throw ApiError.conflict(`client_id '${input.clientId}' is already taken.`);
      throw error;
    }
  }

  /**
   * Changes a client's settings. The cached copy is dropped at once, in the other API processes too (a
   * notification: ReplicatedCache). Flows already running keep following the new login flow from
   * their current step index.
   */
  async update(projectId: string, clientId: string, changes: UpdateApplicationInput): Promise<Application> {
    const { tokenEndpointAuthMethod, jwks, jwksUri, ...others } = changes;
    let row: UpdateApplicationRow = others;
    if (tokenEndpointAuthMethod !== undefined || jwks !== undefined || jwksUri !== undefined) {
      const current = await this.applications.findByClientId(projectId, clientId);
      if (!current) throw ApiError.notFound(`No application with client_id '${clientId}'.`);
      row = { ...others, ...(await checkedClientAuthentication(current.type, current, changes)) };
    }
    try {
      return await this.applications.update(projectId, clientId, row);
    } catch (error) {
      if (isNotFound(error)) throw ApiError.notFound(`No application with client_id '${clientId}'.`);
      throw error;
    } finally {
      await this.cache.invalidate(cacheKey(projectId, clientId));
    }
  }

  /**
   * A new secret for a confidential client, returned here once; the one it replaces keeps working for
   * `graceSeconds` (0: at once) so the client's deployments can switch without downtime.
   */
  async rotateSecret(
    projectId: string,
    clientId: string,
    graceSeconds: number,
    now = new Date(),
  ): Promise<{ application: Application; clientSecret: string }> {
    const existing = await this.applications.findByClientId(projectId, clientId);
    if (!existing) throw ApiError.notFound(`No application with client_id '${clientId}'.`);
    if (existing.type !== 'confidential') throw ApiError.badRequest('A public client has no secret to rotate.');
    if (!usesClientSecret(existing.tokenEndpointAuthMethod))
      throw ApiError.badRequest(
        `A client authenticating with ${existing.tokenEndpointAuthMethod} has no secret to rotate; change its keys instead.`,
      );
    const clientSecret = randomToken();
    const expiresAt = new Date(now.getTime() + Math.min(graceSeconds, MAX_SECRET_GRACE_SECONDS) * 1000);
    try {
      const application = await this.applications.rotateClientSecret(
        projectId,
        clientId,
        sha256(clientSecret),
        expiresAt,
      );
      return { application, clientSecret };
    } finally {
      await this.cache.invalidate(cacheKey(projectId, clientId));
    }
  }

  /** Deletes a client and what was issued to it (flows, codes, refresh tokens); 404 without it. */
  async remove(projectId: string, clientId: string): Promise<void> {
    const removed = await this.applications.delete(projectId, clientId);
    await this.cache.invalidate(cacheKey(projectId, clientId));
    if (!removed) throw ApiError.notFound(`No application with client_id '${clientId}'.`);
  }

  /** Gives a confidential client a secret chosen elsewhere (the console's, from the environment). */
  async setClientSecret(projectId: string, clientId: string, secret: string): Promise<void> {
    await this.applications.setClientSecretHash(projectId, clientId, sha256(secret));
    await this.cache.invalidate(cacheKey(projectId, clientId));
  }
}

/** The settings after the change, or a 400 naming what is wrong with them (rules, then each key's import). */
async function checkedClientAuthentication(
  type: Application['type'],
  current: ClientAuthenticationSettings | undefined,
  change: ClientAuthenticationChange,
): Promise<ClientAuthenticationSettings> {
  const next = nextClientAuthentication(type, current, change);
  if ('problem' in next) throw ApiError.badRequest(next.problem);
  const problems = change.jwks ? await jwksProblems(change.jwks) : [];
  if (problems.length) throw ApiError.badRequest(problems.join('; '));
  return next.settings;
}

function cacheKey(projectId: string, clientId: string): string {
  return `${projectId}\n${clientId}`;
}
