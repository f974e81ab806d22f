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

/** A schema to check and preview; nothing is stored. */
export const PreviewIdentitySchemaBody = z.object({ schema: z.record(z.string(), z.unknown()) }).strict();
export type PreviewIdentitySchemaBody = z.infer<typeof PreviewIdentitySchemaBody>;

export const SetDefaultIdentitySchemaBody = z.object({ version: z.number().int().positive() }).strict();
export type SetDefaultIdentitySchemaBody = z.infer<typeof SetDefaultIdentitySchemaBody>;
