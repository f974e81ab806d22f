import { scopedClaims } from './token-minter.service';

describe('scopedClaims', () => {
  const traits = { email: 'Ada@Example.com', name: 'Ada', email_verified: true };

  it('states email_verified from the verified addresses, not from a trait', () => {
    expect(scopedClaims('openid email', traits, [])).toEqual({ email: 'Ada@Example.com', email_verified: false });
    expect(scopedClaims('openid email', traits, ['ada@example.com'])).toEqual({
      email: 'Ada@Example.com',
      email_verified: true,
    });
    // Another verified address does not vouch for the one the email claim states.
    expect(scopedClaims('openid email', traits, ['other@example.com'])).toMatchObject({ email_verified: false });
  });

  it('releases only the claims of the granted scopes', () => {
    expect(scopedClaims('openid profile', traits, ['ada@example.com'])).toEqual({ name: 'Ada' });
    expect(scopedClaims('openid', traits, ['ada@example.com'])).toEqual({});
  });
});
