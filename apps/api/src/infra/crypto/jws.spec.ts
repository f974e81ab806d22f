import { exportJWK, generateKeyPair, jwtVerify, type CryptoKey } from 'jose';
import { importPrivateJwk, signJwt, type JwsAlg, type JwsKey } from './jws';

describe('signJwt', () => {
  async function keyPair(alg: JwsAlg): Promise<{ key: JwsKey; publicKey: CryptoKey }> {
    const pair = await generateKeyPair(alg, { extractable: true });
    const privateKey = importPrivateJwk(await exportJWK(pair.privateKey));
    return { key: { alg, kid: `kid-${alg}`, privateKey }, publicKey: pair.publicKey };
  }

  it.each<JwsAlg>(['ES256', 'RS256', 'EdDSA'])(
    'signs %s tokens that jose verifies, header and claims intact',
    async (alg) => {
      const { key, publicKey } = await keyPair(alg);
      const iat = Math.floor(Date.now() / 1000);
      const claims = { iss: 'https://issuer.example', sub: 'u1', aud: 'app', iat, exp: iat + 60, amr: ['pwd'], é: 'ü' };

      const token = signJwt(key, 'at+jwt', claims);

      const { payload, protectedHeader } = await jwtVerify(token, publicKey, {
        algorithms: [alg],
        issuer: 'https://issuer.example',
        audience: 'app',
        typ: 'at+jwt',
      });
      expect(protectedHeader).toEqual({ alg, kid: `kid-${alg}`, typ: 'at+jwt' });
      expect(payload).toEqual(claims);
    },
  );

  it('writes the ES256 signature as R || S (64 bytes), not DER', async () => {
    const { key } = await keyPair('ES256');
    const signature = signJwt(key, 'JWT', { sub: 'u1' }).split('.')[2]!;
    expect(Buffer.from(signature, 'base64url')).toHaveLength(64);
  });

  it('produces signatures that fail on another key and on a changed payload', async () => {
    const { key, publicKey } = await keyPair('ES256');
    const other = await keyPair('ES256');
    const token = signJwt(key, 'JWT', { sub: 'u1' });
    await expect(jwtVerify(token, other.publicKey)).rejects.toThrow(/signature verification failed/);

    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'admin' })).toString('base64url')}.${signature}`;
    await expect(jwtVerify(forged, publicKey)).rejects.toThrow(/signature verification failed/);
  });
});
