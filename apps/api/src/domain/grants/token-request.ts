import { z } from 'zod';

const param = (max = 2048) => z.string().max(max, `must be at most ${max} characters`);

/** Parameters of a token request (RFC 6749 §4.1.3, §6; RFC 7636 §4.5). */
export const TokenRequestParams = z.object({
  grant_type: param(128).min(1, 'is required').optional(),
  code: param(512).optional(),
  redirect_uri: param().optional(),
  code_verifier: param(128).optional(),
  refresh_token: param(512).optional(),
  scope: param().optional(),
  /** RFC 8707: may repeat (OAuthParamsPipe lets it); the client_credentials grant takes one. */
  resource: z.union([param(), z.array(param()).max(50)]).optional(),
  /** RFC 8693 §2.1 (token exchange). */
  subject_token: param(16_384).optional(),
  subject_token_type: param(256).optional(),
  actor_token: param(16_384).optional(),
  actor_token_type: param(256).optional(),
  requested_token_type: param(256).optional(),
  audience: z.union([param(), z.array(param()).max(50)]).optional(),
  /** Keyway's extension to RFC 8693: which trusted issuer an opaque subject token is from, when several could be. */
  subject_issuer: param(40).optional(),
  client_id: param(256).optional(),
  client_secret: param(512).optional(),
  client_assertion_type: param(128).optional(),
  client_assertion: param(8192).optional(),
});
export type TokenRequestParams = z.infer<typeof TokenRequestParams>;

/** RFC 6749 §5.1 */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

/** RFC 8693 §2.2.1: what the issued token is. */
export interface TokenExchangeResponse extends TokenResponse {
  issued_token_type: string;
}

/** client_credentials (RFC 6749 §4.4.3): no refresh token, no ID token; no scope when the grant gives none. */
export type ClientTokenResponse = Omit<TokenResponse, 'scope' | 'refresh_token' | 'id_token'> & { scope?: string };
