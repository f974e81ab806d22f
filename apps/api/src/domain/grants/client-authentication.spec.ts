import { readClientCredentials } from './client-authentication';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('readClientCredentials', () => {
  it('reads form-urlencoded Basic credentials (RFC 6749 §2.3.1)', () => {
    expect(readClientCredentials(basic('my client', 'p@ss:word'), {})).toEqual({
      clientId: 'my client',
      clientSecret: 'p@ss:word',
    });
  });

  it('reads client_secret_post and public clients from the body', () => {
    expect(readClientCredentials(undefined, { client_id: 'a', client_secret: 'b' })).toEqual({
      clientId: 'a',
      clientSecret: 'b',
    });
    expect(readClientCredentials(undefined, { client_id: 'a' })).toEqual({ clientId: 'a', clientSecret: undefined });
  });

  it('refuses two methods at once, a mismatching client_id, and no client at all', () => {
    expect(() => readClientCredentials(basic('a', 'b'), { client_secret: 'b' })).toThrow(
      /one client authentication method/,
    );
    expect(() => readClientCredentials(basic('a', 'b'), { client_id: 'c' })).toThrow(/does not match/);
    expect(() => readClientCredentials(undefined, {})).toThrow(/client_id is required/);
    expect(() => readClientCredentials('Basic bm9jb2xvbg==', {})).toThrow(/malformed/);
  });

  it('refuses Basic credentials that decode to NUL bytes (they would reach a query)', () => {
    expect(() => readClientCredentials(basic('a\u0000b', 'x'), {})).toThrow(/client_id must not contain NUL/);
    expect(() => readClientCredentials(`Basic ${Buffer.from('a\u0000b:x').toString('base64')}`, {})).toThrow(
      /client_id must not contain NUL/,
    );
  });
});
