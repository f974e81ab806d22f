import { z } from 'zod';

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
