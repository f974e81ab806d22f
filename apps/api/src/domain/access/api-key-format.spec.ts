import { randomUUID } from 'node:crypto';
import { formatApiKey, newApiKeySecret, parseApiKey } from './api-key-format';

describe('API key format', () => {
  it('makes 256-bit secrets, base64url, never the same twice', () => {
    const secrets = new Set(Array.from({ length: 100 }, () => newApiKeySecret()));
    expect(secrets.size).toBe(100);
    for (const secret of secrets) {
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    }
  });

  it('formats kwk_<id>_<secret> and parses it back', () => {
    const id = randomUUID();
    const secret = newApiKeySecret();
    const key = formatApiKey(id, secret);
    expect(key).toBe(`kwk_${id}_${secret}`);
    expect(parseApiKey(key)).toEqual({ id, secret });
  });

  it('parses a secret that contains the separator (base64url has "_")', () => {
    const id = randomUUID();
    const secret = `${'_'.repeat(10)}${'a'.repeat(33)}`;
    expect(parseApiKey(formatApiKey(id, secret))).toEqual({ id, secret });
  });

  it.each([
    ['the root token', 'kw_test_0123456789abcdef0123456789abcdef'],
    ['a JWT', 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
    ['another prefix', `kwx_${randomUUID()}_${'a'.repeat(43)}`],
    ['a short secret', `kwk_${randomUUID()}_${'a'.repeat(42)}`],
    ['a long secret', `kwk_${randomUUID()}_${'a'.repeat(44)}`],
    ['a secret with other characters', `kwk_${randomUUID()}_${'a'.repeat(42)}=`],
    ['an id that is no UUID', `kwk_not-a-uuid-at-all-not-a-uuid-at-all_${'a'.repeat(43)}`],
    ['trailing text', `kwk_${randomUUID()}_${'a'.repeat(43)} `],
    ['nothing', ''],
  ])('refuses %s', (_, token) => {
    expect(parseApiKey(token)).toBeUndefined();
  });
});
