import { z } from 'zod';

/** Per-project policy. Stored as JSON on the project; every field has a secure default. */
export const ProjectSettings = z
  .object({
    lockout: z
      .object({
        /** Failed attempts (per identity and factor) before the identity locks. */
        maxAttempts: z.number().int().min(1).max(100).default(5),
        /** How long a lock lasts. */
        durationSeconds: z.number().int().min(1).max(86_400 * 30).default(900),
      })
      .prefault({}),
    flowTtlSeconds: z.number().int().min(30).max(3600).default(600),
    /** RFC 6749 §4.1.2 recommends at most 10 minutes; we default to 60 s. */
    authorizationCodeTtlSeconds: z.number().int().min(5).max(600).default(60),
    accessTokenTtlSeconds: z.number().int().min(60).max(86_400).default(900),
    idTokenTtlSeconds: z.number().int().min(60).max(86_400).default(3600),
    /** Idle lifetime of a refresh token; each rotation starts a new one. */
    refreshTokenTtlSeconds: z.number().int().min(60).max(86_400 * 365).default(86_400 * 30),
    /** Absolute lifetime of a login's refresh-token family; rotation never extends past it. */
    refreshTokenAbsoluteTtlSeconds: z.number().int().min(60).max(86_400 * 730).default(86_400 * 90),
    sessionTtlSeconds: z.number().int().min(60).max(86_400 * 365).default(86_400 * 30),
  })
  .strict();
export type ProjectSettings = z.infer<typeof ProjectSettings>;

/** Settings as an admin may send them: any subset, merged over the defaults. */
export const ProjectSettingsInput = ProjectSettings.partial().extend({
  lockout: z.object({ maxAttempts: z.number().int().min(1).max(100), durationSeconds: z.number().int().min(1) }).partial().optional(),
}).strict();
export type ProjectSettingsInput = z.infer<typeof ProjectSettingsInput>;
