import 'server-only';
import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import { clientSecret, CONSOLE_CLIENT_ID, issuerUrl, redirectUri } from './config';

/**
 * The console as an OAuth 2.0 client of the system project, through oauth4webapi (a certified OpenID
 * Connect client): the code exchange and refresh at the token endpoint, authenticated with
 * client_secret_basic, and the ID token's checks (issuer, audience, nonce, expiry). The app-native steps
 * before the code are Keyway's own wire format (sign-in.ts).
 */

const client: oauth.Client = { client_id: CONSOLE_CLIENT_ID };
const DISCOVERY_TTL_MS = 5 * 60_000;
const TIMEOUT_MS = 10_000;

const DiscoveryDocument = z.object({
  issuer: z.url(),
  id_token_signing_alg_values_supported: z.array(z.string()).optional(),
});

let discovered: { server: oauth.AuthorizationServer; base: string; until: number } | undefined;

/**
 * The authorization server as the console's server reaches it. The ID token names the public issuer
 * (`KEYWAY_PUBLIC_URL`), which may not be an address the console can reach (Docker: http://api:3000): the
 * issuer is taken from discovery, the token endpoint from KEYWAY_API_URL.
 */
async function authorizationServer(): Promise<oauth.AuthorizationServer> {
  const base = issuerUrl();
  if (discovered && discovered.base === base && discovered.until > Date.now()) return discovered.server;
  const response = await fetch(`${base}/.well-known/openid-configuration`, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`discovery at ${base} answered HTTP ${response.status}`);
  const document = DiscoveryDocument.parse(await response.json());
  const server: oauth.AuthorizationServer = {
    issuer: document.issuer,
    token_endpoint: `${base}/oauth2/token`,
    ...(document.id_token_signing_alg_values_supported
      ? { id_token_signing_alg_values_supported: document.id_token_signing_alg_values_supported }
      : {}),
  };
  discovered = { server, base, until: Date.now() + DISCOVERY_TTL_MS };
  return server;
}

/** oauth4webapi refuses http:// endpoints unless told: allowed for an API reached over plain HTTP (development, a private network). */
function requestOptions(): oauth.TokenEndpointRequestOptions {
  return {
    signal: AbortSignal.timeout(TIMEOUT_MS),
    ...(issuerUrl().startsWith('http:') ? { [oauth.allowInsecureRequests]: true } : {}),
  };
}

export interface IssuedTokens {
  accessToken: string;
  /** Epoch milliseconds. */
  accessTokenExpiresAt: number;
  refreshToken: string | undefined;
}

function issued(response: oauth.TokenEndpointResponse): IssuedTokens {
  return {
    accessToken: response.access_token,
    accessTokenExpiresAt: Date.now() + (response.expires_in ?? 300) * 1000,
    refreshToken: response.refresh_token,
  };
}

/** The authorization code of a finished flow, for tokens and the signed-in user's ID token claims. */
export async function exchangeCode(input: {
  code: string;
  state: string | undefined;
  expectedState: string;
  codeVerifier: string;
  nonce: string;
}): Promise<{ tokens: IssuedTokens; subject: string }> {
  const server = await authorizationServer();
  const callback = oauth.validateAuthResponse(
    server,
    client,
    // The app-native answer came straight from the issuer's own endpoint, so its iss (RFC 9207, which the
    // issuer advertises for its redirect responses) is the issuer's.
    new URLSearchParams({
      code: input.code,
      ...(input.state !== undefined ? { state: input.state } : {}),
      iss: server.issuer,
    }),
    input.expectedState,
  );
  const response = await oauth.authorizationCodeGrantRequest(
    server,
    client,
    oauth.ClientSecretBasic(clientSecret()),
    callback,
    redirectUri(),
    input.codeVerifier,
    requestOptions(),
  );
  const result = await oauth.processAuthorizationCodeResponse(server, client, response, {
    expectedNonce: input.nonce,
    requireIdToken: true,
  });
  const claims = oauth.getValidatedIdTokenClaims(result);
  if (!claims) throw new Error('the token response has no ID token');
  return { tokens: issued(result), subject: claims.sub };
}

/** A new access token (and the rotated refresh token) for a refresh token; undefined when the API refuses it. */
export async function refreshTokens(refreshToken: string): Promise<IssuedTokens | undefined> {
  const server = await authorizationServer();
  const response = await oauth.refreshTokenGrantRequest(
    server,
    client,
    oauth.ClientSecretBasic(clientSecret()),
    refreshToken,
    requestOptions(),
  );
  try {
    const result = await oauth.processRefreshTokenResponse(server, client, response);
    return { ...issued(result), refreshToken: result.refresh_token ?? refreshToken };
  } catch (error) {
    // invalid_grant: expired, revoked (the session ended at the API) or reused. Anything else is a fault.
    if (error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant') return undefined;
    throw error;
  }
}
