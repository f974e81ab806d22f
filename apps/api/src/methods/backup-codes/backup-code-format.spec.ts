import { findMatchingHash, hashBackupCode, newBackupCode, normaliseBackupCode } from './backup-code-format';

describe('backup code format', () => {
  it('generates xxxx-xxxx-xx codes from a 32-symbol alphabet (50 bits), all different', () => {
    const codes = Array.from({ length: 200 }, newBackupCode);
    for (const code of codes)
      expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{2}$/);
    expect(new Set(codes).size).toBe(codes.length);
    // Every symbol shows up: the generator uses the whole alphabet (32 symbols = 5 bits each).
    expect(new Set(codes.join('').replace(/-/g, '')).size).toBe(32);
  });

  it('reads what users type: case, spaces and dashes ignored, look-alike letters as digits', () => {
    expect(normaliseBackupCode('ABCD-EFGH-JK')).toBe('abcdefghjk');
    expect(normaliseBackupCode(' abcd efgh jk ')).toBe('abcdefghjk');
    expect(normaliseBackupCode('o0il-1111-22')).toBe('0011111122');
    expect(normaliseBackupCode('abcd-efgh-j')).toBeUndefined();
    expect(normaliseBackupCode('abcd-efgh-jku')).toBeUndefined();
    expect(normaliseBackupCode('abcd-efgh-j!')).toBeUndefined();
  });

  it('finds the matching hash among all stored ones', () => {
    const hashes = ['aaaa-aaaa-aa', 'bbbb-bbbb-bb', 'cccc-cccc-cc'].map((code) =>
      hashBackupCode(normaliseBackupCode(code) ?? ''),
    );
    expect(findMatchingHash(hashBackupCode('bbbbbbbbbb'), hashes)).toBe(1);
    expect(findMatchingHash(hashBackupCode('dddddddddd'), hashes)).toBe(-1);
    expect(hashBackupCode('bbbbbbbbbb')).not.toContain('bbbb');
  });
});
