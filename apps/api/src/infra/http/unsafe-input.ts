import type { FastifyRequest } from 'fastify';
import { ApiError, type FieldError } from './errors';

/**
 * Client input that no handler can use safely, found once at the boundary (a Fastify hook on every route):
 * - text PostgreSQL cannot store or compare: NUL (U+0000) is refused by `text` and `jsonb`, and an unpaired
 *   UTF-16 surrogate cannot be encoded as UTF-8 at all — either made a query fail, i.e. a 500;
 * - nesting deeper than any request of ours has, which recursive code (validators, JSON columns, template
 *   walkers) would otherwise meet with a stack overflow.
 * Everything else is the handlers' business; this only keeps impossible input from becoming a 5xx.
 */

/** Deeper than any body of the API (identity schemas, the deepest, need about a dozen levels). */
export const MAX_INPUT_DEPTH = 64;

// A high surrogate not followed by a low one, or a low one not preceded by a high one (lib ES2023 lacks isWellFormed).
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What is wrong with a client-supplied string as text, or undefined when it is fine. */
export function textProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain NUL characters (U+0000)';
  if (UNPAIRED_SURROGATE.test(value)) return 'must be valid Unicode text (it contains an unpaired UTF-16 surrogate)';
  return undefined;
}

/** The first unusable string (value or key) or too-deep nesting in a parsed value, named by its path. */
export function findUnsafeInput(value: unknown, field: string, depth = 0): FieldError | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? fieldError(field, 'msg_invalid_text', problem) : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_INPUT_DEPTH)
    return fieldError(field, 'msg_too_deep', `is nested too deeply (at most ${MAX_INPUT_DEPTH} levels)`);
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnsafeInput(item, `${field}[${index}]`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  // Object.keys: own keys only, so a `__proto__` key JSON.parse made an own property is checked like any other.
  for (const key of Object.keys(value)) {
    const child = field ? `${field}.${key}` : key;
    const keyProblem = textProblem(key);
    if (keyProblem) return fieldError(child, 'msg_invalid_text', `(the name) ${keyProblem}`);
    const found = findUnsafeInput((value as Record<string, unknown>)[key], child, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * Refuses a request whose path params, query or parsed body (JSON or form) hold unusable input: 400 naming
 * the field. The exception filter gives it the endpoint's shape (RFC 6749 `invalid_request` on OAuth endpoints).
 */
export function rejectUnsafeInput(request: Pick<FastifyRequest, 'params' | 'query' | 'body'>): void {
  const found =
    findUnsafeInput(request.params, '') ?? findUnsafeInput(request.query, '') ?? findUnsafeInput(request.body, '');
  if (found) throw ApiError.invalidFields([found]);
}

function fieldError(field: string, messageId: string, message: string): FieldError {
  return { field: field || 'body', messageId, message, i18nKey: `message.${messageId}` };
}
