import { Inject, Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import pLimit, { type Limit } from 'p-limit';
import { KEYWAY_CONFIG, type KeywayConfig } from '../config/config';
import { verifyPasswordHash } from './password-hash-formats';
import { randomToken } from './tokens';

/**
 * argon2id password hashing (@node-rs/argon2, runs on libuv's thread pool so it never blocks requests).
 * Parameters come from KEYWAY_ARGON2_* (defaults: 19 MiB, 2 iterations, 1 lane — OWASP's recommendation).
 *
 * At most KEYWAY_ARGON2_CONCURRENCY hashes (default: one per core) run at once; the others queue. libuv's pool
 * has four threads, so on two cores four hashes would share them, each holding its memory twice as long and
 * slower per hash (memory-bound work evicting each other's caches), while the pool's other users (WebCrypto
 * signing) wait. Every verification queues the same way, the decoy included, so queueing tells nothing.
 */
@Injectable()
export class PasswordHasher {
  private readonly options;
  private readonly slots: Limit;
  /** A hash of a random password at our parameters: verified against when the user is unknown. */
  private decoy: Promise<string> | undefined;

  constructor(@Inject(KEYWAY_CONFIG) config: KeywayConfig) {
    const { memoryCost, timeCost, parallelism, concurrency } = config.argon2;
    this.options = { algorithm: Algorithm.Argon2id, memoryCost, timeCost, parallelism };
    this.slots = pLimit(concurrency);
  }

  /** Hashes running and waiting for a slot now. */
  get load(): { running: number; queued: number } {
    return { running: this.slots.activeCount, queued: this.slots.pendingCount };
  }

  hash(password: string): Promise<string> {
    return this.slots(() => hash(password, this.options));
  }

  /**
   * Verifies against our argon2id hashes and imported ones (bcrypt, pbkdf2-sha256: see
   * password-hash-formats.ts); those never pass needsRehash, so a successful login upgrades them.
   * A malformed stored hash never authenticates.
   */
  verify(storedHash: string, password: string): Promise<boolean> {
    return this.slots(() => verifyPasswordHash(storedHash, password));
  }

  /**
   * Spends the same time as a real verification, so that an unknown username answers exactly like a
   * wrong password (no enumeration by timing).
   */
  async verifyDecoy(password: string): Promise<false> {
    this.decoy ??= this.hash(randomToken());
    const decoy = await this.decoy;
    await this.slots(() => verify(decoy, password));
    return false;
  }

  /** Whether a stored hash should be re-hashed at our current parameters after a successful login. */
  needsRehash(phc: string): boolean {
    const { memoryCost, timeCost, parallelism } = this.options;
    return !phc.startsWith(`$argon2id$v=19$m=${memoryCost},t=${timeCost},p=${parallelism}$`);
  }
}
