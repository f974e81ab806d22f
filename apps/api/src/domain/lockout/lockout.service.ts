import { Injectable } from '@nestjs/common';
import { sha256 } from '../../infra/crypto/tokens';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import { PreparedSql, preparedStatement } from '../../infra/database/prepared-sql';
import { AuditService } from '../audit/audit.service';
import { IdentitiesRepository } from '../identities/identities.repository';
import type { ProjectSettings } from '../projects/project-settings';

/** A factor whose failures are counted separately (RFC 8176 names where they exist). */
export type Factor = 'password' | 'totp' | 'backup_code' | 'passkey' | 'email_otp';

/**
 * Who is being guessed at: a known identity, or an identifier nobody has. Unknown identifiers are counted
 * and locked exactly like identities, so their answers (remainingAttempts, lock) reveal nothing.
 */
export type AttemptSubject =
  { kind: 'identity'; identityId: string; lockedUntil: Date | null } | { kind: 'identifier'; identifier: string };

export type LockoutPolicy = ProjectSettings['lockout'];

/**
 * One attempt at a factor, counted before the secret is checked. `granted` is false when the subject is
 * locked, or when as many attempts as it may still fail are already being checked by other requests.
 */
export interface AttemptReservation {
  readonly granted: boolean;
  /** The attempt failed: it stays counted, and the last one allowed locks the subject. */
  failed(): Promise<{ remainingAttempts: number; locked: boolean }>;
  /** The attempt succeeded: the subject's failures, lock history and any lapsed lock are cleared. */
  succeeded(): Promise<void>;
  /** The attempt was no guess (a resubmitted, already accepted code): it is handed back uncounted. */
  release(): Promise<{ remainingAttempts: number }>;
}

/**
 * A reservation that did not lapse into a lock although its holder never reported back (a crashed
 * process) is given up after this long, so a subject can never stay saturated without a lock.
 */
const STALE_RESERVATION_MS = 60_000;

/**
 * Brute-force protection: failed attempts per subject and factor, and the timed lock they lead to.
 *
 * An attempt is reserved atomically (one conditional upsert) *before* the secret is verified, so
 * concurrent guesses cannot all read "4 failures so far" and all be checked: with maxAttempts = 5, at most
 * five answers are ever evaluated, however many requests race, on any number of API replicas. Locks are
 * progressive: the k-th lock in a row lasts initialDurationSeconds · 2^(k−1), capped at durationSeconds,
 * so a handful of requests cannot keep a victim out for the longest time; a success resets the series,
 * and so does a quiet period of durationSeconds after the last lock.
 */
@Injectable()
export class LockoutService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: PreparedSql,
    private readonly identities: IdentitiesRepository,
    private readonly audit: AuditService,
  ) {}

  async reserve(
    projectId: string,
    subject: AttemptSubject,
    factor: Factor,
    policy: LockoutPolicy,
    now = new Date(),
  ): Promise<AttemptReservation> {
    // An identity locked through another factor is locked for this one too.
    if (subject.kind === 'identity' && subject.lockedUntil !== null && subject.lockedUntil > now) return REFUSED;
    const key = counterKey(subject, factor);
    // An unknown identifier locked through another factor is refused in the same statement (the same round
    // trips as for an identity, whose lock came with its row), so that neither answers nor time tell them apart.
    const wideLock = subjectLockKey(subject);
    const stale = new Date(now.getTime() - STALE_RESERVATION_MS);
    // Granted when the subject is not locked and fewer than maxAttempts attempts are counted (a lapsed
    // lock or an abandoned saturation starts the count afresh); otherwise the update matches nothing.
    const rows = await this.sql.query(RESERVE_ATTEMPT, [projectId, key, now, wideLock, policy.maxAttempts, stale]);
    const counter = rows[0];
    if (!counter) return REFUSED;
    return new Reservation(
      this.prisma,
      this.sql,
      this.identities,
      this.audit,
      projectId,
      subject,
      factor,
      policy,
      counter,
      now,
    );
  }

  /**
   * The identity's failed attempts counted toward its next lock, over every factor (counters that locked are
   * not counting: the lock itself is on the identity's row). For the admin API.
   */
  async status(projectId: string, identityId: string): Promise<{ failedAttempts: number }> {
    const counters = await this.prisma.attemptCounter.findMany({
      where: { projectId, key: { startsWith: identityKeyPrefix(identityId) }, lockedUntil: null },
      select: { failures: true },
    });
    return { failedAttempts: counters.reduce((sum, counter) => sum + counter.failures, 0) };
  }

  /**
   * Lifts the identity's lock and zeroes its counters of every factor and its lock history, in the caller's
   * transaction (recovery: proving the mailbox is stronger than the guesses a lock is about).
   */
  async unlockIdentity(tx: Prisma.TransactionClient, projectId: string, identityId: string): Promise<void> {
    await this.identities.unlock(tx, identityId);
    await tx.attemptCounter.updateMany({
      where: { projectId, key: { startsWith: identityKeyPrefix(identityId) } },
      data: { failures: 0, lockedUntil: null, lockCount: 0, lastLockedUntil: null },
    });
  }

  /** Deletes the identity's counters of every factor, in the caller's transaction (the identity is deleted). */
  async forgetIdentity(tx: Prisma.TransactionClient, projectId: string, identityId: string): Promise<void> {
    await tx.attemptCounter.deleteMany({ where: { projectId, key: { startsWith: identityKeyPrefix(identityId) } } });
  }
}

const REFUSED: AttemptReservation = {
  granted: false,
  failed: () => Promise.resolve({ remainingAttempts: 0, locked: true }),
  succeeded: () => Promise.resolve(),
  release: () => Promise.resolve({ remainingAttempts: 0 }),
};

class Reservation implements AttemptReservation {
  readonly granted = true;
  private readonly key: string;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: PreparedSql,
    private readonly identities: IdentitiesRepository,
    private readonly audit: AuditService,
    private readonly projectId: string,
    private readonly subject: AttemptSubject,
    private readonly factor: Factor,
    private readonly policy: LockoutPolicy,
    private readonly counter: { failures: number; lockCount: number; lastLockedUntil: Date | null },
    private readonly now: Date,
  ) {
    this.key = counterKey(subject, factor);
  }

  async failed(): Promise<{ remainingAttempts: number; locked: boolean }> {
    const { failures } = this.counter;
    if (failures < this.policy.maxAttempts)
      return { remainingAttempts: this.policy.maxAttempts - failures, locked: false };

    // Only the holder of the last allowed attempt gets here, so locks are never written concurrently. The
    // lock applies only while the count is still full: a success of the same subject since this attempt was
    // reserved (its owner signing in at the same moment) cleared the count, and a guess that lost that race
    // must not lock the owner out right after they got in.
    const now = this.now;
    const lockCount = lockSeriesLength(this.counter, this.policy, now) + 1;
    const lockedUntil = new Date(now.getTime() + lockDurationSeconds(lockCount, this.policy) * 1000);
    const { count } = await this.prisma.attemptCounter.updateMany({
      where: {
        projectId: this.projectId,
        key: this.key,
        lockedUntil: null,
        failures: { gte: this.policy.maxAttempts },
      },
      data: { lockedUntil, lastLockedUntil: lockedUntil, lockCount },
    });
    if (count === 0) {
      const current = await this.prisma.attemptCounter.findUnique({
        where: { projectId_key: { projectId: this.projectId, key: this.key } },
        select: { failures: true },
      });
      return { remainingAttempts: Math.max(this.policy.maxAttempts - (current?.failures ?? 0), 1), locked: false };
    }
    // The identity's own lock covers every factor and is what the admin API shows. An unknown identifier gets
    // the same cover from a lock row of its own: otherwise a lock through one factor would answer "locked" for
    // an account and "wrong, N remaining" for a stranger on the next factor.
    if (this.subject.kind === 'identity') {
      await this.identities.lock(this.subject.identityId, lockedUntil);
      // On the identity's timeline (admin API): when, through which factor, for how long. Unknown identifiers
      // are not recorded: the log must not become a list of guessed addresses.
      await this.audit.record('identity.locked', {
        projectId: this.projectId,
        identityId: this.subject.identityId,
        data: { factor: this.factor, lockedUntil: lockedUntil.toISOString(), lockCount },
      });
    } else await lockIdentifier(this.prisma, this.projectId, this.subject, lockedUntil, now);
    return { remainingAttempts: 0, locked: true };
  }

  async succeeded(): Promise<void> {
    const clear = (tx?: Prisma.TransactionClient) =>
      this.sql.query(CLEAR_ATTEMPTS, [this.projectId, this.key, new Date()], tx);
    // One statement on the usual path (a login is hot); a lapsed identity lock is cleared with it.
    const subject = this.subject;
    if (subject.kind !== 'identity' || subject.lockedUntil === null) {
      await clear();
      return;
    }
    await this.prisma.$transaction(async (tx) => {
      await clear(tx);
      await this.identities.unlock(tx, subject.identityId, this.now);
    });
  }

  async release(): Promise<{ remainingAttempts: number }> {
    const rows = await this.prisma.$queryRaw<Array<{ failures: number }>>`
      UPDATE attempt_counters SET failures = GREATEST(failures - 1, 0), updated_at = ${new Date()}
      WHERE project_id = ${this.projectId}::uuid AND key = ${this.key} AND locked_until IS NULL
      RETURNING failures`;
    return { remainingAttempts: Math.max(this.policy.maxAttempts - (rows[0]?.failures ?? this.policy.maxAttempts), 0) };
  }
}

/** Locks in a row before this one: the series continues while the last lock ended within durationSeconds. */
function lockSeriesLength(
  counter: { lockCount: number; lastLockedUntil: Date | null },
  policy: LockoutPolicy,
  now: Date,
): number {
  if (!counter.lastLockedUntil) return 0;
  const quietSince = now.getTime() - counter.lastLockedUntil.getTime();
  return quietSince <= policy.durationSeconds * 1000 ? counter.lockCount : 0;
}

/** The k-th lock in a row (k ≥ 1): initialDurationSeconds doubled per earlier lock, at most durationSeconds. */
export function lockDurationSeconds(lockCount: number, policy: LockoutPolicy): number {
  const initial = Math.min(policy.initialDurationSeconds, policy.durationSeconds);
  return Math.min(policy.durationSeconds, initial * 2 ** Math.min(lockCount - 1, 30));
}

/** The attempt-counter key of a subject and factor; unknown identifiers are hashed. */
export function counterKey(subject: AttemptSubject, factor: Factor): string {
  // Unknown identifiers are stored hashed: the table must not become a list of guessed addresses.
  return subject.kind === 'identity'
    ? `${identityKeyPrefix(subject.identityId)}${factor}`
    : `identifier:${sha256(subject.identifier)}:${factor}`;
}

/** What the keys of every factor of one identity start with (nothing else builds these keys). */
function identityKeyPrefix(identityId: string): string {
  return `identity:${identityId}:`;
}

/**
 * The key of the row that locks a subject across factors. Identities are locked on their own row, so theirs is
 * a key no counter has: the reserving statement keeps one shape for both kinds of subject.
 */
function subjectLockKey(subject: AttemptSubject): string {
  return subject.kind === 'identity'
    ? `${identityKeyPrefix(subject.identityId)}none`
    : `identifier:${sha256(subject.identifier)}:*`;
}

async function lockIdentifier(
  prisma: PrismaClient,
  projectId: string,
  subject: AttemptSubject,
  lockedUntil: Date,
  now: Date,
): Promise<void> {
  const key = subjectLockKey(subject);
  await prisma.attemptCounter.upsert({
    where: { projectId_key: { projectId, key } },
    create: { projectId, key, failures: 0, lockedUntil, updatedAt: now },
    update: { lockedUntil, updatedAt: now },
  });
}

/**
 * reserve()'s one statement: $1 project, $2 counter key, $3 now, $4 the subject's cross-factor lock key,
 * $5 maxAttempts, $6 when an unfinished reservation counts as abandoned. A row back when granted.
 */
const RESERVE_ATTEMPT = preparedStatement<{ failures: number; lockCount: number; lastLockedUntil: Date | null }>(
  'lockout.reserve',
  `INSERT INTO attempt_counters (id, project_id, key, failures, updated_at)
   SELECT gen_random_uuid(), $1::uuid, $2::text, 1, $3::timestamptz
   WHERE NOT EXISTS (SELECT 1 FROM attempt_counters
                     WHERE project_id = $1::uuid AND key = $4::text AND locked_until > $3::timestamptz)
   ON CONFLICT (project_id, key) DO UPDATE SET
     failures = CASE WHEN attempt_counters.locked_until IS NOT NULL OR attempt_counters.failures >= $5::int
                     THEN 1 ELSE attempt_counters.failures + 1 END,
     locked_until = NULL,
     updated_at = EXCLUDED.updated_at
   WHERE (attempt_counters.locked_until IS NULL AND attempt_counters.failures < $5::int)
      OR attempt_counters.locked_until <= $3::timestamptz
      OR (attempt_counters.locked_until IS NULL AND attempt_counters.updated_at <= $6::timestamptz)
   RETURNING failures, lock_count AS "lockCount", last_locked_until AS "lastLockedUntil"`,
);

/** A success resets the counter and its lock series: $1 project, $2 counter key, $3 now. */
const CLEAR_ATTEMPTS = preparedStatement<never>(
  'lockout.clear',
  `UPDATE attempt_counters SET failures = 0, locked_until = NULL, lock_count = 0, last_locked_until = NULL,
                               updated_at = $3::timestamptz
   WHERE project_id = $1::uuid AND key = $2::text`,
);
