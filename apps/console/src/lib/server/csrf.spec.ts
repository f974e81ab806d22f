import { NextRequest } from 'next/server';
import { csrfCookieName, refuseCrossSite } from './csrf';

const TOKEN = 'k1IcvK8cW3x9yJmFGZ0dC4Y2Qe0iN7sPpR5tU6vW8xA';

function request(method: string, headers: Record<string, string>): NextRequest {
  return new NextRequest('http://localhost:3001/api/admin/projects', { method, headers });
}

async function refusal(response: Response | undefined) {
  return response && { status: response.status, body: await response.json() };
}

describe('refuseCrossSite', () => {
  const env = process.env['KEYWAY_CONSOLE_URL'];
  beforeEach(() => (process.env['KEYWAY_CONSOLE_URL'] = 'http://localhost:3001'));
  afterAll(() =>
    env === undefined ? delete process.env['KEYWAY_CONSOLE_URL'] : (process.env['KEYWAY_CONSOLE_URL'] = env),
  );

  const cookie = () => `${csrfCookieName()}=${TOKEN}`;

  it('lets reads through', () => {
    expect(refuseCrossSite(request('GET', {}))).toBeUndefined();
    expect(refuseCrossSite(request('HEAD', {}))).toBeUndefined();
  });

  it('lets a change through with the console’s Origin and the cookie’s token in the header', () => {
    const allowed = request('POST', { origin: 'http://localhost:3001', cookie: cookie(), 'x-keyway-csrf': TOKEN });
    expect(refuseCrossSite(allowed)).toBeUndefined();
  });

  it.each([
    ['no Origin', { cookie: cookie(), 'x-keyway-csrf': TOKEN }, /must carry an Origin/],
    [
      'another origin',
      { origin: 'https://evil.example', cookie: cookie(), 'x-keyway-csrf': TOKEN },
      /not https:\/\/evil/,
    ],
    [
      'another port',
      { origin: 'http://localhost:3000', cookie: cookie(), 'x-keyway-csrf': TOKEN },
      /not http:\/\/localhost:3000/,
    ],
    ['no token', { origin: 'http://localhost:3001', cookie: cookie() }, /x-keyway-csrf header/],
    ['no cookie', { origin: 'http://localhost:3001', 'x-keyway-csrf': TOKEN }, /x-keyway-csrf header/],
    [
      'another token',
      { origin: 'http://localhost:3001', cookie: cookie(), 'x-keyway-csrf': TOKEN.replace('k', 'K') },
      /x-keyway-csrf/,
    ],
    [
      'a shorter token',
      { origin: 'http://localhost:3001', cookie: cookie(), 'x-keyway-csrf': TOKEN.slice(1) },
      /x-keyway-csrf/,
    ],
  ])('refuses a change with %s (403 KW-40300)', async (_case, headers, description) => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'])
      expect(await refusal(refuseCrossSite(request(method, headers)))).toEqual({
        status: 403,
        body: {
          code: 'KW-40300',
          message: 'Forbidden.',
          description: expect.stringMatching(description),
          traceId: expect.any(String),
        },
      });
  });

  it('names the cookie __Host-… when the console is https, and takes only that one', () => {
    process.env['KEYWAY_CONSOLE_URL'] = 'https://console.example.com';
    expect(csrfCookieName()).toBe('__Host-keyway-console-csrf');
    const headers = { origin: 'https://console.example.com', 'x-keyway-csrf': TOKEN };
    expect(refuseCrossSite(request('POST', { ...headers, cookie: `keyway-console-csrf=${TOKEN}` }))).toBeDefined();
    expect(
      refuseCrossSite(request('POST', { ...headers, cookie: `__Host-keyway-console-csrf=${TOKEN}` })),
    ).toBeUndefined();
  });
});
