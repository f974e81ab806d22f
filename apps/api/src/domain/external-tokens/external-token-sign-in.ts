import { Injectable, Logger } from '@nestjs/common';
import { ExternalIdentities } from './external-identities';
import { ExternalTokenVerifier, type ExternalSubject, type TokenRefusal } from './external-token.verifier';
import { TOKEN_TYPE_ACCESS_TOKEN, TOKEN_TYPE_JWT, type TrustedTokenIssuer } from './trusted-token-issuer';
import { TrustedTokenIssuersRepository } from './trusted-token-issuers.repository';

/** What a partner token presented by an application is asked to sign in. */
export interface ExternalTokenPresentation {
  projectId: string;
  applicationId: string;
  token: string;
  /** RFC 8693 token type: `…:jwt` for jwt-mode issuers, `…:access_token` for opaque-mode ones. */
  tokenType: string;
  /** The issuer's name; needed only when the application trusts several opaque-mode issuers. */
  issuerName?: string | undefined;
}

/**
 * Why it does not sign in, as an OAuth error (RFC 6749 §5.2 / RFC 8693 §2.2.2): the description never says
 * whether the subject exists, nor what a partner answered.
 */
export type ExternalTokenRefusal = {
  error: 'invalid_request' | 'invalid_grant' | 'unauthorized_client';
  description: string;
  /** The partner could not answer (a retry may succeed), rather than the token or request being wrong. */
  unavailable?: boolean;
};

export type ExternalTokenSignInResult =
  | { signedIn: true; identityId: string; issuer: TrustedTokenIssuer; registered: boolean }
  | ({ signedIn: false } & ExternalTokenRefusal);

/** Refusals shown to clients. */
const REFUSED = {
  invalid: 'the subject token is not valid',
  unavailable: 'the token issuer could not check the subject token; try again later',
  identity: 'the subject token does not sign anyone in here',
} as const;

/**
 * External-token sign-in, shared by the token exchange grant and the login-flow option: finds the issuers the
 * application may use for the token's type, has the token checked, and resolves the partner's user to an
 * identity (registering it at first sight).
 */
@Injectable()
export class ExternalTokenSignIn {
  private readonly logger = new Logger('ExternalTokenSignIn');

  constructor(
    private readonly issuers: TrustedTokenIssuersRepository,
    private readonly verifier: ExternalTokenVerifier,
    private readonly identities: ExternalIdentities,
  ) {}

  async signIn(presentation: ExternalTokenPresentation): Promise<ExternalTokenSignInResult> {
    const { projectId, applicationId, token, tokenType, issuerName } = presentation;
    const mode = tokenType === TOKEN_TYPE_JWT ? 'jwt' : tokenType === TOKEN_TYPE_ACCESS_TOKEN ? 'opaque' : undefined;
    if (!mode)
      return refuse('invalid_request', `subject_token_type must be ${TOKEN_TYPE_JWT} or ${TOKEN_TYPE_ACCESS_TOKEN}`);
    const allowed = (await this.issuers.listForApplication(projectId, applicationId, mode)).filter(
      (issuer) => issuerName === undefined || issuer.name === issuerName,
    );
    if (!allowed.length)
      return refuse('unauthorized_client', 'this client may not exchange tokens of this type from this issuer');
    let checked: ExternalSubject | TokenRefusal;
    if (mode === 'jwt') checked = await this.verifier.verifyJwt(allowed, token);
    else {
      // An opaque token names no issuer; sending it to a partner it is not from would hand it to them.
      if (allowed.length > 1)
        return refuse('invalid_request', 'subject_issuer is required: this client trusts several token issuers');
      const issuer = allowed[0]!;
      const secret = await this.issuers.callbackSecretOf(projectId, issuer.id);
      checked =
        secret === null
          ? { refused: 'unavailable', detail: 'no callback secret' }
          : await this.verifier.checkOpaque(issuer, secret, token);
    }
    if ('refused' in checked) {
      this.logger.log(`External token refused (${checked.refused}): ${checked.detail}`);
      return { ...refuse('invalid_grant', REFUSED[checked.refused]), unavailable: checked.refused === 'unavailable' };
    }
    const result = await this.identities.signIn(projectId, checked);
    if (result.kind === 'refused') {
      this.logger.log(`External token of ${checked.issuer.name} signs no one in: ${result.detail}`);
      return refuse('invalid_grant', REFUSED.identity);
    }
    return { signedIn: true, identityId: result.identityId, issuer: checked.issuer, registered: result.registered };
  }
}

function refuse(error: ExternalTokenRefusal['error'], description: string) {
  return { signedIn: false as const, error, description };
}
