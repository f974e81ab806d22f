import { z } from 'zod';
import { ResourceIdentifier, ScopeName } from '../../domain/api-resources/api-resource';

const Scopes = z
  .array(
    z
      .object({
        name: ScopeName,
        description: z.string().trim().max(500).default(''),
      })
      .strict(),
  )
  .max(100, 'at most 100 scopes')
  .refine((scopes) => new Set(scopes.map((scope) => scope.name)).size === scopes.length, 'scope names must be unique');

const ApiResourceFields = {
  name: z.string().trim().min(1).max(200),
  scopes: Scopes,
  /** Seconds; null: the project's accessTokenTtlSeconds (the same bounds apply). */
  accessTokenTtlSeconds: z.number().int().min(60).max(86_400).nullable(),
};

export const CreateApiResourceBody = z
  .object({
    /** Absolute URI without a fragment, e.g. https://api.example.com/orders; cannot be changed later. */
    identifier: ResourceIdentifier,
    name: ApiResourceFields.name,
    scopes: ApiResourceFields.scopes.default([]),
    accessTokenTtlSeconds: ApiResourceFields.accessTokenTtlSeconds.default(null),
  })
  .strict();
export type CreateApiResourceBody = z.infer<typeof CreateApiResourceBody>;

/** Partial update; the identifier never changes (resource servers check tokens' `aud` against it). */
export const UpdateApiResourceBody = z
  .object({
    name: ApiResourceFields.name.optional(),
    scopes: ApiResourceFields.scopes.optional(),
    accessTokenTtlSeconds: ApiResourceFields.accessTokenTtlSeconds.optional(),
  })
  .strict()
  .refine(
    (body) => Object.keys(body).length > 0,
    'name at least one field to change: name, scopes or accessTokenTtlSeconds',
  );
export type UpdateApiResourceBody = z.infer<typeof UpdateApiResourceBody>;

/** The whole list of what an application may get with client_credentials; it replaces the previous one. */
export const ReplaceResourceGrantsBody = z
  .object({
    grants: z
      .array(
        z
          .object({
            /** The API resource's identifier. */
            resource: z.string().min(1).max(2048),
            scopes: z.array(ScopeName).max(100),
          })
          .strict(),
      )
      .max(100),
  })
  .strict();
export type ReplaceResourceGrantsBody = z.infer<typeof ReplaceResourceGrantsBody>;
