import type { AuthnRequest } from '@keyway/flow-types';
import { OAuthError } from '../../../infra/http/errors';

/** An option of the current step and the params that answer it. */
export interface StepOption {
  authenticatorId: string;
  requiredParams: string[];
}

export type SelectedAuthenticator = AuthnRequest['selectedAuthenticator'];

/**
 * Which option of the current step a First-Party Apps request answers, and with what. The draft has no
 * authenticatorId, so the params decide: the one option whose required params are all present. `login_hint`
 * stands in for `username` (OIDC Core §3.1.2.1), so a client can send the hint it already has with the
 * password; a hint alone only starts the flow. Undefined when the request answers nothing (the step is
 * described again).
 */
export function selectAnswer(
  options: StepOption[],
  params: Record<string, string | undefined>,
): SelectedAuthenticator | undefined {
  const value = (name: string): string | undefined =>
    params[name] || (name === 'username' ? params['login_hint'] || undefined : undefined);
  const answerOf = (option: StepOption): SelectedAuthenticator => ({
    authenticatorId: option.authenticatorId,
    params: Object.fromEntries(
      option.requiredParams.flatMap((name) => (value(name) ? [[name, value(name) as string]] : [])),
    ),
  });
  const missing = (option: StepOption): string[] => option.requiredParams.filter((name) => !value(name));

  const named = params['authenticator_id'];
  if (named !== undefined) {
    const option = options.find((candidate) => candidate.authenticatorId === named);
    if (!option) throw new OAuthError('invalid_request', 'authenticator_id is not an option of the current step');
    const answer = answerOf(option);
    // No params at all selects the option (initiating it if it needs that); some params must be all of them.
    if (Object.keys(answer.params ?? {}).length > 0 && missing(option).length) {
      throw new OAuthError(
        'invalid_request',
        `missing parameter(s) for the selected authenticator: ${missing(option).join(', ')}`,
      );
    }
    return answer;
  }

  const answered = options.filter((option) => option.requiredParams.length > 0 && missing(option).length === 0);
  if (answered.length > 1)
    throw new OAuthError(
      'invalid_request',
      'the parameters answer several options of the current step; name one with authenticator_id',
    );
  if (answered[0]) return answerOf(answered[0]);
  const partial = options.find((option) => option.requiredParams.some((name) => params[name]));
  if (partial)
    throw new OAuthError(
      'invalid_request',
      `missing parameter(s) for the current step: ${missing(partial).join(', ')}`,
    );
  return undefined;
}
