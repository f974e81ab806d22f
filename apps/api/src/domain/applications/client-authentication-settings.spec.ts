import { exportJWK, generateKeyPair } from 'jose';
import {
  ClientJwksInput,
  jwksProblems,
  JwksUriInput,
  jwksUriScheme,
  nextClientAuthentication,
} from './client-authentication-settings';

const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] };

describe('nextClientAuthentication', () => {
  it('defaults to none for public clients and client_secret_basic for confidential ones', () => {
    expect(nextClientAuthentication('public', undefined, {})).toEqual({
      settings: { tokenEndpointAuthMethod: 'none', jwks: null, jwksUri: null },
    });
    expect(nextClientAuthentication('confidential', undefined, {})).toEqual({
      settings: { tokenEndpointAuthMethod: 'client_secret_basic', jwks: null, jwksUri: null },
    });
  });

  it('refuses a method for a public client and none for a confidential one', () => {
    expect(nextClientAuthentication('public', undefined, { tokenEndpointAuthMethod: 'client_secret_post' })).toEqual({
      problem: expect.stringMatching(/public client/),
    });
    expect(nextClientAuthentication('confidential', undefined, { tokenEndpointAuthMethod: 'none' })).toEqual({
      problem: expect.stringMatching(/confidential client/),
    });
  });

  it('private_key_jwt takes exactly one key source', () => {
    const method = 'private_key_jwt' as const;
    expect(nextClientAuthentication('confidential', undefined, { tokenEndpointAuthMethod: method })).toEqual({
      problem: expect.stringMatching(/needs the client's public keys/),
    });
    expect(
      nextClientAuthentication('confidential', undefined, {
        tokenEndpointAuthMethod: method,
        jwks,
        jwksUri: 'https://app.example/jwks',
      }),
    ).toEqual({ problem: expect.stringMatching(/not both/) });
    expect(nextClientAuthentication('confidential', undefined, { tokenEndpointAuthMethod: method, jwks })).toEqual({
      settings: { tokenEndpointAuthMethod: method, jwks, jwksUri: null },
    });
  });

  it('naming one key source replaces the other; keys go when the method leaves private_key_jwt', () => {
    const current = { tokenEndpointAuthMethod: 'private_key_jwt' as const, jwks, jwksUri: null };
    expect(nextClientAuthentication('confidential', current, { jwksUri: 'https://app.example/jwks' })).toEqual({
      settings: { tokenEndpointAuthMethod: 'private_key_jwt', jwks: null, jwksUri: 'https://app.example/jwks' },
    });
    expect(nextClientAuthentication('confidential', current, { jwks: null })).toEqual({
      problem: expect.stringMatching(/needs the client's public keys/),
    });
    expect(
      nextClientAuthentication('confidential', current, { tokenEndpointAuthMethod: 'client_secret_basic' }),
    ).toEqual({ settings: { tokenEndpointAuthMethod: 'client_secret_basic', jwks: null, jwksUri: null } });
  });

  it('refuses keys for a secret method', () => {
    expect(nextClientAuthentication('confidential', undefined, { jwks })).toEqual({
      problem: expect.stringMatching(/private_key_jwt only/),
    });
  });
});

describe('client keys', () => {
  it('accepts public RSA, P-256 and Ed25519 keys', async () => {
    const keys = await Promise.all(
      (['RS256', 'ES256', 'EdDSA'] as const).map(async (alg) => ({
        ...(await exportJWK((await generateKeyPair(alg)).publicKey)),
        alg,
      })),
    );
    const parsed = ClientJwksInput.parse({ keys });
    expect(await jwksProblems(parsed)).toEqual([]);
  });

  it('refuses private keys, symmetric keys, small RSA keys, other curves and duplicate kids', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const problems = (value: unknown) => ClientJwksInput.safeParse(value).error?.issues.map((issue) => issue.message);
    expect(problems({ keys: [await exportJWK(privateKey)] })).toEqual([expect.stringMatching(/private key member/)]);
    expect(problems({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] })).toEqual([expect.stringMatching(/kty must be/)]);
    expect(problems({ keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }] })).toEqual([expect.stringMatching(/2048/)]);
    expect(problems({ keys: [{ kty: 'EC', crv: 'P-384', x: 'x', y: 'y' }] })).toEqual([expect.stringMatching(/P-256/)]);
    expect(problems({ keys: [{ ...jwks.keys[0], alg: 'HS256' }] })).toEqual([expect.stringMatching(/alg must be/)]);
    expect(
      problems({
        keys: [
          { ...jwks.keys[0], kid: 'a' },
          { ...jwks.keys[0], kid: 'a' },
        ],
      }),
    ).toEqual([expect.stringMatching(/unique/)]);
  });

  it('refuses a key jose cannot import (coordinates of the wrong length)', async () => {
    expect(await jwksProblems({ keys: [{ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' }] })).toEqual([
      expect.stringMatching(/not a usable public key/),
    ]);
  });

  it('takes https jwks URIs, and http on loopback only', () => {
    expect(jwksUriScheme('https://app.example/jwks')).toBe('https');
    expect(jwksUriScheme('http://127.0.0.1:8080/jwks')).toBe('loopback-http');
    expect(JwksUriInput.safeParse('http://app.example/jwks').success).toBe(false);
    expect(JwksUriInput.safeParse('https://app.example/jwks#keys').success).toBe(false);
    expect(JwksUriInput.safeParse('not a url').success).toBe(false);
  });
});
