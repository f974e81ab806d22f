import { HttpStatus } from '@nestjs/common';
import { ApiError, ErrorCodes, fieldError } from '../../infra/http/errors';

/**
 * The params of a step answer (`selectedAuthenticator.params`), checked the same way by the login flow
 * and every self-service flow, before anything is counted or stored: a missing or oversized param is a
 * client's mistake, not a guess, so it never costs an attempt. Both answer 400 FLW-60003 with `fields`
 * naming each param by its path in the body.
 */

/** Longest parameter value any flow accepts; bounds the work one request can cause. */
export const MAX_PARAM_LENGTH = 8192;

const PARAMS_PATH = 'selectedAuthenticator.params';

/** FLW-60003 for required params that are absent or empty. */
export function missingParams(names: readonly string[]): ApiError {
  return new ApiError(
    HttpStatus.BAD_REQUEST,
    ErrorCodes.FLOW_MISSING_PARAMS,
    'Invalid request.',
    `Missing required parameter(s) in ${PARAMS_PATH}: ${names.join(', ')}.`,
    names.map((name) => fieldError(`${PARAMS_PATH}.${name}`, 'msg_field_required', 'is required')),
  );
}

/**
 * Throws missingParams for each of `required` that is absent or empty. `normalise` (e.g. a one-time code's
 * normalisation) decides what counts as empty: a code of only spaces and dashes holds no guess either.
 */
export function requireParams(
  params: Record<string, string> | undefined,
  required: readonly string[],
  normalise?: (value: string) => string,
): void {
  const missing = required.filter((name) => {
    const value = params?.[name];
    return value === undefined || (normalise ? normalise(value) : value) === '';
  });
  if (missing.length) throw missingParams(missing);
}

/** Throws FLW-60003 for the first param longer than MAX_PARAM_LENGTH. */
export function checkParamLengths(params: Record<string, string> | undefined): void {
  const tooLong = Object.entries(params ?? {}).find(([, value]) => value.length > MAX_PARAM_LENGTH);
  if (!tooLong) return;
  const [name] = tooLong;
  throw new ApiError(
    HttpStatus.BAD_REQUEST,
    ErrorCodes.FLOW_MISSING_PARAMS,
    'Invalid request.',
    `Parameter '${name}' is longer than ${MAX_PARAM_LENGTH} characters.`,
    [fieldError(`${PARAMS_PATH}.${name}`, 'msg_field_too_long', `is longer than ${MAX_PARAM_LENGTH} characters`)],
  );
}
