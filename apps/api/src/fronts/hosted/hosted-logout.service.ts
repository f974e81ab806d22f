import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import type { Application } from '../../domain/applications/application';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { parseUiLocales } from '../../domain/email/mail-locale';
import type { Project } from '../../domain/projects/projects.service';
import { IdTokenHints, type IdTokenHint } from '../../domain/sessions/id-token-hints';
import { SessionLogout } from '../../domain/sessions/session-logout.service';
import { SingleSignOn } from '../../flows/sso/single-sign-on.service';
import { describeIssues } from '../../infra/validation/zod-issues';
import { formTargetOf, type HostedAnswer } from './hosted-answer';
import { HostedPages } from './hosted-pages';
import { pageLanguage, pageTexts, type PageLanguage } from './page-texts';

const param = (max: number) => z.string().max(max, `must be at most ${max} characters`);

/** RP-Initiated Logout 1.0 §2 request params, plus the confirmation page's own fields. */
const LogoutParams = z.object({
  id_token_hint: param(8192).optional(),
  logout_hint: param(320).optional(),
  client_id: param(256).optional(),
  post_logout_redirect_uri: param(2048).optional(),
  state: param(1024).optional(),
  ui_locales: param(256).optional(),
  confirm: param(8).optional(),
  csrf_token: param(64).optional(),
});
type LogoutParams = z.infer<typeof LogoutParams>;

/** What the confirmation form carries back: the request itself. */
const KEPT_PARAMS = ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state', 'ui_locales'] as const;

/**
 * OpenID Connect RP-Initiated Logout 1.0 at `{issuer}/oauth2/logout` (end_session_endpoint). An app that sends
 * an ID token of the browser's session (`id_token_hint`) logs it out at once; anything else asks the user first
 * (§2: a logout nobody can attribute must not happen silently, or any site could sign users out). The SSO
 * session ends with every refresh token issued in it, the cookie is cleared, and the browser goes back to a
 * `post_logout_redirect_uri` registered for the app (exact match, with `state`), or sees a "signed out" page.
 * An unusable request is answered on our page and never redirected.
 */
@Injectable()
export class HostedLogoutService {
  constructor(
    private readonly pages: HostedPages,
    private readonly hints: IdTokenHints,
    private readonly sso: SingleSignOn,
    private readonly logout: SessionLogout,
    private readonly applications: ApplicationsService,
  ) {}

  async endSession(
    project: Project,
    input: unknown,
    method: 'GET' | 'POST',
    browser: { cookie: string | undefined; acceptLanguage: string | undefined },
  ): Promise<HostedAnswer> {
    const entries = input && typeof input === 'object' ? Object.entries(input as Record<string, unknown>) : [];
    const parsed = LogoutParams.safeParse(Object.fromEntries(entries));
    const fallbackLang = pageLanguage(undefined, browser.acceptLanguage);
    const repeated = entries.find(([, value]) => typeof value !== 'string');
    if (repeated)
      return this.pages.errorPage(
        project,
        400,
        `The parameter '${repeated[0]}' is included more than once.`,
        undefined,
        fallbackLang,
      );
    if (!parsed.success)
      return this.pages.errorPage(project, 400, describeIssues(parsed.error), undefined, fallbackLang);
    const params = parsed.data;
    const lang = pageLanguage(parseUiLocales(params.ui_locales), browser.acceptLanguage);
    const refuse = (description: string) => this.pages.errorPage(project, 400, description, undefined, lang);

    let hint: IdTokenHint | undefined;
    if (params.id_token_hint !== undefined) {
      hint = await this.hints.read(project, params.id_token_hint);
      if (!hint) return refuse('id_token_hint is not an ID token issued by this server.');
    }
    if (params.client_id !== undefined && hint && !hint.clientIds.includes(params.client_id))
      return refuse('client_id is not the audience of id_token_hint.');
    const clientId = params.client_id ?? (hint?.clientIds.length === 1 ? hint.clientIds[0] : undefined);
    let application: Application | undefined;
    if (clientId !== undefined) {
      application = await this.applications.findByClientId(project.id, clientId);
      if (!application) return refuse('client_id is not a client of this server.');
    }
    const redirectUri = params.post_logout_redirect_uri;
    if (redirectUri !== undefined) {
      if (!application) return refuse('post_logout_redirect_uri needs client_id or id_token_hint to name the client.');
      if (!application.postLogoutRedirectUris.includes(redirectUri))
        return refuse('post_logout_redirect_uri is not registered for this client.');
    }

    const cookieSession = await this.sso.liveSession(project, {
      cookieKey: this.pages.ssoCookie.read(project, browser.cookie),
    });
    const attributed = hint !== undefined && (cookieSession === undefined || cookieSession.id === hint.sessionId);
    const confirmed =
      method === 'POST' && params.confirm === 'yes' && this.pages.csrf.matches(browser.cookie, params.csrf_token);
    if (!attributed && !confirmed) return this.confirmation(project, params, browser.cookie, lang);

    const ended = new Set<string>();
    for (const sessionId of [cookieSession?.id, hint?.sessionId]) {
      if (sessionId === undefined || ended.has(sessionId)) continue;
      ended.add(sessionId);
      await this.logout.end(project, sessionId, { clientId: application?.clientId, channel: 'rp_initiated' });
    }
    const clearCookie = this.pages.ssoCookie.clear(project);
    if (redirectUri !== undefined) {
      const url = new URL(redirectUri);
      if (params.state !== undefined) url.searchParams.append('state', params.state);
      return { kind: 'redirect', location: url.toString(), setCookie: clearCookie };
    }
    const texts = pageTexts(lang);
    return this.pages.page(
      200,
      {
        projectName: project.name,
        title: texts.signedOutTitle,
        paragraphs: [texts.signedOut],
        lang,
        branding: project.settings.branding,
      },
      clearCookie,
    );
  }

  private confirmation(
    project: Project,
    params: LogoutParams,
    cookie: string | undefined,
    lang: PageLanguage,
  ): HostedAnswer {
    const texts = pageTexts(lang);
    const csrf = this.pages.csrf.forPage(cookie);
    const hidden: Record<string, string> = { confirm: 'yes', csrf_token: csrf.token };
    for (const name of KEPT_PARAMS) {
      const value = params[name];
      if (value !== undefined) hidden[name] = value;
    }
    const projectName = project.settings.branding.displayName ?? project.name;
    const html = this.pages.renderer.confirm({
      projectName: project.name,
      title: texts.signOutTitle,
      paragraphs: [texts.signOutQuestion(projectName)],
      action: `${project.issuer}/oauth2/logout`,
      hidden,
      submit: texts.signOutButton,
      lang,
      branding: project.settings.branding,
    });
    // The confirmed form's 303 goes to the app's post-logout URI, so form-action must allow it.
    const target = params.post_logout_redirect_uri ? formTargetOf(params.post_logout_redirect_uri) : undefined;
    return { kind: 'page', status: 200, html, setCookie: csrf.setCookie, formTargets: target ? [target] : [] };
  }
}
