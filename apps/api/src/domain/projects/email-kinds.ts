/** The emails Keyway sends, and the variables each template may use (templates using others are refused). */
export const EMAIL_KINDS = {
  verification_code: ['projectName', 'email', 'name', 'code', 'expiresInMinutes'],
  verification_link: ['projectName', 'email', 'name', 'link', 'expiresInMinutes'],
  /** `link`: the page that takes the code, when an administrator sent it (no app holds that flow). */
  recovery_code: ['projectName', 'email', 'name', 'code', 'expiresInMinutes', 'link'],
  login_otp: ['projectName', 'email', 'name', 'code', 'expiresInMinutes'],
  welcome: ['projectName', 'email', 'name'],
  /** Someone tried to register with an address that already has an account (registration never says so on screen). */
  registration_attempt: ['projectName', 'email', 'name'],
  password_changed: ['projectName', 'email', 'name', 'changedAt'],
  new_sign_in: ['projectName', 'email', 'name', 'signedInAt', 'device', 'ipAddress'],
  /** An invitation to become a member of a project in the console (sent as the system project). */
  member_invitation: ['projectName', 'email', 'inviterName', 'role', 'link', 'expiresInDays'],
} as const satisfies Record<string, readonly string[]>;

export type EmailKind = keyof typeof EMAIL_KINDS;
export type EmailVariables<K extends EmailKind> = Partial<Record<(typeof EMAIL_KINDS)[K][number], string | number>>;

export const EMAIL_KIND_NAMES = Object.keys(EMAIL_KINDS) as EmailKind[];

export function isEmailKind(value: string): value is EmailKind {
  return Object.hasOwn(EMAIL_KINDS, value);
}

/** Every template falls back to this locale, which always has a shipped default. */
export const FALLBACK_LOCALE = 'en';

/** The canonical BCP 47 form of a tag ("de-ch" → "de-CH"), or undefined when it is not a valid tag. */
export function canonicalLocale(tag: string): string | undefined {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical;
  } catch {
    return undefined;
  }
}

/** Where to look for a template, most specific first: "de-CH" → ["de-CH", "de", "en"]. */
export function localeChain(locale: string): string[] {
  const chain = [locale];
  const language = locale.split('-')[0];
  if (language && language !== locale) chain.push(language);
  if (!chain.includes(FALLBACK_LOCALE)) chain.push(FALLBACK_LOCALE);
  return chain;
}
