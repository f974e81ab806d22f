import { z } from 'zod';
import { GRANT_TYPES, RedirectUri } from '../applications/application';
import { DefaultTraits, PasswordSchema } from '../identities/identity-traits';
import { ProjectSettingsInput } from '../projects/project-settings';

export const CreateProjectBody = z
  .object({
    slug: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen'),
    name: z.string().trim().min(1).max(200),
    settings: ProjectSettingsInput.optional(),
  })
  .strict();
export type CreateProjectBody = z.infer<typeof CreateProjectBody>;

export const CreateApplicationBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    type: z.enum(['public', 'confidential']),
    redirectUris: z.array(RedirectUri).min(1, 'at least one redirect URI is required').max(50),
    grantTypes: z.array(z.enum(GRANT_TYPES)).min(1).default(['authorization_code', 'refresh_token']),
    appNative: z.boolean().default(false),
    /** Optional fixed client_id (e.g. for seeded or migrated apps); generated when absent. */
    clientId: z.string().regex(/^[A-Za-z0-9._~-]{3,128}$/, 'must be 3-128 unreserved URI characters').optional(),
  })
  .strict();
export type CreateApplicationBody = z.infer<typeof CreateApplicationBody>;

export const CreateIdentityBody = z
  .object({
    traits: DefaultTraits,
    password: PasswordSchema.optional(),
  })
  .strict();
export type CreateIdentityBody = z.infer<typeof CreateIdentityBody>;
