import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';

/** What a hosted endpoint answers: a page, or a 303 to the app's redirect_uri (or to another hosted page). */
export type HostedAnswer =
  | { kind: 'page'; status: number; html: string; setCookie?: string | string[] | undefined; formTargets?: string[] }
  | { kind: 'redirect'; location: string; setCookie?: string | string[] | undefined };

const sha256Source = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * Content-Security-Policy of a page, from the page itself (we render every byte of it): its inline styles and
 * scripts by hash, its script files by exact URL, its logo by origin; nothing else loads or runs. Forms post
 * only to this server, and to the app's redirect target, which a form's 303 lands on (browsers apply
 * form-action to the redirects after a submission too). No framing (clickjacking of a password form).
 */
export function contentSecurityPolicy(html: string, formTargets: string[] = []): string {
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => sha256Source(m[1] ?? ''));
  const inlineScripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => sha256Source(m[1] ?? ''));
  const scriptFiles = [...html.matchAll(/<script src="([^"]+)"><\/script>/g)].map((m) => unescapeHtml(m[1] ?? ''));
  const images = [...html.matchAll(/<img class="logo" src="([^"]+)"/g)].flatMap((m) =>
    originOf(unescapeHtml(m[1] ?? '')),
  );
  const scripts = [...inlineScripts, ...scriptFiles];
  return [
    `default-src 'none'`,
    ...(styles.length ? [`style-src ${styles.join(' ')}`] : []),
    ...(scripts.length ? [`script-src ${scripts.join(' ')}`] : []),
    ...(images.length ? [`img-src ${images.join(' ')}`] : []),
    // The passkey ceremony talks only to the browser's authenticator, never to a server.
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
  if (answer.setCookie) void reply.header('set-cookie', answer.setCookie);
  if (answer.kind === 'redirect') {
    void reply.status(303).header('location', answer.location).send();
    return;
  }
  void reply
    .status(answer.status)
    .header('content-security-policy', contentSecurityPolicy(answer.html, answer.formTargets))
    .header('x-frame-options', 'DENY')
    .header('content-type', 'text/html; charset=utf-8')
    .send(answer.html);
}

function originOf(url: string): string[] {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' ? [parsed.origin] : [];
  } catch {
    return [];
  }
}

/** Mustache's escaping of an attribute value, undone (URLs with `&` in their query). */
function unescapeHtml(value: string): string {
  return value
    .replaceAll('&#x3D;', '=')
    .replaceAll('&#x2F;', '/')
    .replaceAll('&#x60;', '`')
    .replaceAll('&#39;', "'")
    .replaceAll('&quot;', '"')
    .replaceAll('&gt;', '>')
    .replaceAll('&lt;', '<')
    .replaceAll('&amp;', '&');
}
