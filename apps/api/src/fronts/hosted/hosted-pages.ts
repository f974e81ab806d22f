import { Inject, Injectable } from '@nestjs/common';
import type { FlowMessage } from '@keyway/flow-types';
import { ApiError, OAuthError } from '../../infra/http/errors';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { requireFormEncoded } from '../oauth/form-encoded';
import type { Project } from '../../domain/projects/projects.service';
import { CsrfTokens } from './csrf';
import { FlowPageRenderer, type Link, type NoticePage } from './flow-page.renderer';
import type { HostedAnswer } from './hosted-answer';

/** A posted form, one string per field; `false` with the page to answer when the post is unusable. */
export type PostedForm = { ok: true; fields: Record<string, string> } | { ok: false; answer: HostedAnswer };

const MAX_FIELDS = 64;

/** What every hosted page shares: the renderer, the CSRF tokens, reading a posted form, the error pages. */
@Injectable()
export class HostedPages {
  readonly renderer = new FlowPageRenderer();
  readonly csrf: CsrfTokens;

  constructor(@Inject(KEYWAY_CONFIG) config: KeywayConfig) {
    this.csrf = new CsrfTokens(config.publicUrl.startsWith('https:'));
  }

  /** A form post with a CSRF token matching the cookie; anything else is answered here and reaches no flow. */
  readForm(
    project: Project,
    body: unknown,
    contentType: string | undefined,
    cookieHeader: string | undefined,
  ): PostedForm {
    try {
      requireFormEncoded(contentType);
    } catch {
      return {
        ok: false,
        answer: this.errorPage(project, 415, 'The form must be sent as application/x-www-form-urlencoded.'),
      };
    }
    const entries = body && typeof body === 'object' ? Object.entries(body as Record<string, unknown>) : [];
    if (entries.length > MAX_FIELDS)
      return { ok: false, answer: this.errorPage(project, 400, 'The form has too many fields.') };
    const fields: Record<string, string> = {};
    for (const [name, value] of entries) {
      // RFC 6749 §3.1 in spirit: a field sent twice is ambiguous, so it is refused rather than guessed.
      if (typeof value !== 'string')
        return { ok: false, answer: this.errorPage(project, 400, `The form field '${name}' was sent more than once.`) };
      fields[name] = value;
    }
    if (!this.csrf.matches(cookieHeader, fields['csrf_token'])) {
      return {
        ok: false,
        answer: this.page(403, {
          projectName: project.name,
          title: 'This form has expired',
          paragraphs: [
            'For your security, the form could not be accepted: it was not sent from this page, or your browser blocked its cookie. Go back, reload the page and try again.',
          ],
        }),
      };
    }
    return { ok: true, fields };
  }

  page(status: number, page: NoticePage, setCookie?: string): HostedAnswer {
    return { kind: 'page', status, html: this.renderer.notice(page), ...(setCookie ? { setCookie } : {}) };
  }

  errorPage(project: Project, status: number, description: string, restart?: Link): HostedAnswer {
    return this.page(status, {
      projectName: project.name,
      title: 'We could not continue',
      paragraphs: [description],
      links: restart ? [restart] : [],
    });
  }

  failedPage(project: Project, messages: FlowMessage[], restart?: Link): HostedAnswer {
    return this.page(200, {
      projectName: project.name,
      title: 'This attempt has ended',
      messages,
      links: restart ? [restart] : [],
    });
  }

  /** Client mistakes of the flow (ApiError) and of the request (OAuthError) become an error page; bugs stay bugs. */
  errorAnswer(project: Project, error: unknown, restart?: Link): HostedAnswer {
    if (error instanceof ApiError) return this.errorPage(project, error.status, error.description, restart);
    if (error instanceof OAuthError) return this.errorPage(project, error.status, error.description, restart);
    throw error;
  }
}
