import { createParamDecorator, type ExecutionContext, PipeTransform } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError, OAuthError } from './errors';

/** Human-readable list of what is wrong, e.g. "traits.email: Invalid email address" (paths under `prefix` if given). */
export function describeIssues(error: z.ZodError, prefix?: string): string {
  return error.issues
    .map((issue) => {
      const path = [...(prefix ? [prefix] : []), ...issue.path].join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/**
 * The validated JSON body of a flow or admin endpoint: `@JsonBody(Schema) body`. A body that is not
 * application/json is 415; one that does not match the schema is 400 with every problem listed.
 */
export const JsonBody = (schema: z.ZodType): ParameterDecorator => JsonBodyDecorator({ schema });

// The schema travels wrapped: Nest would take a bare zod schema (it has a `transform` method) for a pipe.
const JsonBodyDecorator = createParamDecorator(({ schema }: { schema: z.ZodType }, context: ExecutionContext): unknown => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  if (!request.headers['content-type']?.toLowerCase().startsWith('application/json')) throw ApiError.unsupportedMediaType('application/json');
  const body: unknown = request.body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw ApiError.badRequest('The request body must be a JSON object.');
  }
  const result = schema.safeParse(body);
  if (!result.success) throw ApiError.badRequest(describeIssues(result.error));
  return result.data;
});

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
