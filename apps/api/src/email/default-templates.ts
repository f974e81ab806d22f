import type { EmailKind } from './email-kinds';

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
function layout(subject: string, body: string): string {
  return `<!doctype html>
<html lang="en">
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
<p style="margin:16px 0 0;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:12px;color:#52525b;">Sent by {{projectName}} to {{email}}.</p>
</td></tr>
</table>
</body>
</html>
`;
}

const heading = (text: string): string => `<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3;color:#18181b;">${text}</h1>`;
const paragraph = (text: string): string => `<p style="margin:0 0 16px;">${text}</p>`;
const muted = (text: string): string => `<p style="margin:0;font-size:14px;color:#52525b;">${text}</p>`;
/** The code in a large monospace box; letter spacing keeps digits apart, and it stays selectable text. */
const codeBox = `<p style="margin:0 0 24px;padding:16px;background-color:#f4f4f5;border-radius:6px;text-align:center;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:28px;font-weight:700;letter-spacing:6px;color:#18181b;">{{code}}</p>`;
const button = (label: string): string =>
  `<p style="margin:0 0 24px;"><a href="{{link}}" style="display:inline-block;padding:12px 24px;background-color:#1d4ed8;border-radius:6px;color:#ffffff;font-weight:600;text-decoration:none;">${label}</a></p>`;
const greeting = '{{#name}}Hi {{name}},{{/name}}{{^name}}Hello,{{/name}}';

function codeTemplate(subject: string, title: string, intro: string, outro: string): TemplateContent {
  return {
    subject,
    html: layout(subject, `${heading(title)}${paragraph(greeting)}${paragraph(intro)}${codeBox}${muted(`This code expires in {{expiresInMinutes}} minutes. ${outro}`)}`),
    text: `${greeting}\n\n${intro}\n\n    {{code}}\n\nThis code expires in {{expiresInMinutes}} minutes. ${outro}\n\n— {{projectName}}\n`,
  };
}

/** The templates every project starts with, in English (the fallback locale). */
export const DEFAULT_TEMPLATES: Record<EmailKind, TemplateContent> = {
  verification_code: codeTemplate(
    'Verify your email address for {{projectName}}',
    'Verify your email address',
    'Enter this code to confirm that {{email}} is your address:',
    "If you didn't ask for it, you can ignore this email.",
  ),
  verification_link: {
    subject: 'Verify your email address for {{projectName}}',
    html: layout(
      'Verify your email address for {{projectName}}',
      `${heading('Verify your email address')}${paragraph(greeting)}${paragraph('Confirm that {{email}} is your address:')}${button('Verify email address')}${muted('Or open this link: <a href="{{link}}" style="color:#1d4ed8;word-break:break-all;">{{link}}</a>')}${muted("The link expires in {{expiresInMinutes}} minutes. If you didn't ask for it, you can ignore this email.")}`,
    ),
    text: `${greeting}\n\nConfirm that {{email}} is your address by opening this link:\n\n{{link}}\n\nThe link expires in {{expiresInMinutes}} minutes. If you didn't ask for it, you can ignore this email.\n\n— {{projectName}}\n`,
  },
  recovery_code: codeTemplate(
    'Recover your {{projectName}} account',
    'Recover your account',
    'Enter this code to recover your account and choose a new password:',
    "If you didn't ask to recover your account, ignore this email: your password stays unchanged.",
  ),
  login_otp: codeTemplate(
    'Your {{projectName}} sign-in code',
    'Your sign-in code',
    'Enter this code to sign in:',
    "If you didn't try to sign in, someone may know your email address; you can ignore this email.",
  ),
  welcome: {
    subject: 'Welcome to {{projectName}}',
    html: layout('Welcome to {{projectName}}', `${heading('Welcome to {{projectName}}')}${paragraph(greeting)}${paragraph('Your account for {{email}} is ready. Thanks for joining us!')}`),
    text: `${greeting}\n\nYour account for {{email}} is ready. Thanks for joining us!\n\n— {{projectName}}\n`,
  },
  registration_attempt: {
    subject: 'Someone tried to create a {{projectName}} account with your email',
    html: layout(
      'Someone tried to create a {{projectName}} account with your email',
      `${heading('You already have an account')}${paragraph(greeting)}${paragraph('Someone just tried to create a {{projectName}} account for {{email}}, which already has one. Sign in with it instead; if you forgot your password, recover your account.')}${muted("If this wasn't you, you can ignore this email: nothing was changed.")}`,
    ),
    text: `${greeting}\n\nSomeone just tried to create a {{projectName}} account for {{email}}, which already has one. Sign in with it instead; if you forgot your password, recover your account.\n\nIf this wasn't you, you can ignore this email: nothing was changed.\n\n— {{projectName}}\n`,
  },
  password_changed: {
    subject: 'Your {{projectName}} password was changed',
    html: layout(
      'Your {{projectName}} password was changed',
      `${heading('Your password was changed')}${paragraph(greeting)}${paragraph('The password of your account {{email}} was changed on {{changedAt}}.')}${muted("If this wasn't you, recover your account right away.")}`,
    ),
    text: `${greeting}\n\nThe password of your account {{email}} was changed on {{changedAt}}.\n\nIf this wasn't you, recover your account right away.\n\n— {{projectName}}\n`,
  },
  new_sign_in: {
    subject: 'New sign-in to your {{projectName}} account',
    html: layout(
      'New sign-in to your {{projectName}} account',
      `${heading('New sign-in')}${paragraph(greeting)}${paragraph('Your account {{email}} was signed in to on {{signedInAt}}{{#device}} from {{device}}{{/device}}{{#ipAddress}} ({{ipAddress}}){{/ipAddress}}.')}${muted("If this was you, there's nothing to do. If not, change your password right away.")}`,
    ),
    text: `${greeting}\n\nYour account {{email}} was signed in to on {{signedInAt}}{{#device}} from {{device}}{{/device}}{{#ipAddress}} ({{ipAddress}}){{/ipAddress}}.\n\nIf this was you, there's nothing to do. If not, change your password right away.\n\n— {{projectName}}\n`,
  },
};

/** The "send test email" message (not a customisable kind). */
export const TEST_EMAIL: TemplateContent = {
  subject: 'Test email from {{projectName}}',
  html: layout('Test email from {{projectName}}', `${heading('It works')}${paragraph('This test email from {{projectName}} went through the outbox and your SMTP settings.')}`),
  text: 'It works: this test email from {{projectName}} went through the outbox and your SMTP settings.\n',
};
