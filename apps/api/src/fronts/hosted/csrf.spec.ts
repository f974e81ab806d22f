import { CsrfTokens } from './csrf';

describe('CsrfTokens (double submit)', () => {
  const csrf = new CsrfTokens(false);

  it('gives a new browser an HttpOnly, SameSite=Lax cookie and reuses it afterwards', () => {
    const first = csrf.forPage(undefined);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.setCookie).toBe(`keyway-csrf=${first.token}; Path=/; HttpOnly; SameSite=Lax`);
    const again = csrf.forPage(`other=1; keyway-csrf=${first.token}`);
    expect(again).toEqual({ token: first.token });
  });

  it('is Secure and __Host- prefixed over https', () => {
    const { setCookie } = new CsrfTokens(true).forPage(undefined);
    expect(setCookie).toMatch(/^__Host-keyway-csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
  });

  it('accepts only a posted token equal to the cookie', () => {
    const { token } = csrf.forPage(undefined);
    const other = csrf.forPage(undefined).token;
    const cookie = `keyway-csrf=${token}`;
    expect(csrf.matches(cookie, token)).toBe(true);
    expect(csrf.matches(cookie, other)).toBe(false);
    expect(csrf.matches(cookie, undefined)).toBe(false);
    expect(csrf.matches(cookie, '')).toBe(false);
    expect(csrf.matches(cookie, [token])).toBe(false);
    expect(csrf.matches(undefined, token)).toBe(false);
    expect(csrf.matches(`keyway-csrf=short`, 'short')).toBe(false);
    // A cookie for the https name does not count on http, and vice versa.
    expect(new CsrfTokens(true).matches(cookie, token)).toBe(false);
  });
});
