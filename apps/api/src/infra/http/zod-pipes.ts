import { createParamDecorator, type ExecutionContext, PipeTransform } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { describeIssues } from '../validation/zod-issues';
import { ApiError, fieldError, OAuthError, type FieldError } from './errors';

type Path = ReadonlyArray<PropertyKey>;
type Issue = z.core.$ZodIssue;

/** A field named by its path in the body, as docs/errors.md shows: `selectedAuthenticator.params.email`, `redirectUris[1]`. */
export function fieldPath(path: Path): string {
  return path.reduce<string>(
    (name, key) => (typeof key === 'number' ? `${name}[${key}]` : name ? `${name}.${String(key)}` : String(key)),
    '',
  );
}

/**
 * Every problem of a body that does not match its schema, one FieldError per field: `msg_field_required`
 * (absent, or an empty string where text is required), `msg_field_unknown` (a key a strict object does
 * not know), `msg_field_too_long`, `msg_field_invalid` (anything else, with the validator's message). A
 * union (a flow endpoint's "start or answer") reports the alternative the body came closest to, not
 * zod's bare "Invalid input".
 */
export function fieldErrors(schema: z.ZodType, body: unknown, error: z.ZodError): FieldError[] {
  // zod itself may pick an alternative of a top-level union by its own rule; every alternative is judged here alike.
  const issues =
    schema instanceof z.ZodUnion
      ? closest(
          schema.options.map((option) => z.safeParse(option, body).error?.issues ?? []),
          body,
        )
      : error.issues;
  return issues.flatMap((issue) => issueFields(issue, body, []));
}

function issueFields(issue: Issue, body: unknown, prefix: Path): FieldError[] {
  const path = [...prefix, ...issue.path];
  switch (issue.code) {
    case 'invalid_union':
      return issue.errors.length
        ? closest(issue.errors, valueAt(body, path)).flatMap((inner) => issueFields(inner, body, path))
        : [fieldError(fieldPath(path) || 'body', 'msg_field_invalid', issue.message)];
    case 'unrecognized_keys':
      return issue.keys.map((key) => fieldError(fieldPath([...path, key]), 'msg_field_unknown', 'Unrecognized key'));
    case 'invalid_type':
    case 'invalid_value':
      if (valueAt(body, path) === undefined)
        return [fieldError(fieldPath(path) || 'body', 'msg_field_required', 'is required')];
      break;
    case 'too_small':
      if (issue.origin === 'string' && valueAt(body, path) === '')
        return [fieldError(fieldPath(path), 'msg_field_required', 'is required')];
      break;
    case 'too_big':
      if (issue.origin === 'string') return [fieldError(fieldPath(path), 'msg_field_too_long', issue.message)];
      break;
  }
  return [fieldError(fieldPath(path) || 'body', 'msg_field_invalid', issue.message)];
}

/**
 * The alternative whose problems say least that the body was meant as another one: fewest keys it is
 * missing or does not know at its own level, then fewest problems, then the first declared.
 */
function closest(alternatives: ReadonlyArray<ReadonlyArray<Issue>>, input: unknown): ReadonlyArray<Issue> {
  const misfit = (issues: ReadonlyArray<Issue>) =>
    issues.reduce((count, issue) => {
      if (issue.code === 'unrecognized_keys' && issue.path.length === 0) return count + issue.keys.length;
      if (
        (issue.code === 'invalid_type' || issue.code === 'invalid_value') &&
        issue.path.length === 1 &&
        valueAt(input, issue.path) === undefined
      )
        return count + 1;
      return count;
    }, 0);
  let best = alternatives[0] ?? [];
  for (const candidate of alternatives.slice(1)) {
    const [a, b] = [misfit(candidate), misfit(best)];
    if (a < b || (a === b && candidate.length < best.length)) best = candidate;
  }
  return best;
}

function valueAt(value: unknown, path: Path): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, key))
      return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * The validated JSON body of a flow or admin endpoint: `@JsonBody(Schema) body`. A body that is not
 * application/json is 415; one that does not match the schema is 400 KW-40000 with every problem listed
 * in `description` and, by field path, in `fields` (see fieldErrors).
 */
export const JsonBody = (schema: z.ZodType): ParameterDecorator => JsonBodyDecorator({ schema });

// The schema travels wrapped: Nest would take a bare zod schema (it has a `transform` method) for a pipe.
const JsonBodyDecorator = createParamDecorator(
  ({ schema }: { schema: z.ZodType }, context: ExecutionContext): unknown => {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!request.headers['content-type']?.toLowerCase().startsWith('application/json'))
      throw ApiError.unsupportedMediaType('application/json');
    const body: unknown = request.body;
    if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw ApiError.invalidFields([fieldError('body', 'msg_field_invalid', 'must be a JSON object')]);
    }
    const result = schema.safeParse(body);
    if (!result.success) throw ApiError.invalidFields(fieldErrors(schema, body, result.error));
    return result.data;
  },
);

/**
 * Validates OAuth request parameters (query or form). RFC 6749 §3.1: parameters must not repeat, except those
 * an extension lets repeat (`repeatable`, e.g. RFC 8707 `resource`), which arrive as arrays. Failures become
 * `invalid_request`.
 */
export class OAuthParamsPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly repeatable: readonly string[] = [],
  ) {}

  transform(value: unknown): z.infer<S> {
    const params = (value ?? {}) as Record<string, unknown>;
    if (typeof params !== 'object') throw new OAuthError('invalid_request', 'parameters must be form-encoded');
    for (const [name, param] of Object.entries(params)) {
      if (Array.isArray(param) && !this.repeatable.includes(name))
        throw new OAuthError('invalid_request', `parameter '${name}' is included more than once`);
    }
    const result = this.schema.safeParse(params);
    if (!result.success) throw new OAuthError('invalid_request', describeIssues(result.error));
    return result.data;
  }
}

/**
 * The validated query of an admin endpoint: `@ValidQuery(Schema) query`. Every parameter is a string (or absent);
 * one given twice, or one that does not match the schema, is 400 KW-40000 naming it in `description` and `fields`,
 * like a body's problems.
 */
export const ValidQuery = (schema: z.ZodType): ParameterDecorator => ValidQueryDecorator({ schema });

const ValidQueryDecorator = createParamDecorator(
  ({ schema }: { schema: z.ZodType }, context: ExecutionContext): unknown => {
    const query = (context.switchToHttp().getRequest<FastifyRequest>().query ?? {}) as Record<string, unknown>;
    const repeated = Object.entries(query).filter(([, value]) => typeof value !== 'string');
    if (repeated.length)
      throw ApiError.invalidFields(
        repeated.map(([name]) => fieldError(name, 'msg_field_invalid', 'must be given once')),
      );
    const result = schema.safeParse(query);
    if (!result.success) throw ApiError.invalidFields(fieldErrors(schema, query, result.error));
    return result.data;
  },
);
