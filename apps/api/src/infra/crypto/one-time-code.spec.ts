import { createHash } from 'node:crypto';
import {
  checkCode,
  DEFAULT_CODE_LENGTH,
  generateCode,
  hashCode,
  normaliseCode,
  unguessableCodeHash,
} from './one-time-code';

const NOW = 1_800_000_000_000;
const pending = (code: string, expiresAt = NOW + 1000) => ({ codeHash: hashCode(code), expiresAt });

describe('one-time codes', () => {
  it('are digits of the requested length (six by default), and vary', () => {
    expect(generateCode()).toMatch(new RegExp(`^\\d{${DEFAULT_CODE_LENGTH}}$`));
    for (const length of [6, 8, 10]) expect(generateCode(length)).toMatch(new RegExp(`^\\d{${length}}$`));
    const seen = new Set(Array.from({ length: 50 }, () => generateCode()));
    expect(seen.size).toBeGreaterThan(40);
  });

  it('refuse a length that is not a small positive integer', () => {
    for (const length of [0, -1, 1.5, 13, Number.NaN]) expect(() => generateCode(length)).toThrow(RangeError);
  });

  it('draw every digit in every position', () => {
    const seen = Array.from({ length: 6 }, () => new Set<string>());
    for (let i = 0; i < 400; i++) [...generateCode()].forEach((digit, position) => seen[position]!.add(digit));
    for (const digits of seen) expect(digits.size).toBe(10);
  });

  it('are stored only as the SHA-256 (hex) of the normalised code', () => {
    const code = generateCode();
    expect(hashCode(code)).toBe(createHash('sha256').update(code).digest('hex'));
    expect(hashCode(` ${code.slice(0, 3)}-${code.slice(3)} `)).toBe(hashCode(code));
    expect(hashCode(code)).not.toContain(code);
  });

  it('normalise what a user may type or paste: surrounding and inner whitespace, dashes, full-width digits', () => {
    expect(normaliseCode(' 123456\n')).toBe('123456');
    expect(normaliseCode('123 456')).toBe('123456');
    expect(normaliseCode('123-456')).toBe('123456');
    expect(normaliseCode('123\u2013456')).toBe('123456'); // en dash
    expect(normaliseCode('123\u00a0456')).toBe('123456'); // no-break space
    expect(normaliseCode('\uff11\uff12\uff13\uff14\uff15\uff16')).toBe('123456'); // full-width
    // Letters are kept: they make a wrong code, not another right one.
    expect(normaliseCode('12a456')).toBe('12a456');
    expect(normaliseCode(' - ')).toBe('');
  });

  it('match only the right code, however it was typed, before expiry', () => {
    expect(checkCode(pending('123456'), '123456', NOW)).toBe('valid');
    expect(checkCode(pending('123456'), ' 123 456 ', NOW)).toBe('valid');
    expect(checkCode(pending('123456'), '123-456', NOW)).toBe('valid');
    expect(checkCode(pending('123456'), '123457', NOW)).toBe('invalid');
    expect(checkCode(pending('123456'), '1234567', NOW)).toBe('invalid');
    expect(checkCode(pending('123456'), '', NOW)).toBe('invalid');
  });

  it('say expired for any input once the code has expired, the right one too', () => {
    expect(checkCode(pending('123456', NOW), '123456', NOW)).toBe('expired');
    expect(checkCode(pending('123456', NOW), '000000', NOW + 1)).toBe('expired');
  });

  it('match nothing for an unguessable hash or no code at all', () => {
    expect(checkCode({ codeHash: unguessableCodeHash(), expiresAt: NOW + 1000 }, '000000', NOW)).toBe('invalid');
    expect(checkCode({ codeHash: null, expiresAt: NOW + 1000 }, '000000', NOW)).toBe('invalid');
    expect(checkCode({ codeHash: 'not a hash', expiresAt: NOW + 1000 }, '000000', NOW)).toBe('invalid');
    expect(unguessableCodeHash()).toMatch(/^[0-9a-f]{64}$/);
    expect(unguessableCodeHash()).not.toBe(unguessableCodeHash());
  });

  it('still accept codes stored before this module: verification (hex of the trimmed code) and email OTP (base64url)', () => {
    const oldVerification = createHash('sha256').update('123456'.trim()).digest('hex');
    const oldEmailOtp = createHash('sha256').update('12345678', 'utf8').digest('base64url');
    expect(checkCode({ codeHash: oldVerification, expiresAt: NOW + 1000 }, ' 123456 ', NOW)).toBe('valid');
    expect(checkCode({ codeHash: oldEmailOtp, expiresAt: NOW + 1000 }, '1234 5678', NOW)).toBe('valid');
    expect(checkCode({ codeHash: oldEmailOtp, expiresAt: NOW + 1000 }, '12345679', NOW)).toBe('invalid');
  });
});
