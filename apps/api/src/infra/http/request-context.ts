import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * What the request that completes a login says about the client: its User-Agent and IP address (Fastify's
 * `req.ip`, which follows X-Forwarded-For as the app trusts its proxy). Passed down from the controllers
 * as a plain value rather than through a request-scoped provider, which would rebuild services per request.
 */
export interface RequestContext {
  userAgent: string | undefined;
  ip: string | undefined;
}

/** `@ClientContext() client: RequestContext` in a controller method. */
export const ClientContext = createParamDecorator((_data: unknown, context: ExecutionContext): RequestContext => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const userAgent = request.headers['user-agent'];
  return { userAgent: typeof userAgent === 'string' ? userAgent : undefined, ip: request.ip };
});
