import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions, redactUrl } from './logging';

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
