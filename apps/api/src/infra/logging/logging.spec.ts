import { Writable } from 'node:stream';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import pino, { type Level } from 'pino';
import { createNestLogger, loggerOptions, redactUrl, registerAccessLog } from './logging';

describe('redactUrl', () => {
  it('replaces the values of credential-carrying query parameters, whatever their case, and keeps the rest as sent', () => {
    expect(
      redactUrl('/t/demo/oauth2/authorize?client_id=app&client_secret=s3cret&scope=openid%20email&state=xyz'),
    ).toBe('/t/demo/oauth2/authorize?client_id=app&client_secret=[REDACTED]&scope=openid%20email&state=xyz');
    expect(redactUrl('/t/demo/ui/verification/confirm?flow=f1&token=abc#top')).toBe(
      '/t/demo/ui/verification/confirm?flow=f1&token=[REDACTED]#top',
    );
    expect(redactUrl('/x?Access_Token=a&REFRESH_TOKEN=b&code=c&code_verifier=d&id_token_hint=e&password=f')).toBe(
      '/x?Access_Token=[REDACTED]&REFRESH_TOKEN=[REDACTED]&code=[REDACTED]&code_verifier=[REDACTED]&id_token_hint=[REDACTED]&password=[REDACTED]',
    );
    // An encoded name is still the parameter the server reads.
    expect(redactUrl('/x?client%5Fsecret=s')).toBe('/x?client%5Fsecret=[REDACTED]');
    expect(redactUrl('/x?token')).toBe('/x?token=[REDACTED]');
    expect(redactUrl('/health')).toBe('/health');
  });
});

describe('loggerOptions', () => {
  it('redacts credential headers, query parameters and a redirect Location in logged requests and responses', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    const logger = pino({ ...loggerOptions({ logLevel: 'info', logFormat: 'json' }), transport: undefined }, sink);
    logger.info(
      {
        req: {
          method: 'GET',
          url: '/t/d/oauth2/userinfo?access_token=AT1',
          query: { token: 'T1' },
          headers: { authorization: 'Bearer AT2', cookie: 'c=C1', 'x-api-key': 'K1', accept: '*/*' },
        },
        res: { statusCode: 302, headers: { location: 'com.app:/cb?code=CODE1&state=s', 'set-cookie': 'sid=S1' } },
      },
      'request completed',
    );
    const line = lines.join('');
    for (const secret of ['AT1', 'T1', 'AT2', 'C1', 'K1', 'CODE1', 'S1']) expect(line).not.toContain(secret);
    expect(JSON.parse(line)).toMatchObject({
      req: {
        url: '/t/d/oauth2/userinfo?access_token=[REDACTED]',
        headers: { authorization: '[REDACTED]', accept: '*/*' },
      },
      res: { headers: { location: 'com.app:/cb?code=[REDACTED]&state=s' } },
    });
  });
});

describe('registerAccessLog', () => {
  let lines: Record<string, unknown>[];
  let app: FastifyInstance;

  async function server(level: Level): Promise<FastifyInstance> {
    lines = [];
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const root = pino({ ...loggerOptions({ logLevel: level, logFormat: 'json' }), transport: undefined }, sink);
    // As createApp builds it; typed as the default instance (Fastify types the logger it is given by its class).
    app = Fastify({
      loggerInstance: root,
      logController: new LogController({ disableRequestLogging: true }),
      genReqId: () => 'req-1',
    }) as unknown as FastifyInstance;
    registerAccessLog(app);
    app.get('/ok', async (request) => {
      request.log.warn('inside');
      return { ok: true };
    });
    app.get('/fail', async (_request, reply) => reply.code(500).send({ error: 'server_error' }));
    app.get('/down', async (_request, reply) => reply.code(503).send({ error: 'temporarily_unavailable' }));
    app.get('/health', async () => ({ status: 'ok' }));
    await app.ready();
    return app;
  }

  afterEach(() => app.close());

  it('writes one line per answered request, with the request id, status and credentials redacted', async () => {
    await server('info');
    await app.inject({ url: '/ok?token=T1&flow=f', headers: { authorization: 'Bearer AT1' } });
    const completed = lines.filter((line) => line['msg'] === 'request completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({
      level: 30,
      reqId: 'req-1',
      req: { id: 'req-1', method: 'GET', url: '/ok?token=[REDACTED]&flow=f', headers: { authorization: '[REDACTED]' } },
      res: { statusCode: 200, headers: { 'content-type': expect.stringContaining('application/json') } },
      responseTime: expect.any(Number),
    });
    expect(JSON.stringify(lines)).not.toMatch(/T1|AT1/);
    // What handlers log during the request carries its id.
    expect(lines.find((line) => line['msg'] === 'inside')).toMatchObject({ reqId: 'req-1' });
  });

  it('logs 5xx answers at error, and neither 503 answers nor health probes', async () => {
    await server('info');
    await app.inject({ url: '/fail' });
    await app.inject({ url: '/down' });
    await app.inject({ url: '/health' });
    expect(lines.map((line) => [line['level'], (line['res'] as { statusCode: number }).statusCode])).toEqual([
      [50, 500],
    ]);
  });

  it('writes no line for a successful request at warn, and still one for a failed one', async () => {
    await server('warn');
    await app.inject({ url: '/ok' });
    await app.inject({ url: '/fail' });
    expect(lines.map((line) => line['msg'])).toEqual(['inside', 'request completed']);
    expect(lines[1]).toMatchObject({ level: 50 });
  });
});

describe('createNestLogger', () => {
  it("writes Nest's and the services' lines through the root logger, at its level, with their context", () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => (
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>),
        done()
      ),
    });
    const root = pino({ ...loggerOptions({ logLevel: 'info', logFormat: 'json' }), transport: undefined }, sink);
    const nest = createNestLogger(root);
    nest.log('ready', 'Health');
    nest.warn({ projectId: 'p1', passkeyFailure: 'origin' }, 'Passkeys');
    nest.debug?.('not written at info', 'Health');
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, context: 'Health', msg: 'ready' }),
      expect.objectContaining({ level: 40, context: 'Passkeys', projectId: 'p1', passkeyFailure: 'origin' }),
    ]);
  });
});
