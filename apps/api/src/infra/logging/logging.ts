import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import pino, { stdSerializers, type Level, type Logger, type LoggerOptions } from 'pino';
import type { KeywayConfig } from '../config/config';

/** What replaces a credential in every log line. */
const REDACTED = '[REDACTED]';

/**
 * Query parameters that carry credentials or one-time secrets: bearer and refresh tokens (RFC 6750 §2.3
 * forbids us nothing, but clients do send them), client secrets on GET /authorize, authorization codes
 * and PKCE verifiers, the mailed verification-link token, passwords and OTPs of misdirected form posts,
 * and the FiPA auth_session. Matched without regard to case.
 */
const SECRET_QUERY_PARAMS = new Set(
  [
    'access_token',
    'refresh_token',
    'id_token',
    'id_token_hint',
    'client_secret',
    'client_assertion',
    'code',
    'code_verifier',
    'token',
    'password',
    'otp',
    'otpcode',
    'auth_session',
    'subject_token',
    'actor_token',
  ].map((name) => name.toLowerCase()),
);

/**
 * Headers that carry credentials, for pino's `redact` paths. Logged requests and responses are plain objects
 * (the access log's: pino-std-serializers' request, Fastify's reply headers), so the paths name their `headers` maps.
 */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-auth-token"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

/** The URL with the value of every credential-carrying query parameter replaced by [REDACTED]. */
export function redactUrl(url: string): string {
  const queryAt = url.indexOf('?');
  if (queryAt < 0) return url;
  const [query, fragment] = splitOnce(url.slice(queryAt + 1), '#');
  // Rebuilt by hand rather than with URLSearchParams so that everything else stays byte for byte as sent.
  const redacted = query
    .split('&')
    .map((pair) => {
      const [rawName] = splitOnce(pair, '=');
      return SECRET_QUERY_PARAMS.has(decodeName(rawName).toLowerCase()) ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, queryAt)}?${redacted}${fragment === undefined ? '' : `#${fragment}`}`;
}

interface SerializedRequest {
  url?: string;
  query?: Record<string, unknown>;
  [key: string]: unknown;
}

interface SerializedResponse {
  headers?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The access log (and anyone logging a `req`) hands this the pino-std-serializers object of the request. */
function serializeRequest(req: SerializedRequest): SerializedRequest {
  const out: SerializedRequest = { ...req };
  if (typeof out.url === 'string') out.url = redactUrl(out.url);
  if (out.query && typeof out.query === 'object') {
    out.query = Object.fromEntries(
      Object.entries(out.query).map(([name, value]) => [
        name,
        SECRET_QUERY_PARAMS.has(name.toLowerCase()) ? REDACTED : value,
      ]),
    );
  }
  return out;
}

/** A redirect to a client carries the authorization code in its Location. */
function serializeResponse(res: SerializedResponse): SerializedResponse {
  const location = res.headers?.['location'];
  if (typeof location !== 'string') return res;
  return { ...res, headers: { ...res.headers, location: redactUrl(location) } };
}

/** The options of every Keyway logger: level, format and redaction, from the configuration. */
export function loggerOptions(config: Pick<KeywayConfig, 'logLevel' | 'logFormat'>): LoggerOptions {
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: { req: serializeRequest, res: serializeResponse },
    transport: config.logFormat === 'pretty' ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
  };
}

/** The process's one pino logger; start-up, Nest and request logs all go through it. */
export function createRootLogger(config: Pick<KeywayConfig, 'logLevel' | 'logFormat'>): Logger {
  return pino(loggerOptions(config));
}

/**
 * Nest's logger (its own start-up lines and every service's `new Logger(context)`) as nestjs-pino's adapter over the
 * root logger. Service lines carry their context and the domain's ids (project, identity, client, flow), not the
 * request id: binding the request's logger for them would take nestjs-pino's middleware and its AsyncLocalStorage,
 * which on Node 20 and 22 puts a hook on every promise of the process. That cost about 9 % of a refresh's CPU and
 * 16 % of a client_credentials grant's (docs/benchmark.md, "Logging"). The request id is on the access log line, on
 * whatever a handler logs through `request.log`, and on every error the exception filter logs (`traceId`).
 */
export function createNestLogger(root: Logger): LoggerService {
  const params = { pinoHttp: { logger: root } };
  return new NestPinoLogger(new PinoLogger(params), params);
}

/** Probes every few seconds would drown the log. */
const UNLOGGED_PATH = /^\/health(\/|\?|$)/;

/**
 * The access log: one `request completed` line per answered request, at `info` (`error` from 500 on). 503 answers
 * are logged once, by whoever produced them (the exception filter for an unreachable database, readiness on state
 * changes), not again per request here. Written from Fastify's onResponse hook, and only serialized when its level
 * is written: a request at `warn` costs a level check, where pino-http bound a serialized copy of every request to
 * a child logger whatever the level.
 */
export function registerAccessLog(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    writeAccessLog(request, reply);
    done();
  });
}

function writeAccessLog(request: FastifyRequest, reply: FastifyReply): void {
  const level = accessLogLevel(reply.statusCode);
  // Fastify's request logger is a child of the root logger (createApp's loggerInstance): pino's, with its full API.
  const log = request.log as Logger;
  if (!level || !log.isLevelEnabled(level) || UNLOGGED_PATH.test(request.url)) return;
  log[level](
    {
      req: { ...stdSerializers.req(request.raw), id: request.id },
      // Fastify's own view of the headers: it writes them with writeHead, which the raw response does not keep.
      res: { statusCode: reply.statusCode, headers: reply.getHeaders() },
      responseTime: Math.round(reply.elapsedTime),
    },
    'request completed',
  );
}

function accessLogLevel(status: number): Level | undefined {
  if (status === 503) return undefined;
  return status >= 500 ? 'error' : 'info';
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replaceAll('+', ' '));
  } catch {
    return name;
  }
}
