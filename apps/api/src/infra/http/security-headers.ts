import type { FastifyInstance } from 'fastify';
import type { KeywayConfig } from '../config/config';
import { constantTimeEqual } from '../crypto/tokens';
import { ErrorCodes } from './errors';

/**
 * Answers of these endpoints carry tokens, codes, secrets or personal data and must never be stored by
 * a browser or an intermediary (RFC 6749 §5.1 asks `no-store` + `Pragma: no-cache` of token responses).
 * Endpoints that allow caching (discovery, JWKS) say so themselves and keep their header.
 */
const NO_STORE = /^\/(t\/[^/?]+\/(oauth2|flows|me)(\/|\?|$)|api\/admin\/)/;

const DOCS = /^\/api\/docs(\/|\?|$)/;

/** HSTS for a year, as OWASP recommends; only sent when the public URL is https. */
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Headers every answer gets, whoever produced it (controllers, the exception filter, Fastify's 404):
 * `nosniff` (no content sniffing of JSON into HTML), HSTS behind an https public URL, and `no-store`
 * on the credential-carrying endpoint families.
 */
export function registerSecurityHeaders(fastify: FastifyInstance, config: Pick<KeywayConfig, 'publicUrl'>): void {
  const hsts = new URL(config.publicUrl).protocol === 'https:';
  fastify.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    if (hsts) void reply.header('strict-transport-security', HSTS);
    if (!reply.hasHeader('cache-control') && NO_STORE.test(request.url)) {
      void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    }
    return payload;
  });
}

/**
 * In production the OpenAPI document and Swagger UI describe every admin operation, so they need the
 * admin token like the admin API itself (fetch them with `Authorization: Bearer …`). During development
 * they stay open, as a browser cannot add the header to a page it navigates to.
 */
export function protectApiDocs(
  fastify: FastifyInstance,
  config: Pick<KeywayConfig, 'production' | 'adminToken'>,
): void {
  if (!config.production) return;
  fastify.addHook('onRequest', async (request, reply) => {
    if (!DOCS.test(request.url)) return;
    const token = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (token !== undefined && constantTimeEqual(token, config.adminToken)) return;
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="keyway-admin"')
      .header('cache-control', 'no-store')
      .send({
        code: ErrorCodes.UNAUTHORIZED,
        message: 'Unauthorized.',
        description: 'The API documentation needs the admin token in production.',
        traceId: String(request.id),
      });
  });
}
