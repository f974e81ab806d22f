import { randomBytes } from 'node:crypto';
import type { Database } from '../../infra/database/database';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import { ProjectSettings } from '../projects/project-settings';
import type { Project } from '../projects/projects.service';
import {
  AfterFlowHooks,
  type AfterFlowEvent,
  type AfterFlowHook,
  type AnyAfterFlowHook,
  type PasswordChanged,
  type RegistrationCompleted,
} from './after-flow-hooks';
import type { FlowRecord } from './flow';
import { FlowStore, type Tx } from './flow.store';

// The executor against both real databases: what it promises is about transactions — every hook of the
// event runs in the flow's own transaction, in registration order, and commits or rolls back with it.

jest.setTimeout(120_000);

describe.each(['pglite', 'postgres'] as const)('AfterFlowHooks on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let flows: FlowStore;
  let project: Project;
  let flow: FlowRecord;
  /** What the hooks did, in order: `name` and whether they got the caller's transaction. */
  let calls: { name: string; sameTx: boolean }[];
  let callerTx: Tx | undefined;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    db = scratch.db;
    flows = new FlowStore(db.prisma, db.sql);
    const row = await db.prisma.project.create({ data: { slug: `p${randomBytes(4).toString('hex')}`, name: 'P' } });
    project = {
      id: row.id,
      slug: row.slug,
      name: row.name,
      issuer: `http://localhost/${row.slug}`,
      settings: ProjectSettings.parse({}),
    };
    const application = await db.prisma.application.create({
      data: {
        projectId: project.id,
        clientId: `c${randomBytes(4).toString('hex')}`,
        name: 'App',
        type: 'public',
        redirectUris: ['com.example.app:/cb'],
        grantTypes: ['authorization_code'],
      },
    });
    flow = await flows.create(undefined, {
      projectId: project.id,
      applicationId: application.id,
      type: 'REGISTRATION',
      authRequest: { clientId: application.clientId, scope: 'openid' },
      expiresAt: new Date(Date.now() + 600_000),
    });
  });

  afterAll(() => scratch?.dispose());

  beforeEach(() => {
    calls = [];
    callerTx = undefined;
  });

  /** A hook that writes a row (a project named after it) in the transaction it is given. */
  function writing<E extends AfterFlowEvent>(
    event: E,
    name: string,
    extra: Partial<Pick<AfterFlowHook<E>, 'wants'>> & { fail?: boolean; facts?: object } = {},
  ): AnyAfterFlowHook {
    const hook: AfterFlowHook<E> = {
      event,
      ...(extra.wants ? { wants: extra.wants } : {}),
      run: async (tx) => {
        calls.push({ name, sameTx: tx === callerTx });
        await tx.project.create({ data: { slug: `${name}-${randomBytes(4).toString('hex')}`, name } });
        if (extra.fail) throw new Error(`${name} failed`);
        return extra.facts as never;
      },
    };
    return hook as unknown as AnyAfterFlowHook;
  }

  const registered = (payloadEmail?: string): RegistrationCompleted => ({
    project,
    flow,
    identityId: '00000000-0000-4000-8000-000000000000',
    at: new Date(),
    email: payloadEmail,
  });
  const rows = async (...names: string[]) =>
    (await db.prisma.project.findMany({ where: { name: { in: names } }, select: { name: true } }))
      .map((row) => row.name)
      .sort();

  /** The caller's side, as a flow does it: its own write, then the hooks, in one transaction. */
  async function completeRegistration(
    hooks: AfterFlowHooks,
    marker: string,
    payload = registered('a@example.com'),
  ): Promise<void> {
    const due = await hooks.prepare('registration.completed', payload);
    await flows.transaction(async (tx) => {
      callerTx = tx;
      await tx.project.create({ data: { slug: `${marker}-${randomBytes(4).toString('hex')}`, name: marker } });
      await due.run(tx);
    });
  }

  it('runs every hook of the event, in registration order, in the caller’s transaction; other events’ hooks do not run', async () => {
    const tag = randomBytes(3).toString('hex');
    const hooks = new AfterFlowHooks([
      writing('registration.completed', `first-${tag}`),
      writing('recovery.completed', `recovery-${tag}`),
      writing('registration.completed', `second-${tag}`),
      writing('login.completed', `login-${tag}`),
      writing('registration.completed', `third-${tag}`),
    ]);
    await completeRegistration(hooks, `caller-${tag}`);
    expect(calls).toEqual([
      { name: `first-${tag}`, sameTx: true },
      { name: `second-${tag}`, sameTx: true },
      { name: `third-${tag}`, sameTx: true },
    ]);
    expect(
      await rows(`caller-${tag}`, `first-${tag}`, `second-${tag}`, `third-${tag}`, `recovery-${tag}`, `login-${tag}`),
    ).toEqual([`caller-${tag}`, `first-${tag}`, `second-${tag}`, `third-${tag}`].sort());
  });

  it('a failing hook rolls back the caller’s transaction: its writes, the hooks before it, and no hook after it runs', async () => {
    const tag = randomBytes(3).toString('hex');
    const hooks = new AfterFlowHooks([
      writing('registration.completed', `before-${tag}`),
      writing('registration.completed', `failing-${tag}`, { fail: true }),
      writing('registration.completed', `after-${tag}`),
    ]);
    await expect(completeRegistration(hooks, `caller-${tag}`)).rejects.toThrow(`failing-${tag} failed`);
    expect(calls.map((call) => call.name)).toEqual([`before-${tag}`, `failing-${tag}`]);
    expect(await rows(`caller-${tag}`, `before-${tag}`, `failing-${tag}`, `after-${tag}`)).toEqual([]);
  });

  it('the caller failing after the hooks rolls their writes back too', async () => {
    const tag = randomBytes(3).toString('hex');
    const hooks = new AfterFlowHooks([writing('registration.completed', `hook-${tag}`)]);
    const due = await hooks.prepare('registration.completed', registered('a@example.com'));
    await expect(
      flows.transaction(async (tx) => {
        callerTx = tx;
        await due.run(tx);
        throw new Error('flow conflict');
      }),
    ).rejects.toThrow('flow conflict');
    expect(calls).toEqual([{ name: `hook-${tag}`, sameTx: true }]);
    expect(await rows(`hook-${tag}`)).toEqual([]);
  });

  it('asks `wants` before the transaction with the payload; a hook without work does not run, and none due says so', async () => {
    const tag = randomBytes(3).toString('hex');
    const asked: (string | undefined)[] = [];
    const onlyWithEmail = async ({ email }: RegistrationCompleted) => (asked.push(email), email !== undefined);
    const hooks = new AfterFlowHooks([
      writing('registration.completed', `always-${tag}`),
      writing('registration.completed', `with-email-${tag}`, { wants: onlyWithEmail }),
    ]);

    await completeRegistration(hooks, `caller-${tag}`, registered(undefined));
    expect(asked).toEqual([undefined]);
    expect(calls.map((call) => call.name)).toEqual([`always-${tag}`]);

    const mailOnly = new AfterFlowHooks([
      writing('registration.completed', `with-email-${tag}`, { wants: onlyWithEmail }),
    ]);
    expect((await mailOnly.prepare('registration.completed', registered(undefined))).any).toBe(false);
    expect((await mailOnly.prepare('registration.completed', registered('a@example.com'))).any).toBe(true);
    expect(
      (
        await new AfterFlowHooks([]).prepare('login.completed', {
          project,
          flow,
          identityId: 'x',
          at: new Date(),
          sessionId: 's',
          device: undefined,
        })
      ).any,
    ).toBe(false);
  });

  it('hands the facts the hooks report back to the caller', async () => {
    const tag = randomBytes(3).toString('hex');
    const hooks = new AfterFlowHooks([
      writing('settings.password_changed', `revoke-${tag}`, { facts: { revokedSessions: 3 } }),
      writing('settings.password_changed', `notice-${tag}`),
    ]);
    const payload: PasswordChanged = {
      project,
      flow,
      identityId: 'x',
      at: new Date(),
      identity: { traits: {}, schemaVersion: 1 },
      email: undefined,
      keepSessionId: 's',
    };
    const due = await hooks.prepare('settings.password_changed', payload);
    const facts = await flows.transaction(async (tx) => ((callerTx = tx), due.run(tx)));
    expect(facts).toEqual({ revokedSessions: 3 });
  });
});
