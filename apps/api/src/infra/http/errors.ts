import { HttpStatus } from '@nestjs/common';

/**
 * RFC 6749 §5.2 / §4.1.2.1 error, answered as `{error, error_description}` by the OAuth endpoints.
 */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status: number = error === 'invalid_client' || error === 'invalid_token'
      ? HttpStatus.UNAUTHORIZED
      : HttpStatus.BAD_REQUEST,
  ) {
    super(`${error}: ${description}`);
  }
}

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  /** RFC 8707 §2: the requested resource is invalid, missing, unknown or malformed. */
  | 'invalid_target'
  | 'invalid_token'
  | 'access_denied'
  | 'server_error'
  /** draft-ietf-oauth-first-party-apps §5.2.2.1: unknown, expired, finished or foreign auth_session. */
  | 'invalid_session'
  /** OIDC Core §3.1.2.6: prompt=none, and the user must sign in (or step up: interaction_required). */
  | 'login_required'
  | 'interaction_required';

/** One field's problem in an API error body: `messageId` is stable, `i18nKey` names the translation. */
export interface FieldError {
  field: string;
  messageId: string;
  message: string;
  i18nKey: string;
}

/** A FieldError whose i18nKey follows its messageId, as every messageId of the API does. */
export function fieldError(field: string, messageId: string, message: string): FieldError {
  return { field, messageId, message, i18nKey: `message.${messageId}` };
}

/**
 * An error of the flow and admin APIs, answered as `{code, message, description, traceId}` (WSO2 shape).
 * `code` is stable and documented; `message` is short; `description` says what to fix.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly description: string,
    /** Per-field problems (e.g. invalid traits), for clients that show each beside its input. */
    readonly fields?: FieldError[],
  ) {
    super(message);
  }

  /** 400 listing each field's problem in the description and, machine-readable, in `fields`. */
  static invalidFields(fields: FieldError[], code: string = ErrorCodes.INVALID_REQUEST): ApiError {
    const description = fields.map((field) => `${field.field}: ${field.message}`).join('; ');
    return new ApiError(HttpStatus.BAD_REQUEST, code, 'Invalid request.', description, fields);
  }

  static badRequest(description: string, code: string = ErrorCodes.INVALID_REQUEST): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, code, 'Invalid request.', description);
  }

  static unsupportedMediaType(expected: string): ApiError {
    return new ApiError(
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      ErrorCodes.UNSUPPORTED_MEDIA_TYPE,
      'Unsupported media type.',
      `Content-Type must be ${expected}.`,
    );
  }

  /** A flow answered by two requests at once: the one that lost the optimistic lock. */
  static flowConflict(): ApiError {
    return new ApiError(
      HttpStatus.CONFLICT,
      ErrorCodes.FLOW_CONCURRENT_UPDATE,
      'Conflict.',
      'The flow was advanced by another request.',
    );
  }

  static notFound(description: string, code: string = ErrorCodes.NOT_FOUND): ApiError {
    return new ApiError(HttpStatus.NOT_FOUND, code, 'Resource not found.', description);
  }

  static conflict(description: string, code: string = ErrorCodes.CONFLICT): ApiError {
    return new ApiError(HttpStatus.CONFLICT, code, 'Conflict.', description);
  }
}

/**
 * A request refused by a rate limit (429, KW-42900), with the seconds until the same request may be sent
 * again (`Retry-After`). OAuth endpoints answer it as `temporarily_unavailable` (see exception.filter.ts).
 */
export class RateLimitError extends ApiError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      HttpStatus.TOO_MANY_REQUESTS,
      ErrorCodes.RATE_LIMITED,
      'Too many requests.',
      `Too many requests; retry after ${retryAfterSeconds} seconds.`,
    );
  }
}

/** Stable error codes of the flow and admin APIs (documented in docs/errors.md). */
export const ErrorCodes = {
  INVALID_REQUEST: 'KW-40000',
  /** An invitation link that is wrong, used, revoked or expired: one answer for all (admin invitations). */
  INVITATION_INVALID: 'KW-40001',
  UNSUPPORTED_MEDIA_TYPE: 'KW-41500',
  UNAUTHORIZED: 'KW-40100',
  FORBIDDEN: 'KW-40300',
  /** The session's sign-in is older than the project's privileged window: re-authenticate (settings flow). */
  REAUTHENTICATION_REQUIRED: 'KW-40301',
  NOT_FOUND: 'KW-40400',
  CONFLICT: 'KW-40900',
  RATE_LIMITED: 'KW-42900',
  INTERNAL: 'KW-50000',
  /** The database did not answer in time (outage, overload): retry after the Retry-After seconds. */
  UNAVAILABLE: 'KW-50300',
  FLOW_INVALID_ID: 'FLW-60001',
  FLOW_INVALID_AUTHENTICATOR: 'FLW-60002',
  FLOW_MISSING_PARAMS: 'FLW-60003',
  FLOW_CONCURRENT_UPDATE: 'FLW-60004',
} as const;
