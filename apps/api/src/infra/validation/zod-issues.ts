import type { z } from 'zod';

/**
 * Human-readable list of what is wrong, e.g. "traits.email: Invalid email address" (paths under `prefix` if
 * given). Shared by the configuration (start-up errors) and the HTTP fronts (400 descriptions).
 */
export function describeIssues(error: z.ZodError, prefix?: string): string {
  return error.issues
    .map((issue) => {
      const path = [...(prefix ? [prefix] : []), ...issue.path].join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
