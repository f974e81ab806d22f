import { z } from 'zod';
import { importedHashProblem } from '../../infra/crypto/password-hash-formats';
import { normaliseTotpSecret } from '../../methods/totp/totp-codes';
import { PasswordSchema } from '../../domain/schemas/identity-traits';

/**
 * Credentials given when an identity is created or imported from another identity provider:
 * a password (in clear, to be hashed now, or as the other system's hash), a TOTP secret, and the user's accounts
 * at the project's connections (Ory Kratos imports social sign-in the same way), so a migrated user keeps
 * signing in with Google & co.
 */
export const IdentityCredentialsInput = z
  .object({
    password: z
      .object({
        value: PasswordSchema.optional(),
        /** argon2id, bcrypt ($2a/$2b/$2y) or pbkdf2-sha256 ($pbkdf2-sha256$…); upgraded to argon2id at the next login. */
        hash: z
          .string()
          .max(1024)
          .superRefine((hash, ctx) => {
            const problem = importedHashProblem(hash);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          })
          .optional(),
      })
      .strict()
      .refine(
        (password) => (password.value === undefined) !== (password.hash === undefined),
        'give exactly one of value or hash',
      )
      .optional(),
    totp: z
      .object({
        secret: z
          .string()
          .max(200)
          .refine(
            (secret) => normaliseTotpSecret(secret) !== undefined,
            'must be a base32 secret (A-Z, 2-7) of 80 to 512 bits',
          ),
      })
      .strict()
      .optional(),
    oidc: z
      .object({
        links: z
          .array(
            z
              .object({
                /** The connection's name in this project. */
                connection: z.string().min(1).max(100),
                /** The provider's `sub` for the user. */
                subject: z.string().min(1).max(255),
              })
              .strict(),
          )
          .min(1)
          .max(20)
          .refine(
            (links) => new Set(links.map((link) => link.connection)).size === links.length,
            'at most one account per connection',
          ),
      })
      .strict()
      .optional(),
  })
  .strict();
export type IdentityCredentialsInput = z.infer<typeof IdentityCredentialsInput>;
