import { createHash } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import {
  UpstreamIdTokenRejected,
  UpstreamIdTokenVerifier,
  type UpstreamIdTokenFailure,
  type UpstreamTokenPolicy,
} from './upstream-id-token.verifier';
import { startKeySetServer, startUpstreamProvider, type UpstreamProvider } from '@keyway/e2e-support';

const COOLDOWN_MS = 200;
const NONCE = 'flow-nonce-4f1c2a';
const now = () => Math.floor(Date.now() / 1000);
// jose refuses a refetch until the cooldown has passed since the last one: the only wait these tests make.
const waitOutCooldown = () => new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 50));

async function rejectionOf(verification: Promise<unknown>): Promise<UpstreamIdTokenFailure> {
  const error = await verification.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof UpstreamIdTokenRejected)) throw new Error(`expected a rejection, got ${String(error)}`);
  return error.reason;
}

describe('UpstreamIdTokenVerifier against oidc-provider', () => {
  let upstream: UpstreamProvider;
  let verifier: UpstreamIdTokenVerifier;
  let policy: UpstreamTokenPolicy;

  beforeAll(async () => {
    upstream = await startUpstreamProvider({ 'ios-app': 'RS256', 'android-app': 'ES256', 'web-app': 'EdDSA' });
    policy = { issuer: upstream.issuer, jwksUri: upstream.jwksUri, audiences: ['ios-app', 'android-app'] };
  });
  afterAll(() => upstream.close());
  beforeEach(() => {
    verifier = new UpstreamIdTokenVerifier({ cooldownMs: COOLDOWN_MS });
  });

  it('accepts a real ID token and returns its normalised claims', async () => {
    const idToken = await upstream.mintIdToken('ios-app', {
      sub: 'upstream-user-1',
      nonce: NONCE,
      claims: { email: 'ada@example.com', email_verified: true, name: 'Ada Lovelace' },
      amr: ['pwd', 'mfa'],
    });
    await expect(verifier.verify(policy, idToken, { expectedNonce: NONCE })).resolves.toMatchObject({
      sub: 'upstream-user-1',
      email: 'ada@example.com',
      emailVerified: true,
      name: 'Ada Lovelace',
      amr: ['pwd', 'mfa'],
    });
  });

  it('accepts a token for any of the allowed audiences (the Android client, ES256)', async () => {
    const idToken = await upstream.mintIdToken('android-app', { sub: 'upstream-user-2', nonce: NONCE });
    await expect(verifier.verify(policy, idToken, { expectedNonce: NONCE })).resolves.toMatchObject({
      sub: 'upstream-user-2',
      emailVerified: false,
    });
  });

  it('refuses a token issued to a client outside the audiences', async () => {
    const idToken = await upstream.mintIdToken('web-app', { sub: 'upstream-user-1', nonce: NONCE });
    expect(await rejectionOf(verifier.verify(policy, idToken, { expectedNonce: NONCE }))).toBe('audience');
  });

  it('refuses a token whose nonce is not the flow’s', async () => {
    const idToken = await upstream.mintIdToken('ios-app', { sub: 'upstream-user-1', nonce: 'another-flow' });
    expect(await rejectionOf(verifier.verify(policy, idToken, { expectedNonce: NONCE }))).toBe('nonce');
  });

  it('refuses a token without a nonce', async () => {
    const idToken = await upstream.mintIdToken('ios-app', { sub: 'upstream-user-1' });
    expect(await rejectionOf(verifier.verify(policy, idToken, { expectedNonce: NONCE }))).toBe('nonce');
  });

  it('refuses an expired token, beyond the clock skew', async () => {
    const idToken = await upstream.mintIdToken('ios-app', {
      sub: 'upstream-user-1',
      nonce: NONCE,
      expiresAt: now() - 600,
    });
    expect(await rejectionOf(verifier.verify(policy, idToken, { expectedNonce: NONCE }))).toBe('expired');
  });

  it('refuses a token from another issuer', async () => {
    const idToken = await upstream.mintIdToken('ios-app', { sub: 'upstream-user-1', nonce: NONCE });
    const elsewhere = { ...policy, issuer: 'https://accounts.example.com' };
    expect(await rejectionOf(verifier.verify(elsewhere, idToken, { expectedNonce: NONCE }))).toBe('issuer');
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const idToken = await upstream.mintIdToken('ios-app', { sub: 'upstream-user-1', nonce: NONCE });
    const [header, payload, signature] = idToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as JWTPayload;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url');
    const tampered = [header, forged, signature].join('.');
    expect(await rejectionOf(verifier.verify(policy, tampered, { expectedNonce: NONCE }))).toBe('signature');
  });

  it('checks at_hash with SHA-256 for RS256 and SHA-512 for EdDSA', async () => {
    const accessToken = 'upstream-access-token';
    const rs256 = await upstream.mintIdToken('ios-app', { sub: 'upstream-user-1', nonce: NONCE, accessToken });
    const edDsa = await upstream.mintIdToken('web-app', { sub: 'upstream-user-1', nonce: NONCE, accessToken });
    const withWeb = { ...policy, audiences: ['web-app'] };
    await expect(verifier.verify(policy, rs256, { expectedNonce: NONCE, accessToken })).resolves.toMatchObject({
      sub: 'upstream-user-1',
    });
    await expect(verifier.verify(withWeb, edDsa, { expectedNonce: NONCE, accessToken })).resolves.toMatchObject({
      sub: 'upstream-user-1',
    });
  });

  it('refuses an access token that does not match at_hash', async () => {
    const idToken = await upstream.mintIdToken('ios-app', { sub: 'u', nonce: NONCE, accessToken: 'the-real-one' });
    const verification = verifier.verify(policy, idToken, { expectedNonce: NONCE, accessToken: 'a-swapped-one' });
    expect(await rejectionOf(verification)).toBe('at_hash');
  });

  it('refuses an access token when the ID token carries no at_hash', async () => {
    const idToken = await upstream.mintIdToken('ios-app', { sub: 'upstream-user-1', nonce: NONCE });
    const verification = verifier.verify(policy, idToken, { expectedNonce: NONCE, accessToken: 'some-token' });
    expect(await rejectionOf(verification)).toBe('at_hash');
  });

  it('accepts Apple-style tokens: hashed nonce and email_verified as a string', async () => {
    const apple = { ...policy, nonceIsHashed: true };
    const idToken = await upstream.mintIdToken('ios-app', {
      sub: 'apple-user',
      nonce: createHash('sha256').update(NONCE).digest('hex'),
      claims: { email: 'relay@privaterelay.appleid.com', email_verified: 'true' },
    });
    await expect(verifier.verify(apple, idToken, { expectedNonce: NONCE })).resolves.toMatchObject({
      sub: 'apple-user',
      email: 'relay@privaterelay.appleid.com',
      emailVerified: true,
    });
    // The raw nonce in the token is not the hash Apple would have put there.
    const raw = await upstream.mintIdToken('ios-app', { sub: 'apple-user', nonce: NONCE });
    expect(await rejectionOf(verifier.verify(apple, raw, { expectedNonce: NONCE }))).toBe('nonce');
  });
});

describe('UpstreamIdTokenVerifier with keys the test publishes', () => {
  const ISSUER = 'https://upstream.example';

  const validClaims = () => ({
    iss: ISSUER,
    aud: 'ios-app',
    sub: 'upstream-user-1',
    nonce: NONCE,
    iat: now(),
    exp: now() + 300,
  });

  async function signingKey(kid: string) {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    const sign = (claims: JWTPayload) =>
      new SignJWT({ ...validClaims(), ...claims }).setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey);
    return { jwk, sign };
  }

  let verifier: UpstreamIdTokenVerifier;
  beforeEach(() => {
    verifier = new UpstreamIdTokenVerifier({ cooldownMs: COOLDOWN_MS });
  });

  it('refuses a token signed by a key outside the JWKS after one refetch, then without refetching', async () => {
    const published = await signingKey('published');
    const stranger = await signingKey('stranger');
    const keySet = await startKeySetServer([published.jwk]);
    const policy = { issuer: ISSUER, jwksUri: keySet.jwksUri, audiences: ['ios-app'] };
    try {
      await verifier.verify(policy, await published.sign({}), { expectedNonce: NONCE });
      expect(keySet.fetches).toBe(1);
      await waitOutCooldown();

      const unknown = await stranger.sign({});
      expect(await rejectionOf(verifier.verify(policy, unknown, { expectedNonce: NONCE }))).toBe('unknown_key');
      expect(keySet.fetches).toBe(2);
      // Within the cooldown, more unknown kids cannot make us fetch again.
      expect(await rejectionOf(verifier.verify(policy, unknown, { expectedNonce: NONCE }))).toBe('unknown_key');
      expect(keySet.fetches).toBe(2);
    } finally {
      await keySet.close();
    }
  });

  it('accepts a token from a rotated-in key after one refetch', async () => {
    const before = await signingKey('before');
    const after = await signingKey('after');
    const keySet = await startKeySetServer([before.jwk]);
    const policy = { issuer: ISSUER, jwksUri: keySet.jwksUri, audiences: ['ios-app'] };
    try {
      await verifier.verify(policy, await before.sign({}), { expectedNonce: NONCE });
      keySet.publish([after.jwk]);
      await waitOutCooldown();

      await expect(verifier.verify(policy, await after.sign({}), { expectedNonce: NONCE })).resolves.toMatchObject({
        sub: 'upstream-user-1',
      });
      expect(keySet.fetches).toBe(2);
    } finally {
      await keySet.close();
    }
  });

  it('refuses tokens signed with a shared secret or unsigned', async () => {
    const keySet = await startKeySetServer([]);
    const policy = { issuer: ISSUER, jwksUri: keySet.jwksUri, audiences: ['ios-app'] };
    try {
      const hs256 = await new SignJWT(validClaims())
        .setProtectedHeader({ alg: 'HS256' })
        .sign(Buffer.from('upstream-client-secret-of-32-bytes!'));
      expect(await rejectionOf(verifier.verify(policy, hs256, { expectedNonce: NONCE }))).toBe('algorithm');

      const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
      const unsigned = `${encode({ alg: 'none' })}.${encode(validClaims())}.`;
      expect(await rejectionOf(verifier.verify(policy, unsigned, { expectedNonce: NONCE }))).toBe('algorithm');
    } finally {
      await keySet.close();
    }
  });

  it('refuses several audiences whose azp is not one of ours', async () => {
    const key = await signingKey('k');
    const keySet = await startKeySetServer([key.jwk]);
    const policy = { issuer: ISSUER, jwksUri: keySet.jwksUri, audiences: ['ios-app'] };
    try {
      const ours = await key.sign({ aud: ['ios-app', 'partner-app'], azp: 'ios-app' });
      await expect(verifier.verify(policy, ours, { expectedNonce: NONCE })).resolves.toMatchObject({
        sub: 'upstream-user-1',
      });
      const theirs = await key.sign({ aud: ['ios-app', 'partner-app'], azp: 'partner-app' });
      expect(await rejectionOf(verifier.verify(policy, theirs, { expectedNonce: NONCE }))).toBe('authorized_party');
    } finally {
      await keySet.close();
    }
  });

  it('refuses a token issued in the future beyond the skew, and one without sub', async () => {
    const key = await signingKey('k');
    const keySet = await startKeySetServer([key.jwk]);
    const policy = { issuer: ISSUER, jwksUri: keySet.jwksUri, audiences: ['ios-app'], clockSkewSeconds: 30 };
    try {
      const future = await key.sign({ iat: now() + 120 });
      expect(await rejectionOf(verifier.verify(policy, future, { expectedNonce: NONCE }))).toBe('not_yet_valid');
      const withinSkew = await key.sign({ iat: now() + 10 });
      await expect(verifier.verify(policy, withinSkew, { expectedNonce: NONCE })).resolves.toMatchObject({
        sub: 'upstream-user-1',
      });
      const anonymous = await key.sign({ sub: undefined });
      expect(await rejectionOf(verifier.verify(policy, anonymous, { expectedNonce: NONCE }))).toBe('subject');
    } finally {
      await keySet.close();
    }
  });

  it('reports an unreachable JWKS as the provider’s failure', async () => {
    const key = await signingKey('k');
    const keySet = await startKeySetServer([key.jwk]);
    const policy = { issuer: ISSUER, jwksUri: keySet.jwksUri, audiences: ['ios-app'] };
    await keySet.close();
    expect(await rejectionOf(verifier.verify(policy, await key.sign({}), { expectedNonce: NONCE }))).toBe(
      'keys_unavailable',
    );
  });

  it('refuses something that is not a JWT', async () => {
    const policy = { issuer: ISSUER, jwksUri: 'http://127.0.0.1:9/jwks', audiences: ['ios-app'] };
    expect(await rejectionOf(verifier.verify(policy, 'not-a-jwt', { expectedNonce: NONCE }))).toBe('malformed');
  });
});
