import { Inject, Injectable } from '@nestjs/common';
import type { FlowMessage } from '@keyway/flow-types';
import { ApiError, OAuthError } from '../../infra/http/errors';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { requireFormEncoded } from '../../infra/http/form-encoded';
import type { Project } from '../../domain/projects/projects.service';
import { CsrfTokens } from './csrf';
import { FederationCookie } from './federation-cookie';
import { SsoCookie } from './sso-cookie';
import { FlowPageRenderer, type Link, type NoticePage } from './flow-page.renderer';
import type { HostedAnswer } from './hosted-answer';
import { pageTexts, type PageLanguage } from './page-texts';

/** A posted form, one string per field; `false` with the page to answer when the post is unusable. */
export type PostedForm = { ok: true; fields: Record<string, string> } | { ok: false; answer: HostedAnswer };

const MAX_FIELDS = 64;

/** What every hosted page shares: the renderer, the CSRF tokens, reading a posted form, the error pages. */
@Injectable()
export class HostedPages {
  readonly renderer = new FlowPageRenderer();
  readonly csrf: CsrfTokens;
  readonly ssoCookie: SsoCookie;
  readonly federationCookie: FederationCookie;

  constructor(@Inject(KEYWAY_CONFIG) config: KeywayConfig) {
    const secure = config.publicUrl.startsWith('https:');
    this.csrf = new CsrfTokens(secure);
    this.ssoCookie = new SsoCookie(secure);
    this.federationCookie = new FederationCookie(secure);
  }

  /** A form post with a CSRF token matching the cookie; anything else is answered here and reaches no flow. */
  readForm(
    project: Project,
    body: unknown,
    contentType: string | undefined,
    cookieHeader: string | undefined,
    lang: PageLanguage = 'en',
  ): PostedForm {
    try {
      requireFormEncoded(contentType);
    } catch {
      return {
        ok: false,
        answer: this.errorPage(
          project,
          415,
          'The form must be sent as application/x-www-form-urlencoded.',
          undefined,
          lang,
        ),
      };
    }
    const entries = body && typeof body === 'object' ? Object.entries(body as Record<string, unknown>) : [];
    if (entries.length > MAX_FIELDS)
      return { ok: false, answer: this.errorPage(project, 400, 'The form has too many fields.', undefined, lang) };
    const fields: Record<string, string> = {};
    for (const [name, value] of entries) {
      // RFC 6749 §3.1 in spirit: a field sent twice is ambiguous, so it is refused rather than guessed.
      if (typeof value !== 'string')
        return {
          ok: false,
          answer: this.errorPage(project, 400, `The form field '${name}' was sent more than once.`, undefined, lang),
        };
      fields[name] = value;
    }
    if (!this.csrf.matches(cookieHeader, fields['csrf_token'])) {
      return {
        ok: false,
        answer: this.page(403, {
          projectName: project.name,
          title: pageTexts(lang).expiredFormTitle,
          paragraphs: [pageTexts(lang).expiredForm],
          lang,
          branding: project.settings.branding,
        }),
      };
    }
    return { ok: true, fields };
  }

  page(status: number, page: NoticePage, setCookie?: string): HostedAnswer {
    return { kind: 'page', status, html: this.renderer.notice(page), ...(setCookie ? { setCookie } : {}) };
  }

  errorPage(
    project: Project,
    status: number,
    description: string,
    restart?: Link,
    lang: PageLanguage = 'en',
  ): HostedAnswer {
    return this.page(status, {
      projectName: project.name,
      title: pageTexts(lang).errorTitle,
      paragraphs: [description],
      links: restart ? [restart] : [],
      lang,
      branding: project.settings.branding,
    });
  }

  failedPage(project: Project, messages: FlowMessage[], restart?: Link, lang: PageLanguage = 'en'): HostedAnswer {
    return this.page(200, {
      projectName: project.name,
      title: pageTexts(lang).failedTitle,
      messages,
      links: restart ? [restart] : [],
      lang,
      branding: project.settings.branding,
    });
  }

  /** Client mistakes of the flow (ApiError) and of the request (OAuthError) become an error page; bugs stay bugs. */
  errorAnswer(project: Project, error: unknown, restart?: Link, lang: PageLanguage = 'en'): HostedAnswer {
    if (error instanceof ApiError) return this.errorPage(project, error.status, error.description, restart, lang);
    if (error instanceof OAuthError) return this.errorPage(project, error.status, error.description, restart, lang);
    throw error;
  }
}
