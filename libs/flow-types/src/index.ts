/**
 * The app-native authentication wire contract (WSO2 app-native authentication API, field for field),
 * shared by the API, the console, the SDK and the tests. Zod schemas are the single source; the
 * TypeScript types are inferred from them.
 */
import { z } from 'zod';

export const FLOW_STATUSES = ['INCOMPLETE', 'FAIL_INCOMPLETE', 'FAIL_COMPLETED', 'SUCCESS_COMPLETED'] as const;
export const FlowStatus = z.enum(FLOW_STATUSES);
export type FlowStatus = z.infer<typeof FlowStatus>;

export const FlowType = z.enum(['AUTHENTICATION', 'REGISTRATION', 'SETTINGS', 'VERIFICATION', 'RECOVERY']);
export type FlowType = z.infer<typeof FlowType>;

export const StepType = z.enum(['AUTHENTICATOR_PROMPT', 'MULTI_OPTIONS_PROMPT']);
export type StepType = z.infer<typeof StepType>;

export const PromptType = z.enum(['USER_PROMPT', 'INTERNAL_PROMPT', 'REDIRECTION_PROMPT']);
export type PromptType = z.infer<typeof PromptType>;

export const ParamType = z.enum(['STRING', 'INTEGER', 'BOOLEAN', 'MULTI_VALUED']);
export type ParamType = z.infer<typeof ParamType>;

/** One input the app must render for a USER_PROMPT authenticator. */
export const AuthenticatorParam = z.object({
  param: z.string(),
  type: ParamType,
  order: z.number().int(),
  i18nKey: z.string(),
  displayName: z.string(),
  confidential: z.boolean(),
});
export type AuthenticatorParam = z.infer<typeof AuthenticatorParam>;

export const AuthenticatorMetadata = z.object({
  i18nKey: z.string(),
  promptType: PromptType.optional(),
  params: z.array(AuthenticatorParam).optional(),
  additionalData: z.record(z.string(), z.string()).optional(),
});
export type AuthenticatorMetadata = z.infer<typeof AuthenticatorMetadata>;

/**
 * An option of a step. Options that need user initiation (passkey, email OTP) inside a
 * MULTI_OPTIONS_PROMPT carry only authenticatorId / authenticator / idp / metadata.i18nKey.
 */
export const AuthenticatorOption = z.object({
  authenticatorId: z.string(),
  authenticator: z.string(),
  idp: z.string(),
  metadata: AuthenticatorMetadata,
  requiredParams: z.array(z.string()).optional(),
});
export type AuthenticatorOption = z.infer<typeof AuthenticatorOption>;

export const MessageType = z.enum(['ERROR', 'INFO']);
export type MessageType = z.infer<typeof MessageType>;

export const FlowMessage = z.object({
  type: MessageType,
  messageId: z.string(),
  message: z.string(),
  i18nKey: z.string(),
  context: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
});
export type FlowMessage = z.infer<typeof FlowMessage>;

export const NextStep = z.object({
  stepType: StepType,
  authenticators: z.array(AuthenticatorOption).min(1),
  acceptErrorParams: z.boolean().optional(),
  messages: z.array(FlowMessage).optional(),
});
export type NextStep = z.infer<typeof NextStep>;

export const FlowLink = z.object({ name: z.string(), href: z.string(), method: z.literal('POST') });
export type FlowLink = z.infer<typeof FlowLink>;

/** INCOMPLETE / FAIL_INCOMPLETE: the app renders nextStep and posts to links[name=authentication]. */
export const FlowStepResponse = z.object({
  flowId: z.string(),
  flowStatus: z.enum(['INCOMPLETE', 'FAIL_INCOMPLETE']),
  flowType: FlowType,
  nextStep: NextStep,
  links: z.array(FlowLink),
});
export type FlowStepResponse = z.infer<typeof FlowStepResponse>;

/** FAIL_COMPLETED: the flow is dead (identity locked, flow expired, too many failures). */
export const FlowFailedResponse = z.object({
  flowId: z.string(),
  flowStatus: z.literal('FAIL_COMPLETED'),
  flowType: FlowType,
  messages: z.array(FlowMessage),
});
export type FlowFailedResponse = z.infer<typeof FlowFailedResponse>;

/** SUCCESS_COMPLETED: the OAuth 2.0 authorization response, as JSON. */
export const FlowSuccessResponse = z.object({
  flowStatus: z.literal('SUCCESS_COMPLETED'),
  authData: z.object({
    code: z.string(),
    state: z.string().optional(),
    session_state: z.string().optional(),
  }),
});
export type FlowSuccessResponse = z.infer<typeof FlowSuccessResponse>;

export const FlowResponse = z.union([FlowStepResponse, FlowFailedResponse, FlowSuccessResponse]);
export type FlowResponse = z.infer<typeof FlowResponse>;

/** POST /oauth2/authn body. `params` may be omitted to initiate a user-initiated option. */
export const AuthnRequest = z.object({
  flowId: z.string().min(1, 'flowId is required'),
  selectedAuthenticator: z.object({
    authenticatorId: z.string().min(1, 'selectedAuthenticator.authenticatorId is required'),
    params: z.record(z.string(), z.string()).optional(),
  }),
});
export type AuthnRequest = z.infer<typeof AuthnRequest>;

/**
 * POST {issuer}/flows/registration without a flowId: starts a registration flow for an app-native client.
 * The OAuth parameters are those of an authorization request (response_type=code and response_mode=direct
 * are implied); the finished flow answers with an authorization code bound to them (PKCE S256).
 */
export const RegistrationStartRequest = z
  .object({
    client_id: z.string().min(1).max(256),
    redirect_uri: z.string().max(2048),
    scope: z.string().max(2048),
    state: z.string().max(1024).optional(),
    nonce: z.string().max(1024).optional(),
    code_challenge: z.string().max(128).optional(),
    code_challenge_method: z.string().max(16).optional(),
    /** OIDC Core §3.1.2.1: preferred languages, space-separated BCP 47 tags; the flow's mails use the first one Keyway has templates for. */
    ui_locales: z.string().max(256).optional(),
  })
  .strict();
export type RegistrationStartRequest = z.infer<typeof RegistrationStartRequest>;

/**
 * POST {issuer}/flows/registration with only a client (no redirect_uri): registration that signs the app in
 * at once. The finished flow answers with a session (RegistrationSessionResponse) instead of a code.
 * Confidential clients authenticate with HTTP Basic, as at the token endpoint.
 */
export const RegistrationSessionStartRequest = z
  .object({
    client_id: z.string().min(1).max(256),
    /** Defaults to `openid`; the scopes the session's tokens carry. */
    scope: z.string().max(2048).optional(),
    nonce: z.string().max(1024).optional(),
    ui_locales: z.string().max(256).optional(),
  })
  .strict();
export type RegistrationSessionStartRequest = z.infer<typeof RegistrationSessionStartRequest>;

/** POST {issuer}/flows/registration: a start (OAuth params, or only a client for a session) or a step answer (same body as /oauth2/authn). */
export const RegistrationRequest = z.union([AuthnRequest, RegistrationStartRequest, RegistrationSessionStartRequest]);
export type RegistrationRequest = z.infer<typeof RegistrationRequest>;

/** POST {issuer}/flows/recovery: the same bodies as registration (OAuth params to start, step answers after). */
export const RecoveryRequest = RegistrationRequest;
export type RecoveryRequest = RegistrationRequest;

/**
 * POST {issuer}/flows/verification without a flowId: starts verifying an email address for an app-native
 * client. The answer is the same code step whether or not the address belongs to anyone.
 */
export const VerificationStartRequest = z
  .object({
    client_id: z.string().min(1).max(256),
    email: z.string().trim().min(3).max(320),
    /** Preferred languages of the mail, as OIDC's ui_locales: space-separated BCP 47 tags. */
    ui_locales: z.string().max(256).optional(),
  })
  .strict();
export type VerificationStartRequest = z.infer<typeof VerificationStartRequest>;

/** POST {issuer}/flows/verification: a start ({client_id, email}) or a step answer (same body as /oauth2/authn). */
export const VerificationRequest = z.union([AuthnRequest, VerificationStartRequest]);
export type VerificationRequest = z.infer<typeof VerificationRequest>;

/**
 * POST {issuer}/flows/settings (with `Authorization: Bearer <access token>`): `{}` starts a settings flow
 * for the token's identity and session; a step answer is the same body as /oauth2/authn.
 */
export const SettingsStartRequest = z
  .object({
    /** Preferred languages of the flow's mails (OIDC ui_locales: space-separated BCP 47 tags); the identity's locale trait wins. */
    ui_locales: z.string().max(256).optional(),
    /**
     * One of the app's registered redirect URIs: where an upstream provider sends the user back when they link a
     * connection in redirect mode (the app then posts its `code` and `state`); without it only native linking.
     */
    redirect_uri: z.string().max(2048).optional(),
  })
  .strict();
export type SettingsStartRequest = z.infer<typeof SettingsStartRequest>;
export const SettingsRequest = z.union([AuthnRequest, SettingsStartRequest]);
export type SettingsRequest = z.infer<typeof SettingsRequest>;

/** SUCCESS_COMPLETED of a self-service flow that issues nothing (verification): the address is verified. */
export const SelfServiceCompletedResponse = z.object({
  flowId: z.string(),
  flowStatus: z.literal('SUCCESS_COMPLETED'),
  flowType: FlowType,
});
export type SelfServiceCompletedResponse = z.infer<typeof SelfServiceCompletedResponse>;

/**
 * SUCCESS_COMPLETED of a registration started without an authorization request: the new identity is signed
 * in, and `session` is the token response (RFC 6749 §5.1) the token endpoint would have given for a code —
 * access token, ID token when `openid` was asked for, refresh token when the client may refresh.
 */
export const RegistrationSessionResponse = z.object({
  flowId: z.string(),
  flowStatus: z.literal('SUCCESS_COMPLETED'),
  flowType: z.literal('REGISTRATION'),
  session: z.object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number(),
    scope: z.string(),
    id_token: z.string().optional(),
    refresh_token: z.string().optional(),
  }),
});
export type RegistrationSessionResponse = z.infer<typeof RegistrationSessionResponse>;

/** Self-service actions, named like authenticators: authenticatorId = base64url("<name>:LOCAL"). */
export const SELF_SERVICE_ACTIONS = {
  passwordRegistration: 'PasswordRegistration',
  emailCodeVerification: 'EmailCodeVerification',
  /** Recovery: the address to send a code to, the code, then the new password. */
  recoveryEmail: 'EmailRecovery',
  recoveryCode: 'EmailCodeRecovery',
  passwordReset: 'PasswordReset',
  /** Settings: proving it is still the user (the session is older than the project's privileged window). */
  passwordReauthentication: 'PasswordReauthentication',
  passkeyReauthentication: 'PasskeyReauthentication',
  /** Settings: the actions of the settings menu. */
  updateProfile: 'UpdateProfile',
  changePassword: 'ChangePassword',
  enrollTotp: 'EnrollTotp',
  removeTotp: 'RemoveTotp',
  addPasskey: 'AddPasskey',
  removePasskey: 'RemovePasskey',
  unlinkConnection: 'UnlinkConnection',
  regenerateBackupCodes: 'RegenerateBackupCodes',
  finishSettings: 'FinishSettings',
} as const;

/** Error body of the flow and admin APIs (WSO2 shape). OAuth endpoints answer RFC 6749 errors instead. */
export const ApiErrorBody = z.object({
  code: z.string(),
  message: z.string(),
  description: z.string(),
  traceId: z.string(),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

/** RFC 6749 §5.2 error body. */
export const OAuthErrorBody = z.object({
  error: z.string(),
  error_description: z.string().optional(),
});
export type OAuthErrorBody = z.infer<typeof OAuthErrorBody>;

/**
 * OAuth 2.0 for First-Party Applications (draft-ietf-oauth-first-party-apps-04), POST /oauth2/authorize-challenge.
 * §5.2.1: HTTP 200 once the flow has succeeded.
 */
export const AuthorizationChallengeCodeResponse = z.object({ authorization_code: z.string() });
export type AuthorizationChallengeCodeResponse = z.infer<typeof AuthorizationChallengeCodeResponse>;

/**
 * §5.2.2 error response (400, or 403 for insufficient_authorization / redirect_to_web). `error`,
 * `error_description`, `auth_session`, `request_uri` and `expires_in` are the draft's; `next_step` (the same
 * step object as the app-native flow's `nextStep`) and `messages` (why a flow died) are Keyway's extension
 * members, which §5.2.2 allows. An `auth_session` in an error means the client may retry with it.
 */
export const AuthorizationChallengeErrorResponse = z.object({
  error: z.string(),
  error_description: z.string().optional(),
  auth_session: z.string().optional(),
  request_uri: z.string().optional(),
  expires_in: z.number().optional(),
  next_step: NextStep.optional(),
  messages: z.array(FlowMessage).optional(),
});
export type AuthorizationChallengeErrorResponse = z.infer<typeof AuthorizationChallengeErrorResponse>;

export const AuthorizationChallengeResponse = z.union([
  AuthorizationChallengeCodeResponse,
  AuthorizationChallengeErrorResponse,
]);
export type AuthorizationChallengeResponse = z.infer<typeof AuthorizationChallengeResponse>;

/** authenticatorId = base64url("<AuthenticatorName>:<IdP>"), stable across restarts. */
export function encodeAuthenticatorId(name: string, idp: string): string {
  return base64url(`${name}:${idp}`);
}

/** Inverse of encodeAuthenticatorId; undefined for anything that is not a well-formed id. */
export function decodeAuthenticatorId(id: string): { name: string; idp: string } | undefined {
  // A length of 4n+1 is no base64 at all (atob would throw): one character cannot encode a byte.
  if (!/^[A-Za-z0-9_-]+$/.test(id) || id.length % 4 === 1) return undefined;
  const decoded = fromBase64url(id);
  const separator = decoded.lastIndexOf(':');
  if (separator <= 0 || separator === decoded.length - 1) return undefined;
  return { name: decoded.slice(0, separator), idp: decoded.slice(separator + 1) };
}

// The lib runs in Node and in browsers (console, SDK): use the platform's base64 helpers.
function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(value: string): string {
  const base64 = value.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}
