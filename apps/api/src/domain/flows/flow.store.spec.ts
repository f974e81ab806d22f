import { randomBytes, randomUUID } from 'node:crypto';
import type { FlowType } from '@keyway/flow-types';
import type { Database } from '../../infra/database/database';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import type { FlowRecord } from './flow';
import { FlowStore } from './flow.store';

// The flow store's optimistic lock against both real databases: what it is for is how writes from one
// read behave when several requests make them at once.

jest.setTimeout(120_000);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(['pglite', 'postgres'] as const)('FlowStore on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let flows: FlowStore;
  let projectId: string;
  let applicationId: string;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    db = scratch.db;
    flows = new FlowStore(db.prisma, db.sql);
    projectId = (await db.prisma.project.create({ data: { slug: `p${randomBytes(4).toString('hex')}`, name: 'P' } }))
      .id;
    applicationId = (
      await db.prisma.application.create({
        data: {
          projectId,
          clientId: `c${randomBytes(4).toString('hex')}`,
          name: 'App',
          type: 'public',
          redirectUris: ['com.example.app:/cb'],
          grantTypes: ['authorization_code'],
        },
      })
    ).id;
  });

  afterAll(() => scratch?.dispose());

  function newFlow(
    type: FlowType = 'RECOVERY',
    extra: { stepState?: Record<string, unknown>; expiresAt?: Date } = {},
  ): Promise<FlowRecord> {
    return flows.create(undefined, {
      projectId,
      applicationId,
      type,
      authRequest: { clientId: 'c', scope: 'openid' },
      expiresAt: extra.expiresAt ?? new Date(Date.now() + 600_000),
      ...(extra.stepState ? { stepState: extra.stepState } : {}),
    });
  }
  async function newIdentity(): Promise<string> {
    return (await db.prisma.identity.create({ data: { projectId, traits: { email: `${randomUUID()}@example.com` } } }))
      .id;
  }
  const row = (id: string) => db.prisma.flow.findUniqueOrThrow({ where: { id } });

  it('maps every column of the row, the same for every flow type', async () => {
    const created = await flows.create(undefined, {
      projectId,
      applicationId,
      type: 'SETTINGS',
      authRequest: { clientId: 'c', scope: 'openid', uiLocales: ['de'] },
      expiresAt: new Date(Date.now() + 60_000),
      stepState: { sessionId: 's' },
    });
    expect(created).toMatchObject({
      type: 'SETTINGS',
      stepIndex: 0,
      identityId: null,
      amr: [],
      failedAttempts: 0,
      stepState: { sessionId: 's' },
      version: 0,
    });
    expect(await flows.findActive(created.id, 'SETTINGS')).toEqual(created);
    // Each flow type sees only its own flows.
    expect(await flows.findActive(created.id, 'AUTHENTICATION')).toBeUndefined();
  });

  it('of 8 concurrent writes from one read, exactly one wins, and the row is the winner’s', async () => {
    const flow = await newFlow();
    const read = await flows.findActive(flow.id, 'RECOVERY');
    if (!read) throw new Error('flow not found');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => flows.update(undefined, read, { stepIndex: 1, stepState: { answer: i } })),
    );
    const winners = results.filter((result): result is FlowRecord => result !== undefined);
    expect(winners).toHaveLength(1);
    expect(winners[0]?.version).toBe(1);
    expect(await row(flow.id)).toMatchObject({ stepIndex: 1, stepState: winners[0]?.stepState, version: 1 });
  });

  it('two concurrent wrong answers cannot both spend one attempt', async () => {
    const flow = await newFlow();
    const [a, b] = await Promise.all([
      flows.update(undefined, flow, { failedAttempts: flow.failedAttempts + 1 }),
      flows.update(undefined, flow, { failedAttempts: flow.failedAttempts + 1 }),
    ]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect((await row(flow.id)).failedAttempts).toBe(1);
  });

  it('a write that waits for a concurrent transaction’s row lock finds the version taken and writes nothing', async () => {
    const flow = await newFlow();
    let second: Promise<FlowRecord | undefined> | undefined;
    const first = await flows.transaction(async (tx) => {
      const written = await flows.update(tx, flow, { stepIndex: 1 });
      // Started while the first holds the row: PostgreSQL makes it wait, then re-checks its WHERE.
      second = flows.update(undefined, flow, { state: 'failed' });
      await pause(200);
      return written;
    });
    expect(first?.version).toBe(1);
    expect(await second).toBeUndefined();
    expect(await row(flow.id)).toMatchObject({ state: 'active', stepIndex: 1, version: 1 });
  });

  it('a request’s second write goes from the record its first returned; a stale or finished flow is not written', async () => {
    const flow = await newFlow();
    const failed = await flows.update(undefined, flow, { failedAttempts: 1 });
    if (!failed) throw new Error('first write lost');
    expect(failed).toMatchObject({ failedAttempts: 1, version: 1 });
    const presented = await flows.update(undefined, failed, { stepState: { challenge: 'x' } });
    expect(presented).toMatchObject({ failedAttempts: 1, stepState: { challenge: 'x' }, version: 2 });
    expect(await flows.update(undefined, flow, { stepIndex: 2 })).toBeUndefined();
    if (!presented) throw new Error('second write lost');
    const finished = await flows.update(undefined, presented, { state: 'succeeded' });
    expect(finished?.version).toBe(3);
    // A finished flow takes no more writes, whatever version it is given.
    if (!finished) throw new Error('finish lost');
    expect(await flows.update(undefined, finished, { stepIndex: 5 })).toBeUndefined();
    expect(await flows.findActive(flow.id, 'RECOVERY')).toBeUndefined();
  });

  it('binding does not break a concurrent answer, before or after the answer is written', async () => {
    const identityId = await newIdentity();
    // The answer read the flow unbound (so its code fails like a mistyped one); the job binds it meanwhile.
    const flow = await newFlow();
    const atCode = await flows.update(undefined, flow, { stepIndex: 1, stepState: { pending: 'hash' } });
    if (!atCode) throw new Error('step write lost');
    const [bound, answered] = await Promise.all([
      flows.transaction((tx) => flows.bindIdentity(tx, 'RECOVERY', flow.id, 1, identityId)),
      flows.update(undefined, atCode, { failedAttempts: 1, stepState: { pending: 'hash', attempts: 1 } }),
    ]);
    expect(bound).toBe(true);
    expect(answered).toBeDefined();
    // Each wrote its own columns: the binding kept, the attempt counted.
    expect(await row(flow.id)).toMatchObject({
      identityId,
      failedAttempts: 1,
      stepState: { pending: 'hash', attempts: 1 },
      version: 2,
    });

    // The other order: an attempt counted first does not cost the binding (and its mail).
    const other = await newFlow();
    const otherAtCode = await flows.update(undefined, other, { stepIndex: 1 });
    if (!otherAtCode) throw new Error('step write lost');
    expect(await flows.update(undefined, otherAtCode, { failedAttempts: 1 })).toBeDefined();
    expect(await flows.transaction((tx) => flows.bindIdentity(tx, 'RECOVERY', other.id, 1, identityId))).toBe(true);
    // And an answer that read the flow before the binding still writes after it.
    expect(
      await flows.update(undefined, { ...otherAtCode, failedAttempts: 1, version: 2 }, { failedAttempts: 2 }),
    ).toBeDefined();
    expect(await row(other.id)).toMatchObject({ identityId, failedAttempts: 2 });
  });

  it('binds only a live, unbound flow of the type at the step', async () => {
    const identityId = await newIdentity();
    const bind = (flowId: string, type: FlowType = 'REGISTRATION', stepIndex = 1) =>
      flows.transaction((tx) => flows.bindIdentity(tx, type, flowId, stepIndex, identityId));
    const flow = await newFlow('REGISTRATION');
    expect(await bind(flow.id)).toBe(false); // still at step 0
    const atCode = await flows.update(undefined, flow, { stepIndex: 1 });
    expect(await bind(flow.id, 'RECOVERY')).toBe(false);
    expect(await bind(flow.id)).toBe(true);
    expect(await bind(flow.id)).toBe(false); // already bound
    // Binding leaves the version alone.
    expect((await row(flow.id)).version).toBe(atCode?.version);

    const expired = await newFlow('REGISTRATION', { expiresAt: new Date(Date.now() - 1000) });
    await flows.update(undefined, expired, { stepIndex: 1 });
    expect(await bind(expired.id)).toBe(false);
    const finished = await newFlow('REGISTRATION');
    await flows.update(undefined, finished, { stepIndex: 1, state: 'failed' });
    expect(await bind(finished.id)).toBe(false);
  });

  it('staged step state keeps the version for the same request’s update, and loses to another request’s', async () => {
    const flow = await newFlow('AUTHENTICATION');
    const code = { EmailOtp: { codeHash: 'h1' } };
    expect(await flows.transaction((tx) => flows.stageStepState(tx, flow, code))).toBe(true);
    expect(await row(flow.id)).toMatchObject({ stepState: code, version: 0 });
    // The request then presents the step from the record it read: that write takes the version.
    expect(await flows.update(undefined, flow, { stepState: code })).toMatchObject({ version: 1 });
    // A request that read version 0 can neither stage nor write any more.
    expect(await flows.transaction((tx) => flows.stageStepState(tx, flow, { EmailOtp: { codeHash: 'h2' } }))).toBe(
      false,
    );
    expect(await flows.update(undefined, flow, { failedAttempts: 1 })).toBeUndefined();
    expect((await row(flow.id)).stepState).toEqual(code);
  });

  it('of two stages from one read only the first is written, though neither takes the version', async () => {
    const flow = await newFlow('AUTHENTICATION', { stepState: { other: 'kept' } });
    const first = { ...flow.stepState, EmailOtp: { codeHash: 'h1' } };
    expect(await flows.transaction((tx) => flows.stageStepState(tx, flow, first))).toBe(true);
    expect(
      await flows.transaction((tx) =>
        flows.stageStepState(tx, flow, { ...flow.stepState, EmailOtp: { codeHash: 'h2' } }),
      ),
    ).toBe(false);
    expect(await row(flow.id)).toMatchObject({ stepState: first, version: 0 });
    // The first request's own update still goes through.
    expect(await flows.update(undefined, flow, { stepState: first })).toMatchObject({ version: 1 });
  });

  it('finds a First-Party Apps login by its auth_session hash, and a flow’s client in any state', async () => {
    const authSessionHash = randomBytes(32).toString('hex');
    const login = await flows.create(undefined, {
      projectId,
      applicationId,
      type: 'AUTHENTICATION',
      authRequest: { clientId: 'fipa', scope: 'openid' },
      expiresAt: new Date(Date.now() + 60_000),
      authSessionHash,
    });
    expect((await flows.findActiveByAuthSessionHash(authSessionHash))?.id).toBe(login.id);
    await flows.update(undefined, login, { state: 'succeeded' });
    expect(await flows.findActiveByAuthSessionHash(authSessionHash)).toBeUndefined();
    expect(await flows.findClientId(projectId, login.id, 'AUTHENTICATION')).toBe('fipa');
    expect(await flows.findClientId(projectId, login.id, 'VERIFICATION')).toBeUndefined();
    expect(await flows.findClientId(randomUUID(), login.id, 'AUTHENTICATION')).toBeUndefined();
  });
});
