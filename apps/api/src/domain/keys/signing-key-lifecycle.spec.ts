import {
  activatableAt,
  idTokenHashAlgorithm,
  isPublished,
  keySetRefreshSeconds,
  retiresAt,
} from './signing-key-lifecycle';

describe('signing-key lifecycle', () => {
  const at = new Date('2026-12-06T10:00:00.000Z');
  const plus = (seconds: number) => new Date(at.getTime() + seconds * 1000);

  it('re-reads keys every 30 s, or as often as clients re-read a shorter-lived JWKS', () => {
    expect(keySetRefreshSeconds(300)).toBe(30);
    expect(keySetRefreshSeconds(5)).toBe(5);
  });

  it('lets a next key sign once every replica has published it and every cached JWKS has expired since', () => {
    expect(activatableAt({ createdAt: at }, 300)).toEqual(plus(330));
    expect(activatableAt({ createdAt: at }, 2)).toEqual(plus(4));
  });

  it('retires a key after the longest-lived token it may have signed, plus the replicas still signing with it', () => {
    expect(retiresAt(at, { idTokenTtlSeconds: 3600, accessTokenTtlSeconds: 900 }, 300)).toEqual(plus(30 + 3600));
    expect(retiresAt(at, { idTokenTtlSeconds: 60, accessTokenTtlSeconds: 7200 }, 300)).toEqual(plus(30 + 7200));
  });

  it('publishes next and active keys always, a retiring key until (not at) its retiresAt', () => {
    expect(isPublished({ status: 'next', retiresAt: null }, at)).toBe(true);
    expect(isPublished({ status: 'active', retiresAt: null }, at)).toBe(true);
    expect(isPublished({ status: 'retiring', retiresAt: plus(1) }, at)).toBe(true);
    expect(isPublished({ status: 'retiring', retiresAt: at }, at)).toBe(false);
    expect(isPublished({ status: 'retiring', retiresAt: null }, at)).toBe(false);
  });

  it('hashes at_hash with SHA-512 for Ed25519 and SHA-256 for RS256 and ES256', () => {
    expect(idTokenHashAlgorithm('EdDSA')).toBe('sha512');
    expect(idTokenHashAlgorithm('RS256')).toBe('sha256');
    expect(idTokenHashAlgorithm('ES256')).toBe('sha256');
  });
});
