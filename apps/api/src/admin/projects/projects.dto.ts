import { z } from 'zod';
import { SIGNING_ALGS } from '../../domain/keys/signing-key-lifecycle';
import { ProjectSettingsInput } from '../../domain/projects/project-settings';

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

/** Which keys to rotate: one alg, or every alg when `alg` is left out (one transaction: all or none). */
export const RotateSigningKeysBody = z.object({ alg: z.enum(SIGNING_ALGS).optional() }).strict();
export type RotateSigningKeysBody = z.infer<typeof RotateSigningKeysBody>;
