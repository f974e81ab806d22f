import { generateOtp, hashOtp, otpMatches } from './email-otp-code';

describe('email OTP codes', () => {
  it('are numeric, of the requested length, and vary', () => {
    for (const length of [6, 8, 10]) expect(generateOtp(length)).toMatch(new RegExp(`^\\d{${length}}$`));
    const seen = new Set(Array.from({ length: 50 }, () => generateOtp(6)));
    expect(seen.size).toBeGreaterThan(40);
  });

  it('match only their own SHA-256 hash, whatever the submitted length', () => {
    const hash = hashOtp('123456');
    expect(hash).not.toContain('123456');
    expect(otpMatches('123456', hash)).toBe(true);
    expect(otpMatches('123457', hash)).toBe(false);
    expect(otpMatches('', hash)).toBe(false);
    expect(otpMatches('1234567', hash)).toBe(false);
  });
});
