/** What a token response must hold on a benchmark row, so both servers are measured doing the same work. */
export interface TokenShape {
  /** The access token is a JWT (RFC 9068, typ at+jwt) signed with this alg. */
  accessTokenAlg: string;
  /** A refresh token comes back (and differs from the one presented: rotation). */
  refreshToken: boolean;
  /** An ID token signed with this alg comes back; undefined: none may. */
  idTokenAlg?: string;
}

/**
 * Throws unless `tokens` has the shape: a response doing less (no ID token, an opaque access token, no rotation)
 * is not the work the row compares.
 */
export function checkTokenShape(tokens: Record<string, unknown>, shape: TokenShape, presented?: string): void {
  const accessToken = jwtHeader(tokens['access_token']);
  if (accessToken?.['alg'] !== shape.accessTokenAlg || accessToken['typ'] !== 'at+jwt')
    throw new Error(`access_token is not an ${shape.accessTokenAlg} at+jwt JWT`);
  const refreshToken = tokens['refresh_token'];
  if (shape.refreshToken) {
    if (typeof refreshToken !== 'string') throw new Error('no refresh_token in the response');
    if (refreshToken === presented) throw new Error('the refresh token was not rotated');
  } else if (refreshToken !== undefined) throw new Error('an unexpected refresh_token in the response');
  const idToken = tokens['id_token'];
  if (shape.idTokenAlg === undefined) {
    if (idToken !== undefined) throw new Error('an unexpected id_token in the response');
  } else if (idToken === undefined) throw new Error('no id_token in the response');
  else if (jwtHeader(idToken)?.['alg'] !== shape.idTokenAlg)
    throw new Error(`id_token is not signed ${shape.idTokenAlg}`);
}

function jwtHeader(token: unknown): Record<string, unknown> | undefined {
  if (typeof token !== 'string' || token.split('.').length !== 3) return undefined;
  try {
    return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
