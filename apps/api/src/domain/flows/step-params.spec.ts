import { ApiError } from '../../infra/http/errors';
import { normaliseCode } from '../../infra/crypto/one-time-code';
import { checkParamLengths, MAX_PARAM_LENGTH, missingParams, requireParams } from './step-params';

function thrown(work: () => void): ApiError {
  try {
    work();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('nothing was thrown');
}

describe('step params', () => {
  it('answer a missing param with the login engine’s FLW-60003, naming each field by its path', () => {
    const error = missingParams(['username', 'password']);
    expect(error).toMatchObject({
      status: 400,
      code: 'FLW-60003',
      message: 'Invalid request.',
      description: 'Missing required parameter(s) in selectedAuthenticator.params: username, password.',
      fields: [
        {
          field: 'selectedAuthenticator.params.username',
          messageId: 'msg_field_required',
          message: 'is required',
          i18nKey: 'message.msg_field_required',
        },
        {
          field: 'selectedAuthenticator.params.password',
          messageId: 'msg_field_required',
          message: 'is required',
          i18nKey: 'message.msg_field_required',
        },
      ],
    });
  });

  it('require each param present and non-empty', () => {
    expect(() => requireParams({ code: '123456' }, ['code'])).not.toThrow();
    expect(() => requireParams({}, [])).not.toThrow();
    expect(thrown(() => requireParams(undefined, ['code'])).description).toBe(
      'Missing required parameter(s) in selectedAuthenticator.params: code.',
    );
    expect(thrown(() => requireParams({ code: '' }, ['code'])).code).toBe('FLW-60003');
    expect(thrown(() => requireParams({ other: 'x' }, ['code', 'other', 'third'])).description).toBe(
      'Missing required parameter(s) in selectedAuthenticator.params: code, third.',
    );
    // Without a normalisation, whitespace is a value (a password may be spaces).
    expect(() => requireParams({ password: '   ' }, ['password'])).not.toThrow();
  });

  it('treat a code that normalises to nothing as missing', () => {
    for (const code of [' ', ' - ', '\n\t'])
      expect(thrown(() => requireParams({ code }, ['code'], normaliseCode)).code).toBe('FLW-60003');
    expect(() => requireParams({ code: ' 123 456 ' }, ['code'], normaliseCode)).not.toThrow();
  });

  it('refuse a param longer than the limit with FLW-60003 naming it', () => {
    expect(() => checkParamLengths({ code: 'x'.repeat(MAX_PARAM_LENGTH) })).not.toThrow();
    expect(() => checkParamLengths(undefined)).not.toThrow();
    expect(thrown(() => checkParamLengths({ ok: 'x', code: 'x'.repeat(MAX_PARAM_LENGTH + 1) }))).toMatchObject({
      status: 400,
      code: 'FLW-60003',
      description: `Parameter 'code' is longer than ${MAX_PARAM_LENGTH} characters.`,
      fields: [{ field: 'selectedAuthenticator.params.code', messageId: 'msg_field_too_long' }],
    });
  });
});
