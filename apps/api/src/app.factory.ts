import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import type { KeywayConfig } from './config/config';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** Builds the API (not yet listening): Fastify (JSON and form bodies), logging, OpenAPI at /api/docs. */
export async function createApp(config: KeywayConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
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
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Keyway API')
      .setDescription('App-native authentication (/t/{tenant}/oauth2/...), OpenID Connect and the admin API (/api/admin/v1).')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  return app;
}
