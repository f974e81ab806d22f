import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../infra/database/database';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import { IdentitiesRepository } from '../identities/identities.repository';
import { ProjectSettings } from '../projects/project-settings';
import {
  counterKey,
  lockDurationSeconds,
  LockoutService,
  type AttemptSubject,
  type LockoutPolicy,
} from './lockout.service';
import { AuditService } from '../audit/audit.service';

// The lockout against both real databases: the reservation is one SQL statement, and what matters is
// how it behaves when many requests run it at once.

jest.setTimeout(120_000);

const policy = (overrides: Partial<LockoutPolicy> = {}): LockoutPolicy => ({
  ...ProjectSettings.parse({}).lockout,
  ...overrides,
});

describe.each(['pglite', 'postgres'] as const)('LockoutService on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let lockout: LockoutService;
  let projectId: string;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    db = scratch.db;
    lockout = new LockoutService(
      db.prisma,
      db.sql,
      new IdentitiesRepository(db.prisma, db.sql),
      new AuditService(db.prisma, db.sql),
    );
    projectId = (await db.prisma.project.create({ data: { slug: `p${randomBytes(4).toString('hex')}`, name: 'P' } }))
      .id;
  });

  afterAll(() => scratch?.dispose());

  async function newIdentity(): Promise<AttemptSubject & { kind: 'identity' }> {
    const identity = await db.prisma.identity.create({
      data: { projectId, traits: { email: `${randomUUID()}@example.com` } },
    });
    return { kind: 'identity', identityId: identity.id, lockedUntil: null };
  }
  const lockedUntil = async (identityId: string) =>
    (await db.prisma.identity.findUniqueOrThrow({ where: { id: identityId } })).lockedUntil;

  it('grants exactly maxAttempts of 16 concurrent attempts, and the last failure locks the identity', async () => {
    const subject = await newIdentity();
    const reservations = await Promise.all(
      Array.from({ length: 16 }, () => lockout.reserve(projectId, subject, 'password', policy())),
    );
    const granted = reservations.filter((r) => r.granted);
    expect(granted).toHaveLength(5);

    const outcomes = await Promise.all(granted.map((r) => r.failed()));
    expect(outcomes.map((o) => o.remainingAttempts).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(outcomes.filter((o) => o.locked)).toHaveLength(1);
    expect(await lockedUntil(subject.identityId)).toBeInstanceOf(Date);
    // Locked: nothing more is evaluated, the right answer included.
    expect((await lockout.reserve(projectId, subject, 'password', policy())).granted).toBe(false);
  });

  it('refuses attempts while the allowed ones are still being checked, and counts a success as freeing them', async () => {
    const subject = await newIdentity();
    const inFlight = await Promise.all(
      Array.from({ length: 5 }, () => lockout.reserve(projectId, subject, 'password', policy())),
    );
    expect(inFlight.every((r) => r.granted)).toBe(true);
    expect((await lockout.reserve(projectId, subject, 'password', policy())).granted).toBe(false);

    await inFlight[0]?.succeeded();
    const after = await lockout.reserve(projectId, subject, 'password', policy());
    expect(after.granted).toBe(true);
    expect(await after.failed()).toEqual({ remainingAttempts: 4, locked: false });
  });

  it('does not lock the owner out when their success races the guess that held the last attempt', async () => {
    const subject = await newIdentity();
    for (let i = 0; i < 3; i++) await (await lockout.reserve(projectId, subject, 'backup_code', policy())).failed();
    // Reserved one after the other, so that the guess holds the last attempt (concurrently, either may get it).
    const owner = await lockout.reserve(projectId, subject, 'backup_code', policy());
    const guess = await lockout.reserve(projectId, subject, 'backup_code', policy());
    await owner.succeeded();
    expect(await guess.failed()).toEqual({ remainingAttempts: 5, locked: false });
    expect(await lockedUntil(subject.identityId)).toBeNull();
  });

  it('locks unknown identifiers atomically as well', async () => {
    const subject: AttemptSubject = { kind: 'identifier', identifier: `${randomUUID()}@example.com` };
    const reservations = await Promise.all(
      Array.from({ length: 12 }, () => lockout.reserve(projectId, subject, 'password', policy({ maxAttempts: 3 }))),
    );
    const granted = reservations.filter((r) => r.granted);
    expect(granted).toHaveLength(3);
    await Promise.all(granted.map((r) => r.failed()));
    expect((await lockout.reserve(projectId, subject, 'password', policy({ maxAttempts: 3 }))).granted).toBe(false);
  });

  it('locks an unknown identifier for every factor, as an identity is (no enumeration across factors)', async () => {
    const stranger: AttemptSubject = { kind: 'identifier', identifier: `${randomUUID()}@example.com` };
    for (let i = 0; i < 3; i++) {
      await (await lockout.reserve(projectId, stranger, 'email_otp', policy({ maxAttempts: 3 }))).failed();
    }
    // The next factor is refused for the stranger, as it is for an identity whose lock covers every factor.
    expect((await lockout.reserve(projectId, stranger, 'password', policy({ maxAttempts: 3 }))).granted).toBe(false);
    const other: AttemptSubject = { kind: 'identifier', identifier: `${randomUUID()}@example.com` };
    expect((await lockout.reserve(projectId, other, 'password', policy({ maxAttempts: 3 }))).granted).toBe(true);
    // Once the lock has lapsed, every factor may be tried again.
    const later = new Date(Date.now() + 3_600_000);
    expect((await lockout.reserve(projectId, stranger, 'password', policy({ maxAttempts: 3 }), later)).granted).toBe(
      true,
    );
  });

  it('hands a released attempt back: a resubmitted code never locks', async () => {
    const subject = await newIdentity();
    for (let i = 0; i < 8; i++) {
      const attempt = await lockout.reserve(projectId, subject, 'totp', policy());
      expect(attempt.granted).toBe(true);
      expect(await attempt.release()).toEqual({ remainingAttempts: 5 });
    }
    expect(await lockedUntil(subject.identityId)).toBeNull();
  });

  it('makes locks progressive: each lock in a row lasts twice as long, up to durationSeconds', async () => {
    const subject = await newIdentity();
    const rules = policy({ maxAttempts: 2, initialDurationSeconds: 60, durationSeconds: 900 });
    let now = new Date('2026-01-01T00:00:00Z');
    const lockLengths: number[] = [];
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 2; i++) await (await lockout.reserve(projectId, subject, 'password', rules, now)).failed();
      const until = (
        await db.prisma.attemptCounter.findFirstOrThrow({ where: { projectId, key: counterKey(subject, 'password') } })
      ).lockedUntil;
      lockLengths.push(((until?.getTime() ?? 0) - now.getTime()) / 1000);
      // Refused while locked, granted once it has run out.
      expect(
        (await lockout.reserve(projectId, subject, 'password', rules, new Date(now.getTime() + 1000))).granted,
      ).toBe(false);
      now = new Date((until?.getTime() ?? 0) + 1000);
    }
    expect(lockLengths).toEqual([60, 120, 240, 480, 900, 900]);

    // A quiet period as long as the longest lock starts the series afresh.
    now = new Date(now.getTime() + 901_000);
    for (let i = 0; i < 2; i++) await (await lockout.reserve(projectId, subject, 'password', rules, now)).failed();
    const until = (
      await db.prisma.attemptCounter.findFirstOrThrow({ where: { projectId, key: counterKey(subject, 'password') } })
    ).lockedUntil;
    expect(((until?.getTime() ?? 0) - now.getTime()) / 1000).toBe(60);
  });

  it('clears a lapsed identity lock with a success, never a lock that is still running', async () => {
    const subject = await newIdentity();
    const rules = policy({ maxAttempts: 2, initialDurationSeconds: 60, durationSeconds: 60 });
    const start = new Date(Date.now() - 120_000);
    for (let i = 0; i < 2; i++) await (await lockout.reserve(projectId, subject, 'password', rules, start)).failed();
    const lapsed = await lockedUntil(subject.identityId);
    expect(lapsed).toBeInstanceOf(Date);
    // A success judged before the lock ran out leaves it; one after clears it.
    await (await lockout.reserve(projectId, { ...subject, lockedUntil: lapsed }, 'totp', rules, start)).succeeded();
    expect(await lockedUntil(subject.identityId)).toEqual(lapsed);
    await (await lockout.reserve(projectId, { ...subject, lockedUntil: lapsed }, 'password', rules)).succeeded();
    expect(await lockedUntil(subject.identityId)).toBeNull();
  });

  it('unlockIdentity lifts the identity lock and zeroes every factor of that identity only', async () => {
    const subject = await newIdentity();
    const other = await newIdentity();
    const rules = policy({ maxAttempts: 2 });
    for (const who of [subject, other])
      for (let i = 0; i < 2; i++) await (await lockout.reserve(projectId, who, 'password', rules)).failed();
    await (await lockout.reserve(projectId, subject, 'totp', rules)).failed();
    await db.prisma.$transaction((tx) => lockout.unlockIdentity(tx, projectId, subject.identityId));
    expect(await lockedUntil(subject.identityId)).toBeNull();
    const counters = await db.prisma.attemptCounter.findMany({
      where: { projectId, key: { in: [counterKey(subject, 'password'), counterKey(subject, 'totp')] } },
    });
    expect(counters.map(({ failures, lockedUntil, lockCount }) => ({ failures, lockedUntil, lockCount }))).toEqual([
      { failures: 0, lockedUntil: null, lockCount: 0 },
      { failures: 0, lockedUntil: null, lockCount: 0 },
    ]);
    expect((await lockout.reserve(projectId, { ...subject, lockedUntil: null }, 'password', rules)).granted).toBe(true);
    expect(await lockedUntil(other.identityId)).toBeInstanceOf(Date);
    expect((await lockout.reserve(projectId, other, 'password', rules)).granted).toBe(false);
  });

  it('records a lock on the identity’s timeline, counts failures toward the next one, and forgets a deleted identity', async () => {
    const subject = await newIdentity();
    for (const factor of ['password', 'totp'] as const)
      await (await lockout.reserve(projectId, subject, factor, policy())).failed();
    expect(await lockout.status(projectId, subject.identityId)).toEqual({ failedAttempts: 2 });
    for (let i = 0; i < 4; i++) await (await lockout.reserve(projectId, subject, 'password', policy())).failed();
    // The locked counter no longer counts: the lock is on the identity.
    expect(await lockout.status(projectId, subject.identityId)).toEqual({ failedAttempts: 1 });
    const events = await db.prisma.auditEvent.findMany({ where: { identityId: subject.identityId } });
    expect(events).toEqual([
      expect.objectContaining({
        projectId,
        type: 'identity.locked',
        data: { factor: 'password', lockedUntil: (await lockedUntil(subject.identityId))?.toISOString(), lockCount: 1 },
      }),
    ]);
    // Unknown identifiers are never written to the log.
    const stranger: AttemptSubject = { kind: 'identifier', identifier: `${randomUUID()}@example.com` };
    for (let i = 0; i < 5; i++) await (await lockout.reserve(projectId, stranger, 'password', policy())).failed();
    expect(await db.prisma.auditEvent.count({ where: { projectId, identityId: null } })).toBe(0);

    await db.prisma.$transaction((tx) => lockout.forgetIdentity(tx, projectId, subject.identityId));
    expect(await db.prisma.attemptCounter.count({ where: { key: { contains: subject.identityId } } })).toBe(0);
  });

  it('gives up a saturation whose holders never reported back (a crashed process)', async () => {
    const subject = await newIdentity();
    const start = new Date(Date.now() - 120_000);
    for (let i = 0; i < 5; i++)
      expect((await lockout.reserve(projectId, subject, 'password', policy(), start)).granted).toBe(true);
    expect((await lockout.reserve(projectId, subject, 'password', policy(), start)).granted).toBe(false);
    const later = await lockout.reserve(projectId, subject, 'password', policy());
    expect(later.granted).toBe(true);
    expect(await later.failed()).toEqual({ remainingAttempts: 4, locked: false });
  });
});

describe('lockDurationSeconds', () => {
  it('doubles from the initial duration and never exceeds the longest', () => {
    const rules = policy({ initialDurationSeconds: 30, durationSeconds: 100 });
    expect([1, 2, 3, 4, 40].map((k) => lockDurationSeconds(k, rules))).toEqual([30, 60, 100, 100, 100]);
    expect(lockDurationSeconds(1, policy({ initialDurationSeconds: 600, durationSeconds: 2 }))).toBe(2);
  });
});
