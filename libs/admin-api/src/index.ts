import { AuthenticatorParam, NextStep } from '@keyway/flow-types';
import { z } from 'zod';

/**
 * The admin API's responses (`/api/admin/v1`): one zod schema per shape, shared by the API (its controllers
 * return these types, and the OpenAPI document shows these schemas) and by the console's typed client.
 * Requests are validated by the API's own body schemas, which the OpenAPI document shows too.
 */

/** Every error: a stable code, a short message, and what to do about it. */
export const ApiErrorBody = z.object({
  code: z.string().describe('e.g. KW-40000, KW-40300, KW-40400, FLW-60001'),
  message: z.string(),
  description: z.string().optional(),
  traceId: z.string().optional(),
  fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

export const Permission = z.string().describe('e.g. applications.write; GET /permissions lists them');

export const ProjectView = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  /** `{publicUrl}/t/{slug}`: where its apps sign users in. */
  issuer: z.string(),
  settings: z.record(z.string(), z.unknown()),
});
export type ProjectView = z.infer<typeof ProjectView>;

export const ApplicationView = z.object({
  clientId: z.string(),
  name: z.string(),
  type: z.enum(['public', 'confidential']),
  redirectUris: z.array(z.string()),
  postLogoutRedirectUris: z.array(z.string()),
  grantTypes: z.array(z.string()),
  appNative: z.boolean(),
  /** Ordered login steps, each the options it offers (GET /login-options). */
  loginFlow: z.array(z.array(z.string())),
  allowEnrollmentInFlow: z.boolean(),
  /** Back-Channel Logout 1.0 endpoint of the app; null for none. */
  backchannelLogoutUri: z.string().nullable(),
  /** The JWS alg of its ID tokens: RS256 (default), ES256 or EdDSA (Ed25519). */
  idTokenSignedResponseAlg: z.enum(['RS256', 'ES256', 'EdDSA']),
  /** The one way the client authenticates: `none` (public clients), a secret by Basic or in the body, or a signed JWT. */
  tokenEndpointAuthMethod: z.enum(['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt']),
  /** private_key_jwt: the client's public keys (a JWK Set), when registered inline. */
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
  /** private_key_jwt: where the client publishes its public keys, when registered by URL. */
  jwksUri: z.string().optional(),
  /** Until when the secret replaced by the last rotation is still accepted; absent when none is. */
  previousSecretExpiresAt: z.iso.datetime().optional(),
});
export type ApplicationView = z.infer<typeof ApplicationView>;

/**
 * A project's signing key (public facts only, never private material). `next` keys are published but do not sign
 * yet, `active` ones sign, `retiring` ones are published until `retiresAt`, when every token they signed has expired.
 */
export const SigningKeyView = z.object({
  kid: z.string(),
  alg: z.enum(['RS256', 'ES256', 'EdDSA']),
  use: z.literal('sig'),
  status: z.enum(['next', 'active', 'retiring']),
  createdAt: z.iso.datetime(),
  /** When it started signing; null while `next`. */
  activatedAt: z.iso.datetime().nullable(),
  /** When it leaves the JWKS; null until it stops signing. */
  retiresAt: z.iso.datetime().nullable(),
});
export type SigningKeyView = z.infer<typeof SigningKeyView>;

/** A confidential client's secret: in the answer that made it only, never again. */
export const ApplicationWithSecret = ApplicationView.extend({ clientSecret: z.string() });
export type ApplicationWithSecret = z.infer<typeof ApplicationWithSecret>;

/** A new application: a confidential one comes with its secret, shown this once. */
export const CreatedApplication = ApplicationView.extend({ clientSecret: z.string().optional() });
export type CreatedApplication = z.infer<typeof CreatedApplication>;

/** A permission an API resource defines: an OAuth scope name and what it allows. */
export const ApiScopeView = z.object({ name: z.string(), description: z.string() });
export type ApiScopeView = z.infer<typeof ApiScopeView>;

/** An API the project's clients call; `identifier` is the RFC 8707 `resource` and its tokens' `aud`. */
export const ApiResourceView = z.object({
  id: z.uuid(),
  identifier: z.string(),
  name: z.string(),
  scopes: z.array(ApiScopeView),
  /** Lifetime of its access tokens in seconds; null: the project's accessTokenTtlSeconds. */
  accessTokenTtlSeconds: z.number().int().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ApiResourceView = z.infer<typeof ApiResourceView>;

/** An application a connection is offered on, and how: app-native sign-in, the redirect flow, or both. */
export const ConnectionApplicationView = z.object({
  clientId: z.string(),
  mode: z.enum(['native', 'redirect', 'both']),
});
export type ConnectionApplicationView = z.infer<typeof ConnectionApplicationView>;

/** An upstream identity provider end users may sign in with. The client secret is write-only: `clientSecretSet`. */
export const ConnectionView = z.object({
  id: z.uuid(),
  /** Unique per project, never changes. */
  name: z.string(),
  kind: z.enum(['oidc', 'oauth2']),
  preset: z.enum(['google', 'apple', 'microsoft', 'github', 'facebook', 'oidc', 'oauth2']),
  clientId: z.string(),
  clientSecretSet: z.boolean(),
  /** Further `aud` values accepted in the provider's ID tokens (iOS / Android client ids). */
  allowedAudiences: z.array(z.string()),
  scopes: z.array(z.string()),
  issuer: z.string().nullable(),
  authorizationUrl: z.string().nullable(),
  tokenUrl: z.string().nullable(),
  userinfoUrl: z.string().nullable(),
  jwksUri: z.string().nullable(),
  discoveryUrl: z.string().nullable(),
  /** Provider claim → identity trait. */
  claimMapping: z.record(z.string(), z.string()),
  trustEmailVerified: z.boolean(),
  linkingPolicy: z.enum(['proof', 'trust-verified-email', 'never']),
  applications: z.array(ConnectionApplicationView),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ConnectionView = z.infer<typeof ConnectionView>;

/** What deleting a connection took with it: every user's link to it (their accounts there are no longer linked). */
export const ConnectionDeletionView = z.object({
  /** Linked accounts removed with the connection. */
  linksRemoved: z.number().int(),
  /** Identities left without any way to sign in (no password, passkey or other linked account): recovery is theirs. */
  identitiesStranded: z.number().int(),
});
export type ConnectionDeletionView = z.infer<typeof ConnectionDeletionView>;

/** What `POST …/connections/{id}/test` checked without a user, and what it found. */
export const ConnectionTestView = z.object({
  ok: z.boolean(),
  checks: z.array(
    z.object({
      check: z.enum(['discovery', 'jwks', 'token_endpoint', 'userinfo_endpoint']),
      ok: z.boolean(),
      detail: z.string(),
    }),
  ),
});
export type ConnectionTestView = z.infer<typeof ConnectionTestView>;

/**
 * A partner backend whose tokens sign end users in (external-token sign-in): jwt mode verifies them against the
 * partner's keys, opaque mode asks its callback. The callback secret is shown once (`TokenIssuerWithSecretView`).
 */
export const TokenIssuerView = z.object({
  id: z.uuid(),
  /** Unique per project, never changes. */
  name: z.string(),
  mode: z.enum(['jwt', 'opaque']),
  /** jwt: the `iss` of the partner's tokens. */
  issuer: z.string().nullable(),
  /** jwt: accepted `aud` values. */
  audiences: z.array(z.string()),
  jwksUri: z.string().nullable(),
  /** jwt: a static set of the partner's public keys (instead of jwksUri). */
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).nullable(),
  allowedAlgs: z.array(z.string()),
  /** opaque: where Keyway posts tokens (signed, see docs/external-tokens.md). */
  callbackUrl: z.string().nullable(),
  callbackSecretSet: z.boolean(),
  callbackTimeoutMs: z.number().int(),
  subjectClaim: z.string(),
  /** Partner claim → identity trait. */
  claimMapping: z.record(z.string(), z.string()),
  updatePolicy: z.enum(['first-login', 'every-login']),
  /** The applications (client_id) that may exchange this issuer's tokens. */
  applications: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TokenIssuerView = z.infer<typeof TokenIssuerView>;

/** At creation (opaque mode) and rotation: the callback secret, shown this once. */
export const TokenIssuerWithSecretView = TokenIssuerView.extend({ callbackSecret: z.string().optional() });
export type TokenIssuerWithSecretView = z.infer<typeof TokenIssuerWithSecretView>;

/** What an application may get of one API resource with client_credentials. */
export const ResourceGrantView = z.object({
  /** The resource's identifier. */
  resource: z.string(),
  resourceId: z.uuid(),
  name: z.string(),
  scopes: z.array(z.string()),
});
export type ResourceGrantView = z.infer<typeof ResourceGrantView>;

/** An application's grants of API resources (client_credentials), in the order the resources were created. */
export const ResourceGrantsView = z.object({ grants: z.array(ResourceGrantView) });
export type ResourceGrantsView = z.infer<typeof ResourceGrantsView>;

/** A login option a step may name, with what constrains where. */
export const LoginOption = z.object({
  name: z.string(),
  displayName: z.string(),
  i18nKey: z.string(),
  /** Verifies the identity an earlier step established: not allowed in the first step. */
  requiresIdentity: z.boolean(),
  /** Shown by name in a multi-option step and started when selected (a code sent, a challenge made). */
  requiresInitiation: z.boolean(),
  /** Offered automatically beside these options when the identity can use it (backup codes). */
  offeredAlongside: z.array(z.string()),
});
export type LoginOption = z.infer<typeof LoginOption>;

/** The first prompt an application's login flow gives the app: `nextStep` as /oauth2/authorize answers it. */
export const LoginFlowPreview = z.object({ nextStep: NextStep });
export type LoginFlowPreview = z.infer<typeof LoginFlowPreview>;

/** The caller of the admin API, as the console shows it. */
export const Caller = z.object({
  kind: z.enum(['root', 'api-key', 'console-user']),
  id: z.string(),
  name: z.string(),
  /** Root, or an owner of the console's own project: creates projects and acts in all of them. */
  instanceOwner: z.boolean(),
  projects: z.array(
    z.object({
      slug: z.string(),
      name: z.string(),
      /** The caller's role there, when it has one of its own (instance owners act in all projects). */
      role: z.string().optional(),
      permissions: z.array(Permission),
    }),
  ),
});
export type Caller = z.infer<typeof Caller>;

export const ProjectPermissions = z.object({ permissions: z.array(Permission) });
export type ProjectPermissions = z.infer<typeof ProjectPermissions>;

/** An email as a recipient would see it. */
export const RenderedEmail = z.object({ subject: z.string(), html: z.string(), text: z.string() });
export type RenderedEmail = z.infer<typeof RenderedEmail>;

export const IdentitySchemaSummary = z.object({
  version: z.number().int(),
  isDefault: z.boolean(),
  createdAt: z.iso.datetime(),
});
export type IdentitySchemaSummary = z.infer<typeof IdentitySchemaSummary>;

/** A trait as a registration field, in the order the schema says: what the registration flow will ask. */
export const RegistrationField = AuthenticatorParam.extend({
  trait: z.string(),
  required: z.boolean(),
  input: z.string().describe('text, email, tel, number, date, checkbox, select, …'),
  options: z.array(z.string()).optional(),
});
export type RegistrationField = z.infer<typeof RegistrationField>;

export const IdentitySchemaView = IdentitySchemaSummary.extend({
  /** JSON Schema 2020-12 of the traits, as stored. */
  schema: z.unknown(),
  fields: z.array(RegistrationField),
});
export type IdentitySchemaView = z.infer<typeof IdentitySchemaView>;

/** What a schema would generate, before it is saved (POST …/identity-schemas/preview). */
export const IdentitySchemaPreview = z.object({ fields: z.array(RegistrationField) });
export type IdentitySchemaPreview = z.infer<typeof IdentitySchemaPreview>;

export const EmailTemplateKind = z.object({
  kind: z.string(),
  variables: z.array(z.string()).readonly(),
  shippedLocales: z.array(z.string()).readonly(),
  customLocales: z.array(z.string()).readonly(),
});
export type EmailTemplateKind = z.infer<typeof EmailTemplateKind>;

export const EmailTemplate = RenderedEmail.extend({
  kind: z.string(),
  /** The locale asked for. */
  locale: z.string(),
  /** The locale of the template used, after falling back (de-CH → de → en). */
  resolvedLocale: z.string(),
  source: z.enum(['custom', 'default']),
  variables: z.array(z.string()).readonly(),
});
export type EmailTemplate = z.infer<typeof EmailTemplate>;

/** A project's SMTP server; never its password. */
export const SmtpSettings = z.object({
  host: z.string(),
  port: z.number().int(),
  tlsMode: z.enum(['none', 'starttls', 'tls']),
  username: z.string().nullable(),
  passwordSet: z.boolean(),
  fromName: z.string().nullable(),
  fromAddress: z.string(),
  updatedAt: z.iso.datetime(),
});
export type SmtpSettings = z.infer<typeof SmtpSettings>;

/** An outbox message's delivery, never its content (a subject or body may carry a code). */
export const OutboxMessage = z.object({
  id: z.uuid(),
  kind: z.string(),
  to: z.string(),
  status: z.enum(['pending', 'sending', 'sent', 'failed']),
  attempts: z.number().int(),
  nextAttemptAt: z.iso.datetime(),
  lastError: z.string().nullable(),
  sentAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type OutboxMessage = z.infer<typeof OutboxMessage>;

/** A page of a list; `nextCursor` asks for the next one (absent on the last page). */
export const listPage = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().optional() });

export const PermissionDescription = z.object({ name: Permission, description: z.string() });
export type PermissionDescription = z.infer<typeof PermissionDescription>;

export const Member = z.object({
  id: z.uuid(),
  /** The console user: an identity of the console's own project. */
  identityId: z.uuid(),
  email: z.string(),
  role: z.string(),
  createdAt: z.iso.datetime(),
});
export type Member = z.infer<typeof Member>;

export const Invitation = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.string(),
  invitedBy: z.string().nullable(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});
export type Invitation = z.infer<typeof Invitation>;

export const Role = z.object({
  name: z.string(),
  description: z.string(),
  permissions: z.array(Permission),
  builtIn: z.boolean(),
});
export type Role = z.infer<typeof Role>;

export const ApiKey = z.object({
  id: z.uuid(),
  name: z.string(),
  role: z.string(),
  createdAt: z.iso.datetime(),
  createdBy: z.string().nullable(),
  expiresAt: z.iso.datetime().nullable(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;

/** A new API key: `key` (kwk_…) in this answer only. */
export const CreatedApiKey = ApiKey.extend({ key: z.string() });
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

/** An identity in lists: traits and state, never a credential. */
export const Identity = z.object({
  id: z.uuid(),
  traits: z.unknown(),
  state: z.string(),
  schemaVersion: z.number().int(),
  lockedUntil: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Identity = z.infer<typeof Identity>;

/** A credential's metadata (type, dates, per type what help desk needs); never its secret. */
export const CredentialSummary = z
  .object({ type: z.string(), createdAt: z.iso.datetime() })
  .catchall(z.unknown())
  .describe(
    'password: hashAlgorithm; totp: confirmed, lastUsedAt; webauthn: passkeys; backup_codes: remaining; oidc: links',
  );

/** An account at one of the project's connections linked to an identity (in its `oidc` credential's `links`). */
export const LinkedAccount = z.object({
  connectionId: z.uuid(),
  connectionName: z.string(),
  subject: z.string(),
  linkedAt: z.iso.datetime(),
});
export type LinkedAccount = z.infer<typeof LinkedAccount>;

export const IdentityDetail = Identity.extend({
  credentials: z.array(CredentialSummary),
  verifiableAddresses: z.array(
    z.object({ via: z.string(), value: z.string(), verified: z.boolean(), verifiedAt: z.iso.datetime().nullable() }),
  ),
  /** Failed attempts counted toward the next lock. */
  failedAttempts: z.number().int(),
});
export type IdentityDetail = z.infer<typeof IdentityDetail>;

export const Session = z.object({
  id: z.uuid(),
  createdAt: z.iso.datetime(),
  authTime: z.iso.datetime(),
  amr: z.array(z.string()),
  device: z.object({ userAgent: z.string().nullable(), ip: z.string().nullable() }),
  expiresAt: z.iso.datetime(),
  revoked: z.boolean(),
  revokedAt: z.iso.datetime().nullable(),
  active: z.boolean(),
});
export type Session = z.infer<typeof Session>;

/** What a help-desk action did: `no-op` when there was nothing to do. */
export const IdentityActionResult = z
  .object({ outcome: z.enum(['done', 'no-op']), identity: Identity.optional() })
  .catchall(z.unknown());
export type IdentityActionResult = z.infer<typeof IdentityActionResult>;

export const AuditEvent = z.object({
  id: z.uuid(),
  type: z.string(),
  createdAt: z.iso.datetime(),
  identityId: z.string().nullable(),
  clientId: z.string().nullable(),
  actor: z.object({ kind: z.string(), id: z.string().nullable(), name: z.string().nullable() }).nullable(),
  target: z.object({ type: z.string(), id: z.string().nullable() }).nullable(),
  data: z.unknown(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

/** What an invitation link's holder may know before accepting it. */
export const InvitationLookup = z.object({
  projectName: z.string(),
  email: z.string(),
  role: z.string(),
  existingUser: z.boolean(),
});
export type InvitationLookup = z.infer<typeof InvitationLookup>;
