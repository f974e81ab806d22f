import { Injectable } from '@nestjs/common';
import {
  DEFAULT_BACKUP_CODE_COUNT,
  findMatchingHash,
  hashBackupCode,
  newBackupCode,
  normaliseBackupCode,
} from './backup-code-format';
import type { Prisma } from '../../generated/prisma/client';
import {
  BackupCodesRepository,
  type BackupCodesConfig,
  type BackupCodesCredential,
  type BackupCodesLogin,
} from './backup-codes.repository';

export type BackupCodeAttempt = 'accepted' | 'invalid' | 'used';

/**
 * Consuming a code loses its compare-and-set only when another request changed the set at the same
 * moment (another code used, or a new set generated). A few re-reads settle that; a live user never
 * races this often, so running out means something is hammering the set and the attempt fails.
 */
const MAX_CONSUME_TRIES = 5;

/** A set of codes to show once, and what is stored of it (their hashes). */
export interface BackupCodeSet {
  codes: string[];
  config: BackupCodesConfig;
}

export function newBackupCodeSet(count = DEFAULT_BACKUP_CODE_COUNT, now = new Date()): BackupCodeSet {
  const codes = uniqueCodes(count);
  return {
    codes,
    config: {
      createdAt: now.toISOString(),
      codes: codes.map((code) => ({ hash: hashBackupCode(normaliseBackupCode(code) ?? ''), usedAt: null })),
    },
  };
}

/** One-time backup (recovery) codes: generated in sets, stored hashed, each accepted once. */
@Injectable()
export class BackupCodesService {
  constructor(private readonly repository: BackupCodesRepository) {}

  /** A new set replacing the old one; the plain codes are returned here only, never stored. */
  async generate(
    identityId: string,
    count = DEFAULT_BACKUP_CODE_COUNT,
    now = new Date(),
  ): Promise<{ codes: string[]; createdAt: string }> {
    const set = newBackupCodeSet(count, now);
    await this.store(identityId, set);
    return { codes: set.codes, createdAt: set.config.createdAt };
  }

  /** Stores a set made by newBackupCodeSet (in `tx`: it replaces the old set when the caller commits). */
  async store(identityId: string, set: BackupCodeSet, tx?: Prisma.TransactionClient): Promise<void> {
    await this.repository.replace(identityId, set.config, tx);
  }

  async status(identityId: string): Promise<{ remaining: number; createdAt: string | null }> {
    const credential = await this.repository.find(identityId);
    return { remaining: credential ? unused(credential) : 0, createdAt: credential?.config.createdAt ?? null };
  }

  /** Removes the identity's codes, used or not; false when it had none. */
  remove(identityId: string): Promise<boolean> {
    return this.repository.remove(identityId);
  }

  async hasUnused(identityId: string): Promise<boolean> {
    const credential = await this.repository.find(identityId);
    return credential !== undefined && unused(credential) > 0;
  }

  /** The identity and its codes (if any) for a login step; undefined when the identity does not exist. */
  findLogin(identityId: string): Promise<BackupCodesLogin | undefined> {
    return this.repository.findLogin(identityId);
  }

  /**
   * Checks a typed code and, if it matches an unused one, marks it used atomically (compare-and-set on
   * the set): two concurrent uses of one code succeed once.
   */
  async consume(
    credential: BackupCodesCredential | undefined,
    input: string,
    now = new Date(),
  ): Promise<BackupCodeAttempt> {
    const normalised = normaliseBackupCode(input);
    // No set at all answers like a wrong code (and is counted like one by the caller).
    if (normalised === undefined || !credential) return 'invalid';
    const candidate = hashBackupCode(normalised);
    let current: BackupCodesCredential | undefined = credential;
    for (let attempt = 0; attempt < MAX_CONSUME_TRIES && current; attempt++) {
      const index = findMatchingHash(
        candidate,
        current.config.codes.map((code) => code.hash),
      );
      const match = current.config.codes[index];
      if (!match) return 'invalid';
      if (match.usedAt !== null) return 'used';
      const codes = current.config.codes.map((code, i) =>
        i === index ? { ...code, usedAt: now.toISOString() } : code,
      );
      if (await this.repository.compareAndSetConfig(current, { ...current.config, codes })) return 'accepted';
      current = await this.repository.find(credential.identityId);
    }
    return 'invalid';
  }
}

function unused(credential: BackupCodesCredential): number {
  return credential.config.codes.filter((code) => code.usedAt === null).length;
}

/** `count` distinct codes (a collision at 50 bits is practically impossible, but costs nothing to rule out). */
function uniqueCodes(count: number): string[] {
  const codes = new Set<string>();
  while (codes.size < count) codes.add(newBackupCode());
  return [...codes];
}
