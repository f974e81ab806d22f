import { createHmac } from 'node:crypto';
import { generate } from 'otplib';
import { checkTotp, newTotpSecret, normaliseTotpSecret, TOTP_PERIOD_SECONDS, totpUri } from './totp-codes';

// RFC 6238 Appendix B: the SHA-1 test key is ASCII "12345678901234567890", i.e. this base32 secret.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const at = (seconds: number) => new Date(seconds * 1000);

/** An independent RFC 4226 implementation (node's HMAC), so checkTotp is not checked only against otplib. */
function hotp(key: Buffer, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac('sha1', key).update(message).digest();
  const offset = (digest[digest.length - 1] ?? 0) & 0xf;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}
const RFC_KEY = Buffer.from('12345678901234567890');

describe('checkTotp', () => {
  it('accepts the RFC 6238 test vectors (6-digit truncation) at their time', async () => {
    // Appendix B lists 8-digit codes; the last six digits are the 6-digit code at the same time.
    for (const [seconds, eightDigits] of [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
    ] as const) {
      const result = await checkTotp(RFC_SECRET, eightDigits.slice(2), { now: at(seconds) });
      expect(result).toEqual({ outcome: 'valid', timeStep: Math.floor(seconds / TOTP_PERIOD_SECONDS) });
    }
  });

  it('agrees with an independent HOTP implementation', async () => {
    const now = 1_800_000_015;
    const step = Math.floor(now / 30);
    expect(await checkTotp(RFC_SECRET, hotp(RFC_KEY, step), { now: at(now) })).toEqual({
      outcome: 'valid',
      timeStep: step,
    });
  });

  it('allows one step of clock skew either way, and no more', async () => {
    const now = 1_800_000_015;
    const step = Math.floor(now / 30);
    for (const delta of [-1, 1]) {
      expect(await checkTotp(RFC_SECRET, hotp(RFC_KEY, step + delta), { now: at(now) })).toEqual({
        outcome: 'valid',
        timeStep: step + delta,
      });
    }
    for (const delta of [-2, 2]) {
      expect(await checkTotp(RFC_SECRET, hotp(RFC_KEY, step + delta), { now: at(now) })).toEqual({
        outcome: 'invalid',
      });
    }
  });

  it('treats a code at or before the last used step as a replay', async () => {
    const now = 1_800_000_015;
    const step = Math.floor(now / 30);
    const token = hotp(RFC_KEY, step);
    expect(await checkTotp(RFC_SECRET, token, { now: at(now), lastUsedStep: step - 1 })).toEqual({
      outcome: 'valid',
      timeStep: step,
    });
    expect(await checkTotp(RFC_SECRET, token, { now: at(now), lastUsedStep: step })).toEqual({
      outcome: 'replayed',
      timeStep: step,
    });
    // The previous step's code is still inside the skew window but older than what was used: spent too.
    expect(await checkTotp(RFC_SECRET, hotp(RFC_KEY, step - 1), { now: at(now + 5), lastUsedStep: step })).toEqual({
      outcome: 'replayed',
      timeStep: step - 1,
    });
    // The next step's code is fresh.
    expect(await checkTotp(RFC_SECRET, hotp(RFC_KEY, step + 1), { now: at(now + 30), lastUsedStep: step })).toEqual({
      outcome: 'valid',
      timeStep: step + 1,
    });
  });

  it('refuses wrong, malformed and unusable input without throwing', async () => {
    const now = at(1_800_000_015);
    const right = hotp(RFC_KEY, Math.floor(1_800_000_015 / 30));
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    for (const token of [wrong, '', '12345', '1234567', 'abcdef', ` ${right}`]) {
      expect(await checkTotp(RFC_SECRET, token, { now })).toEqual({ outcome: 'invalid' });
    }
    expect(await checkTotp('not-base32!', right, { now })).toEqual({ outcome: 'invalid' });
  });

  it('verifies what otplib generates for a fresh secret', async () => {
    const secret = newTotpSecret();
    expect(normaliseTotpSecret(secret)).toBe(secret);
    const now = 1_900_000_000;
    const token = await generate({ secret, epoch: now });
    expect(await checkTotp(secret, token, { now: at(now) })).toMatchObject({ outcome: 'valid' });
  });
});

describe('normaliseTotpSecret', () => {
  it('accepts base32 in the forms people paste it', () => {
    expect(normaliseTotpSecret('gezd gnbv gy3t qojq')).toBe('GEZDGNBVGY3TQOJQ');
    expect(normaliseTotpSecret('GEZDGNBVGY3TQOJQ====')).toBe('GEZDGNBVGY3TQOJQ');
    expect(normaliseTotpSecret(RFC_SECRET)).toBe(RFC_SECRET);
  });

  it('refuses what is not base32 or too short to be a key', () => {
    for (const bad of ['', 'GEZDGNBVGY3TQOJ1', 'GEZDGNBVGY3TQOJ!', 'GEZDGNBV', 'A'.repeat(200), 'GEZDGNBVGY3TQOJQG']) {
      expect(normaliseTotpSecret(bad)).toBeUndefined();
    }
  });
});

describe('totpUri', () => {
  it('builds the otpauth URI authenticator apps scan (Key Uri Format)', () => {
    expect(totpUri('GEZDGNBVGY3TQOJQ', 'Keyway demo', 'user@example.com')).toBe(
      'otpauth://totp/Keyway%20demo:user%40example.com?secret=GEZDGNBVGY3TQOJQ&issuer=Keyway%20demo',
    );
  });
});
