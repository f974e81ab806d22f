import { readNewPassword } from './new-password';

describe('readNewPassword', () => {
  it('takes a password the policy allows', () => {
    expect(readNewPassword({ password: 'long enough password' })).toEqual({
      ok: true,
      password: 'long enough password',
    });
  });

  it.each([
    ['an empty password', '', 'msg_trait_required'],
    ['a short password', 'short', 'msg_password_too_short'],
    ['an overlong password', 'x'.repeat(2000), 'msg_password_too_long'],
  ])('refuses %s with a per-field message', (_label, password, messageId) => {
    expect(readNewPassword({ password })).toEqual({
      ok: false,
      messages: [expect.objectContaining({ type: 'ERROR', messageId, context: [{ key: 'field', value: 'password' }] })],
    });
  });
});
