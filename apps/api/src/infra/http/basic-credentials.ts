/**
 * The client credentials of an `Authorization: Basic` header, each part form-urlencoded as RFC 6749
 * §2.3.1 requires: undefined for any other scheme (or none), 'malformed' when the header cannot be read.
 * Callers decide what a malformed header means (the token endpoint refuses it; rate limiting ignores it).
 */
export function decodeBasicCredentials(
  authorization: string | undefined,
): { clientId: string; clientSecret: string } | 'malformed' | undefined {
  if (!authorization?.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator < 0) return 'malformed';
  try {
    return {
      clientId: formDecode(decoded.slice(0, separator)),
      clientSecret: formDecode(decoded.slice(separator + 1)),
    };
  } catch {
    return 'malformed';
  }
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}
