import Mustache from 'mustache';
import type { AuthenticatorOption, AuthenticatorParam, FlowMessage, NextStep } from '@keyway/flow-types';
import { LAYOUT, PAGE_CSS } from './page-templates';

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
}

/** A page without a form: done, failed, expired, refused. */
export interface NoticePage {
  projectName: string;
  title: string;
  paragraphs?: string[];
  messages?: FlowMessage[];
  links?: Link[];
}

/** What a step asks for, by the action's i18nKey: the page title and the button. */
const ACTIONS: Record<string, { title: string; submit: string }> = {
  'action.password.registration': { title: 'Create your account', submit: 'Create account' },
  'action.email.verification': { title: 'Check your email', submit: 'Verify' },
  'action.email.verification.start': { title: 'Verify your email address', submit: 'Send verification link' },
  'action.email.verification.link': { title: 'Check your email', submit: 'Continue' },
  'action.email.recovery': { title: 'Recover your account', submit: 'Send recovery code' },
  'action.email.recovery.code': { title: 'Check your email', submit: 'Continue' },
  'action.password.reset': { title: 'Choose a new password', submit: 'Change password' },
};

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

/**
 * Renders the FlowResponse that the JSON API returns as an HTML page: the step's USER_PROMPT params become
 * form fields (in `order`, confidential ones as password inputs), its messages become notices, and a
 * message whose context names a `field` is shown beside that field. The form posts the same AuthnRequest
 * the native app sends ({flowId, selectedAuthenticator:{authenticatorId, params}}), field for field.
 */
export class FlowPageRenderer {
  /** A step page; `flowId` is absent only on a first page that no flow exists for yet. */
  step(response: { flowId?: string; nextStep: NextStep }, context: PageContext): string {
    const messages = response.nextStep.messages ?? [];
    const fieldNames = new Set(
      response.nextStep.authenticators.flatMap((option) => (option.metadata.params ?? []).map((p) => p.param)),
    );
    const fieldErrors = new Map<string, string>();
    const notices: NoticeView[] = [];
    for (const message of messages) {
      const field = message.context?.find((entry) => entry.key === 'field')?.value;
      if (field !== undefined && fieldNames.has(field) && !fieldErrors.has(field))
        fieldErrors.set(field, fieldText(message.message, field));
      else notices.push(notice(message));
    }
    const forms = response.nextStep.authenticators
      .filter((option) => option.metadata.promptType === 'USER_PROMPT')
      .map((option) => this.form(option, response.flowId, context, fieldErrors));
    const first = response.nextStep.authenticators[0];
    const title = (first && ACTIONS[first.metadata.i18nKey]?.title) ?? first?.authenticator ?? 'Continue';
    return render({ projectName: context.projectName, title, notices, forms, links: context.links ?? [] });
  }

  notice(page: NoticePage): string {
    return render({
      projectName: page.projectName,
      title: page.title,
      notices: (page.messages ?? []).map(notice),
      paragraphs: page.paragraphs ?? [],
      forms: [],
      links: page.links ?? [],
    });
  }

  private form(
    option: AuthenticatorOption,
    flowId: string | undefined,
    context: PageContext,
    errors: Map<string, string>,
  ) {
    const required = new Set(option.requiredParams ?? []);
    const params = [...(option.metadata.params ?? [])].sort((a, b) => a.order - b.order);
    const hidden = [
      ...(flowId !== undefined ? [{ name: CONTROL_FIELDS.flowId, value: flowId }] : []),
      { name: CONTROL_FIELDS.authenticatorId, value: option.authenticatorId },
      { name: CONTROL_FIELDS.csrf, value: context.csrfToken },
      ...Object.entries(context.hidden ?? {}).map(([name, value]) => ({ name, value })),
    ];
    return {
      action: context.action,
      hidden,
      fields: params.map((param) =>
        field(
          param,
          required.has(param.param),
          errors.get(param.param),
          param.confidential ? undefined : context.values?.[param.param],
        ),
      ),
      submit: ACTIONS[option.metadata.i18nKey]?.submit ?? 'Continue',
    };
  }
}

function field(
  param: AuthenticatorParam,
  required: boolean,
  error: string | undefined,
  value: string | undefined,
): FieldView {
  const id = `field-${param.param}`;
  const kind = inputKind(param);
  const hint = param.type === 'MULTI_VALUED' ? 'Separate several values with commas.' : undefined;
  const describedBy =
    [hint ? `${id}-hint` : undefined, error ? `${id}-error` : undefined].filter(Boolean).join(' ') || undefined;
  return {
    id,
    name: param.param,
    label: param.displayName,
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
function inputKind(param: AuthenticatorParam): { type: string; autocomplete?: string; inputmode?: string } {
  const name = param.param.toLowerCase();
  // Every confidential param of the self-service flows is a password being chosen.
  if (param.confidential) return { type: 'password', autocomplete: 'new-password' };
  if (param.type === 'BOOLEAN') return { type: 'checkbox' };
  if (param.type === 'INTEGER') return { type: 'number', inputmode: 'numeric' };
  if (name === 'code') return { type: 'text', autocomplete: 'one-time-code', inputmode: 'numeric' };
  if (name === 'email' || name.endsWith('.email')) return { type: 'email', autocomplete: 'email' };
  if (name === 'traits.name') return { type: 'text', autocomplete: 'name' };
  return { type: 'text' };
}

/** Per-field messages read "traits.email: is required"; beside the field the name is redundant. */
function fieldText(message: string, field: string): string {
  return message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
}

function notice(message: FlowMessage): NoticeView {
  return message.type === 'ERROR'
    ? { kind: 'error', role: 'alert', text: message.message }
    : { kind: 'info', role: 'status', text: message.message };
}

function render(view: {
  projectName: string;
  title: string;
  notices: NoticeView[];
  paragraphs?: string[];
  forms: unknown[];
  links: Link[];
}): string {
  return Mustache.render(LAYOUT, { lang: 'en', css: PAGE_CSS, paragraphs: [], ...view });
}
