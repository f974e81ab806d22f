import { z } from 'zod';
import {
  CONNECTION_MODES,
  CONNECTION_PRESETS,
  ConnectionName,
  LINKING_POLICIES,
} from '../../domain/connections/connection';
import { ScopeName } from '../../domain/api-resources/api-resource';

/** An upstream URL as typed; the service checks it further (https only, except loopback outside production). */
const UpstreamUrl = z.url().max(2048);

const ClaimName = z.string().trim().min(1).max(200);

const ConnectionFields = {
  clientId: z.string().trim().min(1).max(500),
  /** Write-only: never returned. null removes it. */
  clientSecret: z.string().min(1).max(10_000).nullable(),
  allowedAudiences: z
    .array(z.string().trim().min(1).max(500))
    .max(20)
    .refine((values) => new Set(values).size === values.length, 'must be unique'),
  scopes: z
    .array(ScopeName)
    .max(50)
    .refine((values) => new Set(values).size === values.length, 'must be unique'),
  /** Provider claim → identity trait, e.g. {"email": "email", "name": "name"}. */
  claimMapping: z
    .record(ClaimName, z.string().min(1).max(200))
    .refine((mapping) => Object.keys(mapping).length <= 50, 'at most 50 claims'),
  trustEmailVerified: z.boolean(),
  linkingPolicy: z.enum(LINKING_POLICIES),
  applications: z
    .array(z.object({ clientId: z.string().min(1).max(200), mode: z.enum(CONNECTION_MODES) }).strict())
    .max(100),
  /** Microsoft Entra ID: the tenant (id, domain, or common / organizations / consumers). */
  tenant: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,100}$/, 'must be a tenant id, a domain, or common / organizations / consumers'),
  /** Generic OIDC: the provider's discovery URL or its issuer. */
  discoveryUrl: UpstreamUrl,
  /** Generic OAuth 2.0: the endpoints. */
  authorizationUrl: UpstreamUrl,
  tokenUrl: UpstreamUrl,
  userinfoUrl: UpstreamUrl,
};

export const CreateConnectionBody = z
  .object({
    name: ConnectionName,
    preset: z.enum(CONNECTION_PRESETS),
    clientId: ConnectionFields.clientId,
    clientSecret: ConnectionFields.clientSecret.optional(),
    allowedAudiences: ConnectionFields.allowedAudiences.optional(),
    scopes: ConnectionFields.scopes.optional(),
    claimMapping: ConnectionFields.claimMapping.optional(),
    trustEmailVerified: ConnectionFields.trustEmailVerified.optional(),
    linkingPolicy: ConnectionFields.linkingPolicy.optional(),
    applications: ConnectionFields.applications.optional(),
    tenant: ConnectionFields.tenant.optional(),
    discoveryUrl: ConnectionFields.discoveryUrl.optional(),
    authorizationUrl: ConnectionFields.authorizationUrl.optional(),
    tokenUrl: ConnectionFields.tokenUrl.optional(),
    userinfoUrl: ConnectionFields.userinfoUrl.optional(),
  })
  .strict();
export type CreateConnectionBody = z.infer<typeof CreateConnectionBody>;

/** Partial update; name and preset never change. `clientSecret`: omitted keeps it, null removes it. */
export const UpdateConnectionBody = z
  .object({
    clientId: ConnectionFields.clientId.optional(),
    clientSecret: ConnectionFields.clientSecret.optional(),
    allowedAudiences: ConnectionFields.allowedAudiences.optional(),
    scopes: ConnectionFields.scopes.optional(),
    claimMapping: ConnectionFields.claimMapping.optional(),
    trustEmailVerified: ConnectionFields.trustEmailVerified.optional(),
    linkingPolicy: ConnectionFields.linkingPolicy.optional(),
    applications: ConnectionFields.applications.optional(),
    tenant: ConnectionFields.tenant.optional(),
    discoveryUrl: ConnectionFields.discoveryUrl.optional(),
    authorizationUrl: ConnectionFields.authorizationUrl.optional(),
    tokenUrl: ConnectionFields.tokenUrl.optional(),
    userinfoUrl: ConnectionFields.userinfoUrl.optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'name at least one field to change');
export type UpdateConnectionBody = z.infer<typeof UpdateConnectionBody>;
