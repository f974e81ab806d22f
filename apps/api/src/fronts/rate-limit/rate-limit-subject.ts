import { createHmac, createSecretKey } from 'node:crypto';
import type { ExecutionContext } from '@nestjs/common';
import { decodeBasicCredentials } from '../../infra/http/basic-credentials';
import { normaliseIdentifier } from '../../domain/schemas/identity-traits';
import type { RateLimitGroup, RateLimitKind, RateLimitRule } from '../../infra/config/rate-limit-policy';

/**
 * What the guard learned about one request before the throttlers count it: the project (by slug), the
 * endpoint group, the rules that apply and the trackers other than the IP. Kept beside the request object,
 * not on it.
 */
export interface RateLimitSubject {
  slug: string;
  group: RateLimitGroup;
  rules: Partial<Record<RateLimitKind, RateLimitRule>>;
  /** Normalised identifier (username, login_hint or email) the request names, if any. */
  identifier: string | undefined;
  /** client_id of a token request (body or Basic credentials), if any. */
  clientId: string | undefined;
}

const subjects = new WeakMap<object, RateLimitSubject>();

export function setSubject(request: object, subject: RateLimitSubject): void {
  subjects.set(request, subject);
}

export function subjectOf(context: ExecutionContext): RateLimitSubject | undefined {
  return subjects.get(context.switchToHttp().getRequest<object>());
}

/** Fields that name the user, per group, looked up in the body and in an app-native answer's params. */
const IDENTIFIER_FIELDS: Record<RateLimitGroup, readonly string[]> = {
  // authn: selectedAuthenticator.params.username (password, email OTP); FiPA: username or login_hint.
  login: ['username', 'login_hint'],
  token: [],
  // verification start {email}; recovery step {email}; registration step {traits.email}; hosted forms alike.
  selfService: ['email', 'traits.email'],
};

/**
 * The identifier a request names (in its body, an app-native answer's params, or the query of a GET), normalised
 * as logins compare them (NFKC, trimmed, lower case).
 */
export function identifierOf(group: RateLimitGroup, body: unknown, query?: unknown): string | undefined {
  const sources = [
    body,
    (asRecord(body)?.['selectedAuthenticator'] as Record<string, unknown> | undefined)?.['params'],
    query,
  ];
  for (const source of sources) {
    const record = asRecord(source);
    if (!record) continue;
    for (const field of IDENTIFIER_FIELDS[group]) {
      const value = record[field];
      if (typeof value !== 'string') continue;
      // NFKC first: full-width and other compatibility forms of one name must share its counter.
      const normalised = normaliseIdentifier(value.normalize('NFKC'));
      if (normalised) return normalised;
    }
  }
  return undefined;
}

/** client_id of a token request: from `Authorization: Basic` (RFC 6749 §2.3.1) or the body; never throws. */
export function clientIdOf(authorization: string | undefined, body: unknown): string | undefined {
  const basic = decodeBasicCredentials(authorization);
  if (basic !== undefined) return basic === 'malformed' || basic.clientId === '' ? undefined : basic.clientId;
  const clientId = asRecord(body)?.['client_id'];
  return typeof clientId === 'string' && clientId !== '' ? clientId : undefined;
}

/**
 * The counter key of one tracker: `{slug}:{group}:{kind}:{digest}`. Trackers (IPs, email addresses,
 * usernames) are never stored in clear, in memory or in Redis: the digest is an HMAC under a key derived
 * from KEYWAY_SECRET_KEY (a plain hash of an email address is reversed by hashing a list of addresses).
 * Replicas share the secret, so they derive the same keys.
 */
export function keyFunction(
  secretKey: Uint8Array,
): (subject: RateLimitSubject, kind: string, tracker: string) => string {
  // A KeyObject, so each request's HMAC does not prepare the key again.
  const hmacKey = createSecretKey(createHmac('sha256', secretKey).update('keyway rate-limit keys v1').digest());
  return (subject, kind, tracker) => {
    const digest = createHmac('sha256', hmacKey).update(`${kind}\0${tracker}`).digest('base64url').slice(0, 27);
    return `${subject.slug}:${subject.group}:${kind}:${digest}`;
  };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
