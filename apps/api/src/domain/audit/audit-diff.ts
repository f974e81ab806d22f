import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';

/** What a secret's value becomes in the audit log: the reader learns that it changed, never what it is. */
export const REDACTED = '[REDACTED]';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A changed field (dotted path) with its value before and after; null for absent. */
export type AuditChanges = Record<string, { before: Json; after: Json }>;

/**
 * Field names whose values are secrets wherever they appear (any level of the path): SMTP passwords, client
 * secrets and their hashes, sealed values, private keys, TOTP secrets.
 */
const SECRET_FIELDS = new Set([
  'password',
  'passwordSealed',
  'secret',
  'clientSecret',
  'clientSecretHash',
  'privateJwk',
  'privateJwkEncrypted',
  'sealedSecret',
]);

/** Longer strings (an email template's HTML) are recorded by length and digest, so events stay small. */
const MAX_RECORDED_LENGTH = 2000;

/**
 * The before/after diff an admin change records in its audit event (`data.changes`): objects are compared key
 * by key (`settings.lockout.maxAttempts`), arrays and other values as a whole. Only what changed is listed; a
 * secret's values are replaced by REDACTED (or null when absent), as are those of the `secrets` given; a string
 * longer than 2,000 characters becomes `{length, sha256}`.
 */
export function auditDiff(before: unknown, after: unknown, secrets: readonly string[] = []): AuditChanges {
  const changes: AuditChanges = {};
  const isSecret = (path: string[]) => path.some((segment) => SECRET_FIELDS.has(segment) || secrets.includes(segment));
  const walk = (path: string[], a: unknown, b: unknown): void => {
    const [left, right] = [toJson(a), toJson(b)];
    if (isObject(left) || isObject(right)) {
      if (isObject(left) !== isObject(right) && left !== null && right !== null) {
        record(path, left, right);
        return;
      }
      const l = isObject(left) ? left : {};
      const r = isObject(right) ? right : {};
      for (const key of [...new Set([...Object.keys(l), ...Object.keys(r)])].sort())
        walk([...path, key], l[key] ?? null, r[key] ?? null);
      return;
    }
    if (!isDeepStrictEqual(left, right)) record(path, left, right);
  };
  const record = (path: string[], a: Json, b: Json) => {
    const field = path.join('.') || 'value';
    changes[field] = isSecret(path)
      ? { before: a === null ? null : REDACTED, after: b === null ? null : REDACTED }
      : { before: summarise(a), after: summarise(b) };
  };
  walk([], before, after);
  return changes;
}

function summarise(value: Json): Json {
  if (typeof value !== 'string' || value.length <= MAX_RECORDED_LENGTH) return value;
  return { length: value.length, sha256: createHash('sha256').update(value).digest('hex') };
}

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value as JSON would store it: dates as ISO strings, undefined as null, functions dropped. */
function toJson(value: unknown): Json {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return Object.fromEntries(entries.map(([k, v]) => [k, toJson(v)]));
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return null;
}
