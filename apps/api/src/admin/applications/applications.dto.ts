import { z } from 'zod';
import { GRANT_TYPES, RedirectUri } from '../../domain/applications/application';
import { MAX_SECRET_GRACE_SECONDS } from '../../domain/applications/applications.service';

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
  })
  .strict()
  .refine(
    (body) => Object.keys(body).length > 0,
    'name at least one field to change: name, redirectUris, postLogoutRedirectUris, grantTypes, appNative, loginFlow or allowEnrollmentInFlow',
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
