import { PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { ApiError, OAuthError } from './errors';

/** Human-readable list of what is wrong, e.g. "traits.email: Invalid email address". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Validates a JSON body of the flow or admin APIs; failures become 400 `{code, message, description}`. */
export class ZodBodyPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    if (value === undefined || value === null || typeof value !== 'object') {
      throw ApiError.badRequest('The request body must be a JSON object.');
    }
    const result = this.schema.safeParse(value);
    if (!result.success) throw ApiError.badRequest(describeIssues(result.error));
    return result.data;
  }
}

/**
 * Validates OAuth request parameters (query or form). RFC 6749 §3.1: parameters must not repeat.
 * Failures become `invalid_request`.
 */
export class OAuthParamsPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const params = (value ?? {}) as Record<string, unknown>;
    if (typeof params !== 'object') throw new OAuthError('invalid_request', 'parameters must be form-encoded');
    for (const [name, param] of Object.entries(params)) {
      if (Array.isArray(param)) throw new OAuthError('invalid_request', `parameter '${name}' is included more than once`);
    }
    const result = this.schema.safeParse(params);
    if (!result.success) throw new OAuthError('invalid_request', describeIssues(result.error));
    return result.data;
  }
}
