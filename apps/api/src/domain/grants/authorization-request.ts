import { z } from 'zod';

const param = (max = 2048) => z.string().max(max, `must be at most ${max} characters`);

/** Parameters of an authorization request (RFC 6749 §4.1.1, RFC 7636, OIDC Core §3.1.2.1). */
export const AuthorizationRequestParams = z.object({
  client_id: param(256).min(1, 'is required').optional(),
  response_type: param(64).optional(),
  redirect_uri: param().optional(),
  scope: param().optional(),
  state: param(1024).optional(),
  nonce: param(1024).optional(),
  response_mode: param(64).optional(),
  code_challenge: param(128).optional(),
  code_challenge_method: param(16).optional(),
  client_secret: param(512).optional(),
  client_assertion_type: param(128).optional(),
  client_assertion: param(8192).optional(),
  prompt: param(64).optional(),
  login_hint: param(320).optional(),
  max_age: param(16).optional(),
  ui_locales: param(256).optional(),
  id_token_hint: param(8192).optional(),
  acr_values: param(256).optional(),
  /** WSO2's SessionId-based SSO (app-native): the `isk` of an earlier ID token. */
  sessionId: param(128).optional(),
});
export type AuthorizationRequestParams = z.infer<typeof AuthorizationRequestParams>;
