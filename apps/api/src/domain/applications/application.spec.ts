import { matchesRegisteredRedirectUri, RedirectUri } from './application';

describe('redirect URIs', () => {
  it.each([
    'https://app.example/cb',
    'com.example.app:/oauth2redirect',
    'http://127.0.0.1/cb',
    'http://[::1]:8080/cb',
    'http://localhost/cb',
  ])('accepts %s', (uri) => expect(RedirectUri.safeParse(uri).success).toBe(true));

  it.each(['http://app.example/cb', 'https://app.example/cb#x', 'not a uri', 'myapp:/cb', 'javascript:alert(1)'])(
    'refuses %s',
    (uri) => expect(RedirectUri.safeParse(uri).success).toBe(false),
  );

  it('matches exactly, except for the port of loopback redirects (RFC 8252 §7.3)', () => {
    const registered = ['com.example.app:/cb', 'http://127.0.0.1/callback'];
    expect(matchesRegisteredRedirectUri('com.example.app:/cb', registered)).toBe(true);
    expect(matchesRegisteredRedirectUri('com.example.app:/cb2', registered)).toBe(false);
    expect(matchesRegisteredRedirectUri('http://127.0.0.1:51234/callback', registered)).toBe(true);
    expect(matchesRegisteredRedirectUri('http://127.0.0.1:51234/other', registered)).toBe(false);
    expect(matchesRegisteredRedirectUri('https://127.0.0.1:51234/callback', registered)).toBe(false);
  });
});
