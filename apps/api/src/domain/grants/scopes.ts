/** Scopes this server understands; anything else is invalid_scope (RFC 6749 §3.3). */
export const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** Claims released per scope (OIDC Core §5.4), limited to the traits of the default identity schema. */
export const SCOPE_CLAIMS: Record<string, readonly string[]> = {
  profile: ['name'],
  email: ['email', 'email_verified'],
};

export function parseScope(scope: string): string[] {
  return [...new Set(scope.split(' ').filter(Boolean))];
}
