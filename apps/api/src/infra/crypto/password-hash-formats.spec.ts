import { pbkdf2Sync, randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { KeywayConfig } from '../config/config';
import { importedHashProblem, passwordHashFormat, verifyPasswordHash } from './password-hash-formats';
import { PasswordHasher } from './password-hasher';

// Vectors are made here with independent code (node's pbkdf2 directly, bcryptjs's hash), so the
// verifier is checked against the formats other systems write, not against itself.

/** passlib's pbkdf2_sha256: adapted base64 ('.' for '+', no padding) of salt and derived key. */
function passlibPbkdf2(password: string, iterations: number, salt = randomBytes(16)): string {
  const ab64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '').replace(/\+/g, '.');
  return `$pbkdf2-sha256$${iterations}$${ab64(salt)}$${ab64(pbkdf2Sync(password, salt, iterations, 32, 'sha256'))}`;
}

/** PHC string format (e.g. @phc/pbkdf2): i=<iterations>, standard base64 without padding. */
function phcPbkdf2(password: string, iterations: number, salt = randomBytes(16)): string {
  const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
  return `$pbkdf2-sha256$i=${iterations},l=32$${b64(salt)}$${b64(pbkdf2Sync(password, salt, iterations, 32, 'sha256'))}`;
}

describe('password hash formats', () => {
  it('verifies bcrypt $2a$, $2b$ and $2y$ hashes', async () => {
    const hash = bcrypt.hashSync('correct horse', 4);
    expect(hash).toMatch(/^\$2b\$04\$/);
    for (const variant of ['2a', '2b', '2y']) {
      const stored = hash.replace(/^\$2b\$/, `$${variant}$`);
      expect(passwordHashFormat(stored)).toBe('bcrypt');
      expect(importedHashProblem(stored)).toBeUndefined();
      expect(await verifyPasswordHash(stored, 'correct horse')).toBe(true);
      expect(await verifyPasswordHash(stored, 'correct horsE')).toBe(false);
    }
  });

  it('verifies a published bcrypt vector (OpenBSD test suite)', async () => {
    expect(await verifyPasswordHash('$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', 'U*U')).toBe(true);
  });

  it('verifies pbkdf2-sha256 in passlib and PHC notation', async () => {
    for (const stored of [passlibPbkdf2('correct horse', 1000), phcPbkdf2('correct horse', 1000)]) {
      expect(passwordHashFormat(stored)).toBe('pbkdf2-sha256');
      expect(importedHashProblem(stored)).toBeUndefined();
      expect(await verifyPasswordHash(stored, 'correct horse')).toBe(true);
      expect(await verifyPasswordHash(stored, 'wrong')).toBe(false);
    }
  });

  it('uses the salt and iteration count from the hash', async () => {
    const stored = passlibPbkdf2('pw', 1000);
    expect(await verifyPasswordHash(stored.replace('$1000$', '$1001$'), 'pw')).toBe(false);
  });

  it('refuses unknown formats and malformed hashes with a reason', async () => {
    for (const bad of ['plaintext', '$1$salt$md5crypt', '{SSHA}abc', '$2b$04$short', '$pbkdf2-sha1$1000$abc$def', '']) {
      expect(passwordHashFormat(bad)).toBeUndefined();
      expect(importedHashProblem(bad)).toMatch(/unknown hash format/);
      expect(await verifyPasswordHash(bad, 'x')).toBe(false);
    }
  });

  it('refuses hashes whose cost would make every login attempt a denial of service', () => {
    expect(importedHashProblem(bcrypt.hashSync('x', 4).replace('$04$', '$20$'))).toMatch(/bcrypt cost/);
    expect(importedHashProblem(passlibPbkdf2('x', 1).replace('$1$', '$9000000$'))).toMatch(/iterations/);
    expect(importedHashProblem('$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA')).toMatch(
      /import limits/,
    );
  });
});

describe('PasswordHasher with imported hashes', () => {
  const hasher = new PasswordHasher({
    argon2: { memoryCost: 4096, timeCost: 1, parallelism: 1, concurrency: 2 },
  } as KeywayConfig);

  it('verifies every supported format and asks for an argon2id rehash of the foreign ones', async () => {
    const ours = await hasher.hash('pw-123456');
    for (const stored of [ours, bcrypt.hashSync('pw-123456', 4), passlibPbkdf2('pw-123456', 1000)]) {
      expect(await hasher.verify(stored, 'pw-123456')).toBe(true);
      expect(await hasher.verify(stored, 'pw-1234567')).toBe(false);
    }
    expect(hasher.needsRehash(ours)).toBe(false);
    expect(hasher.needsRehash(bcrypt.hashSync('pw', 4))).toBe(true);
    expect(hasher.needsRehash(passlibPbkdf2('pw', 1000))).toBe(true);
  });
});
