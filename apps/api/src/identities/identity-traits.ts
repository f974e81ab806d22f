import { z } from 'zod';

/**
 * The default identity schema's traits (email + name) until per-project identity schemas arrive.
 * Email is the login identifier; it is matched case-insensitively.
 */
export const DefaultTraits = z
  .object({
    email: z.email().max(320),
    name: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type DefaultTraits = z.infer<typeof DefaultTraits>;

/** The normalised form under which an identifier is stored and looked up. */
export function normaliseIdentifier(identifier: string): string {
  return identifier.trim().toLowerCase();
}

/** Passwords: at least 8 characters (NIST SP 800-63B), at most 1024 so hashing cannot be abused. */
export const PasswordSchema = z.string().min(8, 'must be at least 8 characters').max(1024, 'must be at most 1024 characters');
export const MAX_PASSWORD_LENGTH = 1024;
