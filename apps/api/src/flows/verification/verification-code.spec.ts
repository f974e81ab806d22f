import { checkCode, CODE_LENGTH, generateCode, hashCode, unguessableCodeHash } from './verification-code';

describe('verification codes', () => {
  it('are numeric of the fixed length and stored only as SHA-256', () => {
    const code = generateCode();
    expect(code).toMatch(new RegExp(`^\\d{${CODE_LENGTH}}$`));
    expect(hashCode(code)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashCode(code)).not.toContain(code);
  });

  it('match only the right code, before expiry', () => {
    const now = Date.now();
    const pending = { codeHash: hashCode('123456'), expiresAt: now + 1000, attempts: 0 };
    expect(checkCode(pending, '123456', now)).toBe('valid');
    expect(checkCode(pending, ' 123456 ', now)).toBe('valid');
    expect(checkCode(pending, '123457', now)).toBe('invalid');
    expect(checkCode(pending, '123456', now + 1000)).toBe('expired');
  });

  it('an unguessable hash matches no code', () => {
    const pending = { codeHash: unguessableCodeHash(), expiresAt: Date.now() + 1000, attempts: 0 };
    expect(checkCode(pending, '000000')).toBe('invalid');
  });
});
