import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../infra/database/database';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import { AuditService, type AuditEventRow } from './audit.service';

// Reading the audit log on both databases: every filter, and pages that neither skip nor repeat an event
// when several share a timestamp.

jest.setTimeout(120_000);

describe.each(['pglite', 'postgres'] as const)('AuditService.list on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let audit: AuditService;
  let projectId: string;
  const identityId = randomUUID();
  const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 9, minute));

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    db = scratch.db;
    audit = new AuditService(db.prisma, db.sql);
    projectId = (await db.prisma.project.create({ data: { slug: `p${randomBytes(4).toString('hex')}`, name: 'P' } }))
      .id;
    const other = (await db.prisma.project.create({ data: { slug: `o${randomBytes(4).toString('hex')}`, name: 'O' } }))
      .id;
    const event = (type: string, minute: number, extra: Record<string, unknown> = {}) =>
      db.prisma.auditEvent.create({ data: { projectId, type, createdAt: at(minute), ...extra } });
    await event('login.succeeded', 0, { identityId });
    await event('identity.locked', 1, { identityId });
    await event('admin.identity.unlock', 2, {
      identityId,
      actorKind: 'console-user',
      actorId: randomUUID(),
      actorName: 'ann@example.com',
    });
    await event('admin.identity.disable', 2, {
      identityId,
      actorKind: 'root',
      actorId: 'root',
      actorName: 'root token',
    });
    await event('admin.identity.enable', 2, {
      identityId,
      actorKind: 'root',
      actorId: 'root',
      actorName: 'root token',
    });
    await event('project.updated', 3, { actorKind: 'root', actorId: 'root', actorName: 'root token' });
    await db.prisma.auditEvent.create({
      data: { projectId: other, type: 'login.succeeded', identityId, createdAt: at(4) },
    });
  });

  afterAll(() => scratch?.dispose());

  const types = (rows: AuditEventRow[]) => rows.map((row) => row.type);
  const list = (filter: Parameters<AuditService['list']>[1], take = 50) => audit.list(projectId, filter, { take });

  it('filters by identity, actor id or name, type or type prefix, and a [from, to) window', async () => {
    expect(await list({ identityId })).toHaveLength(5);
    expect(types(await list({ actor: 'ann@example.com' }))).toEqual(['admin.identity.unlock']);
    expect(types(await list({ actor: 'root' }))).toEqual(['project.updated', expect.any(String), expect.any(String)]);
    expect(types(await list({ type: 'identity.locked' }))).toEqual(['identity.locked']);
    expect((await list({ type: 'admin.identity.*' })).map((row) => row.type).sort()).toEqual([
      'admin.identity.disable',
      'admin.identity.enable',
      'admin.identity.unlock',
    ]);
    expect(types(await list({ from: at(1), to: at(2) }))).toEqual(['identity.locked']);
    expect(await list({ from: at(3) })).toHaveLength(1);
    expect(await list({ type: 'admin.identity.*', actor: 'ann@example.com', identityId })).toHaveLength(1);
  });

  it('pages newest first, ties broken by id, without skipping or repeating', async () => {
    const all = await list({});
    expect(all.map((row) => row.createdAt.getTime())).toEqual(
      [...all.map((row) => row.createdAt.getTime())].sort((a, b) => b - a),
    );
    const seen: string[] = [];
    let after: { createdAt: Date; id: string } | undefined;
    for (;;) {
      const page = await audit.list(projectId, {}, { after, take: 2 });
      seen.push(...page.map((row) => row.id));
      const last = page[page.length - 1];
      if (page.length < 2 || !last) break;
      after = { createdAt: last.createdAt, id: last.id };
    }
    expect(seen).toEqual(all.map((row) => row.id));
  });

  it('records an event with its actor, target and data, or with nothing but its type', async () => {
    const project = (
      await db.prisma.project.create({ data: { slug: `r${randomBytes(4).toString('hex')}`, name: 'R' } })
    ).id;
    const actorId = randomUUID();
    const before = Date.now();
    await audit.record('admin.identity.disable', {
      projectId: project,
      identityId,
      clientId: 'console',
      actor: { kind: 'console-user', id: actorId, name: 'ann@example.com' },
      target: { type: 'identity', id: identityId },
      data: { reason: 'fraud', nested: { list: [1, 'two', null], yes: true } },
    });
    await audit.record('login.succeeded', { projectId: project });
    await audit.record('project.created', {});

    const [disabled, login] = await db.prisma.auditEvent.findMany({
      where: { projectId: project },
      orderBy: { type: 'asc' },
    });
    expect(disabled).toEqual({
      id: expect.any(String),
      projectId: project,
      type: 'admin.identity.disable',
      identityId,
      clientId: 'console',
      actorKind: 'console-user',
      actorId,
      actorName: 'ann@example.com',
      targetType: 'identity',
      targetId: identityId,
      data: { reason: 'fraud', nested: { list: [1, 'two', null], yes: true } },
      createdAt: expect.any(Date),
    });
    expect(disabled?.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(disabled?.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(login).toMatchObject({
      type: 'login.succeeded',
      identityId: null,
      clientId: null,
      actorKind: null,
      actorId: null,
      actorName: null,
      targetType: null,
      targetId: null,
      data: {},
    });
    expect(await db.prisma.auditEvent.count({ where: { projectId: null, type: 'project.created' } })).toBe(1);
  });
});
