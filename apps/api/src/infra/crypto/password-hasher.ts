import { Inject, Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { KEYWAY_CONFIG, type KeywayConfig } from '../config/config';
import { verifyPasswordHash } from './password-hash-formats';
import { randomToken } from './tokens';

/**
 * argon2id password hashing (@node-rs/argon2, runs on libuv's thread pool so it never blocks requests).
 * Parameters come from KEYWAY_ARGON2_* (defaults: 19 MiB, 2 iterations, 1 lane — OWASP's recommendation).
 */
@Injectable()
export class PasswordHasher {
  private readonly options;
  /** A hash of a random password at our parameters: verified against when the user is unknown. */
  private decoy: Promise<string> | undefined;

  constructor(@Inject(KEYWAY_CONFIG) config: KeywayConfig) {
    this.options = { algorithm: Algorithm.Argon2id, ...config.argon2 };
  }

  hash(password: string): Promise<string> {
    return hash(password, this.options);
  }

  /**
   * Verifies against our argon2id hashes and imported ones (bcrypt, pbkdf2-sha256: see
   * password-hash-formats.ts); those never pass needsRehash, so a successful login upgrades them.
   * A malformed stored hash never authenticates.
   */
  verify(storedHash: string, password: string): Promise<boolean> {
    return verifyPasswordHash(storedHash, password);
  }

  /**
   * Spends the same time as a real verification, so that an unknown username answers exactly like a
   * wrong password (no enumeration by timing).
   */
  async verifyDecoy(password: string): Promise<false> {
    this.decoy ??= hash(randomToken(), this.options);
    await verify(await this.decoy, password);
    return false;
  }

  /** Whether a stored hash should be re-hashed at our current parameters after a successful login. */
  needsRehash(phc: string): boolean {
    const { memoryCost, timeCost, parallelism } = this.options;
    return !phc.startsWith(`$argon2id$v=19$m=${memoryCost},t=${timeCost},p=${parallelism}$`);
  }
}
