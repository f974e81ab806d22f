import type { FastifyReply } from 'fastify';
import { PAGE_CSS_HASH } from './page-templates';

/** What a hosted endpoint answers: a page, or a 303 to the app's redirect_uri. */
export type HostedAnswer =
  | { kind: 'page'; status: number; html: string; setCookie?: string | undefined; formTargets?: string[] }
  | { kind: 'redirect'; location: string };

/**
 * Content-Security-Policy of every page: nothing loads but the inline stylesheet (by hash); forms post only
 * to this server, and to the app's redirect target, which a form's 303 lands on (browsers apply form-action
 * to the redirects after a submission too). No framing (clickjacking of a password form).
 */
export function contentSecurityPolicy(formTargets: string[] = []): string {
  return [
    `default-src 'none'`,
    `style-src ${PAGE_CSS_HASH}`,
    `form-action 'self'${formTargets.map((t) => ` ${t}`).join('')}`,
    `frame-ancestors 'none'`,
    `base-uri 'none'`,
  ].join('; ');
}

/**
 * The CSP source that lets a form's redirect reach `redirectUri`: its origin for http(s), its scheme for an
 * app's private-use scheme (RFC 8252 §7.1, e.g. `com.example.app:`). Undefined when it cannot be expressed.
 */
export function formTargetOf(redirectUri: string | undefined): string | undefined {
  if (!redirectUri) return undefined;
  try {
    const url = new URL(redirectUri);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
    return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) ? url.protocol : undefined;
  } catch {
    return undefined;
  }
}

export function sendAnswer(reply: FastifyReply, answer: HostedAnswer): void {
  void reply.header('cache-control', 'no-store');
  void reply.header('referrer-policy', 'no-referrer');
  void reply.header('x-content-type-options', 'nosniff');
  if (answer.kind === 'redirect') {
    void reply.status(303).header('location', answer.location).send();
    return;
  }
  if (answer.setCookie) void reply.header('set-cookie', answer.setCookie);
  void reply
    .status(answer.status)
    .header('content-security-policy', contentSecurityPolicy(answer.formTargets))
    .header('x-frame-options', 'DENY')
    .header('content-type', 'text/html; charset=utf-8')
    .send(answer.html);
}
