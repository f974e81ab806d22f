import type { EmailKind } from '../projects/email-kinds';

/** The locales Keyway ships templates in; English is the fallback of every chain. */
export const SHIPPED_LOCALES = ['en', 'de'] as const;
export type ShippedLocale = (typeof SHIPPED_LOCALES)[number];

const FOOTER: Record<ShippedLocale, string> = {
  en: 'Sent by {{projectName}} to {{email}}.',
  de: 'Gesendet von {{projectName}} an {{email}}.',
};

export interface TemplateContent {
  subject: string;
  html: string;
  text: string;
}

/**
 * One simple, accessible layout for every shipped template: a single centred column in a presentation
 * table (the only layout that mail clients agree on), inline styles (many clients drop <style>), system
 * fonts, 16px text, WCAG AA contrast, a `lang` attribute and the subject as the document title.
 */
function layout(subject: string, body: string, locale: ShippedLocale = 'en'): string {
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${subject}</title>
</head>
<body style="margin:0;padding:0;background-color:#f4f4f5;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background-color:#f4f4f5;">
<tr><td align="center" style="padding:32px 16px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background-color:#ffffff;border-radius:8px;">
<tr><td style="padding:32px;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#18181b;">
<p style="margin:0 0 24px;font-size:14px;font-weight:600;color:#52525b;">{{projectName}}</p>
${body}
</td></tr>
</table>
<p style="margin:16px 0 0;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:12px;color:#52525b;">${FOOTER[locale]}</p>
</td></tr>
</table>
</body>
</html>
`;
}

const heading = (text: string): string =>
  `<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3;color:#18181b;">${text}</h1>`;
const paragraph = (text: string): string => `<p style="margin:0 0 16px;">${text}</p>`;
const muted = (text: string): string => `<p style="margin:0;font-size:14px;color:#52525b;">${text}</p>`;
/** The code in a large monospace box; letter spacing keeps digits apart, and it stays selectable text. */
const codeBox = `<p style="margin:0 0 24px;padding:16px;background-color:#f4f4f5;border-radius:6px;text-align:center;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:28px;font-weight:700;letter-spacing:6px;color:#18181b;">{{code}}</p>`;
const button = (label: string): string =>
  `<p style="margin:0 0 24px;"><a href="{{link}}" style="display:inline-block;padding:12px 24px;background-color:#1d4ed8;border-radius:6px;color:#ffffff;font-weight:600;text-decoration:none;">${label}</a></p>`;
const GREETING: Record<ShippedLocale, string> = {
  en: '{{#name}}Hi {{name}},{{/name}}{{^name}}Hello,{{/name}}',
  de: '{{#name}}Hallo {{name}},{{/name}}{{^name}}Hallo,{{/name}}',
};
const CODE_EXPIRY: Record<ShippedLocale, string> = {
  en: 'This code expires in {{expiresInMinutes}} minutes.',
  de: 'Der Code ist {{expiresInMinutes}} Minuten lang gültig.',
};

/**
 * `where`: for kinds with an optional `link` variable, the sentence before the link to the page that takes the
 * code (shown only when the mail has one: recovery sent by an administrator, whose flow no app holds).
 */
function codeTemplate(
  locale: ShippedLocale,
  subject: string,
  title: string,
  intro: string,
  outro: string,
  where?: string,
): TemplateContent {
  const greeting = GREETING[locale];
  const expiry = `${CODE_EXPIRY[locale]} ${outro}`;
  const linkHtml = where
    ? `{{#link}}${paragraph(`${where} <a href="{{link}}" style="color:#1d4ed8;word-break:break-all;">{{link}}</a>`)}{{/link}}`
    : '';
  const linkText = where ? `{{#link}}${where}\n{{link}}\n\n{{/link}}` : '';
  return {
    subject,
    html: layout(
      subject,
      `${heading(title)}${paragraph(greeting)}${paragraph(intro)}${codeBox}${linkHtml}${muted(expiry)}`,
      locale,
    ),
    text: `${greeting}\n\n${intro}\n\n    {{code}}\n\n${linkText}${expiry}\n\n— {{projectName}}\n`,
  };
}

/** A message without code or link: a heading, the greeting, one paragraph and an optional note. */
function noticeTemplate(
  locale: ShippedLocale,
  subject: string,
  title: string,
  body: string,
  note?: string,
): TemplateContent {
  const greeting = GREETING[locale];
  return {
    subject,
    html: layout(
      subject,
      `${heading(title)}${paragraph(greeting)}${paragraph(body)}${note ? muted(note) : ''}`,
      locale,
    ),
    text: `${greeting}\n\n${body}\n\n${note ? `${note}\n\n` : ''}— {{projectName}}\n`,
  };
}

interface LinkTexts {
  /** The first line; by default it greets the identity by its `name`. */
  greeting?: string;
  subject: string;
  title: string;
  intro: string;
  textIntro: string;
  button: string;
  orOpen: string;
  expiry: string;
}

function linkTemplate(locale: ShippedLocale, t: LinkTexts): TemplateContent {
  const greeting = t.greeting ?? GREETING[locale];
  return {
    subject: t.subject,
    html: layout(
      t.subject,
      `${heading(t.title)}${paragraph(greeting)}${paragraph(t.intro)}${button(t.button)}${muted(`${t.orOpen} <a href="{{link}}" style="color:#1d4ed8;word-break:break-all;">{{link}}</a>`)}${muted(t.expiry)}`,
      locale,
    ),
    text: `${greeting}\n\n${t.textIntro}\n\n{{link}}\n\n${t.expiry}\n\n— {{projectName}}\n`,
  };
}

/** The templates every project starts with, in English (the fallback locale). */
export const DEFAULT_TEMPLATES: Record<EmailKind, TemplateContent> = {
  verification_code: codeTemplate(
    'en',
    'Verify your email address for {{projectName}}',
    'Verify your email address',
    'Enter this code to confirm that {{email}} is your address:',
    "If you didn't ask for it, you can ignore this email.",
  ),
  verification_link: linkTemplate('en', {
    subject: 'Verify your email address for {{projectName}}',
    title: 'Verify your email address',
    intro: 'Confirm that {{email}} is your address:',
    textIntro: 'Confirm that {{email}} is your address by opening this link:',
    button: 'Verify email address',
    orOpen: 'Or open this link:',
    expiry: "The link expires in {{expiresInMinutes}} minutes. If you didn't ask for it, you can ignore this email.",
  }),
  recovery_code: codeTemplate(
    'en',
    'Recover your {{projectName}} account',
    'Recover your account',
    'Enter this code to recover your account and choose a new password:',
    "If you didn't ask to recover your account, ignore this email: your password stays unchanged.",
    'Enter it on this page:',
  ),
  login_otp: codeTemplate(
    'en',
    'Your {{projectName}} sign-in code',
    'Your sign-in code',
    'Enter this code to sign in:',
    "If you didn't try to sign in, someone may know your email address; you can ignore this email.",
  ),
  welcome: noticeTemplate(
    'en',
    'Welcome to {{projectName}}',
    'Welcome to {{projectName}}',
    'Your account for {{email}} is ready. Thanks for joining us!',
  ),
  registration_attempt: noticeTemplate(
    'en',
    'Someone tried to create a {{projectName}} account with your email',
    'You already have an account',
    'Someone just tried to create a {{projectName}} account for {{email}}, which already has one. Sign in with it instead; if you forgot your password, recover your account.',
    "If this wasn't you, you can ignore this email: nothing was changed.",
  ),
  password_changed: noticeTemplate(
    'en',
    'Your {{projectName}} password was changed',
    'Your password was changed',
    'The password of your account {{email}} was changed on {{changedAt}}.',
    "If this wasn't you, recover your account right away.",
  ),
  new_sign_in: noticeTemplate(
    'en',
    'New sign-in to your {{projectName}} account',
    'New sign-in',
    'Your account {{email}} was signed in to on {{signedInAt}}{{#device}} from {{device}}{{/device}}{{#ipAddress}} ({{ipAddress}}){{/ipAddress}}.',
    "If this was you, there's nothing to do. If not, change your password right away.",
  ),
  // The invitee has no account yet, or one in the console only: there is no name to greet.
  member_invitation: linkTemplate('en', {
    greeting: 'Hello,',
    subject: "You're invited to {{projectName}}",
    title: 'Join {{projectName}}',
    intro: '{{inviterName}} invited you to help manage {{projectName}} in the Keyway console, as {{role}}.',
    textIntro:
      '{{inviterName}} invited you to help manage {{projectName}} in the Keyway console, as {{role}}. To accept, open this link:',
    button: 'Accept the invitation',
    orOpen: 'Or open this link:',
    expiry:
      "The invitation works once and expires in {{expiresInDays}} days. If you didn't expect it, you can ignore this email.",
  }),
};

/** The shipped German templates (formal address, as most German services write to customers). */
export const GERMAN_TEMPLATES: Record<EmailKind, TemplateContent> = {
  verification_code: codeTemplate(
    'de',
    'Bestätigen Sie Ihre E-Mail-Adresse für {{projectName}}',
    'Bestätigen Sie Ihre E-Mail-Adresse',
    'Geben Sie diesen Code ein, um zu bestätigen, dass {{email}} Ihre Adresse ist:',
    'Falls Sie ihn nicht angefordert haben, können Sie diese E-Mail ignorieren.',
  ),
  verification_link: linkTemplate('de', {
    subject: 'Bestätigen Sie Ihre E-Mail-Adresse für {{projectName}}',
    title: 'Bestätigen Sie Ihre E-Mail-Adresse',
    intro: 'Bestätigen Sie, dass {{email}} Ihre Adresse ist:',
    textIntro: 'Bestätigen Sie, dass {{email}} Ihre Adresse ist, indem Sie diesen Link öffnen:',
    button: 'E-Mail-Adresse bestätigen',
    orOpen: 'Oder öffnen Sie diesen Link:',
    expiry:
      'Der Link ist {{expiresInMinutes}} Minuten lang gültig. Falls Sie ihn nicht angefordert haben, können Sie diese E-Mail ignorieren.',
  }),
  recovery_code: codeTemplate(
    'de',
    'Ihr Konto bei {{projectName}} wiederherstellen',
    'Konto wiederherstellen',
    'Geben Sie diesen Code ein, um Ihr Konto wiederherzustellen und ein neues Passwort festzulegen:',
    'Falls Sie keine Wiederherstellung angefordert haben, ignorieren Sie diese E-Mail einfach: Ihr Passwort bleibt unverändert.',
    'Geben Sie ihn auf dieser Seite ein:',
  ),
  login_otp: codeTemplate(
    'de',
    'Ihr Anmeldecode für {{projectName}}',
    'Ihr Anmeldecode',
    'Geben Sie diesen Code ein, um sich anzumelden:',
    'Falls Sie sich nicht anmelden wollten, kennt möglicherweise jemand Ihre E-Mail-Adresse; Sie können diese E-Mail ignorieren.',
  ),
  welcome: noticeTemplate(
    'de',
    'Willkommen bei {{projectName}}',
    'Willkommen bei {{projectName}}',
    'Ihr Konto für {{email}} ist eingerichtet. Schön, dass Sie dabei sind!',
  ),
  registration_attempt: noticeTemplate(
    'de',
    'Jemand wollte mit Ihrer E-Mail-Adresse ein Konto bei {{projectName}} anlegen',
    'Sie haben bereits ein Konto',
    'Soeben hat jemand versucht, bei {{projectName}} ein Konto für {{email}} anzulegen, doch für diese Adresse gibt es bereits eines. Melden Sie sich einfach damit an; falls Sie Ihr Passwort vergessen haben, können Sie Ihr Konto wiederherstellen.',
    'Falls Sie das nicht waren, können Sie diese E-Mail ignorieren: Es wurde nichts geändert.',
  ),
  password_changed: noticeTemplate(
    'de',
    'Ihr Passwort für {{projectName}} wurde geändert',
    'Ihr Passwort wurde geändert',
    'Das Passwort Ihres Kontos {{email}} wurde am {{changedAt}} geändert.',
    'Falls Sie das nicht waren, stellen Sie Ihr Konto bitte umgehend wieder her.',
  ),
  new_sign_in: noticeTemplate(
    'de',
    'Neue Anmeldung bei {{projectName}}',
    'Neue Anmeldung',
    'Am {{signedInAt}} hat sich jemand{{#device}} mit {{device}}{{/device}}{{#ipAddress}} (IP-Adresse {{ipAddress}}){{/ipAddress}} bei Ihrem Konto {{email}} angemeldet.',
    'Wenn Sie das waren, müssen Sie nichts weiter tun. Falls nicht, ändern Sie bitte umgehend Ihr Passwort.',
  ),
  member_invitation: linkTemplate('de', {
    greeting: 'Hallo,',
    subject: 'Einladung zu {{projectName}}',
    title: '{{projectName}} beitreten',
    intro: '{{inviterName}} hat Sie eingeladen, {{projectName}} in der Keyway-Konsole mitzuverwalten, als {{role}}.',
    textIntro:
      '{{inviterName}} hat Sie eingeladen, {{projectName}} in der Keyway-Konsole mitzuverwalten, als {{role}}. Um die Einladung anzunehmen, öffnen Sie diesen Link:',
    button: 'Einladung annehmen',
    orOpen: 'Oder öffnen Sie diesen Link:',
    expiry:
      'Die Einladung gilt ein einziges Mal und läuft in {{expiresInDays}} Tagen ab. Falls Sie sie nicht erwartet haben, können Sie diese E-Mail ignorieren.',
  }),
};

/** Every shipped template by locale. */
const SHIPPED_TEMPLATES: Record<ShippedLocale, Record<EmailKind, TemplateContent>> = {
  en: DEFAULT_TEMPLATES,
  de: GERMAN_TEMPLATES,
};

/** The shipped template of a kind in exactly this locale, if Keyway ships one. */
export function shippedTemplate(kind: EmailKind, locale: string): TemplateContent | undefined {
  return (SHIPPED_LOCALES as readonly string[]).includes(locale)
    ? SHIPPED_TEMPLATES[locale as ShippedLocale][kind]
    : undefined;
}

/** The "send test email" message (not a customisable kind). */
export const TEST_EMAIL: TemplateContent = {
  subject: 'Test email from {{projectName}}',
  html: layout(
    'Test email from {{projectName}}',
    `${heading('It works')}${paragraph('This test email from {{projectName}} went through the outbox and your SMTP settings.')}`,
  ),
  text: 'It works: this test email from {{projectName}} went through the outbox and your SMTP settings.\n',
};
