import { selectAnswer, type StepOption } from './step-answer';

const BASIC: StepOption = {
  authenticatorId: 'QmFzaWNBdXRoZW50aWNhdG9yOkxPQ0FM',
  requiredParams: ['username', 'password'],
};
const TOTP: StepOption = { authenticatorId: 'dG90cDpMT0NBTA', requiredParams: ['token'] };
/** An option shown before initiation (passkey in a MULTI_OPTIONS_PROMPT): no params known yet. */
const PASSKEY: StepOption = { authenticatorId: 'RklET0F1dGhlbnRpY2F0b3I6TE9DQUw', requiredParams: [] };

describe('selectAnswer (which option a First-Party Apps request answers)', () => {
  it('answers the option whose required params are all present, with only those params', () => {
    expect(selectAnswer([BASIC], { client_id: 'c', scope: 'openid', username: 'u', password: 'p' })).toEqual({
      authenticatorId: BASIC.authenticatorId,
      params: { username: 'u', password: 'p' },
    });
    expect(selectAnswer([TOTP], { token: '123456', auth_session: 's' })).toEqual({
      authenticatorId: TOTP.authenticatorId,
      params: { token: '123456' },
    });
  });

  it('answers nothing when the request carries no answer, or only a login_hint', () => {
    expect(selectAnswer([BASIC], { client_id: 'c' })).toBeUndefined();
    expect(selectAnswer([BASIC], { login_hint: 'u' })).toBeUndefined();
    expect(selectAnswer([BASIC, PASSKEY], {})).toBeUndefined();
  });

  it('takes login_hint as the username when the password comes with it', () => {
    expect(selectAnswer([BASIC], { login_hint: 'hint', password: 'p' })?.params).toEqual({
      username: 'hint',
      password: 'p',
    });
    expect(selectAnswer([BASIC], { login_hint: 'hint', username: 'u', password: 'p' })?.params).toEqual({
      username: 'u',
      password: 'p',
    });
  });

  it('refuses a partial answer, naming what is missing', () => {
    expect(() => selectAnswer([BASIC], { username: 'u' })).toThrow(
      /missing parameter\(s\) for the current step: password/,
    );
    expect(() => selectAnswer([BASIC], { username: 'u', password: '' })).toThrow(/password/);
  });

  it('picks the option named by authenticator_id, with no params to initiate it', () => {
    expect(selectAnswer([BASIC, PASSKEY], { authenticator_id: PASSKEY.authenticatorId })).toEqual({
      authenticatorId: PASSKEY.authenticatorId,
      params: {},
    });
    expect(
      selectAnswer([BASIC, TOTP], { authenticator_id: TOTP.authenticatorId, token: '1', username: 'u', password: 'p' }),
    ).toEqual({
      authenticatorId: TOTP.authenticatorId,
      params: { token: '1' },
    });
    expect(() => selectAnswer([BASIC], { authenticator_id: TOTP.authenticatorId })).toThrow(
      /not an option of the current step/,
    );
    expect(() => selectAnswer([BASIC], { authenticator_id: BASIC.authenticatorId, username: 'u' })).toThrow(
      /selected authenticator: password/,
    );
  });

  it('refuses params that answer several options at once', () => {
    expect(() => selectAnswer([BASIC, TOTP], { username: 'u', password: 'p', token: '1' })).toThrow(/several options/);
  });

  it('answers errors in the OAuth shape', () => {
    expect(() => selectAnswer([BASIC], { username: 'u' })).toThrow(
      expect.objectContaining({ error: 'invalid_request', status: 400 }),
    );
  });
});
