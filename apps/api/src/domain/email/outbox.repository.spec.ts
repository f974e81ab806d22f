import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import { OutboxRepository, type OutboxMessageInput } from './outbox.repository';

// The claim/lease SQL on both databases the product runs on (no mocks: it is the SQL that matters).

jest.setTimeout(60_000);

describe.each(['pglite', 'postgres'] as const)('outbox repository on %s', (kind) => {
  let target: ScratchDatabase;
  let repository: OutboxRepository;
  let projectId: string;
  const message = (overrides: Partial<OutboxMessageInput> = {}): OutboxMessageInput => ({
    projectId,
    kind: 'test',
    to: 'someone@example.com',
    subject: 's',
    html: '<p>h</p>',
    text: 't',
    ...overrides,
  });
  const enqueue = (input: OutboxMessageInput) => target.db.prisma.$transaction((tx) => repository.insert(tx, input));
  const row = (id: string) => target.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id } });

  beforeAll(async () => {
    target = await openScratchDatabase(kind);
    repository = new OutboxRepository(target.db.prisma);
    projectId = (await target.db.prisma.project.create({ data: { slug: `p-${kind}`, name: 'P' } })).id;
  });
  afterAll(() => target?.dispose());
  beforeEach(() => target.db.prisma.outboxMessage.deleteMany());

  it('writes the message only if the surrounding transaction commits', async () => {
    await expect(
      target.db.prisma.$transaction(async (tx) => {
        await repository.insert(tx, message({ to: 'rolled-back@example.com' }));
        throw new Error('state change failed');
      }),
    ).rejects.toThrow('state change failed');
    expect(await target.db.prisma.outboxMessage.count()).toBe(0);
    const id = await enqueue(message());
    expect(await row(id!)).toMatchObject({ status: 'pending', attempts: 0, toAddress: 'someone@example.com' });
  });

  it('enqueues a message with an idempotency key once, without aborting the transaction', async () => {
    const first = await enqueue(message({ idempotencyKey: 'verification:flow-1' }));
    const again = await target.db.prisma.$transaction(async (tx) => {
      const id = await repository.insert(tx, message({ idempotencyKey: 'verification:flow-1' }));
      // The transaction is still usable after the duplicate (PostgreSQL aborts it on a unique violation).
      await tx.project.findFirst();
      return id;
    });
    expect(first).toEqual(expect.any(String));
    expect(again).toBeNull();
    expect(await target.db.prisma.outboxMessage.count()).toBe(1);
  });

  it('claims due messages once, counting the attempt, and leaves others and future ones alone', async () => {
    const a = await enqueue(message());
    const b = await enqueue(message());
    const later = await enqueue(message());
    await target.db.prisma.outboxMessage.update({
      where: { id: later! },
      data: { nextAttemptAt: new Date(Date.now() + 60_000) },
    });

    const claimed = await repository.claimDue(10, 60_000);
    expect(claimed.map((m) => m.id).sort()).toEqual([a, b].sort());
    expect(claimed[0]).toMatchObject({
      projectId,
      kind: 'test',
      to: 'someone@example.com',
      subject: 's',
      html: '<p>h</p>',
      text: 't',
      attempts: 1,
    });
    expect(await repository.claimDue(10, 60_000)).toEqual([]);
    expect((await row(a!)).status).toBe('sending');
  });

  it('reclaims a message whose worker died (lease expired), as a new attempt', async () => {
    const id = await enqueue(message());
    const [first] = await repository.claimDue(10, 1);
    expect(first!.attempts).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [again] = await repository.claimDue(10, 60_000);
    expect(again).toMatchObject({ id, attempts: 2 });
    // The dead worker's late failure report does not overwrite the new holder's state.
    await repository.markFailedAttempt(id!, 1, 'stale', { delayMs: 0 });
    expect(await row(id!)).toMatchObject({ status: 'sending', attempts: 2, lastError: null });
  });

  it('records failures with a retry time, gives up as failed, and marks sent', async () => {
    const id = (await enqueue(message()))!;
    let [claimed] = await repository.claimDue(10, 60_000);
    await repository.markFailedAttempt(id, claimed!.attempts, 'ECONNREFUSED: connect ECONNREFUSED', {
      delayMs: 60_000,
    });
    const retrying = await row(id);
    expect(retrying).toMatchObject({ status: 'pending', attempts: 1, lastError: 'ECONNREFUSED: connect ECONNREFUSED' });
    expect(retrying.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect(await repository.claimDue(10, 60_000)).toEqual([]);

    await target.db.prisma.outboxMessage.update({
      where: { id },
      data: { nextAttemptAt: new Date(Date.now() - 1000) },
    });
    [claimed] = await repository.claimDue(10, 60_000);
    await repository.markFailedAttempt(id, claimed!.attempts, 'still down', 'give-up');
    expect(await row(id)).toMatchObject({ status: 'failed', attempts: 2, lastError: 'still down' });
    expect(await repository.claimDue(10, 60_000)).toEqual([]);

    const other = (await enqueue(message()))!;
    await repository.claimDue(10, 60_000);
    await repository.markSent(other);
    const sent = await row(other);
    expect(sent.status).toBe('sent');
    expect(sent.sentAt).toBeInstanceOf(Date);
    expect(await repository.list(projectId, 'sent')).toEqual([expect.objectContaining({ id: other, status: 'sent' })]);
    expect((await repository.list(projectId, undefined))[0]).not.toHaveProperty('html');
  });

  it("completes a job only for the worker holding its lease, and only if the job's work commits", async () => {
    const id = (await enqueue(message({ kind: 'job:test', text: '{}' })))!;
    const [claimed] = await repository.claimDue(10, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [reclaimed] = await repository.claimDue(10, 60_000);
    expect(reclaimed).toMatchObject({ id, attempts: 2 });
    // The worker whose lease expired completes nothing.
    expect(await target.db.prisma.$transaction((tx) => repository.completeJob(tx, id, claimed!.attempts))).toBe(false);
    // The work failed: the job stays for a retry.
    await expect(
      target.db.prisma.$transaction(async (tx) => {
        expect(await repository.completeJob(tx, id, reclaimed!.attempts)).toBe(true);
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(await row(id)).toMatchObject({ status: 'sending', attempts: 2 });
    expect(await target.db.prisma.$transaction((tx) => repository.completeJob(tx, id, reclaimed!.attempts))).toBe(true);
    expect(await target.db.prisma.outboxMessage.count({ where: { id } })).toBe(0);
  });

  if (kind === 'postgres') {
    it('gives concurrent workers disjoint messages (FOR UPDATE SKIP LOCKED)', async () => {
      const ids = await Promise.all(Array.from({ length: 30 }, () => enqueue(message())));
      // Concurrent claims run on separate pool connections, as separate API replicas would.
      const claims = await Promise.all([1, 2, 3, 4].map(() => repository.claimDue(5, 60_000)));
      const all = claims.flat().map((m) => m.id);
      expect(new Set(all).size).toBe(all.length);
      expect(all.length).toBe(20);
      const rest = await repository.claimDue(100, 60_000);
      expect(new Set([...all, ...rest.map((m) => m.id)])).toEqual(new Set(ids));
    });
  }
});
