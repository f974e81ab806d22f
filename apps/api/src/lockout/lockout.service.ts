import { Injectable } from '@nestjs/common';
import { sha256 } from '../crypto/tokens';
import { PrismaClient } from '../generated/prisma/client';
import type { ProjectSettings } from '../projects/project-settings';

/** A factor whose failures are counted separately (RFC 8176 names where they exist). */
export type Factor = 'password' | 'totp' | 'backup_code' | 'passkey' | 'email_otp';

/**
 * Who is being guessed at: a known identity, or an identifier nobody has. Unknown identifiers are counted
 * and locked exactly like identities, so their answers (remainingAttempts, lock) reveal nothing.
 */
export type AttemptSubject =
  | { kind: 'identity'; identityId: string; lockedUntil: Date | null }
  | { kind: 'identifier'; identifier: string };

export interface AttemptState {
  locked: boolean;
  failures: number;
}

/** Brute-force protection: failed attempts per subject and factor, and the timed lock they lead to. */
@Injectable()
export class LockoutService {
  constructor(private readonly prisma: PrismaClient) {}

  /** Reads the subject's lock and failure count for a factor (one query). */
  async state(projectId: string, subject: AttemptSubject, factor: Factor, now = new Date()): Promise<AttemptState> {
    const counter = await this.prisma.attemptCounter.findUnique({
      where: { projectId_key: { projectId, key: counterKey(subject, factor) } },
      select: { failures: true, lockedUntil: true },
    });
    const lockedUntil = subject.kind === 'identity' ? subject.lockedUntil : (counter?.lockedUntil ?? null);
    const locked = lockedUntil !== null && lockedUntil > now;
    // A lock that has run out starts the subject afresh.
    const expiredLock = lockedUntil !== null && !locked;
    return { locked, failures: expiredLock ? 0 : (counter?.failures ?? 0) };
  }

  /** Counts a failure; locks the subject when it reaches the project's limit. */
  async recordFailure(
    projectId: string,
    subject: AttemptSubject,
    factor: Factor,
    policy: ProjectSettings['lockout'],
    now = new Date(),
  ): Promise<{ remainingAttempts: number; locked: boolean }> {
    const key = counterKey(subject, factor);
    const { failures } = await this.prisma.attemptCounter.upsert({
      where: { projectId_key: { projectId, key } },
      create: { projectId, key, failures: 1 },
      update: { failures: { increment: 1 } },
      select: { failures: true },
    });
    if (failures < policy.maxAttempts) return { remainingAttempts: policy.maxAttempts - failures, locked: false };

    const lockedUntil = new Date(now.getTime() + policy.durationSeconds * 1000);
    await this.prisma.$transaction([
      this.prisma.attemptCounter.update({
        where: { projectId_key: { projectId, key } },
        data: { failures: 0, lockedUntil: subject.kind === 'identifier' ? lockedUntil : null },
      }),
      ...(subject.kind === 'identity'
        ? [this.prisma.identity.update({ where: { id: subject.identityId }, data: { lockedUntil } })]
        : []),
    ]);
    return { remainingAttempts: 0, locked: true };
  }

  /** Clears the factor's failures (and a lapsed lock) after a success; writes only when there is something to clear. */
  async recordSuccess(projectId: string, subject: AttemptSubject, factor: Factor, state: AttemptState): Promise<void> {
    const lapsedIdentityLock = subject.kind === 'identity' && subject.lockedUntil !== null;
    if (state.failures === 0 && !lapsedIdentityLock) return;
    await this.prisma.$transaction([
      this.prisma.attemptCounter.updateMany({ where: { projectId, key: counterKey(subject, factor) }, data: { failures: 0, lockedUntil: null } }),
      ...(lapsedIdentityLock ? [this.prisma.identity.update({ where: { id: subject.identityId }, data: { lockedUntil: null } })] : []),
    ]);
  }
}

function counterKey(subject: AttemptSubject, factor: Factor): string {
  // Unknown identifiers are stored hashed: the table must not become a list of guessed addresses.
  return subject.kind === 'identity' ? `identity:${subject.identityId}:${factor}` : `identifier:${sha256(subject.identifier)}:${factor}`;
}
