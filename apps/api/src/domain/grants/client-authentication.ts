import { Injectable } from '@nestjs/common';
import type { Application } from '../applications/application';
import { ApplicationsService } from '../applications/applications.service';
import { decodeBasicCredentials } from '../../infra/http/basic-credentials';
import { OAuthError } from '../../infra/http/errors';
import { textProblem } from '../../infra/http/unsafe-input';
import { constantTimeEqual, sha256 } from '../../infra/crypto/tokens';
import type { Project } from '../projects/projects.service';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string | undefined;
}

/**
 * Reads client credentials from `Authorization: Basic` (RFC 6749 §2.3.1: both parts form-urlencoded)
 * or from the body (client_secret_post / public clients). Using both methods at once is refused.
 */
export function readClientCredentials(
  authorization: string | undefined,
  body: { client_id?: string | undefined; client_secret?: string | undefined },
): ClientCredentials {
  const basic = decodeBasicCredentials(authorization);
  if (basic !== undefined) {
    if (body.client_secret !== undefined)
      throw new OAuthError('invalid_request', 'use one client authentication method, not two');
    if (basic === 'malformed') throw new OAuthError('invalid_client', 'malformed Basic credentials');
    const clientId = checkedText(basic.clientId, 'client_id');
    const clientSecret = checkedText(basic.clientSecret, 'client_secret');
    if (body.client_id !== undefined && body.client_id !== clientId) {
      throw new OAuthError('invalid_request', 'client_id does not match the authenticated client');
    }
    return { clientId, clientSecret };
  }
  if (!body.client_id) throw new OAuthError('invalid_request', 'client_id is required');
  return { clientId: body.client_id, clientSecret: body.client_secret };
}

function checkedText(decoded: string, name: string): string {
  // Decoded from the header, after the boundary check of params and bodies: `%00` must not reach a query either.
  const problem = textProblem(decoded);
  if (problem) throw new OAuthError('invalid_client', `malformed Basic credentials: ${name} ${problem}`);
  return decoded;
}

@Injectable()
export class ClientAuthenticator {
  constructor(private readonly applications: ApplicationsService) {}

  /** The authenticated client: public clients identify themselves; confidential ones prove their secret. */
  async authenticate(project: Project, credentials: ClientCredentials): Promise<Application> {
    const application = await this.applications.findByClientId(project.id, credentials.clientId);
    if (!application) throw new OAuthError('invalid_client', 'unknown client');
    if (application.type === 'public') {
      if (credentials.clientSecret !== undefined)
        throw new OAuthError('invalid_client', 'public clients do not authenticate with a secret');
      return application;
    }
    if (!credentials.clientSecret || !secretMatches(application, sha256(credentials.clientSecret)))
      throw new OAuthError('invalid_client', 'client authentication failed');
    return application;
  }
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
