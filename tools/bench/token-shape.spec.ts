import { checkTokenShape } from './token-shape';

const jwt = (header: Record<string, unknown>) =>
  `${Buffer.from(JSON.stringify(header)).toString('base64url')}.e30.c2ln`;
const accessToken = jwt({ alg: 'ES256', typ: 'at+jwt', kid: 'k' });

describe('token response shape', () => {
  const refreshRow = { accessTokenAlg: 'ES256', refreshToken: true };

  it('accepts a rotation with an ES256 JWT access token and no ID token', () => {
    expect(() => checkTokenShape({ access_token: accessToken, refresh_token: 'new' }, refreshRow, 'old')).not.toThrow();
  });

  it('refuses an opaque or differently signed access token', () => {
    expect(() => checkTokenShape({ access_token: 'opaque', refresh_token: 'new' }, refreshRow)).toThrow(/at\+jwt/);
    const rs256 = jwt({ alg: 'RS256', typ: 'at+jwt' });
    expect(() => checkTokenShape({ access_token: rs256, refresh_token: 'new' }, refreshRow)).toThrow(/ES256/);
    const plainJwt = jwt({ alg: 'ES256', typ: 'JWT' });
    expect(() => checkTokenShape({ access_token: plainJwt, refresh_token: 'new' }, refreshRow)).toThrow(/at\+jwt/);
  });

  it('refuses a refresh without rotation, and a refresh token where none belongs', () => {
    expect(() => checkTokenShape({ access_token: accessToken }, refreshRow)).toThrow(/no refresh_token/);
    expect(() => checkTokenShape({ access_token: accessToken, refresh_token: 'same' }, refreshRow, 'same')).toThrow(
      /not rotated/,
    );
    const clientCredentials = { accessTokenAlg: 'ES256', refreshToken: false };
    expect(() => checkTokenShape({ access_token: accessToken }, clientCredentials)).not.toThrow();
    expect(() => checkTokenShape({ access_token: accessToken, refresh_token: 'r' }, clientCredentials)).toThrow(
      /unexpected refresh_token/,
    );
  });

  it('wants the ID token a row names, in its alg, and none on the others', () => {
    const withIdToken = { ...refreshRow, idTokenAlg: 'ES256' };
    const tokens = { access_token: accessToken, refresh_token: 'new' };
    expect(() => checkTokenShape(tokens, withIdToken)).toThrow(/no id_token/);
    expect(() => checkTokenShape({ ...tokens, id_token: jwt({ alg: 'RS256' }) }, withIdToken)).toThrow(/ES256/);
    expect(() => checkTokenShape({ ...tokens, id_token: jwt({ alg: 'ES256' }) }, withIdToken)).not.toThrow();
    expect(() => checkTokenShape({ ...tokens, id_token: jwt({ alg: 'ES256' }) }, refreshRow)).toThrow(
      /unexpected id_token/,
    );
  });
});
