import { z } from 'zod';
import {
  ASYMMETRIC_ALGS,
  MAX_CALLBACK_TIMEOUT_MS,
  TOKEN_ISSUER_MODES,
  TokenIssuerName,
  UPDATE_POLICIES,
} from '../../domain/external-tokens/trusted-token-issuer';

/** An upstream URL as typed; the service checks it further (https only, except loopback outside production). */
const UpstreamUrl = z.url().max(2048);

const unique = (values: readonly unknown[]) => new Set(values).size === values.length;

const TokenIssuerFields = {
  issuer: z.string().trim().min(1).max(500),
  audiences: z.array(z.string().trim().min(1).max(500)).min(1).max(20).refine(unique, 'must be unique'),
  jwksUri: UpstreamUrl,
  /** Public keys only; the service refuses private and symmetric ones. */
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1).max(20) }).strict(),
  allowedAlgs: z.array(z.enum(ASYMMETRIC_ALGS)).min(1).refine(unique, 'must be unique'),
  callbackUrl: UpstreamUrl,
  callbackTimeoutMs: z.number().int().min(100).max(MAX_CALLBACK_TIMEOUT_MS),
  subjectClaim: z.string().trim().min(1).max(100),
  /** Partner claim → identity trait, e.g. {"email": "email", "name": "name"}. */
  claimMapping: z
    .record(z.string().trim().min(1).max(200), z.string().min(1).max(200))
    .refine((mapping) => Object.keys(mapping).length <= 50, 'at most 50 claims'),
  updatePolicy: z.enum(UPDATE_POLICIES),
  /** The client_ids that may exchange this issuer's tokens. */
  applications: z.array(z.string().min(1).max(200)).max(100),
};

export const CreateTokenIssuerBody = z
  .object({
    name: TokenIssuerName,
    mode: z.enum(TOKEN_ISSUER_MODES),
    issuer: TokenIssuerFields.issuer.optional(),
    audiences: TokenIssuerFields.audiences.optional(),
    jwksUri: TokenIssuerFields.jwksUri.optional(),
    jwks: TokenIssuerFields.jwks.optional(),
    allowedAlgs: TokenIssuerFields.allowedAlgs.optional(),
    callbackUrl: TokenIssuerFields.callbackUrl.optional(),
    callbackTimeoutMs: TokenIssuerFields.callbackTimeoutMs.optional(),
    subjectClaim: TokenIssuerFields.subjectClaim.optional(),
    claimMapping: TokenIssuerFields.claimMapping.optional(),
    updatePolicy: TokenIssuerFields.updatePolicy.optional(),
    applications: TokenIssuerFields.applications.optional(),
  })
  .strict()
  .refine((body) => body.jwksUri === undefined || body.jwks === undefined, {
    message: 'give jwksUri or jwks, not both',
    path: ['jwks'],
  });
export type CreateTokenIssuerBody = z.infer<typeof CreateTokenIssuerBody>;

/** Partial update; name and mode never change. Setting jwksUri clears jwks and the other way round. */
export const UpdateTokenIssuerBody = z
  .object({
    issuer: TokenIssuerFields.issuer.optional(),
    audiences: TokenIssuerFields.audiences.optional(),
    jwksUri: TokenIssuerFields.jwksUri.optional(),
    jwks: TokenIssuerFields.jwks.optional(),
    allowedAlgs: TokenIssuerFields.allowedAlgs.optional(),
    callbackUrl: TokenIssuerFields.callbackUrl.optional(),
    callbackTimeoutMs: TokenIssuerFields.callbackTimeoutMs.optional(),
    subjectClaim: TokenIssuerFields.subjectClaim.optional(),
    claimMapping: TokenIssuerFields.claimMapping.optional(),
    updatePolicy: TokenIssuerFields.updatePolicy.optional(),
    applications: TokenIssuerFields.applications.optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'name at least one field to change');
export type UpdateTokenIssuerBody = z.infer<typeof UpdateTokenIssuerBody>;
