import { z } from 'zod';
import { PasswordSchema } from '../../domain/schemas/identity-traits';
import { PageCursor, PageLimit } from '../../infra/http/page-cursor';
import { IdentityCredentialsInput } from './identity-credentials';

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

export const ListIdentitiesQuery = z
  .object({
    /** A login identifier or address (prefix), a trait value (contains, any case), or an identity id. */
    q: z.string().trim().max(320, 'must be at most 320 characters').optional(),
    state: z.enum(['active', 'disabled']).optional(),
    limit: PageLimit,
    cursor: PageCursor,
  })
  .strict();
export type ListIdentitiesQuery = z.infer<typeof ListIdentitiesQuery>;

export const PageQuery = z.object({ limit: PageLimit, cursor: PageCursor }).strict();
export type PageQuery = z.infer<typeof PageQuery>;

/**
 * Why: every change an administrator or help-desk agent makes to an identity says why, and the audit event
 * keeps it (a ticket number, what the user asked for).
 */
const Reason = z.string().trim().min(3, 'must be at least 3 characters').max(500, 'must be at most 500 characters');

export const ReasonBody = z.object({ reason: Reason }).strict();
export type ReasonBody = z.infer<typeof ReasonBody>;

export const UpdateIdentityBody = z
  .object({
    /** The complete new traits, validated against the identity's own schema version. */
    traits: z.record(z.string(), z.unknown()),
    reason: Reason,
  })
  .strict();
export type UpdateIdentityBody = z.infer<typeof UpdateIdentityBody>;

const Address = z.string().trim().min(1).max(320);
/** The application whose flow the code belongs to; the project's first suitable one when absent. */
const ClientId = z.string().min(1).max(256).optional();

export const AddressActionBody = z.object({ reason: Reason, address: Address }).strict();
export type AddressActionBody = z.infer<typeof AddressActionBody>;

export const ResendVerificationBody = z.object({ reason: Reason, address: Address, clientId: ClientId }).strict();
export type ResendVerificationBody = z.infer<typeof ResendVerificationBody>;

export const SendRecoveryBody = z.object({ reason: Reason, address: Address.optional(), clientId: ClientId }).strict();
export type SendRecoveryBody = z.infer<typeof SendRecoveryBody>;

export const RemovePasskeyBody = z.object({ reason: Reason, passkeyId: z.string().min(1).max(1024) }).strict();
export type RemovePasskeyBody = z.infer<typeof RemovePasskeyBody>;

export const UnlinkConnectionBody = z.object({ reason: Reason, connectionId: z.uuid() }).strict();
export type UnlinkConnectionBody = z.infer<typeof UnlinkConnectionBody>;
