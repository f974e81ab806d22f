import { randomBytes, randomUUID } from 'node:crypto';
import { encodeAuthenticatorId, type FlowMessage } from '@keyway/flow-types';
import type { Application } from '../../domain/applications/application';
import { ApplicationsRepository } from '../../domain/applications/applications.repository';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { FlowMessages } from '../../domain/flows/flow-messages';
import { FlowStore } from '../../domain/flows/flow.store';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { ProjectSettings } from '../../domain/projects/project-settings';
import type { Project } from '../../domain/projects/projects.service';
import type { Database } from '../../infra/database/database';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import { ErrorCodes } from '../../infra/http/errors';
import type {
  AuthenticationResult,
  Authenticator,
  AuthenticatorContext,
  AuthenticatorPrompt,
  InitiationRequest,
} from '../../methods/authenticator';
import { AuthenticatorRegistry } from './authenticator.registry';
import { AfterFlowHooks } from '../../domain/flows/after-flow-hooks';
import { FlowEngine, type FlowOutcome } from './flow-engine.service';
import { StepOptionsResolver } from './step-options';

// The engine with the real FlowStore (its optimistic lock is what the concurrency tests are about), the real
// applications and identities on a scratch database of each kind, and three small authenticators whose
// answers the tests choose through `secret`: 'right' succeeds, 'locked' ends the flow, 'more' continues the
// step, anything else is a wrong answer.

jest.setTimeout(120_000);

const message = (id: string): FlowMessage => ({ type: 'ERROR', messageId: id, message: id, i18nKey: `message.${id}` });
const WRONG = message('msg_test_wrong');
const LOCKED = message('msg_test_locked');
const RESEND_LIMIT = message('msg_test_resend_limit');

/** Resolves for everyone once `parties` callers are waiting: makes requests read the flow before any of them writes. */
function barrier(parties: number): () => Promise<void> {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let waiting = 0;
  return async () => {
    if (++waiting === parties) open();
    await opened;
  };
}

type TestState = { sends?: number; phase?: string };

class TestAuthenticator implements Authenticator {
  readonly idp = 'LOCAL';
  readonly flowTypes = ['AUTHENTICATION'] as const;
  readonly displayName: string;
  readonly i18nKey: string;
  /** Every initiate call, in order. */
  readonly initiations: InitiationRequest[] = [];
  /** Awaited after the flow was read and before the answer is judged. */
  beforeAnswer: (() => Promise<void>) | undefined;

  constructor(
    readonly name: string,
    readonly requiresInitiation: boolean,
    private readonly params: string[],
    private readonly amr: string[],
    private readonly users: Map<string, string>,
  ) {
    this.displayName = `Test ${name}`;
    this.i18nKey = `authenticator.test.${name}`;
  }

  private state({ flow }: AuthenticatorContext): TestState | undefined {
    return flow.stepState[this.name] as TestState | undefined;
  }

  prompt(context: AuthenticatorContext): AuthenticatorPrompt {
    const state = this.state(context);
    return {
      promptType: 'USER_PROMPT',
      params: this.params.map((param, order) => ({
        param,
        type: 'STRING',
        order,
        i18nKey: `${param}.param`,
        displayName: param,
        confidential: param === 'secret',
      })),
      requiredParams: this.params,
      // Shows what the step state holds, so tests see which state the prompt was built from.
      ...(state ? { additionalData: { state: JSON.stringify(state) } } : {}),
    };
  }

  async initiate(
    context: AuthenticatorContext,
    request: InitiationRequest = { reselected: false },
  ): Promise<{ stepState?: unknown; refused?: FlowMessage }> {
    this.initiations.push(request);
    const state = this.state(context);
    // Presented again (e.g. after a wrong answer): the state the user acts on stays. A resend makes new state, twice at most.
    if (state && !request.reselected) return { stepState: state };
    const sends = state?.sends ?? 0;
    if (sends >= 2) return { refused: RESEND_LIMIT };
    return { stepState: { sends: sends + 1 } };
  }

  async authenticate(context: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    await this.beforeAnswer?.();
    const identityId = params['user'] !== undefined ? this.users.get(params['user']) : context.flow.identityId;
    switch (params['secret']) {
      case 'right':
        return identityId ? { outcome: 'success', identityId, amr: this.amr } : { outcome: 'failure', message: WRONG };
      case 'locked':
        return { outcome: 'terminal', message: LOCKED };
      case 'more':
        return { outcome: 'continue', stepState: { phase: 'more' } };
      default:
        return { outcome: 'failure', message: WRONG };
    }
  }
}

describe.each(['pglite', 'postgres'] as const)('FlowEngine on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let engine: FlowEngine;
  let registry: AuthenticatorRegistry;
  let applications: ApplicationsService;
  let project: Project;
  let otherProject: Project;
  const users = new Map<string, string>();
  // pw: username & password; code: user-initiated (a code sent on selection); key: answered at once, amr
  // ['hwk', 'pwd'] (made up, to show that the merged amr has no repeats).
  const pw = new TestAuthenticator('pw', false, ['user', 'secret'], ['pwd'], users);
  const code = new TestAuthenticator('code', true, ['secret'], ['otp'], users);
  const key = new TestAuthenticator('key', false, ['secret'], ['hwk', 'pwd'], users);
  const apps: Record<'single' | 'initiated' | 'multi' | 'twoStep' | 'pwKey', Application> = {} as never;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    db = scratch.db;
    const newProject = async (): Promise<Project> => {
      const row = await db.prisma.project.create({ data: { slug: `p${randomBytes(4).toString('hex')}`, name: 'P' } });
      return {
        id: row.id,
        slug: row.slug,
        name: row.name,
        issuer: `https://id.example.com/t/${row.slug}`,
        settings: ProjectSettings.parse({}),
      };
    };
    project = await newProject();
    otherProject = await newProject();
    // alice has a verified email address, bob an unverified one.
    for (const [user, verified] of [
      ['alice', true],
      ['bob', false],
    ] as const) {
      const identity = await db.prisma.identity.create({
        data: {
          projectId: project.id,
          traits: { email: `${user}@example.com` },
          verifiableAddresses: {
            create: { projectId: project.id, via: 'email', value: `${user}@example.com`, verified },
          },
        },
      });
      users.set(user, identity.id);
    }

    applications = new ApplicationsService(new ApplicationsRepository(db.prisma));
    const loginFlows: Record<keyof typeof apps, string[][]> = {
      single: [['pw']],
      initiated: [['code']],
      multi: [['pw', 'code', 'key']],
      twoStep: [['pw'], ['code']],
      pwKey: [['pw'], ['key']],
    };
    for (const [name, loginFlow] of Object.entries(loginFlows) as Array<[keyof typeof apps, string[][]]>) {
      const { application } = await applications.create(project.id, {
        name,
        type: 'public',
        redirectUris: ['com.example.app:/cb'],
        grantTypes: ['authorization_code'],
        appNative: true,
        loginFlow,
      });
      apps[name] = application;
    }

    registry = new AuthenticatorRegistry([pw, code, key]);
    engine = new FlowEngine(
      new FlowStore(db.prisma),
      new IdentitiesRepository(db.prisma),
      registry,
      applications,
      new StepOptionsResolver(registry),
      // Login has no completion hooks of its own (login.completed is raised where its code is issued).
      new AfterFlowHooks([]),
    );
  });

  afterAll(() => scratch?.dispose());

  afterEach(() => {
    jest.restoreAllMocks();
    for (const authenticator of [pw, code, key]) {
      authenticator.initiations.length = 0;
      authenticator.beforeAnswer = undefined;
    }
  });

  const start = (application: Application, onProject = project) =>
    engine.start(onProject, application, { clientId: application.clientId, scope: 'openid' });
  const answer = (flowId: string, authenticator: Authenticator, params?: Record<string, string>, onProject = project) =>
    engine.advance(onProject, {
      flowId,
      selectedAuthenticator: { authenticatorId: registry.idOf(authenticator), ...(params ? { params } : {}) },
    });
  const row = (id: string) => db.prisma.flow.findUniqueOrThrow({ where: { id } });
  const idOf = (authenticator: Authenticator) => registry.idOf(authenticator);
  /** The option as the engine shows it in full: its prompt and required params. */
  const fullOption = (authenticator: TestAuthenticator, params: string[], state?: TestState) => ({
    authenticatorId: idOf(authenticator),
    authenticator: authenticator.displayName,
    idp: 'LOCAL',
    metadata: {
      i18nKey: authenticator.i18nKey,
      promptType: 'USER_PROMPT',
      params: params.map((param) => expect.objectContaining({ param })),
      ...(state ? { additionalData: { state: JSON.stringify(state) } } : {}),
    },
    requiredParams: params,
  });
  const codeOf = (error: unknown) => (error as { code?: unknown }).code;

  describe('start', () => {
    it('presents a single option with its full prompt, without initiating one that needs no initiation', async () => {
      const now = Date.now();
      jest.spyOn(Date, 'now').mockReturnValue(now);
      const outcome = await start(apps.single);
      expect(outcome).toEqual({
        status: 'INCOMPLETE',
        flow: expect.objectContaining({
          projectId: project.id,
          applicationId: apps.single.id,
          type: 'AUTHENTICATION',
          stepIndex: 0,
          identityId: null,
          amr: [],
          failedAttempts: 0,
        }),
        nextStep: { stepType: 'AUTHENTICATOR_PROMPT', authenticators: [fullOption(pw, ['user', 'secret'])] },
      });
      expect(pw.initiations).toEqual([]);
      // The flow lives flowTtlSeconds (600 s by default) from its start.
      expect((await row(outcome.flow.id)).expiresAt.getTime()).toBe(now + 600_000);
    });

    it('initiates a single user-initiated option at once, stores its state and prompts from it', async () => {
      const outcome = await start(apps.initiated);
      expect(code.initiations).toEqual([{ reselected: false }]);
      expect(outcome).toMatchObject({
        status: 'INCOMPLETE',
        nextStep: { stepType: 'AUTHENTICATOR_PROMPT', authenticators: [fullOption(code, ['secret'], { sends: 1 })] },
      });
      expect(await row(outcome.flow.id)).toMatchObject({ stepState: { code: { sends: 1 } }, version: 1 });
    });

    it('offers several options as MULTI_OPTIONS_PROMPT, user-initiated ones with only their id and name', async () => {
      const outcome = await start(apps.multi);
      expect(outcome).toMatchObject({ status: 'INCOMPLETE' });
      expect(outcome.status === 'INCOMPLETE' && outcome.nextStep).toEqual({
        stepType: 'MULTI_OPTIONS_PROMPT',
        authenticators: [
          fullOption(pw, ['user', 'secret']),
          {
            authenticatorId: idOf(code),
            authenticator: code.displayName,
            idp: 'LOCAL',
            metadata: { i18nKey: code.i18nKey },
          },
          fullOption(key, ['secret']),
        ],
      });
      // Nothing is sent before the user picks the option.
      expect(code.initiations).toEqual([]);
      await expect(engine.stepOptions(project, outcome.flow.id)).resolves.toEqual([
        { authenticatorId: idOf(pw), requiredParams: ['user', 'secret'] },
        { authenticatorId: idOf(code), requiredParams: ['secret'] },
        { authenticatorId: idOf(key), requiredParams: ['secret'] },
      ]);
    });
  });

  describe('advance', () => {
    it('refuses an option the current step does not offer (FLW-60002)', async () => {
      const { flow } = await start(apps.single);
      await expect(answer(flow.id, key, { secret: 'right' })).rejects.toMatchObject({
        status: 400,
        code: ErrorCodes.FLOW_INVALID_AUTHENTICATOR,
      });
      for (const authenticatorId of ['not-an-id', encodeAuthenticatorId(pw.name, 'Google'), '']) {
        await expect(
          engine.advance(project, {
            flowId: flow.id,
            selectedAuthenticator: { authenticatorId, params: { user: 'alice', secret: 'right' } },
          }),
        ).rejects.toMatchObject({
          code: ErrorCodes.FLOW_INVALID_AUTHENTICATOR,
        });
      }
      // Offered in the next step is not offered now.
      const twoStep = await start(apps.twoStep);
      await expect(answer(twoStep.flow.id, code, { secret: 'right', user: 'alice' })).rejects.toMatchObject({
        code: ErrorCodes.FLOW_INVALID_AUTHENTICATOR,
      });
      expect((await row(twoStep.flow.id)).version).toBe(0);
    });

    it('refuses missing, empty and too long params (FLW-60003) without counting a failure', async () => {
      const { flow } = await start(apps.single);
      for (const params of [
        undefined,
        {},
        { user: 'alice' },
        { user: 'alice', secret: '' },
        { user: 'alice', secret: 'x'.repeat(8193) },
        { user: 'alice', secret: 'right', extra: 'x'.repeat(8193) },
      ] as Array<Record<string, string> | undefined>) {
        await expect(answer(flow.id, pw, params)).rejects.toMatchObject({
          status: 400,
          code: ErrorCodes.FLOW_MISSING_PARAMS,
        });
      }
      expect(await row(flow.id)).toMatchObject({ failedAttempts: 0, version: 0, state: 'active' });
      // 8192 characters are still accepted (and judged).
      await expect(answer(flow.id, pw, { user: 'alice', secret: 'x'.repeat(8192) })).resolves.toMatchObject({
        status: 'FAIL_INCOMPLETE',
      });
    });

    it('answers a failure with the message and the same step, and counts it', async () => {
      const { flow } = await start(apps.single);
      const outcome = await answer(flow.id, pw, { user: 'alice', secret: 'wrong' });
      expect(outcome).toEqual({
        status: 'FAIL_INCOMPLETE',
        flow: expect.objectContaining({ id: flow.id, stepIndex: 0, identityId: null, failedAttempts: 1 }),
        nextStep: {
          stepType: 'AUTHENTICATOR_PROMPT',
          authenticators: [fullOption(pw, ['user', 'secret'])],
          messages: [WRONG],
        },
      });
      expect(await row(flow.id)).toMatchObject({ failedAttempts: 1, stepIndex: 0, state: 'active' });
      // The step can still be answered.
      await expect(answer(flow.id, pw, { user: 'alice', secret: 'right' })).resolves.toMatchObject({
        status: 'SUCCESS_COMPLETED',
      });
    });

    it('keeps a user-initiated option’s state when its step is presented again after a failure', async () => {
      const { flow } = await start(apps.initiated);
      const outcome = await answer(flow.id, code, { secret: 'wrong' });
      expect(outcome).toMatchObject({
        status: 'FAIL_INCOMPLETE',
        nextStep: {
          stepType: 'AUTHENTICATOR_PROMPT',
          authenticators: [fullOption(code, ['secret'], { sends: 1 })],
          messages: [WRONG],
        },
      });
      expect(code.initiations).toEqual([{ reselected: false }, { reselected: false }]);
      expect(await row(flow.id)).toMatchObject({ failedAttempts: 1, stepState: { code: { sends: 1 } } });
    });

    it('ends the flow after 10 failures with tooManyAttempts, and then knows it no more', async () => {
      const { flow } = await start(apps.single);
      for (let i = 1; i < 10; i++) {
        await expect(answer(flow.id, pw, { user: `guess${i}@example.com`, secret: 'wrong' })).resolves.toMatchObject({
          status: 'FAIL_INCOMPLETE',
          flow: { failedAttempts: i },
        });
      }
      const last = await answer(flow.id, pw, { user: 'alice', secret: 'wrong' });
      expect(last).toEqual({
        status: 'FAIL_COMPLETED',
        flow: expect.objectContaining({ failedAttempts: 10 }),
        messages: [FlowMessages.tooManyAttempts()],
      });
      expect(await row(flow.id)).toMatchObject({ state: 'failed', failedAttempts: 10 });
      // Not even the right answer is judged any more.
      await expect(answer(flow.id, pw, { user: 'alice', secret: 'right' })).rejects.toMatchObject({
        code: ErrorCodes.FLOW_INVALID_ID,
      });
    });

    it('ends the flow at once on a terminal answer, with the authenticator’s message', async () => {
      const { flow } = await start(apps.single);
      await expect(answer(flow.id, pw, { user: 'alice', secret: 'locked' })).resolves.toEqual({
        status: 'FAIL_COMPLETED',
        flow: expect.objectContaining({ failedAttempts: 1 }),
        messages: [LOCKED],
      });
      expect(await row(flow.id)).toMatchObject({ state: 'failed' });
      await expect(answer(flow.id, pw, { user: 'alice', secret: 'right' })).rejects.toMatchObject({
        code: ErrorCodes.FLOW_INVALID_ID,
      });
    });

    it('moves a success on a middle step to the next step, bound to the identity, and presents it', async () => {
      const { flow } = await start(apps.twoStep);
      const outcome = await answer(flow.id, pw, { user: 'alice', secret: 'right' });
      expect(outcome).toEqual({
        status: 'INCOMPLETE',
        flow: expect.objectContaining({ stepIndex: 1, identityId: users.get('alice'), amr: ['pwd'], stepState: {} }),
        // The next step's only option is user-initiated: initiated right away.
        nextStep: { stepType: 'AUTHENTICATOR_PROMPT', authenticators: [fullOption(code, ['secret'], { sends: 1 })] },
      });
      expect(code.initiations).toEqual([{ reselected: false }]);
      expect(await row(flow.id)).toMatchObject({
        state: 'active',
        stepIndex: 1,
        identityId: users.get('alice'),
        amr: ['pwd'],
        stepState: { code: { sends: 1 } },
      });
    });

    it('completes on a success of the last step, with the amr of every step merged', async () => {
      const { flow } = await start(apps.pwKey);
      await answer(flow.id, pw, { user: 'alice', secret: 'right' });
      const outcome = await answer(flow.id, key, { secret: 'right' });
      expect(outcome).toEqual({
        status: 'SUCCESS_COMPLETED',
        flow: expect.objectContaining({
          id: flow.id,
          identityId: users.get('alice'),
          amr: ['pwd', 'hwk'],
          stepIndex: 2,
        }),
      });
      expect(await row(flow.id)).toMatchObject({
        state: 'succeeded',
        amr: ['pwd', 'hwk'],
        identityId: users.get('alice'),
      });
      await expect(answer(flow.id, key, { secret: 'right' })).rejects.toMatchObject({
        code: ErrorCodes.FLOW_INVALID_ID,
      });
    });

    it('ends the flow when a later step proves another identity than the earlier ones', async () => {
      const { flow } = await start(apps.twoStep);
      await answer(flow.id, pw, { user: 'alice', secret: 'right' });
      await expect(answer(flow.id, code, { secret: 'right', user: 'bob' })).resolves.toEqual({
        status: 'FAIL_COMPLETED',
        flow: expect.anything(),
        messages: [FlowMessages.identityMismatch()],
      });
      expect(await row(flow.id)).toMatchObject({ state: 'failed', identityId: users.get('alice') });
    });

    it('goes on with the same option on a `continue` answer, its step state replaced, nothing counted', async () => {
      const { flow } = await start(apps.initiated);
      const outcome = await answer(flow.id, code, { secret: 'more' });
      expect(outcome).toMatchObject({
        status: 'INCOMPLETE',
        nextStep: {
          stepType: 'AUTHENTICATOR_PROMPT',
          authenticators: [fullOption(code, ['secret'], { phase: 'more' })],
        },
      });
      expect(outcome.status === 'INCOMPLETE' && outcome.nextStep.messages).toBeUndefined();
      expect(await row(flow.id)).toMatchObject({
        stepIndex: 0,
        failedAttempts: 0,
        stepState: { code: { phase: 'more' } },
      });
      await expect(answer(flow.id, code, { secret: 'right', user: 'bob' })).resolves.toMatchObject({
        status: 'SUCCESS_COMPLETED',
        flow: { identityId: users.get('bob') },
      });
    });

    it('initiates a user-initiated option selected without params, as a resend when selected again, and reports a refusal', async () => {
      const { flow } = await start(apps.multi);
      const selected = await answer(flow.id, code);
      expect(selected).toMatchObject({
        status: 'INCOMPLETE',
        nextStep: { stepType: 'AUTHENTICATOR_PROMPT', authenticators: [fullOption(code, ['secret'], { sends: 1 })] },
      });
      await expect(answer(flow.id, code, {})).resolves.toMatchObject({
        status: 'INCOMPLETE',
        nextStep: { authenticators: [fullOption(code, ['secret'], { sends: 2 })] },
      });
      // The third send is refused: the option stays as it is, with the reason, and nothing is counted.
      await expect(answer(flow.id, code)).resolves.toMatchObject({
        status: 'FAIL_INCOMPLETE',
        nextStep: {
          stepType: 'AUTHENTICATOR_PROMPT',
          authenticators: [fullOption(code, ['secret'], { sends: 2 })],
          messages: [RESEND_LIMIT],
        },
      });
      expect(code.initiations).toEqual([{ reselected: true }, { reselected: true }, { reselected: true }]);
      expect(await row(flow.id)).toMatchObject({ failedAttempts: 0, stepState: { code: { sends: 2 } } });
      // An option that needs no initiation must be answered with its params.
      await expect(answer(flow.id, key)).rejects.toMatchObject({ code: ErrorCodes.FLOW_MISSING_PARAMS });
    });

    it('lets exactly one of two concurrent answers to one step win; the other gets flowConflict (FLW-60004)', async () => {
      const { flow } = await start(apps.single);
      pw.beforeAnswer = barrier(2);
      const results = await Promise.allSettled([
        answer(flow.id, pw, { user: 'alice', secret: 'right' }),
        answer(flow.id, pw, { user: 'alice', secret: 'right' }),
      ]);
      const won = results.filter((r): r is PromiseFulfilledResult<FlowOutcome> => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won.map((r) => r.value.status)).toEqual(['SUCCESS_COMPLETED']);
      expect(lost.map((r) => [codeOf(r.reason), (r.reason as { status?: number }).status])).toEqual([
        [ErrorCodes.FLOW_CONCURRENT_UPDATE, 409],
      ]);
      expect(await row(flow.id)).toMatchObject({ state: 'succeeded', version: 1 });
    });

    it('counts one of two concurrent wrong answers; the other gets flowConflict', async () => {
      const { flow } = await start(apps.single);
      pw.beforeAnswer = barrier(2);
      const results = await Promise.allSettled([
        answer(flow.id, pw, { user: 'alice', secret: 'a' }),
        answer(flow.id, pw, { user: 'bob', secret: 'b' }),
      ]);
      expect(
        results
          .filter((r) => r.status === 'fulfilled')
          .map((r) => (r as PromiseFulfilledResult<FlowOutcome>).value.status),
      ).toEqual(['FAIL_INCOMPLETE']);
      expect(
        results.filter((r) => r.status === 'rejected').map((r) => codeOf((r as PromiseRejectedResult).reason)),
      ).toEqual([ErrorCodes.FLOW_CONCURRENT_UPDATE]);
      expect(await row(flow.id)).toMatchObject({ failedAttempts: 1, version: 1, state: 'active' });
    });
  });

  describe('the flow binding (FLW-60001: unknown, finished, expired and other tenants’ flows answer alike)', () => {
    it('refuses unknown flow ids, UUIDs or not', async () => {
      for (const flowId of [randomUUID(), 'not-a-uuid', '']) {
        await expect(answer(flowId, pw, { user: 'alice', secret: 'right' })).rejects.toMatchObject({
          status: 400,
          code: ErrorCodes.FLOW_INVALID_ID,
        });
      }
      await expect(engine.describe(project, randomUUID())).rejects.toMatchObject({ code: ErrorCodes.FLOW_INVALID_ID });
    });

    it('refuses another project’s flow', async () => {
      const { flow } = await start(apps.single);
      await expect(answer(flow.id, pw, { user: 'alice', secret: 'right' }, otherProject)).rejects.toMatchObject({
        code: ErrorCodes.FLOW_INVALID_ID,
      });
      await expect(engine.stepOptions(otherProject, flow.id)).rejects.toMatchObject({
        code: ErrorCodes.FLOW_INVALID_ID,
      });
      // Unharmed for its own project.
      expect(await row(flow.id)).toMatchObject({ version: 0, failedAttempts: 0 });
    });

    it('refuses a flow from the moment it expires', async () => {
      const { flow } = await start(apps.single);
      const expiresAt = flow.expiresAt.getTime();
      jest.spyOn(Date, 'now').mockReturnValue(expiresAt - 1);
      await expect(engine.describe(project, flow.id)).resolves.toMatchObject({ status: 'INCOMPLETE' });
      jest.spyOn(Date, 'now').mockReturnValue(expiresAt);
      await expect(answer(flow.id, pw, { user: 'alice', secret: 'right' })).rejects.toMatchObject({
        code: ErrorCodes.FLOW_INVALID_ID,
      });
      await expect(engine.describe(project, flow.id)).rejects.toMatchObject({ code: ErrorCodes.FLOW_INVALID_ID });
    });

    it('refuses a flow whose application no longer allows app-native logins', async () => {
      const { application } = await applications.create(project.id, {
        name: 'later-off',
        type: 'public',
        redirectUris: ['com.example.app:/cb'],
        grantTypes: ['authorization_code'],
        appNative: true,
        loginFlow: [['pw']],
      });
      const { flow } = await start(application);
      await applications.update(project.id, application.clientId, { appNative: false });
      await expect(answer(flow.id, pw, { user: 'alice', secret: 'right' })).rejects.toMatchObject({
        code: ErrorCodes.FLOW_INVALID_ID,
      });
    });
  });

  describe('requireVerifiedEmail', () => {
    const verifying = (): Project => ({ ...project, settings: ProjectSettings.parse({ requireVerifiedEmail: true }) });

    it('ends a login whose last step proved an identity without a verified email', async () => {
      const { flow } = await start(apps.single, verifying());
      await expect(answer(flow.id, pw, { user: 'bob', secret: 'right' }, verifying())).resolves.toEqual({
        status: 'FAIL_COMPLETED',
        flow: expect.anything(),
        messages: [FlowMessages.emailNotVerified()],
      });
      expect(await row(flow.id)).toMatchObject({ state: 'failed', identityId: null });
    });

    it('completes for a verified email, and says nothing before the last step', async () => {
      const verified = await start(apps.single, verifying());
      await expect(
        answer(verified.flow.id, pw, { user: 'alice', secret: 'right' }, verifying()),
      ).resolves.toMatchObject({ status: 'SUCCESS_COMPLETED' });

      // Telling an unverified user after the first of two steps would confirm the account to whoever knows the password.
      const { flow } = await start(apps.twoStep, verifying());
      await expect(answer(flow.id, pw, { user: 'bob', secret: 'right' }, verifying())).resolves.toMatchObject({
        status: 'INCOMPLETE',
        flow: { stepIndex: 1 },
      });
      await expect(answer(flow.id, code, { secret: 'right' }, verifying())).resolves.toMatchObject({
        status: 'FAIL_COMPLETED',
        messages: [FlowMessages.emailNotVerified()],
      });
    });

    it('is off by default: an unverified identity signs in', async () => {
      const { flow } = await start(apps.single);
      await expect(answer(flow.id, pw, { user: 'bob', secret: 'right' })).resolves.toMatchObject({
        status: 'SUCCESS_COMPLETED',
        flow: { identityId: users.get('bob') },
      });
    });
  });
});
