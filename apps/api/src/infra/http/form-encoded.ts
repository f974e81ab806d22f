import { OAuthError } from './errors';

/** RFC 6749 §3.2 / §4.1.3: POST bodies of the OAuth endpoints are application/x-www-form-urlencoded. */
export function requireFormEncoded(contentType: string | undefined): void {
  if (!contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new OAuthError('invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
  }
}
