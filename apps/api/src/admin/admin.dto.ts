import { z } from 'zod';
import { GRANT_TYPES, RedirectUri } from '../domain/applications/application';
import { MAX_SECRET_GRACE_SECONDS } from '../domain/applications/applications.service';
import { IdentityCredentialsInput } from './identities/identity-credentials';
import { PasswordSchema } from '../domain/schemas/identity-traits';
import { ProjectSettingsInput } from '../domain/projects/project-settings';

export const CreateProjectBody = z
  .object({
    slug: z
      .string()
      .regex(
        /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
        'must be 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen',
      ),
    name: z.string().trim().min(1).max(200),
    settings: ProjectSettingsInput.optional(),
  })
  .strict();
export type CreateProjectBody = z.infer<typeof CreateProjectBody>;

/** Partial update; settings are merged over the current ones (lockout and webauthn field by field). */
export const UpdateProjectBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    settings: ProjectSettingsInput.optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'name at least one field to change: name or settings');
export type UpdateProjectBody = z.infer<typeof UpdateProjectBody>;

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
  redirectUris: z.array(RedirectUri).min(1, 'at least one redirect URI is required').max(50),
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
    redirectUris: ApplicationFields.redirectUris,
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

export const CreateIdentityBody = z
  .object({
    /** Checked against the project's identity schema (the default version, or schemaVersion) by the service. */
    traits: z.record(z.string(), z.unknown()),
    /** The identity schema version to validate against and record; the project's default when absent. */
    schemaVersion: z.number().int().positive().optional(),
    /** A password to hash now (kept for compatibility; credentials.password.value is the same). */
    password: PasswordSchema.optional(),
    /** Factors imported from another identity provider. */
    credentials: IdentityCredentialsInput.optional(),
  })
  .strict()
  .refine((body) => !(body.password !== undefined && body.credentials?.password), {
    message: 'give the password either as password or as credentials.password, not both',
    path: ['credentials', 'password'],
  });
export type CreateIdentityBody = z.infer<typeof CreateIdentityBody>;

/** A new identity schema version: JSON Schema 2020-12 of the traits; compiled and checked by the service. */
export const CreateIdentitySchemaBody = z
  .object({
    schema: z.record(z.string(), z.unknown()),
    /** Make the new version the one new identities are validated against. */
    setDefault: z.boolean().default(false),
  })
  .strict();
export type CreateIdentitySchemaBody = z.infer<typeof CreateIdentitySchemaBody>;

export const SetDefaultIdentitySchemaBody = z.object({ version: z.number().int().positive() }).strict();
export type SetDefaultIdentitySchemaBody = z.infer<typeof SetDefaultIdentitySchemaBody>;
