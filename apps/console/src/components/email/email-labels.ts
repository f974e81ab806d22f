import type { OutboxMessage } from '@keyway/admin-api';
import { AdminApiError } from '@keyway/admin-client';

/** What each kind of mail is, in words: the API names kinds only. Kinds it adds later show by their name. */
const KIND_LABELS: Record<string, { label: string; description: string }> = {
  verification_code: {
    label: 'Verification code',
    description: 'A code that proves the user owns an email address.',
  },
  verification_link: {
    label: 'Verification link',
    description: 'A link that proves the user owns an email address.',
  },
  recovery_code: { label: 'Account recovery', description: 'A code to get back into an account (forgotten password).' },
  login_otp: { label: 'Sign-in code', description: 'A one-time code a login step asks for.' },
  welcome: { label: 'Welcome', description: 'Sent once an account is created.' },
  registration_attempt: {
    label: 'Registration attempt',
    description: 'Someone tried to sign up with an address that already has an account.',
  },
  password_changed: { label: 'Password changed', description: 'Tells the user their password was changed.' },
  new_sign_in: { label: 'New sign-in', description: 'A sign-in from a device not seen before.' },
  member_invitation: {
    label: 'Console invitation',
    description: 'An invitation to become a member of a project in this console.',
  },
  test: { label: 'Test mail', description: 'Sent from this page to check the SMTP settings.' },
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind]?.label ?? kind;
}

export function kindDescription(kind: string): string | undefined {
  return KIND_LABELS[kind]?.description;
}

export const STATUS_TONE: Record<OutboxMessage['status'], 'green' | 'red' | 'amber' | 'zinc'> = {
  pending: 'amber',
  sending: 'zinc',
  sent: 'green',
  failed: 'red',
};

/** A locale's name in English ("de-CH" → "German (Switzerland)"), or the tag when the browser does not know it. */
export function localeName(tag: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/** The canonical BCP 47 form of a tag ("de-ch" → "de-CH"), or undefined when it is not one. */
export function canonicalLocale(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag.trim())[0];
  } catch {
    return undefined;
  }
}

export type TemplatePart = 'subject' | 'html' | 'text';
const PARTS: readonly TemplatePart[] = ['subject', 'html', 'text'];

/**
 * A refused template, by part: the API names body fields it could not accept in `fields` (`subject`: must be
 * a single line) and lists what does not compile as "part: problem" lines in its description ("html: unknown
 * variable 'password' (known: …)"). What names no part is `other`.
 */
export function templateErrors(error: unknown): Partial<Record<TemplatePart | 'other', string>> {
  if (!(error instanceof AdminApiError))
    return { other: error instanceof Error ? error.message : 'The console could not be reached. Try again.' };
  const found: Partial<Record<TemplatePart | 'other', string[]>> = {};
  const add = (key: TemplatePart | 'other', message: string) => (found[key] ??= []).push(message);
  for (const field of error.body.fields ?? []) {
    const part = PARTS.find((name) => field.field === name);
    add(part ?? 'other', part ? field.message : `${field.field}: ${field.message}`);
  }
  if (!error.body.fields?.length) {
    for (const line of (error.body.description ?? error.message).split('; ')) {
      const match = /^(subject|html|text): (.+)$/s.exec(line);
      const part = PARTS.find((name) => name === match?.[1]);
      if (part && match?.[2]) add(part, match[2]);
      else add('other', line);
    }
  }
  return Object.fromEntries(Object.entries(found).map(([key, messages]) => [key, messages.join(' · ')]));
}
