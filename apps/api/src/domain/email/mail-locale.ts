import { canonicalLocale } from '../projects/email-kinds';

/** More preferences than this say nothing more about the reader; the rest of a long list is dropped. */
export const MAX_UI_LOCALES = 10;

/**
 * The `ui_locales` of an authorization request (OIDC Core §3.1.2.1: space-separated BCP 47 tags, most
 * preferred first), canonicalised ("de-ch" → "de-CH"), invalid tags and repeats dropped, at most
 * MAX_UI_LOCALES. Undefined when nothing usable was sent, so flows without a preference store nothing.
 */
export function parseUiLocales(value: string | undefined): string[] | undefined {
  if (!value) return undefined;
  const tags: string[] = [];
  for (const tag of value.split(/\s+/)) {
    const canonical = tag ? canonicalLocale(tag) : undefined;
    if (canonical && !tags.includes(canonical)) tags.push(canonical);
    if (tags.length === MAX_UI_LOCALES) break;
  }
  return tags.length ? tags : undefined;
}

/** Where to look for a template of a candidate locale, without the final English fallback: "de-CH" → ["de-CH", "de"]. */
export function ownChain(locale: string): string[] {
  const language = locale.split('-')[0];
  return language && language !== locale ? [locale, language] : [locale];
}

/**
 * The locales a mail may be written in, most wanted first: the identity's own (its `locale` trait), then
 * what the app asked for (`ui_locales`). Canonical and without repeats; invalid values are skipped.
 */
export function localeCandidates(
  identityLocale: string | undefined,
  uiLocales: readonly string[] | undefined,
): string[] {
  const candidates: string[] = [];
  for (const tag of [identityLocale, ...(uiLocales ?? [])]) {
    const canonical = tag ? canonicalLocale(tag) : undefined;
    if (canonical && !candidates.includes(canonical)) candidates.push(canonical);
  }
  return candidates;
}

/**
 * The first candidate that has a template for the kind in its own chain (its locale or its language;
 * `available` holds the locales that have one): "fr" with no French template is skipped rather than
 * mailed in English, so a later "de" still wins. When no candidate has one, the project's default locale.
 */
export function chooseMailLocale(
  candidates: readonly string[],
  available: ReadonlySet<string>,
  defaultLocale: string,
): string {
  return candidates.find((candidate) => ownChain(candidate).some((locale) => available.has(locale))) ?? defaultLocale;
}

/**
 * An identity's `locale` trait, when its schema declares one and the value is a BCP 47 tag (canonical);
 * `declared` says whether the identity's schema version has a top-level `locale` property.
 */
export function localeTrait(traits: unknown, declared: boolean): string | undefined {
  if (!declared || typeof traits !== 'object' || traits === null) return undefined;
  const value = (traits as Record<string, unknown>)['locale'];
  return typeof value === 'string' ? canonicalLocale(value) : undefined;
}

/** A moment as a mail shows it, in the mail's locale and in UTC (the reader's time zone is unknown): "21 November 2026 at 09:30 UTC". */
export function formatMailDate(date: Date, locale: string): string {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });
  } catch {
    format = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });
  }
  return `${format.format(date)} UTC`;
}
