import Mustache from 'mustache';
import type { AuthenticatorOption, AuthenticatorParam, FlowMessage, NextStep } from '@keyway/flow-types';
import { LAYOUT, pageStyle, type Branding } from './page-templates';
import { pageTexts, type PageLanguage, type PageTexts } from './page-texts';

/** Form fields the hosted layer itself posts; every other field is a param of the selected authenticator. */
export const CONTROL_FIELDS = {
  flowId: 'flowId',
  authenticatorId: 'authenticatorId',
  csrf: 'csrf_token',
  restart: 'restart',
} as const;

export interface Link {
  href: string;
  label: string;
}

/** What every page needs besides the flow's answer. */
export interface PageContext {
  projectName: string;
  /** The page's own URL: forms post back to it. */
  action: string;
  csrfToken: string;
  /** Extra hidden fields (e.g. the OAuth params to restart with, the client of a verification). */
  hidden?: Record<string, string>;
  /** Values the user typed, shown again when a step is re-offered (never confidential ones). */
  values?: Record<string, string>;
  links?: Link[];
  /** Login pages: secrets typed are existing ones (`current-password`), not chosen ones. */
  purpose?: 'login' | 'self-service';
  lang?: PageLanguage;
  branding?: Branding | undefined;
  /** The URLs of the page's scripts (the passkey ceremony); none otherwise. */
  scripts?: string[];
  /** A server-made SVG QR code of a TOTP enrollment's otpauth URI, by authenticatorId. */
  qrCodes?: Record<string, string>;
}

/** A page without a form: done, failed, expired, refused. */
export interface NoticePage {
  projectName: string;
  title: string;
  paragraphs?: string[];
  messages?: FlowMessage[];
  links?: Link[];
  lang?: PageLanguage;
  branding?: Branding | undefined;
}

/** Options whose prompt is a code sent on selection: selecting them again without params sends a new one. */
const RESENDABLE = new Set(['authenticator.email.otp']);

/**
 * A one-time code typed from a mail or an app (verification and recovery codes, TOTP, email OTP), by its param
 * name: offered to the browser's code autofill, and never shown again after a wrong answer.
 */
export function isOneTimeCode(param: Pick<AuthenticatorParam, 'param'>): boolean {
  return ['code', 'token', 'otpcode'].includes(param.param.toLowerCase());
}

interface FieldView {
  id: string;
  name: string;
  label: string;
  type: string;
  checkbox: boolean;
  checked: boolean;
  value?: string;
  autocomplete?: string;
  inputmode?: string;
  required: boolean;
  hint?: string;
  error?: string;
  describedBy?: string;
}

interface NoticeView {
  kind: 'info' | 'error';
  role: 'status' | 'alert';
  text: string;
}

interface FormView {
  action: string;
  hidden: Array<{ name: string; value: string }>;
  fields: FieldView[];
  submit: string;
  /** A button-only form offering another option, or a resend: shown as a secondary button. */
  secondary?: boolean;
  /** The passkey ceremony's form: the script fills `tokenResponse` from `challenge` and submits it. */
  passkey?: { challenge: string; failed: string };
  enrollment?: { qr?: string; secret?: string; intro: string; keyLabel: string };
  codes?: string[];
}

/**
 * Renders the FlowResponse that the JSON API returns as an HTML page: the step's USER_PROMPT params become
 * form fields (in `order`, confidential ones as password inputs), its messages become notices, and a
 * message whose context names a `field` is shown beside that field. The form posts the same AuthnRequest
 * the native app sends ({flowId, selectedAuthenticator:{authenticatorId, params}}), field for field. Nothing
 * here knows an authenticator: an option offered beside others becomes a button selecting it, a passkey
 * challenge (INTERNAL_PROMPT with challengeData) a button running the browser's ceremony, an enrollment's
 * otpauth URI a QR code.
 */
export class FlowPageRenderer {
  /** A step page; `flowId` is absent only on a first page that no flow exists for yet. */
  step(response: { flowId?: string; nextStep: NextStep }, context: PageContext): string {
    const texts = pageTexts(context.lang ?? 'en');
    const messages = response.nextStep.messages ?? [];
    const fieldNames = new Set(
      response.nextStep.authenticators.flatMap((option) => (option.metadata.params ?? []).map((p) => p.param)),
    );
    const fieldErrors = new Map<string, string>();
    const notices: NoticeView[] = [];
    for (const message of messages) {
      const field = message.context?.find((entry) => entry.key === 'field')?.value;
      if (field !== undefined && fieldNames.has(field) && !fieldErrors.has(field))
        fieldErrors.set(field, fieldText(messageText(message, texts), field));
      else notices.push(notice(message, texts));
    }
    const options = response.nextStep.authenticators;
    // A passkey offered beside a username lets the browser suggest passkeys in that field (autofill).
    const passkeyOffered = options.some((option) => option.metadata.i18nKey === 'authenticator.Fido');
    const forms: FormView[] = [];
    for (const option of options) {
      const form = this.optionForm(option, response.flowId, context, fieldErrors, texts, passkeyOffered);
      if (form) forms.push(...form);
    }
    // Full forms first, then the other options as buttons.
    forms.sort((a, b) => Number(a.secondary ?? false) - Number(b.secondary ?? false));
    const first = options[0];
    const title =
      response.nextStep.stepType === 'MULTI_OPTIONS_PROMPT' && context.purpose === 'login'
        ? texts.chooseMethod
        : ((first && texts.actions[first.metadata.i18nKey]?.title) ?? first?.authenticator ?? texts.continue);
    return render(
      {
        projectName: context.projectName,
        title,
        notices,
        forms: forms.map((form, index) => ({
          ...form,
          divider: index > 0 && form.secondary && !forms[index - 1]?.secondary,
        })),
        links: context.links ?? [],
        scripts: context.scripts ?? [],
        or: texts.or,
        noscript: forms.some((form) => form.passkey) ? texts.passkeyNeedsScript : undefined,
      },
      context,
    );
  }

  notice(page: NoticePage): string {
    const texts = pageTexts(page.lang ?? 'en');
    return render(
      {
        projectName: page.projectName,
        title: page.title,
        notices: (page.messages ?? []).map((message) => notice(message, texts)),
        paragraphs: page.paragraphs ?? [],
        forms: [],
        links: page.links ?? [],
        scripts: [],
      },
      page,
    );
  }

  /** A question answered by one button (a logout to confirm): the form posts `hidden` back to `action`. */
  confirm(page: NoticePage & { action: string; hidden: Record<string, string>; submit: string }): string {
    return render(
      {
        projectName: page.projectName,
        title: page.title,
        notices: [],
        paragraphs: page.paragraphs ?? [],
        forms: [
          {
            action: page.action,
            hidden: Object.entries(page.hidden).map(([name, value]) => ({ name, value })),
            fields: [],
            submit: page.submit,
          },
        ],
        links: page.links ?? [],
        scripts: [],
      },
      page,
    );
  }

  private optionForm(
    option: AuthenticatorOption,
    flowId: string | undefined,
    context: PageContext,
    errors: Map<string, string>,
    texts: PageTexts,
    passkeyOffered: boolean,
  ): FormView[] | undefined {
    const { metadata } = option;
    const hidden = [
      ...(flowId !== undefined ? [{ name: CONTROL_FIELDS.flowId, value: flowId }] : []),
      { name: CONTROL_FIELDS.authenticatorId, value: option.authenticatorId },
      { name: CONTROL_FIELDS.csrf, value: context.csrfToken },
      ...Object.entries(context.hidden ?? {}).map(([name, value]) => ({ name, value })),
    ];
    const name = texts.actions[metadata.i18nKey]?.submit;
    // Offered beside others and not yet selected (it is initiated on selection): a button that selects it.
    if (metadata.promptType === undefined)
      return [
        {
          action: context.action,
          hidden,
          fields: [],
          // Local options are used; a provider (a connection, idp other than LOCAL) is signed in with.
          submit:
            option.idp === 'LOCAL' ? texts.useOption(option.authenticator) : texts.signInWith(option.authenticator),
          secondary: true,
        },
      ];
    const challenge = metadata.additionalData?.['challengeData'];
    if (metadata.promptType === 'INTERNAL_PROMPT' && challenge !== undefined && context.purpose === 'login') {
      return [
        {
          action: context.action,
          hidden: [...hidden, { name: 'tokenResponse', value: '' }],
          fields: [],
          submit: texts.passkeyButton,
          passkey: { challenge, failed: texts.passkeyFailed },
        },
      ];
    }
    if (metadata.promptType !== 'USER_PROMPT') return undefined;
    const required = new Set(option.requiredParams ?? []);
    const params = [...(metadata.params ?? [])].sort((a, b) => a.order - b.order);
    const additional = metadata.additionalData ?? {};
    const form: FormView = {
      action: context.action,
      hidden,
      fields: params.map((param) =>
        field(
          param,
          required.has(param.param),
          errors.get(param.param),
          param.confidential ? undefined : context.values?.[param.param],
          context.purpose ?? 'self-service',
          texts,
          passkeyOffered,
        ),
      ),
      submit: name ?? texts.continue,
    };
    if (additional['enrollment'] === 'true') {
      form.enrollment = {
        ...(context.qrCodes?.[option.authenticatorId] ? { qr: context.qrCodes[option.authenticatorId] } : {}),
        ...(additional['secret'] ? { secret: additional['secret'] } : {}),
        intro: texts.enrollmentIntro,
        keyLabel: texts.enrollmentKey,
      };
    }
    if (additional['codes']) form.codes = additional['codes'].split(',');
    const forms = [form];
    // A code prompt of an option initiated on selection: selecting it again sends a new code.
    if (RESENDABLE.has(metadata.i18nKey) && params.some(isOneTimeCode))
      forms.push({ action: context.action, hidden, fields: [], submit: texts.resendCode, secondary: true });
    return forms;
  }
}

function field(
  param: AuthenticatorParam,
  required: boolean,
  error: string | undefined,
  value: string | undefined,
  purpose: 'login' | 'self-service',
  texts: PageTexts,
  passkeyOffered: boolean,
): FieldView {
  const id = `field-${param.param}`;
  const kind = inputKind(param, purpose, passkeyOffered);
  const hint = param.type === 'MULTI_VALUED' ? texts.multiValuedHint : undefined;
  const describedBy =
    [hint ? `${id}-hint` : undefined, error ? `${id}-error` : undefined].filter(Boolean).join(' ') || undefined;
  return {
    id,
    name: param.param,
    label: texts.params[param.i18nKey] ?? param.displayName,
    type: kind.type,
    checkbox: kind.type === 'checkbox',
    checked: value === 'true',
    ...(value !== undefined && kind.type !== 'checkbox' && value !== '' ? { value } : {}),
    ...(kind.autocomplete ? { autocomplete: kind.autocomplete } : {}),
    ...(kind.inputmode ? { inputmode: kind.inputmode } : {}),
    required,
    ...(hint ? { hint } : {}),
    ...(error ? { error } : {}),
    ...(describedBy ? { describedBy } : {}),
  };
}

/** The input for a param: its wire type and name say what the browser and password managers should offer. */
function inputKind(
  param: AuthenticatorParam,
  purpose: 'login' | 'self-service',
  passkeyOffered: boolean,
): { type: string; autocomplete?: string; inputmode?: string } {
  const name = param.param.toLowerCase();
  // A login's secret is the existing password; every confidential param of the self-service flows is one being chosen.
  if (param.confidential)
    return { type: 'password', autocomplete: purpose === 'login' ? 'current-password' : 'new-password' };
  if (param.type === 'BOOLEAN') return { type: 'checkbox' };
  if (param.type === 'INTEGER') return { type: 'number', inputmode: 'numeric' };
  if (isOneTimeCode(param)) return { type: 'text', autocomplete: 'one-time-code', inputmode: 'numeric' };
  if (name === 'username') return { type: 'text', autocomplete: passkeyOffered ? 'username webauthn' : 'username' };
  if (name === 'email' || name.endsWith('.email')) return { type: 'email', autocomplete: 'email' };
  if (name === 'traits.name') return { type: 'text', autocomplete: 'name' };
  return { type: 'text' };
}

/** Per-field messages read "traits.email: is required"; beside the field the name is redundant. */
function fieldText(message: string, field: string): string {
  return message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
}

function messageText(message: FlowMessage, texts: PageTexts): string {
  return texts.messages[message.i18nKey] ?? message.message;
}

function notice(message: FlowMessage, texts: PageTexts): NoticeView {
  const text = messageText(message, texts);
  return message.type === 'ERROR' ? { kind: 'error', role: 'alert', text } : { kind: 'info', role: 'status', text };
}

function render(
  view: {
    projectName: string;
    title: string;
    notices: NoticeView[];
    paragraphs?: string[];
    forms: unknown[];
    links: Link[];
    scripts: string[];
    or?: string;
    noscript?: string | undefined;
  },
  page: { lang?: PageLanguage; branding?: Branding | undefined },
): string {
  const branding = page.branding;
  return Mustache.render(LAYOUT, {
    lang: page.lang ?? 'en',
    css: pageStyle(branding),
    paragraphs: [],
    ...view,
    projectName: branding?.displayName ?? view.projectName,
    logoUrl: branding?.logoUrl,
  });
}
