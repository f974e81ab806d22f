import { Injectable } from '@nestjs/common';
import { decodeJwt } from 'jose';
import type { Application, TokenEndpointAuthMethod } from '../applications/application';
import { ApplicationsService } from '../applications/applications.service';
import { decodeBasicCredentials } from '../../infra/http/basic-credentials';
import { OAuthError } from '../../infra/http/errors';
import { textProblem } from '../../infra/http/unsafe-input';
import { constantTimeEqual, sha256 } from '../../infra/crypto/tokens';
import type { Project } from '../projects/projects.service';
import {
  ClientAssertionVerifier,
  JWT_BEARER_ASSERTION_TYPE,
  type ClientAuthenticationEndpoint,
} from './client-assertion.verifier';

/** What a request presents: the method it used, the client it names, and that method's proof. */
export type ClientCredentials =
  | { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; clientSecret: string }
  | { method: 'private_key_jwt'; clientId: string; assertion: string }
  | { method: 'none'; clientId: string };

/** The client authentication parameters of a form body (RFC 6749 §2.3.1, RFC 7521 §4.2). */
export interface ClientAuthenticationParams {
  client_id?: string | undefined;
  client_secret?: string | undefined;
  client_assertion_type?: string | undefined;
  client_assertion?: string | undefined;
}

/**
 * Reads which client authentication method a request uses (RFC 6749 §2.3: exactly one): `Authorization: Basic`
 * (both parts form-urlencoded, §2.3.1), `client_secret` in the body, a JWT `client_assertion` (RFC 7523 §2.2),
 * or none (a client_id alone). Two methods at once are refused with `invalid_request`.
 */
export function readClientCredentials(
  authorization: string | undefined,
  body: ClientAuthenticationParams,
): ClientCredentials {
  const basic = decodeBasicCredentials(authorization);
  const assertionSent = body.client_assertion !== undefined || body.client_assertion_type !== undefined;
  const methods = [basic !== undefined, body.client_secret !== undefined, assertionSent].filter(Boolean).length;
  if (methods > 1) throw new OAuthError('invalid_request', 'use one client authentication method, not two');
  if (basic !== undefined) {
    if (basic === 'malformed') throw new OAuthError('invalid_client', 'malformed Basic credentials');
    const clientId = checkedText(basic.clientId, 'client_id');
    const clientSecret = checkedText(basic.clientSecret, 'client_secret');
    return { method: 'client_secret_basic', clientId: matchingClientId(body, clientId), clientSecret };
  }
  if (assertionSent) return readClientAssertion(body);
  if (!body.client_id) throw new OAuthError('invalid_request', 'client_id is required');
  return body.client_secret !== undefined
    ? { method: 'client_secret_post', clientId: body.client_id, clientSecret: body.client_secret }
    : { method: 'none', clientId: body.client_id };
}

/** RFC 7523 §3: the client is the assertion's `sub`; a client_id sent beside it must be the same (RFC 7521 §4.2). */
function readClientAssertion(body: ClientAuthenticationParams): ClientCredentials {
  if (!body.client_assertion || !body.client_assertion_type)
    throw new OAuthError('invalid_request', 'client_assertion and client_assertion_type go together');
  if (body.client_assertion_type !== JWT_BEARER_ASSERTION_TYPE)
    throw new OAuthError('invalid_client', `client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}`);
  let subject: unknown;
  try {
    subject = decodeJwt(body.client_assertion).sub;
  } catch {
    throw new OAuthError('invalid_client', 'client_assertion is not a JWT');
  }
  if (typeof subject !== 'string' || subject.length === 0 || textProblem(subject))
    throw new OAuthError('invalid_client', 'client_assertion has no usable sub (the client_id)');
  return { method: 'private_key_jwt', clientId: matchingClientId(body, subject), assertion: body.client_assertion };
}

function matchingClientId(body: ClientAuthenticationParams, clientId: string): string {
  if (body.client_id !== undefined && body.client_id !== clientId)
    throw new OAuthError('invalid_request', 'client_id does not match the authenticated client');
  return clientId;
}

function checkedText(decoded: string, name: string): string {
  // Decoded from the header, after the boundary check of params and bodies: `%00` must not reach a query either.
  const problem = textProblem(decoded);
  if (problem) throw new OAuthError('invalid_client', `malformed Basic credentials: ${name} ${problem}`);
  return decoded;
}

/**
 * The one client authenticator of every endpoint that takes client authentication. Each client has one method
 * (`tokenEndpointAuthMethod`); a request using another is refused, so a private_key_jwt client cannot be
 * reached with a guessed secret, nor a secret client with a made-up assertion.
 */
@Injectable()
export class ClientAuthenticator {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly assertions: ClientAssertionVerifier,
  ) {}

  /** The authenticated client. `endpoint`: the one called, which an assertion's `aud` may name. */
  async authenticate(
    project: Project,
    credentials: ClientCredentials,
    endpoint: ClientAuthenticationEndpoint,
  ): Promise<Application> {
    const application = await this.applications.findByClientId(project.id, credentials.clientId);
    if (!application) throw new OAuthError('invalid_client', 'unknown client');
    const registered = registeredMethod(application);
    if (credentials.method !== registered)
      throw new OAuthError(
        'invalid_client',
        credentials.method === 'none'
          ? `this client must authenticate (${registered})`
          : `this client does not authenticate with ${credentials.method} (registered: ${registered})`,
      );
    switch (credentials.method) {
      case 'none':
        return application;
      case 'private_key_jwt':
        await this.assertions.verify(project, application, credentials.assertion, endpoint);
        return application;
      default:
        if (!credentials.clientSecret || !secretMatches(application, sha256(credentials.clientSecret)))
          throw new OAuthError('invalid_client', 'client authentication failed');
        return application;
    }
  }
}

/** The client's method; a confidential client never counts as `none`, whatever its row says. */
function registeredMethod(application: Application): TokenEndpointAuthMethod {
  const method = application.tokenEndpointAuthMethod;
  if (application.type === 'public') return 'none';
  return method === 'none' ? 'client_secret_basic' : method;
}

/** The current secret, or the previous one during its grace period after a rotation (both compared, always). */
function secretMatches(application: Application, hash: string, now = Date.now()): boolean {
  const current = application.clientSecretHash !== null && constantTimeEqual(hash, application.clientSecretHash);
  const previous =
    application.previousSecretHash !== null &&
    application.previousSecretExpiresAt !== null &&
    application.previousSecretExpiresAt.getTime() > now &&
    constantTimeEqual(hash, application.previousSecretHash);
  return current || previous;
}
