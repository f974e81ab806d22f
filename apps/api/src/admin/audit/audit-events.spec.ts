import { randomUUID } from 'node:crypto';
import { AuditEventsQuery } from './audit-events';

describe('AuditEventsQuery', () => {
  const problem = (query: Record<string, string>) => AuditEventsQuery.safeParse(query).error?.issues[0]?.path;

  it('reads every filter', () => {
    const identity = randomUUID();
    expect(
      AuditEventsQuery.parse({
        actor: 'ann@example.com',
        identity,
        type: 'admin.identity.*',
        from: '2026-12-01',
        to: '2026-12-02T10:00:00+01:00',
        limit: '10',
      }),
    ).toEqual({
      actor: 'ann@example.com',
      identity,
      type: 'admin.identity.*',
      from: new Date('2026-12-01T00:00:00Z'),
      to: new Date('2026-12-02T09:00:00Z'),
      limit: 10,
    });
  });

  it('names the parameter of each bad filter', () => {
    expect(problem({ identity: 'nobody' })).toEqual(['identity']);
    expect(problem({ type: 'Admin Identity' })).toEqual(['type']);
    expect(problem({ type: 'admin.*.unlock' })).toEqual(['type']);
    expect(problem({ from: 'yesterday' })).toEqual(['from']);
    expect(AuditEventsQuery.safeParse({ from: 'yesterday' }).error?.issues).toHaveLength(1);
    expect(problem({ to: '2026-02-30T00:00:00' })).toEqual(['to']);
    expect(problem({ to: '2026-02-31' })).toEqual(['to']);
    expect(problem({ from: '2026-12-02', to: '2026-12-01' })).toEqual(['to']);
    expect(problem({ limit: '1000' })).toEqual(['limit']);
    expect(problem({ actor: '' })).toEqual(['actor']);
    expect(problem({ sort: 'asc' })).toEqual([]);
  });
});
