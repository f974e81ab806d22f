import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describeUnavailable, isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../database/unavailable';
import { ApiError, ErrorCodes, OAuthError, RateLimitError, type FieldError } from './errors';

/**
 * One place that turns every failure into the body its endpoint family promises:
 * - OAuth endpoints (/t/{tenant}/oauth2/* except /authn): RFC 6749 `{error, error_description}`;
 * - everything else (flows, admin): `{code, message, description, traceId}`.
 * Client mistakes are 4xx with a clear description; only our own bugs become 500, without details.
 */
@Catch()
export class KeywayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { status, oauth, api, headers } = this.describe(exception, request);

    // An outage is not our bug: one warning line per failed request (no stack trace), and the client
    // is told to retry. The access log stays silent on 503 answers (infra/logging/logging.ts).
    if (status === HttpStatus.SERVICE_UNAVAILABLE)
      this.logger.warn({ traceId: request.id, reason: describeUnavailable(exception) }, 'database unavailable');
    else if (status >= 500) this.logger.error({ err: exception, traceId: request.id }, 'unhandled error');
    for (const [name, value] of Object.entries(headers ?? {})) void reply.header(name, value);
    void reply.header('cache-control', 'no-store');
    void reply.status(status).send(isOAuthEndpoint(request.url) ? oauth : { ...api, traceId: String(request.id) });
  }

  private describe(exception: unknown, request: FastifyRequest): Described {
    if (exception instanceof OAuthError) {
      const headers =
        exception.error === 'invalid_token'
          ? { 'www-authenticate': `Bearer error="invalid_token", error_description="${exception.description}"` }
          : exception.error === 'invalid_client' && request.headers.authorization?.startsWith('Basic ')
            ? { 'www-authenticate': 'Basic realm="keyway"' }
            : undefined;
      return {
        status: exception.status,
        oauth: { error: exception.error, error_description: exception.description },
        // Outside the OAuth endpoints (e.g. /me, a Bearer-protected resource) a bad token is still a 401.
        api:
          exception.status === HttpStatus.UNAUTHORIZED
            ? { code: ErrorCodes.UNAUTHORIZED, message: 'Unauthorized.', description: exception.description }
            : { code: ErrorCodes.INVALID_REQUEST, message: 'Invalid request.', description: exception.description },
        headers,
      };
    }
    if (exception instanceof ApiError) {
      return {
        status: exception.status,
        oauth: { error: oauthCodeFor(exception.status), error_description: exception.description },
        api: {
          code: exception.code,
          message: exception.message,
          description: exception.description,
          ...(exception.fields ? { fields: exception.fields } : {}),
        },
        headers:
          exception instanceof RateLimitError ? { 'retry-after': String(exception.retryAfterSeconds) } : undefined,
      };
    }
    if (isDatabaseUnavailable(exception)) {
      const description = 'The database did not answer in time; retry later.';
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        // RFC 6749 §4.1.2.1 / §5.2 (as extended by OAuth practice): temporarily_unavailable.
        oauth: { error: 'temporarily_unavailable', error_description: description },
        api: { code: ErrorCodes.UNAVAILABLE, message: 'Service unavailable.', description },
        headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
      };
    }
    const status = statusOf(exception);
    if (status !== undefined && status < 500) {
      const description = describeClientError(exception, status);
      return {
        status,
        oauth: { error: oauthCodeFor(status), error_description: description },
        api: {
          code: apiCodeFor(status),
          message: HttpStatus[status]?.replace(/_/g, ' ').toLowerCase() ?? 'error',
          description,
        },
      };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      oauth: { error: 'server_error', error_description: 'The server failed to process the request.' },
      api: {
        code: ErrorCodes.INTERNAL,
        message: 'Internal server error.',
        description: 'The server failed to process the request.',
      },
    };
  }
}

interface Described {
  status: number;
  oauth: { error: string; error_description: string };
  api: { code: string; message: string; description: string; fields?: FieldError[] };
  headers?: Record<string, string> | undefined;
}

export function isOAuthEndpoint(url: string): boolean {
  return /^\/t\/[^/]+\/(oauth2\/(?!authn\b)|\.well-known\/)/.test(url);
}

/** Status of Nest's HttpExceptions and of Fastify's own errors (body parsing, content type, size). */
function statusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  const candidate = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof candidate === 'number' ? candidate : undefined;
}

function describeClientError(exception: unknown, status: number): string {
  const code = (exception as { code?: unknown }).code;
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'Unsupported Content-Type for this endpoint.';
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'The request body is empty but Content-Type is application/json.';
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'The request body is too large.';
  if (exception instanceof SyntaxError || code === 'FST_ERR_CTP_INVALID_JSON_BODY')
    return 'The request body is not valid JSON.';
  if (status === HttpStatus.NOT_FOUND) return 'No such endpoint.';
  if (status === HttpStatus.TOO_MANY_REQUESTS) return 'Too many requests; retry later.';
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    return Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);
  }
  return (exception as Error).message ?? 'Bad request.';
}

function oauthCodeFor(status: number): string {
  if (status === HttpStatus.UNAUTHORIZED) return 'invalid_client';
  // OAuth registers no code for rate limiting. `temporarily_unavailable` (RFC 6749 §4.1.2.1: "unable to handle
  // the request due to a temporary overloading") is the registered code that means "try again later", and
  // generic clients treat it so; the 429 status and Retry-After say how long. Not `slow_down`: RFC 8628 §3.5
  // defines it for device-flow polling, where clients react by adding 5 s to their poll interval.
  if (status === HttpStatus.TOO_MANY_REQUESTS) return 'temporarily_unavailable';
  return 'invalid_request';
}

function apiCodeFor(status: number): string {
  switch (status) {
    case HttpStatus.UNAUTHORIZED:
      return ErrorCodes.UNAUTHORIZED;
    case HttpStatus.FORBIDDEN:
      return ErrorCodes.FORBIDDEN;
    case HttpStatus.NOT_FOUND:
      return ErrorCodes.NOT_FOUND;
    case HttpStatus.UNSUPPORTED_MEDIA_TYPE:
      return ErrorCodes.UNSUPPORTED_MEDIA_TYPE;
    case HttpStatus.TOO_MANY_REQUESTS:
      return ErrorCodes.RATE_LIMITED;
    default:
      return ErrorCodes.INVALID_REQUEST;
  }
}
