import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { KeywayConfig } from '../../infra/config/config';
import { ExternalTokenVerifier } from './external-token.verifier';
import { DEFAULT_ALGS, type TrustedTokenIssuer } from './trusted-token-issuer';

// The JWT side of external tokens against real keys: a static JWKS, and a JWKS served over HTTP like a
// partner's. Every claim check refuses; a key set that cannot be fetched is "unavailable", never a sign-in.

const ISS = 'https://partner.example.com';
const AUD = 'keyway-demo';

describe('ExternalTokenVerifier (jwt mode)', () => {
  const verifier = new ExternalTokenVerifier({ production: false } as KeywayConfig);
  let privateKey: CryptoKey;
  let publicJwk: JWK;
  let otherKey: CryptoKey;
  let server: Server;
  let jwksUrl: string;
  let served: { keys: JWK[] } = { keys: [] };
  let fetches = 0;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    otherKey = (await generateKeyPair('ES256')).privateKey;
    served = { keys: [publicJwk] };
    server = createServer((request, response) => {
      fetches++;
      if (request.url === '/down') {
        response.writeHead(503).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  function issuer(changes: Partial<TrustedTokenIssuer> = {}): TrustedTokenIssuer {
    return {
      id: 'i1',
      projectId: 'p1',
      name: 'partner',
      mode: 'jwt',
      issuer: ISS,
      audiences: [AUD],
      jwksUri: null,
      jwks: { keys: [publicJwk as Record<string, unknown>] },
      allowedAlgs: [...DEFAULT_ALGS],
      callbackUrl: null,
      callbackSecretSet: false,
      callbackTimeoutMs: 5000,
      subjectClaim: 'sub',
      claimMapping: {},
      updatePolicy: 'first-login',
      applications: [],
      createdAt: new Date(),
      updatedAt: new Date(),
      ...changes,
    };
  }

  function token(claims: Record<string, unknown> = {}, key: CryptoKey = privateKey, kid = 'k1') {
    return new SignJWT({ sub: 'user-1', email: 'u@example.com', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(typeof claims['iss'] === 'string' ? claims['iss'] : ISS)
      .setAudience(typeof claims['aud'] === 'string' ? claims['aud'] : AUD)
      .setIssuedAt()
      .setExpirationTime(typeof claims['exp'] === 'number' ? claims['exp'] : '5m')
      .sign(key);
  }

  it('accepts a token signed by a static key, naming the subject and the claims', async () => {
    const result = await verifier.verifyJwt([issuer()], await token());
    expect(result).toMatchObject({ subject: 'user-1', claims: { email: 'u@example.com' } });
  });

  it('reads the subject from the configured claim', async () => {
    const result = await verifier.verifyJwt([issuer({ subjectClaim: 'uid' })], await token({ uid: 'partner-9' }));
    expect(result).toMatchObject({ subject: 'partner-9' });
    expect(await verifier.verifyJwt([issuer({ subjectClaim: 'uid' })], await token())).toMatchObject({
      refused: 'invalid',
      detail: 'the token has no uid claim',
    });
  });

  it.each([
    ['another issuer', { iss: 'https://evil.example.com' }, /no trusted issuer/],
    ['another audience', { aud: 'someone-else' }, /aud/],
    ['expired beyond the skew', { exp: Math.floor(Date.now() / 1000) - 120 }, /exp/],
    ['not yet valid', { nbf: Math.floor(Date.now() / 1000) + 600 }, /nbf/],
  ])('refuses a token with %s', async (_, claims, detail) => {
    const result = await verifier.verifyJwt([issuer()], await token(claims));
    expect(result).toMatchObject({ refused: 'invalid', detail: expect.stringMatching(detail) });
  });

  it('tolerates a small clock skew on exp', async () => {
    const result = await verifier.verifyJwt([issuer()], await token({ exp: Math.floor(Date.now() / 1000) - 10 }));
    expect(result).toMatchObject({ subject: 'user-1' });
  });

  it('refuses a token without exp, a wrong signature, a disallowed alg and garbage', async () => {
    const noExp = await new SignJWT({ sub: 'user-1' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISS)
      .setAudience(AUD)
      .sign(privateKey);
    expect(await verifier.verifyJwt([issuer()], noExp)).toMatchObject({ refused: 'invalid' });
    expect(await verifier.verifyJwt([issuer()], await token({}, otherKey))).toMatchObject({ refused: 'invalid' });
    expect(await verifier.verifyJwt([issuer({ allowedAlgs: ['RS256'] })], await token())).toMatchObject({
      refused: 'invalid',
    });
    expect(await verifier.verifyJwt([issuer()], 'not-a-jwt')).toEqual({ refused: 'invalid', detail: 'not a JWT' });
  });

  it('refuses an HMAC token even when its secret would be the public key material', async () => {
    const hs = await new SignJWT({ sub: 'user-1' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setIssuer(ISS)
      .setAudience(AUD)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
    expect(await verifier.verifyJwt([issuer()], hs)).toMatchObject({ refused: 'invalid' });
  });

  it('fetches a remote JWKS once, and an unknown kid does not refetch within the cooldown', async () => {
    const remote = issuer({ jwks: null, jwksUri: jwksUrl });
    const before = fetches;
    expect(await verifier.verifyJwt([remote], await token())).toMatchObject({ subject: 'user-1' });
    expect(await verifier.verifyJwt([remote], await token())).toMatchObject({ subject: 'user-1' });
    expect(fetches - before).toBe(1);
    expect(await verifier.verifyJwt([remote], await token({}, otherKey, 'unknown'))).toMatchObject({
      refused: 'invalid',
    });
    expect(fetches - before).toBeLessThanOrEqual(2);
  });

  it('says "unavailable" when the partner keys cannot be fetched', async () => {
    const down = issuer({ jwks: null, jwksUri: jwksUrl.replace('/jwks', '/down') });
    expect(await verifier.verifyJwt([down], await token())).toMatchObject({ refused: 'unavailable' });
    const closed = issuer({ jwks: null, jwksUri: 'http://127.0.0.1:1/jwks' });
    expect(await verifier.verifyJwt([closed], await token())).toMatchObject({ refused: 'unavailable' });
  });

  it('does not call a JWKS URL the upstream rules refuse', async () => {
    const production = new ExternalTokenVerifier({ production: true } as KeywayConfig);
    const before = fetches;
    const result = await production.verifyJwt([issuer({ jwks: null, jwksUri: jwksUrl })], await token());
    expect(result).toMatchObject({ refused: 'unavailable', detail: expect.stringMatching(/https/) });
    expect(fetches).toBe(before);
  });
});
