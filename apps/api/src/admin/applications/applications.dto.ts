import { z } from 'zod';
import {
  BackchannelLogoutUri,
  GRANT_TYPES,
  RedirectUri,
  TOKEN_ENDPOINT_AUTH_METHODS,
} from '../../domain/applications/application';
import { ClientJwksInput, JwksUriInput } from '../../domain/applications/client-authentication-settings';
import { MAX_SECRET_GRACE_SECONDS } from '../../domain/applications/applications.service';
import { SIGNING_ALGS } from '../../domain/keys/signing-key-lifecycle';

/**
 * Ordered login steps, each a set of authenticator names as in the wire format, e.g.
 * [["BasicAuthenticator"],["totp"]]. Only the shape is checked here; LoginFlowValidator checks the names
 * against the server's authenticators and says what is wrong with empty steps or flows.
 */
const LoginFlowInput = z
  .array(z.array(z.string().max(100)).max(10, 'at most 10 options per step'))
  .max(10, 'at most 10 steps');

const ApplicationFields = {
  name: z.string().trim().min(1).max(200),
  /** Required (at least one) with authorization_code; an API-only client (client_credentials) has none. */
  redirectUris: z.array(RedirectUri).max(50),
  postLogoutRedirectUris: z.array(RedirectUri).max(50),
  grantTypes: z.array(z.enum(GRANT_TYPES)).min(1),
  appNative: z.boolean(),
  loginFlow: LoginFlowInput,
  /** Let a login step enroll a required factor the user lacks (TOTP) instead of failing. */
  allowEnrollmentInFlow: z.boolean(),
  /** Back-Channel Logout 1.0: logout tokens are posted here when a session of this app ends; null for none. */
  backchannelLogoutUri: BackchannelLogoutUri.nullable(),
  /** The JWS alg of the client's ID tokens (id_token_signed_response_alg). */
  idTokenSignedResponseAlg: z.enum(SIGNING_ALGS),
  /** `none` (public clients, only them), client_secret_basic (confidential default), client_secret_post, private_key_jwt. */
  tokenEndpointAuthMethod: z.enum(TOKEN_ENDPOINT_AUTH_METHODS),
  /** private_key_jwt: the client's public keys inline (a JWK Set)… */
  jwks: ClientJwksInput,
  /** …or where it publishes them (https; http on loopback outside production). */
  jwksUri: JwksUriInput,
};

export const CreateApplicationBody = z
  .object({
    name: ApplicationFields.name,
    type: z.enum(['public', 'confidential']),
    redirectUris: ApplicationFields.redirectUris.default([]),
    postLogoutRedirectUris: ApplicationFields.postLogoutRedirectUris.default([]),
    grantTypes: ApplicationFields.grantTypes.default(['authorization_code', 'refresh_token']),
    appNative: ApplicationFields.appNative.default(false),
    loginFlow: ApplicationFields.loginFlow.default([['BasicAuthenticator']]),
    allowEnrollmentInFlow: ApplicationFields.allowEnrollmentInFlow.default(false),
    backchannelLogoutUri: ApplicationFields.backchannelLogoutUri.default(null),
    idTokenSignedResponseAlg: ApplicationFields.idTokenSignedResponseAlg.default('RS256'),
    tokenEndpointAuthMethod: ApplicationFields.tokenEndpointAuthMethod.optional(),
    jwks: ApplicationFields.jwks.optional(),
    jwksUri: ApplicationFields.jwksUri.optional(),
    /** Optional fixed client_id (e.g. for seeded or migrated apps); generated when absent. */
    clientId: z
      .string()
      .regex(/^[A-Za-z0-9._~-]{3,128}$/, 'must be 3-128 unreserved URI characters')
      .optional(),
  })
  .strict();
export type CreateApplicationBody = z.infer<typeof CreateApplicationBody>;

/** Partial update; the type and client_id of an application never change. */
export const UpdateApplicationBody = z
  .object({
    name: ApplicationFields.name.optional(),
    redirectUris: ApplicationFields.redirectUris.optional(),
    postLogoutRedirectUris: ApplicationFields.postLogoutRedirectUris.optional(),
    grantTypes: ApplicationFields.grantTypes.optional(),
    appNative: ApplicationFields.appNative.optional(),
    loginFlow: ApplicationFields.loginFlow.optional(),
    allowEnrollmentInFlow: ApplicationFields.allowEnrollmentInFlow.optional(),
    backchannelLogoutUri: ApplicationFields.backchannelLogoutUri.optional(),
    idTokenSignedResponseAlg: ApplicationFields.idTokenSignedResponseAlg.optional(),
    tokenEndpointAuthMethod: ApplicationFields.tokenEndpointAuthMethod.optional(),
    /** A key source replaces the other; null removes it. */
    jwks: ApplicationFields.jwks.nullable().optional(),
    jwksUri: ApplicationFields.jwksUri.nullable().optional(),
  })
  .strict()
  .refine(
    (body) => Object.keys(body).length > 0,
    'name at least one field to change: name, redirectUris, postLogoutRedirectUris, grantTypes, appNative, loginFlow, allowEnrollmentInFlow, backchannelLogoutUri, idTokenSignedResponseAlg, tokenEndpointAuthMethod, jwks or jwksUri',
  );
export type UpdateApplicationBody = z.infer<typeof UpdateApplicationBody>;

export const RotateSecretBody = z
  .object({
    /** How long the replaced secret keeps working, in seconds (default a day, at most a week; 0: at once). */
    graceSeconds: z.number().int().min(0).max(MAX_SECRET_GRACE_SECONDS).default(86_400),
  })
  .strict();
export type RotateSecretBody = z.infer<typeof RotateSecretBody>;

/** A login flow to preview (not stored): what the app's first prompt would be with it. */
export const PreviewLoginFlowBody = z.object({ loginFlow: ApplicationFields.loginFlow }).strict();
export type PreviewLoginFlowBody = z.infer<typeof PreviewLoginFlowBody>;
