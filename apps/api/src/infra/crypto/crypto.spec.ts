import { randomBytes } from 'node:crypto';
import type { KeywayConfig } from '../config/config';
import { PasswordHasher } from './password-hasher';
import { SecretBox } from './secret-box';
import { constantTimeEqual, randomToken, sha256 } from './tokens';

const config = (secretKey: Uint8Array = randomBytes(32)) =>
  ({ secretKey, argon2: { memoryCost: 4096, timeCost: 1, parallelism: 1, concurrency: 2 } }) as KeywayConfig;

describe('SecretBox', () => {
  it('round-trips and never stores the plaintext', async () => {
    const box = new SecretBox(config());
    const sealed = await box.seal('{"d":"private"}');
    expect(sealed).not.toContain('private');
    expect(await box.open(sealed)).toBe('{"d":"private"}');
  });

  it('refuses to open what another key sealed', async () => {
    const sealed = await new SecretBox(config()).seal('secret');
    await expect(new SecretBox(config()).open(sealed)).rejects.toThrow(/KEYWAY_SECRET_KEY/);
  });
});

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(config());

  it('hashes with argon2id and verifies', async () => {
    const phc = await hasher.hash('correct horse');
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=4096,t=1,p=1\$/);
    expect(await hasher.verify(phc, 'correct horse')).toBe(true);
    expect(await hasher.verify(phc, 'wrong')).toBe(false);
    expect(await hasher.verify('not a hash', 'x')).toBe(false);
    expect(hasher.needsRehash(phc)).toBe(false);
    expect(hasher.needsRehash(phc.replace('m=4096', 'm=1024'))).toBe(true);
  });

  it('runs at most `concurrency` hashes at once; the others, decoys included, wait for a slot', async () => {
    const hasher = new PasswordHasher(config());
    const stored = await hasher.hash('correct horse');
    const results = Promise.all([
      ...Array.from({ length: 3 }, () => hasher.verify(stored, 'correct horse')),
      ...Array.from({ length: 3 }, () => hasher.verifyDecoy('correct horse')),
    ]);
    // The decoy's own hash is made first; then the six verifications take their turns two by two.
    const seen: Array<{ running: number; queued: number }> = [];
    let settled = false;
    void results.finally(() => (settled = true));
    while (!settled) {
      seen.push(hasher.load);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await results).toEqual([true, true, true, false, false, false]);
    expect(Math.max(...seen.map(({ running }) => running))).toBe(2);
    expect(Math.max(...seen.map(({ queued }) => queued))).toBeGreaterThan(0);
    expect(hasher.load).toEqual({ running: 0, queued: 0 });
  });

  it('never accepts anything through the decoy', async () => {
    expect(await hasher.verifyDecoy('anything')).toBe(false);
  });
});

describe('tokens', () => {
  it('makes 256-bit tokens and compares in constant time', () => {
    expect(randomToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(randomToken());
    expect(sha256('a')).toBe(sha256('a'));
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});
