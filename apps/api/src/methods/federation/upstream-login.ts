import { Inject, Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';
import type { Connection } from '../../domain/connections/connection';
import { CONNECTION_PRESETS_TABLE } from '../../domain/connections/connection-presets';
import { ConnectionsRepository } from '../../domain/connections/connections.repository';
import type { FederatedClaims } from '../../domain/federation/federated-identities';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { randomToken } from '../../infra/crypto/tokens';
import {
  UPSTREAM_ALGS,
  UpstreamIdTokenRejected,
  UpstreamIdTokenVerifier,
  type UpstreamTokenPolicy,
} from './upstream-id-token.verifier';

/** How long a provider's token or userinfo endpoint may take before the sign-in fails. */
const UPSTREAM_TIMEOUT_SECONDS = 10;

/** What the redirect to a provider was made with: kept on the flow until the user comes back. */
export interface UpstreamAuthorization {
  redirectUrl: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
}

/** Why an upstream login was refused (logged as is; the user sees the provider's name and a retry). */
export class UpstreamLoginFailed extends Error {
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(`upstream login failed (${reason}): ${detail}`);
    this.name = 'UpstreamLoginFailed';
  }
}

/**
 * The provider side of federated sign-in: the authorization request of the redirect mode (PKCE, state and nonce
 * bound to the flow), redeeming its code with openid-client (OpenID certified), and the provider's word on who
 * signed in: its ID token, verified against its JWKS by UpstreamIdTokenVerifier in both modes, or for OAuth 2.0
 * providers (GitHub, Facebook) its userinfo.
 */
@Injectable()
export class UpstreamLogin {
  private readonly production: boolean;

  constructor(
    private readonly connections: ConnectionsRepository,
    private readonly verifier: UpstreamIdTokenVerifier,
    @Inject(KEYWAY_CONFIG) config: KeywayConfig,
  ) {
    this.production = config.production;
  }

  /** Native mode: the ID token the app got from the provider's SDK, for the flow's nonce. */
  async verifyIdToken(
    connection: Connection,
    idToken: string,
    nonce: string,
    accessToken?: string,
  ): Promise<FederatedClaims> {
    const claims = await this.verifier.verify(tokenPolicy(connection), idToken, {
      expectedNonce: nonce,
      ...(accessToken ? { accessToken } : {}),
    });
    return claims;
  }

  /** Redirect mode: the provider's authorization URL, with fresh state, nonce and PKCE verifier. */
  async authorization(connection: Connection, redirectUri: string, stateTag: string): Promise<UpstreamAuthorization> {
    const config = await this.configuration(connection);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = `${stateTag}.${randomToken(24)}`;
    const nonce = randomToken(24);
    const preset = CONNECTION_PRESETS_TABLE[connection.preset];
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: connection.scopes.join(' '),
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      ...(connection.kind === 'oidc' ? { nonce } : {}),
      ...(preset.responseMode === 'form_post' ? { response_mode: 'form_post' } : {}),
    });
    return { redirectUrl: url.href, state, nonce, codeVerifier, redirectUri };
  }

  /**
   * Redeems the code the provider sent back (the caller has matched `state`) and returns who signed in. The ID
   * token of an OIDC provider is verified like a native one (signature, issuer, audience, nonce); an OAuth 2.0
   * provider's userinfo (and verified addresses, GitHub) stands in for it.
   */
  async redeem(connection: Connection, authorization: UpstreamAuthorization, code: string): Promise<FederatedClaims> {
    const config = await this.configuration(connection);
    const callback = new URL(authorization.redirectUri);
    callback.search = new URLSearchParams({ code, state: authorization.state }).toString();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: authorization.codeVerifier,
        expectedState: authorization.state,
        ...(connection.kind === 'oidc' ? { expectedNonce: authorization.nonce, idTokenExpected: true } : {}),
      });
    } catch (error) {
      throw new UpstreamLoginFailed('token_endpoint', error instanceof Error ? error.message : String(error));
    }
    if (connection.kind === 'oidc') {
      if (!tokens.id_token) throw new UpstreamLoginFailed('id_token', 'the provider sent no ID token');
      const claims = await this.verifyIdToken(connection, tokens.id_token, authorization.nonce);
      return connection.userinfoUrl ? this.withUserInfo(config, tokens.access_token, claims) : claims;
    }
    return this.profile(connection, config, tokens.access_token);
  }

  /**
   * The code flow's ID token may carry only `sub` (OIDC Core §5.4: the scopes' claims are the userinfo
   * endpoint's); its answer, for the same subject (openid-client checks), fills in what the token left out.
   */
  private async withUserInfo(
    config: oidc.Configuration,
    accessToken: string,
    claims: FederatedClaims,
  ): Promise<FederatedClaims> {
    let info: oidc.UserInfoResponse;
    try {
      info = await oidc.fetchUserInfo(config, accessToken, claims.sub);
    } catch (error) {
      throw new UpstreamLoginFailed('userinfo', error instanceof Error ? error.message : String(error));
    }
    const merged: FederatedClaims = { ...claims, extra: { ...info, ...claims.extra } };
    if (merged.email === undefined && typeof info.email === 'string') {
      merged.email = info.email;
      merged.emailVerified = info.email_verified === true;
    }
    if (merged.name === undefined && typeof info.name === 'string') merged.name = info.name;
    return merged;
  }

  /** OAuth 2.0 providers: the profile at the userinfo endpoint, and the primary verified address where listed. */
  private async profile(
    connection: Connection,
    config: oidc.Configuration,
    accessToken: string,
  ): Promise<FederatedClaims> {
    if (!connection.userinfoUrl) throw new UpstreamLoginFailed('userinfo', 'the connection has no userinfo endpoint');
    const profile = await this.fetchJson(config, accessToken, connection.userinfoUrl);
    if (!isObject(profile)) throw new UpstreamLoginFailed('userinfo', 'the profile is not a JSON object');
    const subject = profile['sub'] ?? profile['id'];
    if ((typeof subject !== 'string' && typeof subject !== 'number') || subject === '')
      throw new UpstreamLoginFailed('userinfo', 'the profile names no subject');
    const claims: FederatedClaims = {
      sub: String(subject),
      emailVerified: profile['email_verified'] === true,
      extra: profile,
    };
    if (typeof profile['email'] === 'string') claims.email = profile['email'];
    if (typeof profile['name'] === 'string') claims.name = profile['name'];
    const { emailsUrl } = CONNECTION_PRESETS_TABLE[connection.preset];
    if (emailsUrl) {
      // GitHub's profile shows a public address, not a verified one: the verified primary one is listed apart.
      const emails = await this.fetchJson(config, accessToken, emailsUrl);
      const primary = Array.isArray(emails)
        ? emails.find((entry) => isObject(entry) && entry['primary'] === true && entry['verified'] === true)
        : undefined;
      if (isObject(primary) && typeof primary['email'] === 'string') {
        claims.email = primary['email'];
        claims.emailVerified = true;
      }
    }
    return claims;
  }

  private async fetchJson(config: oidc.Configuration, accessToken: string, url: string): Promise<unknown> {
    let response: Response;
    try {
      response = await oidc.fetchProtectedResource(config, accessToken, new URL(url), 'GET');
    } catch (error) {
      throw new UpstreamLoginFailed('userinfo', error instanceof Error ? error.message : String(error));
    }
    if (!response.ok) throw new UpstreamLoginFailed('userinfo', `answered HTTP ${response.status}`);
    return response.json().catch(() => {
      throw new UpstreamLoginFailed('userinfo', 'did not answer JSON');
    });
  }

  /** openid-client's view of the connection: its endpoints as metadata, its secret sent in the body. */
  private async configuration(connection: Connection): Promise<oidc.Configuration> {
    if (!connection.authorizationUrl || !connection.tokenUrl)
      throw new UpstreamLoginFailed('configuration', 'the connection has no authorization or token endpoint');
    const secret = connection.clientSecretSet
      ? await this.connections.clientSecretOf(connection.projectId, connection.id)
      : null;
    const config = new oidc.Configuration(
      {
        // OAuth 2.0 providers have no issuer; openid-client needs one to name the server (no ID token is checked).
        issuer: connection.issuer ?? new URL(connection.authorizationUrl).origin,
        authorization_endpoint: connection.authorizationUrl,
        token_endpoint: connection.tokenUrl,
        ...(connection.userinfoUrl ? { userinfo_endpoint: connection.userinfoUrl } : {}),
        ...(connection.jwksUri ? { jwks_uri: connection.jwksUri } : {}),
        // openid-client otherwise expects RS256 ID tokens; the verifier decides (asymmetric algorithms only).
        id_token_signing_alg_values_supported: UPSTREAM_ALGS,
      },
      connection.clientId,
      undefined,
      secret ? oidc.ClientSecretPost(secret) : oidc.None(),
    );
    config.timeout = UPSTREAM_TIMEOUT_SECONDS;
    // Connections accept http only on a loopback address outside production (a local provider).
    if (!this.production && new URL(connection.tokenUrl).protocol === 'http:') oidc.allowInsecureRequests(config);
    return config;
  }
}

/** What the verifier checks an ID token of this connection against. */
function tokenPolicy(connection: Connection): UpstreamTokenPolicy {
  if (!connection.issuer || !connection.jwksUri)
    throw new UpstreamIdTokenRejected('issuer', 'the connection has no issuer or JWKS to check ID tokens with');
  return {
    issuer: connection.issuer,
    jwksUri: connection.jwksUri,
    audiences: [connection.clientId, ...connection.allowedAudiences],
    nonceIsHashed: CONNECTION_PRESETS_TABLE[connection.preset].nonceHashed,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
