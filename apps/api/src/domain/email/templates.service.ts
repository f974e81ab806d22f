import { Injectable } from '@nestjs/common';
import { ApiError } from '../../infra/http/errors';
import type { Prisma } from '../../generated/prisma/client';
import { SHIPPED_LOCALES, shippedTemplate, type TemplateContent } from './default-templates';
import {
  canonicalLocale,
  EMAIL_KIND_NAMES,
  EMAIL_KINDS,
  FALLBACK_LOCALE,
  isEmailKind,
  localeChain,
  type EmailKind,
} from '../projects/email-kinds';
import { renderTemplate, templateProblems } from './template-renderer';
import { TemplatesRepository } from './templates.repository';

export interface ResolvedTemplate extends TemplateContent {
  kind: EmailKind;
  /** The locale asked for. */
  locale: string;
  /** The locale of the template actually used (after falling back, e.g. de-CH → de → en). */
  resolvedLocale: string;
  /** `custom`: the project's own; `default`: shipped with Keyway. */
  source: 'custom' | 'default';
  variables: readonly string[];
}

@Injectable()
export class TemplatesService {
  constructor(private readonly templates: TemplatesRepository) {}

  /**
   * The template to use for a kind and locale. Each locale of the chain (de-CH → de → en) is tried in
   * turn, the project's own template first, then the one Keyway ships: a German reader gets the shipped
   * German text rather than a project's English one. Pass the transaction when called inside one (on
   * PGlite the outer client would wait for the transaction to end).
   */
  async resolve(
    projectId: string,
    kind: EmailKind,
    locale: string,
    db?: Prisma.TransactionClient,
  ): Promise<ResolvedTemplate> {
    const canonical = canonicalLocale(locale) ?? FALLBACK_LOCALE;
    const chain = localeChain(canonical);
    const rows = await this.templates.findForLocales(projectId, kind, chain, db);
    for (const candidate of chain) {
      const row = rows.find((r) => r.locale === candidate);
      if (row)
        return {
          kind,
          locale: canonical,
          resolvedLocale: row.locale,
          source: 'custom',
          subject: row.subject,
          html: row.html,
          text: row.text,
          variables: EMAIL_KINDS[kind],
        };
      const shipped = shippedTemplate(kind, candidate);
      if (shipped)
        return {
          kind,
          locale: canonical,
          resolvedLocale: candidate,
          source: 'default',
          ...shipped,
          variables: EMAIL_KINDS[kind],
        };
    }
    // The chain always ends in FALLBACK_LOCALE, which is shipped for every kind.
    throw new Error(`no template for ${kind} in ${chain.join(', ')}`);
  }

  /**
   * Which of `locales` (canonical tags) have a template of this kind, the project's own or a shipped
   * one, exactly in that locale (no fallback). One query; `db` is the caller's transaction when there is one.
   */
  async localesWithTemplate(
    projectId: string,
    kind: EmailKind,
    locales: readonly string[],
    db?: Prisma.TransactionClient,
  ): Promise<Set<string>> {
    const found = new Set(locales.filter((locale) => shippedTemplate(kind, locale)));
    const unknown = locales.filter((locale) => !found.has(locale));
    if (unknown.length)
      for (const row of await this.templates.findForLocales(projectId, kind, unknown, db)) found.add(row.locale);
    return found;
  }

  /** Every kind with its variables, the locales Keyway ships it in and those the project customised. */
  async list(
    projectId: string,
  ): Promise<
    { kind: EmailKind; variables: readonly string[]; shippedLocales: readonly string[]; customLocales: string[] }[]
  > {
    const custom = await this.templates.list(projectId);
    return EMAIL_KIND_NAMES.map((kind) => ({
      kind,
      variables: EMAIL_KINDS[kind],
      shippedLocales: SHIPPED_LOCALES.filter((locale) => shippedTemplate(kind, locale)),
      customLocales: custom.filter((t) => t.kind === kind).map((t) => t.locale),
    }));
  }

  /** Stores the project's template after checking it compiles and uses only the kind's variables (400 otherwise). */
  async save(projectId: string, kind: string, locale: string, content: TemplateContent): Promise<ResolvedTemplate> {
    const validKind = this.kind(kind);
    const canonical = this.locale(locale);
    const problems = templateProblems(content, EMAIL_KINDS[validKind]);
    if (problems.length) throw ApiError.badRequest(problems.join('; '));
    await this.templates.upsert(projectId, validKind, canonical, content);
    return this.resolve(projectId, validKind, canonical);
  }

  /** Back to the default (or the next locale in the chain); true when there was a custom template. */
  remove(projectId: string, kind: string, locale: string): Promise<boolean> {
    return this.templates.delete(projectId, this.kind(kind), this.locale(locale));
  }

  /**
   * The mail as a recipient would see it: the draft given (checked as `save` checks it) or the template in use,
   * rendered with sample values for the kind's variables, overridden by `variables`.
   */
  async preview(
    project: { id: string; name: string },
    kind: string,
    locale: string,
    draft: TemplateContent | undefined,
    variables: Record<string, string> = {},
  ): Promise<TemplateContent> {
    const validKind = this.kind(kind);
    const allowed = EMAIL_KINDS[validKind];
    const unknown = Object.keys(variables).filter((name) => !(allowed as readonly string[]).includes(name));
    if (unknown.length)
      throw ApiError.badRequest(
        `variables: ${unknown.join(', ')} not used by ${validKind} (it has ${allowed.join(', ')})`,
      );
    if (draft) {
      const problems = templateProblems(draft, allowed);
      if (problems.length) throw ApiError.badRequest(problems.join('; '));
    }
    const content = draft ?? (await this.resolve(project.id, validKind, this.locale(locale)));
    const samples = Object.fromEntries(allowed.map((name) => [name, sampleValue(name, project.name)]));
    const { subject, html, text } = renderTemplate(content, { ...samples, ...variables });
    return { subject, html, text };
  }

  read(projectId: string, kind: string, locale: string): Promise<ResolvedTemplate> {
    return this.resolve(projectId, this.kind(kind), this.locale(locale));
  }

  private kind(kind: string): EmailKind {
    if (!isEmailKind(kind))
      throw ApiError.notFound(`No email template kind '${kind}' (kinds: ${EMAIL_KIND_NAMES.join(', ')}).`);
    return kind;
  }

  private locale(locale: string): string {
    const canonical = canonicalLocale(locale);
    if (!canonical) throw ApiError.badRequest(`'${locale}' is not a BCP 47 language tag (e.g. en, de-CH).`);
    return canonical;
  }
}

/** What a preview shows for a variable the request does not give: plausible, and plainly a sample. */
function sampleValue(variable: string, projectName: string): string {
  const samples: Record<string, string> = {
    projectName,
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    code: '123456',
    expiresInMinutes: '10',
    link: 'https://id.example.com/verify?token=sample',
    changedAt: '2026-01-15 09:30 UTC',
    signedInAt: '2026-01-15 09:30 UTC',
    device: 'Firefox on macOS',
    ipAddress: '203.0.113.7',
  };
  return samples[variable] ?? `[${variable}]`;
}
