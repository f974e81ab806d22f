/**
 * The hosted pages' own words in English and German (like the mails). Flow messages carry their English text
 * and an i18nKey; the German page shows the key's translation where there is one, else the English text.
 */
export type PageLanguage = 'en' | 'de';
export const PAGE_LANGUAGES: readonly PageLanguage[] = ['en', 'de'];

interface ActionTexts {
  title: string;
  submit: string;
}

export interface PageTexts {
  /** By the option's i18nKey: the page title and the button. */
  actions: Record<string, ActionTexts>;
  /** By the param's i18nKey; the param's displayName otherwise. */
  params: Record<string, string>;
  /** By the message's i18nKey; the message's own (English) text otherwise. */
  messages: Record<string, string>;
  continue: string;
  chooseMethod: string;
  /** "Use {name}" for an option offered beside others. */
  useOption: (name: string) => string;
  /** The button of an upstream provider's sign-in (a connection). */
  signInWith: (provider: string) => string;
  or: string;
  resendCode: string;
  multiValuedHint: string;
  passkeyButton: string;
  passkeyNeedsScript: string;
  passkeyFailed: string;
  enrollmentIntro: string;
  enrollmentKey: string;
  createAccount: string;
  forgotPassword: string;
  startAgain: string;
  /** A provider's answer that no sign-in of this browser is waiting for. */
  federationAnswerUnknown: string;
  formPostTitle: string;
  formPostContinue: string;
  errorTitle: string;
  failedTitle: string;
  expiredFormTitle: string;
  expiredForm: string;
  signOutTitle: string;
  signOutQuestion: (projectName: string) => string;
  signOutButton: string;
  signedOutTitle: string;
  signedOut: string;
}

const en: PageTexts = {
  actions: {
    'authenticator.basic': { title: 'Sign in', submit: 'Sign in' },
    'authenticator.totp': { title: 'Enter your verification code', submit: 'Verify' },
    'authenticator.email.otp': { title: 'Sign in with an email code', submit: 'Continue' },
    'authenticator.backup.code': { title: 'Use a backup code', submit: 'Verify' },
    'authenticator.Fido': { title: 'Sign in with a passkey', submit: 'Use your passkey' },
    'action.password.registration': { title: 'Create your account', submit: 'Create account' },
    'action.email.verification': { title: 'Check your email', submit: 'Verify' },
    'action.email.verification.start': { title: 'Verify your email address', submit: 'Send verification link' },
    'action.email.verification.link': { title: 'Check your email', submit: 'Continue' },
    'action.email.recovery': { title: 'Recover your account', submit: 'Send recovery code' },
    'action.email.recovery.code': { title: 'Check your email', submit: 'Continue' },
    'action.password.reset': { title: 'Choose a new password', submit: 'Change password' },
  },
  params: { 'totp.authenticator': 'Verification code' },
  messages: {},
  continue: 'Continue',
  chooseMethod: 'Choose how to sign in',
  useOption: (name) => `Use ${name}`,
  signInWith: (provider) => `Sign in with ${provider}`,
  or: 'or',
  resendCode: 'Send a new code',
  multiValuedHint: 'Separate several values with commas.',
  passkeyButton: 'Use your passkey',
  passkeyNeedsScript: 'Signing in with a passkey needs JavaScript. Turn it on, or choose another way to sign in.',
  passkeyFailed: 'The passkey could not be used. Try again, or choose another way to sign in.',
  enrollmentIntro: 'Set up your authenticator app: scan this QR code with it, then enter the six-digit code it shows.',
  enrollmentKey: 'Cannot scan? Enter this key in the app instead:',
  createAccount: 'Create an account',
  forgotPassword: 'Forgot your password?',
  startAgain: 'Start again',
  federationAnswerUnknown:
    'This answer from the sign-in provider does not belong to a sign-in in this browser. Start again from the app.',
  formPostTitle: 'Signing you in',
  formPostContinue: 'Continue',
  errorTitle: 'We could not continue',
  failedTitle: 'This attempt has ended',
  expiredFormTitle: 'This form has expired',
  expiredForm:
    'For your security, the form could not be accepted: it was not sent from this page, or your browser blocked its cookie. Go back, reload the page and try again.',
  signOutTitle: 'Sign out',
  signOutQuestion: (name) =>
    `Do you want to sign out of ${name}? You will be signed out of every app that uses this account in this browser.`,
  signOutButton: 'Sign out',
  signedOutTitle: 'You have signed out',
  signedOut: 'You can close this page.',
};

const de: PageTexts = {
  actions: {
    'authenticator.basic': { title: 'Anmelden', submit: 'Anmelden' },
    'authenticator.totp': { title: 'Bestätigungscode eingeben', submit: 'Bestätigen' },
    'authenticator.email.otp': { title: 'Mit einem E-Mail-Code anmelden', submit: 'Weiter' },
    'authenticator.backup.code': { title: 'Backup-Code verwenden', submit: 'Bestätigen' },
    'authenticator.Fido': { title: 'Mit einem Passkey anmelden', submit: 'Passkey verwenden' },
    'action.password.registration': { title: 'Konto erstellen', submit: 'Konto erstellen' },
    'action.email.verification': { title: 'Prüfen Sie Ihre E-Mails', submit: 'Bestätigen' },
    'action.email.verification.start': {
      title: 'E-Mail-Adresse bestätigen',
      submit: 'Bestätigungslink senden',
    },
    'action.email.verification.link': { title: 'Prüfen Sie Ihre E-Mails', submit: 'Weiter' },
    'action.email.recovery': { title: 'Konto wiederherstellen', submit: 'Wiederherstellungscode senden' },
    'action.email.recovery.code': { title: 'Prüfen Sie Ihre E-Mails', submit: 'Weiter' },
    'action.password.reset': { title: 'Neues Passwort wählen', submit: 'Passwort ändern' },
  },
  params: {
    'username.param': 'Benutzername',
    'password.param': 'Passwort',
    'otp.code.param': 'Code',
    'totp.authenticator': 'Bestätigungscode',
    'backup.code.param': 'Backup-Code',
    'param.email': 'E-Mail',
    'param.recovery.code': 'Wiederherstellungscode',
    'param.verification.code': 'Bestätigungscode',
  },
  messages: {
    'message.msg_invalid_un_pw': 'Benutzername oder Passwort ist falsch.',
    'message.msg_invalid_totp': 'Der Bestätigungscode ist falsch.',
    'message.msg_totp_reused': 'Dieser Code wurde bereits verwendet. Warten Sie auf den nächsten Code.',
    'message.msg_totp_not_enrolled':
      'Für dieses Konto ist keine Authenticator-App eingerichtet, die diese Anmeldung verlangt.',
    'message.msg_invalid_backup_code': 'Der Backup-Code ist falsch.',
    'message.msg_backup_code_used': 'Dieser Backup-Code wurde bereits verwendet.',
    'message.msg_invalid_email_otp': 'Der Code ist falsch.',
    'message.msg_email_otp_expired': 'Der Code ist abgelaufen. Fordern Sie einen neuen an.',
    'message.msg_email_otp_resend_too_soon': 'Bitte warten Sie kurz, bevor Sie einen neuen Code anfordern.',
    'message.msg_email_otp_resend_limit': 'Es wurden zu viele Codes angefordert.',
    'message.msg_invalid_passkey': 'Der Passkey wurde nicht akzeptiert.',
    'message.msg_passkey_not_enrolled': 'Für dieses Konto ist kein Passkey eingerichtet.',
    'message.msg_account_locked': 'Das Konto ist vorübergehend gesperrt. Versuchen Sie es später erneut.',
    'message.msg_too_many_attempts': 'Zu viele Fehlversuche. Beginnen Sie die Anmeldung von vorn.',
    'message.msg_account_unavailable': 'Mit diesem Konto ist keine Anmeldung möglich.',
    'message.msg_email_not_verified': 'Bestätigen Sie Ihre E-Mail-Adresse, bevor Sie sich anmelden.',
    'message.msg_identity_mismatch': 'Dieser Schritt gehört zu einem anderen Konto.',
  },
  continue: 'Weiter',
  chooseMethod: 'Wählen Sie, wie Sie sich anmelden',
  useOption: (name) => `${name} verwenden`,
  signInWith: (provider) => `Mit ${provider} anmelden`,
  or: 'oder',
  resendCode: 'Neuen Code senden',
  multiValuedHint: 'Trennen Sie mehrere Werte durch Kommas.',
  passkeyButton: 'Passkey verwenden',
  passkeyNeedsScript:
    'Die Anmeldung mit einem Passkey braucht JavaScript. Schalten Sie es ein, oder wählen Sie einen anderen Weg.',
  passkeyFailed:
    'Der Passkey konnte nicht verwendet werden. Versuchen Sie es erneut, oder wählen Sie einen anderen Weg.',
  enrollmentIntro:
    'Richten Sie Ihre Authenticator-App ein: Scannen Sie diesen QR-Code und geben Sie den sechsstelligen Code ein, den die App anzeigt.',
  enrollmentKey: 'Scannen geht nicht? Geben Sie stattdessen diesen Schlüssel in der App ein:',
  createAccount: 'Konto erstellen',
  forgotPassword: 'Passwort vergessen?',
  startAgain: 'Von vorn beginnen',
  federationAnswerUnknown:
    'Diese Antwort des Anmeldedienstes gehört zu keiner Anmeldung in diesem Browser. Beginnen Sie in der App von vorn.',
  formPostTitle: 'Sie werden angemeldet',
  formPostContinue: 'Weiter',
  errorTitle: 'Es ging nicht weiter',
  failedTitle: 'Dieser Versuch ist beendet',
  expiredFormTitle: 'Dieses Formular ist abgelaufen',
  expiredForm:
    'Zu Ihrer Sicherheit wurde das Formular nicht angenommen: Es kam nicht von dieser Seite, oder Ihr Browser hat sein Cookie blockiert. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.',
  signOutTitle: 'Abmelden',
  signOutQuestion: (name) =>
    `Möchten Sie sich von ${name} abmelden? Sie werden in diesem Browser von allen Apps abgemeldet, die dieses Konto verwenden.`,
  signOutButton: 'Abmelden',
  signedOutTitle: 'Sie sind abgemeldet',
  signedOut: 'Sie können diese Seite schließen.',
};

const TEXTS: Record<PageLanguage, PageTexts> = { en, de };

export function pageTexts(lang: PageLanguage): PageTexts {
  return TEXTS[lang];
}

/**
 * The page language: the first of `ui_locales` (OIDC Core §3.1.2.1) we have, then the browser's Accept-Language
 * in its order of preference (q-values), then English.
 */
export function pageLanguage(
  uiLocales: readonly string[] | undefined,
  acceptLanguage: string | undefined,
): PageLanguage {
  for (const tag of uiLocales ?? []) {
    const lang = supported(tag);
    if (lang) return lang;
  }
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...rest] = part.trim().split(';');
      const q = rest.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const lang = supported(tag);
    if (lang) return lang;
  }
  return 'en';
}

function supported(tag: string): PageLanguage | undefined {
  const primary = tag.toLowerCase().split('-')[0];
  return (PAGE_LANGUAGES as readonly string[]).includes(primary ?? '') ? (primary as PageLanguage) : undefined;
}
