import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { LogController, type FastifyInstance } from 'fastify';
import type { Logger as Pino } from 'pino';
import { AppModule } from './app.module';
import { createNestLogger, createRootLogger, registerAccessLog } from './infra/logging/logging';
import { protectApiDocs, registerSecurityHeaders } from './infra/http/security-headers';
import { rejectUnsafeInput } from './infra/http/unsafe-input';
import { installAsyncResourceBind } from './infra/runtime/async-resource-bind';
import type { KeywayConfig } from './infra/config/config';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * Builds the API (not yet listening): Fastify (JSON and form bodies), logging, OpenAPI at /api/docs.
 * Start-up failures are thrown (not printed by Nest and exited), so main.ts logs them in the configured format.
 */
export async function createApp(
  config: KeywayConfig,
  root: Pino = createRootLogger(config),
): Promise<NestFastifyApplication> {
  installAsyncResourceBind();
  const adapter = new FastifyAdapter({
    // Request loggers are children of the root logger; the access log is registerAccessLog's, not Fastify's.
    loggerInstance: root,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 256 * 1024,
    // X-Forwarded-For is believed only from the proxies KEYWAY_TRUST_PROXY names (unset: nobody), so a
    // client cannot choose the IP that rate limits count and that new-sign-in mails show.
    trustProxy: config.trustProxy,
    // The trace id of every error body: the caller's X-Request-Id when sane, else a fresh one.
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const header = req.headers['x-request-id'];
      return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    },
  });
  // The same pino logger from the first line on: what modules log while starting (the database
  // retrying) appears at once and in the configured format, not buffered until the app is up.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: createNestLogger(root),
    abortOnError: false,
  });
  app.enableShutdownHooks();
  // Before any route exists, so that every route gets the hooks.
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  registerSecurityHeaders(fastify, config);
  registerAccessLog(fastify);
  protectApiDocs(fastify, config);
  // Before any handler: NUL bytes, unpaired surrogates and absurd nesting are 400s naming the field, not
  // database or stack errors deep inside (see common/unsafe-input.ts).
  fastify.addHook('preValidation', async (request) => rejectUnsafeInput(request));

  // Built by the first request for the docs (SwaggerModule keeps it from then on), not at start-up: a replica that
  // never serves them never holds the document.
  const document = () =>
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Keyway API')
        .setDescription(
          'App-native authentication (/t/{tenant}/oauth2/...), OpenID Connect and the admin API (/api/admin/v1).',
        )
        .setVersion('1')
        .addBearerAuth()
        .build(),
    );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  return app;
}
