import { parse, serialize } from 'cookie';
import type { Project } from '../../domain/projects/projects.service';

/**
 * The browser's single sign-on cookie, one per project (a browser may be signed in to several tenants of one
 * host): HttpOnly, SameSite=Lax (it must come along on the top-level redirect from an app to /authorize), and
 * over https `__Host-` prefixed (Secure, Path=/, no Domain). Its value is an SsoKeys key, never stored.
 */
export class SsoCookie {
  constructor(private readonly secure: boolean) {}

  private name(project: Project): string {
    return `${this.secure ? '__Host-' : ''}keyway-sso-${project.slug}`;
  }

  read(project: Project, cookieHeader: string | undefined): string | undefined {
    return cookieHeader ? parse(cookieHeader)[this.name(project)] : undefined;
  }

  set(project: Project, key: string): string {
    return serialize(this.name(project), key, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secure,
      path: '/',
      maxAge: project.settings.sessionTtlSeconds,
    });
  }

  clear(project: Project): string {
    return serialize(this.name(project), '', {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secure,
      path: '/',
      maxAge: 0,
    });
  }
}
