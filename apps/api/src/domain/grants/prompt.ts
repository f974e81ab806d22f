import { OAuthError } from '../../infra/http/errors';

/**
 * `prompt` values this server acts on (OIDC Core §3.1.2.1; `create` from Initiating User Registration 1.0).
 * Every app is first-party, so `consent` is always given and needs no page.
 */
export const PROMPT_VALUES = ['none', 'login', 'consent', 'select_account', 'create'] as const;
export type Prompt = (typeof PROMPT_VALUES)[number];

/** The space-separated prompt list; `none` alone or not at all (§3.1.2.1), unknown values refused. */
export function parsePrompt(value: string | undefined): ReadonlySet<Prompt> {
  const values = (value ?? '').split(' ').filter(Boolean);
  const unknown = values.filter((v) => !(PROMPT_VALUES as readonly string[]).includes(v));
  if (unknown.length) throw new OAuthError('invalid_request', `unsupported prompt value: ${unknown.join(' ')}`);
  if (values.includes('none') && values.length > 1)
    throw new OAuthError('invalid_request', "prompt 'none' cannot be combined with other values");
  return new Set(values as Prompt[]);
}

/** max_age in seconds (OIDC Core §3.1.2.1): a non-negative integer, or undefined when absent. */
export function parseMaxAge(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value)) throw new OAuthError('invalid_request', 'max_age must be a non-negative integer');
  return Number(value);
}
