import { parse, serialize } from 'cookie';
import type { Project } from '../../domain/projects/projects.service';
import { constantTimeEqual } from '../../infra/crypto/tokens';

/**
 * Binds a provider's answer to the browser that was sent to the provider: the `state` of the redirect, kept in an
 * HttpOnly cookie until the callback, which must carry the same state. Without it, someone could start a login,
 * sign in at the provider as themselves, and hand the callback URL to a victim (login CSRF). Over https it is
 * `__Host-` prefixed and SameSite=None, so a provider answering with a cross-site form post (Apple) still sends it;
 * over plain http (development) browsers refuse SameSite=None without Secure, so it is Lax.
 */
export class FederationCookie {
  constructor(private readonly secure: boolean) {}

  private name(project: Project): string {
    return `${this.secure ? '__Host-' : ''}keyway-federation-${project.slug}`;
  }

  set(project: Project, state: string): string {
    return serialize(this.name(project), state, {
      httpOnly: true,
      sameSite: this.secure ? 'none' : 'lax',
      secure: this.secure,
      path: '/',
      maxAge: project.settings.flowTtlSeconds,
    });
  }

  /** Whether the browser was sent to the provider with this state. */
  matches(project: Project, cookieHeader: string | undefined, state: string): boolean {
    const expected = cookieHeader ? parse(cookieHeader)[this.name(project)] : undefined;
    return expected !== undefined && state !== '' && constantTimeEqual(expected, state);
  }

  clear(project: Project): string {
    return serialize(this.name(project), '', {
      httpOnly: true,
      sameSite: this.secure ? 'none' : 'lax',
      secure: this.secure,
      path: '/',
      maxAge: 0,
    });
  }
}
