import { clientIdOf, identifierOf, keyFunction, type RateLimitSubject } from './rate-limit-subject';

describe('rate-limit subject', () => {
  it('finds the identifier a login names: authn params.username, FiPA username or login_hint', () => {
    expect(
      identifierOf('login', {
        flowId: 'f',
        selectedAuthenticator: { authenticatorId: 'x', params: { username: ' Alice@Example.COM ', password: 'p' } },
      }),
    ).toBe('alice@example.com');
    expect(identifierOf('login', { client_id: 'c', login_hint: 'Bob' })).toBe('bob');
    expect(
      identifierOf('login', {
        flowId: 'f',
        selectedAuthenticator: { authenticatorId: 'x', params: { token: '123456' } },
      }),
    ).toBeUndefined();
    expect(identifierOf('login', { username: ['a', 'b'] })).toBeUndefined();
    expect(identifierOf('login', undefined)).toBeUndefined();
    expect(identifierOf('login', undefined, { client_id: 'c', login_hint: 'Carol' })).toBe('carol');
    // NFKC: fullwidth letters are the same identifier.
    expect(identifierOf('login', { username: 'ａｌｉｃｅ' })).toBe('alice');
  });

  it('finds the email a self-service request names: start body, step params, registration traits', () => {
    expect(identifierOf('selfService', { client_id: 'c', email: 'A@x.io' })).toBe('a@x.io');
    expect(
      identifierOf('selfService', {
        flowId: 'f',
        selectedAuthenticator: { authenticatorId: 'x', params: { email: 'b@x.io' } },
      }),
    ).toBe('b@x.io');
    expect(
      identifierOf('selfService', {
        flowId: 'f',
        selectedAuthenticator: { authenticatorId: 'x', params: { 'traits.email': 'c@x.io', password: 'p' } },
      }),
    ).toBe('c@x.io');
    expect(identifierOf('selfService', { 'traits.email': 'd@x.io', csrf: 't' })).toBe('d@x.io');
    expect(identifierOf('selfService', { username: 'not-counted-here' })).toBeUndefined();
    expect(identifierOf('token', { username: 'x' })).toBeUndefined();
  });

  it('reads the client_id of a token request from Basic credentials or the body, never throwing', () => {
    const basic = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;
    expect(clientIdOf(basic('my%3Aclient:secret'), {})).toBe('my:client');
    expect(clientIdOf(undefined, { client_id: 'app' })).toBe('app');
    expect(clientIdOf(basic('no-colon'), { client_id: 'app' })).toBeUndefined();
    expect(clientIdOf(basic('%E0%A4%A:x'), {})).toBeUndefined();
    expect(clientIdOf(undefined, { client_id: ['a', 'b'] })).toBeUndefined();
  });

  it('keys counters by project, group and kind with an HMAC of the tracker, never the tracker itself', () => {
    const subject: RateLimitSubject = {
      slug: 'acme',
      group: 'login',
      rules: {},
      identifier: undefined,
      clientId: undefined,
    };
    const key = keyFunction(new Uint8Array(32).fill(7));
    const one = key(subject, 'identifier', 'alice@example.com');
    expect(one).toMatch(/^acme:login:identifier:[A-Za-z0-9_-]{27}$/);
    expect(one).not.toContain('alice');
    expect(key(subject, 'identifier', 'alice@example.com')).toBe(one);
    expect(key(subject, 'ip', 'alice@example.com')).not.toBe(one.replace(':identifier:', ':ip:'));
    expect(keyFunction(new Uint8Array(32).fill(8))(subject, 'identifier', 'alice@example.com')).not.toBe(one);
  });
});
