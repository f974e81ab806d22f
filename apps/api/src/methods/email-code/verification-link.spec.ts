import { linkTokenMatches, newLinkToken, verificationLinkUrl } from './verification-link';

describe('verification links', () => {
  it('carry a 256-bit token of which the flow stores only the SHA-256', () => {
    const { token, pending } = newLinkToken(Date.now() + 1000);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pending.tokenHash).not.toContain(token);
    expect(newLinkToken(0).token).not.toBe(token);
  });

  it('open only with the right token, before expiry', () => {
    const now = Date.now();
    const { token, pending } = newLinkToken(now + 1000);
    expect(linkTokenMatches(pending, token, now)).toBe(true);
    expect(linkTokenMatches(pending, token, now + 1000)).toBe(false);
    const other = newLinkToken(now + 1000).token;
    expect(linkTokenMatches(pending, other, now)).toBe(false);
    expect(linkTokenMatches(pending, `${token}x`, now)).toBe(false);
    expect(linkTokenMatches(pending, '', now)).toBe(false);
    expect(linkTokenMatches(undefined, token, now)).toBe(false);
  });

  it('point at the hosted confirm page of the issuer', () => {
    const url = new URL(verificationLinkUrl('https://id.example/t/acme', 'f-1', 'tok_en'));
    expect(url.origin + url.pathname).toBe('https://id.example/t/acme/ui/verification/confirm');
    expect(Object.fromEntries(url.searchParams)).toEqual({ flow: 'f-1', token: 'tok_en' });
  });
});
