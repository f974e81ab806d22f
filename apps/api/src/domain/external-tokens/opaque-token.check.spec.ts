import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeywayConfig } from '../../infra/config/config';
import { ExternalTokenVerifier } from './external-token.verifier';
import type { TrustedTokenIssuer } from './trusted-token-issuer';

// The opaque side against a real HTTP server: what each kind of answer means, and the signed call itself.

const SECRET = 'callback-secret-for-the-partner';

describe('ExternalTokenVerifier (opaque mode)', () => {
  const verifier = new ExternalTokenVerifier({ production: false } as KeywayConfig);
  let server: Server;
  let base = '';
  let last: { headers: IncomingHttpHeaders; body: string } | undefined;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        last = { headers: request.headers, body };
        const answers: Record<string, [number, string, Record<string, string>?]> = {
          '/ok': [200, JSON.stringify({ sub: 'partner-7', email: 'p7@example.com' })],
          '/created': [201, JSON.stringify({ sub: 'partner-8' })],
          '/redirect': [302, '', { location: '/ok' }],
          '/text': [200, 'yes'],
          '/array': [200, '[{"sub":"x"}]'],
          '/forbidden': [403, '{}'],
          '/unavailable': [503, '{}'],
        };
        const [status, text, headers] = answers[request.url ?? ''] ?? [404, '{}'];
        response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const issuer = (path: string, changes: Partial<TrustedTokenIssuer> = {}): TrustedTokenIssuer => ({
    id: 'i1',
    projectId: 'p1',
    name: 'backend',
    mode: 'opaque',
    issuer: null,
    audiences: [],
    jwksUri: null,
    jwks: null,
    allowedAlgs: [],
    callbackUrl: `${base}${path}`,
    callbackSecretSet: true,
    callbackTimeoutMs: 1000,
    subjectClaim: 'sub',
    claimMapping: {},
    updatePolicy: 'first-login',
    applications: [],
    createdAt: new Date(),
    updatedAt: new Date(),
    ...changes,
  });

  it('posts the token as JSON, signed over the timestamp and the body', async () => {
    const result = await verifier.checkOpaque(issuer('/ok'), SECRET, 'tok-1');
    expect(result).toMatchObject({ subject: 'partner-7', claims: { email: 'p7@example.com' } });
    expect(JSON.parse(last!.body)).toEqual({ token: 'tok-1', token_type_hint: 'access_token' });
    expect(last!.headers['content-type']).toBe('application/json');
    const timestamp = String(last!.headers['x-keyway-timestamp']);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(5);
    const mac = createHmac('sha256', SECRET).update(`${timestamp}.${last!.body}`).digest('hex');
    expect(last!.headers['x-keyway-signature']).toBe(`v1=${mac}`);
  });

  it('takes any 2xx with a JSON object naming the subject', async () => {
    expect(await verifier.checkOpaque(issuer('/created'), SECRET, 't')).toMatchObject({ subject: 'partner-8' });
  });

  it.each([
    ['a redirect (not followed)', '/redirect'],
    ['a 2xx that is not JSON', '/text'],
    ['a 2xx JSON array', '/array'],
    ['a 403', '/forbidden'],
    ['a 404', '/nowhere'],
  ])('calls %s invalid', async (_, path) => {
    expect(await verifier.checkOpaque(issuer(path), SECRET, 't')).toMatchObject({ refused: 'invalid' });
  });

  it('calls a profile without the subject claim invalid', async () => {
    expect(await verifier.checkOpaque(issuer('/ok', { subjectClaim: 'user_id' }), SECRET, 't')).toMatchObject({
      refused: 'invalid',
      detail: "the callback's profile has no user_id",
    });
  });

  it('calls a 5xx and an unreachable callback unavailable, never a sign-in', async () => {
    expect(await verifier.checkOpaque(issuer('/unavailable'), SECRET, 't')).toMatchObject({ refused: 'unavailable' });
    const closed = issuer('', { callbackUrl: 'http://127.0.0.1:1/check' });
    expect(await verifier.checkOpaque(closed, SECRET, 't')).toMatchObject({ refused: 'unavailable' });
  });

  it('does not call an http callback in production', async () => {
    const production = new ExternalTokenVerifier({ production: true } as KeywayConfig);
    last = undefined;
    expect(await production.checkOpaque(issuer('/ok'), SECRET, 't')).toMatchObject({ refused: 'unavailable' });
    expect(last).toBeUndefined();
  });
});
