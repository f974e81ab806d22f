import { randomBytes, randomUUID } from 'node:crypto';
import {
  encodeAuthenticatorId,
  SELF_SERVICE_ACTIONS,
  type AuthenticatorOption,
  type FlowMessage,
} from '@keyway/flow-types';
import type { Application } from '../../domain/applications/application';
import { ApplicationsRepository } from '../../domain/applications/applications.repository';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { FlowMessages } from '../../domain/flows/flow-messages';
import { FlowStore, type Tx } from '../../domain/flows/flow.store';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import type { StepGate } from '../../domain/flows/step-gate';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { ProjectSettings } from '../../domain/projects/project-settings';
import type { Project } from '../../domain/projects/projects.service';
import type { Database } from '../../infra/database/database';
import {
  openScratchDatabase,
  type ScratchDatabase,
  singleProcessNotifications,
} from '../../infra/database/scratch-database.testing';
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
import { PrivilegedWindowGate } from './privileged-window.gate';
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
    readonly amr: string[],
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

type Success = Extract<AuthenticationResult, { outcome: 'success' }>;
type Answer = (context: AuthenticatorContext, params: Record<string, string>) => Promise<AuthenticationResult>;

/** What a settings option's default answer says: `msg_test_<name>_done`. */
const done = (name: string): FlowMessage => message(`msg_test_${name}_done`);

/** A settings action's success (proving no identity: the flow is born bound to one), with its done message. */
const succeeded = (name: string, more: Omit<Success, 'outcome' | 'amr'> = {}): Success => ({
  outcome: 'success',
  amr: [],
  next: { messages: [done(name)] },
  ...more,
});

/**
 * A settings option (a menu action or a re-authentication) under one of the real option names, whose offer and
 * answers the test sets. By default it is offered and succeeds with `done(name)`; its prompt shows its step state
 * and what was shown to it once, so tests see what the engine built the prompt from.
 */
class TestSettingsOption implements Authenticator {
  readonly idp = 'LOCAL';
  readonly flowTypes = ['SETTINGS'] as const;
  readonly displayName: string;
  readonly i18nKey: string;
  readonly requiresInitiation: boolean;
  readonly params: string[];
  offered = true;
  answer: Answer = async () => succeeded(this.name);
  /** The params of every answer judged. */
  readonly answers: Array<Record<string, string>> = [];
  initiations = 0;

  constructor(
    readonly name: string,
    { params = [], requiresInitiation = false }: { params?: string[]; requiresInitiation?: boolean } = {},
  ) {
    this.displayName = name;
    this.i18nKey = `authenticator.test.${name}`;
    this.params = params;
    this.requiresInitiation = requiresInitiation;
  }

  reset(answer: Answer = async () => succeeded(this.name)): void {
    this.offered = true;
    this.answer = answer;
    this.answers.length = 0;
    this.initiations = 0;
  }

  async isOffered(): Promise<boolean> {
    return this.offered;
  }

  prompt({ flow, shown }: AuthenticatorContext): AuthenticatorPrompt {
    const state = flow.stepState[this.name];
    const once = shown?.[this.name];
    const additionalData = {
      ...(state !== undefined ? { state: JSON.stringify(state) } : {}),
      ...(once !== undefined ? { shown: JSON.stringify(once) } : {}),
    };
    return {
      promptType: 'USER_PROMPT',
      params: this.params.map((param, order) => ({
        param,
        type: 'STRING',
        order,
        i18nKey: `${param}.param`,
        displayName: param,
        confidential: false,
      })),
      requiredParams: this.params,
      ...(Object.keys(additionalData).length ? { additionalData } : {}),
    };
  }

  /** A new secret per initiation (an enrollment's). */
  async initiate(): Promise<{ stepState: unknown }> {
    return { stepState: { secret: `s${++this.initiations}` } };
  }

  authenticate(context: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    this.answers.push(params);
    return this.answer(context, params);
  }
}

/** The settings gate (the session's privileged window), open or closed as the test says. */
class TestGate implements StepGate {
  readonly name = PrivilegedWindowGate.NAME;
  open = true;

  async isOpen(): Promise<boolean> {
    return this.open;
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

    applications = new ApplicationsService(
      new ApplicationsRepository(db.prisma),
      singleProcessNotifications(db.prisma),
    );
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
      new FlowStore(db.prisma, db.sql),
      new IdentitiesRepository(db.prisma, db.sql),
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

  describe('sessionSatisfies (single sign-on)', () => {
    it('is true when every step offers an option whose amr the session holds', async () => {
      expect(await engine.sessionSatisfies(project, apps.single, ['pwd'])).toBe(true);
      expect(await engine.sessionSatisfies(project, apps.twoStep, ['pwd', 'otp'])).toBe(true);
      // One option of a step is enough: a passkey session passes [pw, code, key].
      expect(await engine.sessionSatisfies(project, apps.multi, ['hwk'])).toBe(true);
    });

    it('is false when a step needs a factor the session lacks (a step-up)', async () => {
      expect(await engine.sessionSatisfies(project, apps.twoStep, ['pwd'])).toBe(false);
      expect(await engine.sessionSatisfies(project, apps.single, ['otp'])).toBe(false);
      expect(await engine.sessionSatisfies(project, apps.single, [])).toBe(false);
    });
  });

  describe('previewFirstStep', () => {
    it('presents the first step as start would, without creating a flow or initiating anything', async () => {
      const flows = () => db.prisma.flow.count({ where: { projectId: project.id } });
      const before = await flows();
      const preview = await engine.previewFirstStep(project, apps.multi);
      const started = await start(apps.multi);
      expect(started.status === 'INCOMPLETE' && started.nextStep).toEqual(preview);
      // The one flow is start's; the preview's was never written.
      expect(await flows()).toBe(before + 1);
      await expect(engine.previewFirstStep(project, apps.twoStep)).resolves.toEqual({
        stepType: 'AUTHENTICATOR_PROMPT',
        authenticators: [fullOption(pw, ['user', 'secret'])],
      });
    });

    it('shows an option that start would initiate by its id and name, sending nothing', async () => {
      await expect(engine.previewFirstStep(project, apps.initiated)).resolves.toEqual({
        stepType: 'AUTHENTICATOR_PROMPT',
        authenticators: [
          {
            authenticatorId: idOf(code),
            authenticator: code.displayName,
            idp: 'LOCAL',
            metadata: { i18nKey: code.i18nKey },
          },
        ],
      });
      expect(code.initiations).toEqual([]);
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

  // SETTINGS: one repeating menu behind a gate (the session's privileged window), bound to the identity and session
  // that started it, sliding its expiry. A second engine with the settings options under their real names.
  describe('SETTINGS flows', () => {
    const A = SELF_SERVICE_ACTIONS;
    const profile = new TestSettingsOption(A.updateProfile, { params: ['name'] });
    const password = new TestSettingsOption(A.changePassword, { params: ['password'] });
    const enrollTotp = new TestSettingsOption(A.enrollTotp, { params: ['code'], requiresInitiation: true });
    const removeTotp = new TestSettingsOption(A.removeTotp);
    const addPasskey = new TestSettingsOption(A.addPasskey, { params: ['credential'], requiresInitiation: true });
    const removePasskey = new TestSettingsOption(A.removePasskey, { params: ['credentialId'] });
    const unlinkConnection = new TestSettingsOption(A.unlinkConnection, { params: ['connectionId'] });
    const backupCodes = new TestSettingsOption(A.regenerateBackupCodes);
    const finish = new TestSettingsOption(A.finishSettings);
    const finishes: Answer = async () => succeeded(finish.name, { completesFlow: true });
    const menu = [
      profile,
      password,
      enrollTotp,
      removeTotp,
      addPasskey,
      removePasskey,
      unlinkConnection,
      backupCodes,
      finish,
    ];
    const reauthPassword = new TestSettingsOption(A.passwordReauthentication, { params: ['password'] });
    const reauthPasskey = new TestSettingsOption(A.passkeyReauthentication, { params: ['assertion'] });
    const all = [...menu, reauthPassword, reauthPasskey];
    const gate = new TestGate();
    const TAKEN = message('msg_test_taken');
    const HINT = message('msg_test_hint');
    let settingsRegistry: AuthenticatorRegistry;
    let settings: FlowEngine;

    beforeAll(() => {
      settingsRegistry = new AuthenticatorRegistry(all);
      settings = new FlowEngine(
        new FlowStore(db.prisma, db.sql),
        new IdentitiesRepository(db.prisma, db.sql),
        settingsRegistry,
        applications,
        new StepOptionsResolver(settingsRegistry, [gate]),
        new AfterFlowHooks([]),
      );
    });

    beforeEach(() => {
      for (const option of all) option.reset();
      finish.reset(finishes);
      gate.open = true;
    });

    const alice = () => users.get('alice') as string;
    const bob = () => users.get('bob') as string;
    const aliceS1 = () => ({ identityId: alice(), sessionId: 's1' });
    const startSettings = () =>
      settings.start(
        project,
        apps.single,
        { clientId: apps.single.clientId, scope: 'openid', sessionId: 's1' },
        { type: 'SETTINGS', identityId: alice() },
      );
    const act = (flowId: string, option: Authenticator, params?: Record<string, string>, owner = aliceS1()) =>
      settings.advance(
        project,
        {
          flowId,
          selectedAuthenticator: { authenticatorId: settingsRegistry.idOf(option), ...(params ? { params } : {}) },
        },
        'SETTINGS',
        { owner },
      );
    const nextStepOf = (outcome: FlowOutcome) => {
      if (!('nextStep' in outcome)) throw new Error(`No next step: ${outcome.status}`);
      return outcome.nextStep;
    };
    /** The names of the options a step shows, in order. */
    const namesIn = (outcome: FlowOutcome) => nextStepOf(outcome).authenticators.map((option) => option.authenticator);
    const optionIn = (outcome: FlowOutcome, option: Authenticator): AuthenticatorOption | undefined =>
      nextStepOf(outcome).authenticators.find((shown) => shown.authenticatorId === settingsRegistry.idOf(option));
    const namesOf = (options: TestSettingsOption[]) => options.map((option) => option.name);
    /** The option as the engine shows it in full. */
    const fullSettingsOption = (option: TestSettingsOption, additionalData?: Record<string, string>) => ({
      authenticatorId: settingsRegistry.idOf(option),
      authenticator: option.name,
      idp: 'LOCAL',
      metadata: {
        i18nKey: option.i18nKey,
        promptType: 'USER_PROMPT',
        params: option.params.map((param) => expect.objectContaining({ param })),
        ...(additionalData ? { additionalData } : {}),
      },
      requiredParams: option.params,
    });

    it('answers only the identity and session that started it, anyone else exactly as for an unknown flow', async () => {
      const { flow } = await startSettings();
      const unknown = await act(randomUUID(), profile, { name: 'Al' }).catch((error: unknown) => error);
      expect(unknown).toMatchObject({ status: 400, code: ErrorCodes.FLOW_INVALID_ID });
      const asUnknown = { status: 400, code: ErrorCodes.FLOW_INVALID_ID, message: (unknown as Error).message };
      for (const owner of [
        { identityId: bob(), sessionId: 's1' },
        { identityId: alice(), sessionId: 's2' },
      ]) {
        await expect(act(flow.id, profile, { name: 'Al' }, owner)).rejects.toMatchObject(asUnknown);
        await expect(settings.describe(project, flow.id, 'SETTINGS', { owner })).rejects.toMatchObject(asUnknown);
      }
      // Not judged, nothing written.
      expect(profile.answers).toEqual([]);
      expect(await row(flow.id)).toMatchObject({ version: 0, stepIndex: 0, failedAttempts: 0, state: 'active' });
      await expect(act(flow.id, profile, { name: 'Al' })).resolves.toMatchObject({
        status: 'INCOMPLETE',
        flow: { stepIndex: 1 },
      });
    });

    it('offers the menu again after each action, with its messages, keeping the other options’ state, until an option completes the flow', async () => {
      const started = await startSettings();
      expect(started).toMatchObject({ status: 'INCOMPLETE', nextStep: { stepType: 'MULTI_OPTIONS_PROMPT' } });
      expect(namesIn(started)).toEqual(namesOf(menu));
      const { flow } = started;
      // An enrollment started before other actions: its secret (already scanned) must survive them.
      await expect(act(flow.id, enrollTotp)).resolves.toMatchObject({
        nextStep: { authenticators: [fullSettingsOption(enrollTotp, { state: '{"secret":"s1"}' })] },
      });
      // The profile's own state, from a failed answer, is its own: its success drops it.
      profile.answer = async () => ({ outcome: 'failure', message: WRONG, stepState: { tries: 1 } });
      await act(flow.id, profile, { name: 'x' });
      expect((await row(flow.id)).stepState).toEqual({
        [enrollTotp.name]: { secret: 's1' },
        [profile.name]: { tries: 1 },
      });
      profile.reset();

      const updated = await act(flow.id, profile, { name: 'Al' });
      expect(updated).toEqual({
        status: 'INCOMPLETE',
        flow: expect.objectContaining({ stepIndex: 1, identityId: alice() }),
        nextStep: {
          stepType: 'MULTI_OPTIONS_PROMPT',
          authenticators: expect.any(Array),
          messages: [done(profile.name)],
        },
      });
      expect(namesIn(updated)).toEqual(namesOf(menu));
      expect(await row(flow.id)).toMatchObject({
        state: 'active',
        stepIndex: 1,
        stepState: { [enrollTotp.name]: { secret: 's1' } },
      });
      expect((await row(flow.id)).stepState).not.toHaveProperty(profile.name);

      // A success that gives its option new state replaces the option's own; the index still grows by one.
      password.answer = async () => succeeded(password.name, { next: { stepState: { [password.name]: { v: 2 } } } });
      await expect(act(flow.id, password, { password: 'new' })).resolves.toMatchObject({
        status: 'INCOMPLETE',
        flow: { stepIndex: 2 },
      });
      expect(await row(flow.id)).toMatchObject({
        state: 'active',
        stepIndex: 2,
        stepState: { [enrollTotp.name]: { secret: 's1' }, [password.name]: { v: 2 } },
      });

      await expect(act(flow.id, finish, {})).resolves.toEqual({
        status: 'SUCCESS_COMPLETED',
        flow: expect.objectContaining({ id: flow.id, identityId: alice(), stepIndex: 3 }),
      });
      expect(await row(flow.id)).toMatchObject({ state: 'succeeded', stepIndex: 3 });
      await expect(act(flow.id, profile, { name: 'Al' })).rejects.toMatchObject({ code: ErrorCodes.FLOW_INVALID_ID });
    });

    it('neither shows nor accepts an option the account is not offered (FLW-60002)', async () => {
      removeTotp.offered = false;
      removePasskey.offered = false;
      const started = await startSettings();
      expect(namesIn(started)).toEqual(
        namesOf(menu.filter((option) => option !== removeTotp && option !== removePasskey)),
      );
      for (const params of [undefined, {}]) {
        await expect(act(started.flow.id, removeTotp, params)).rejects.toMatchObject({
          status: 400,
          code: ErrorCodes.FLOW_INVALID_AUTHENTICATOR,
        });
      }
      expect(removeTotp.answers).toEqual([]);
      expect(await row(started.flow.id)).toMatchObject({ version: 0, failedAttempts: 0 });
      // Offered again (the account has an authenticator app now): selectable.
      removeTotp.offered = true;
      await expect(act(started.flow.id, removeTotp)).resolves.toMatchObject({ status: 'INCOMPLETE' });
    });

    it('behind a closed gate offers the re-authentication, answers menu actions with it uncounted, and lets FinishSettings through', async () => {
      gate.open = false;
      // Re-authenticating opens the gate (the real one: the session's privileged window starts).
      reauthPassword.reset(async () => {
        gate.open = true;
        return succeeded(reauthPassword.name, { next: { messages: [SettingsMessages.reauthenticated()] } });
      });
      const started = await startSettings();
      expect(started).toEqual({
        status: 'INCOMPLETE',
        flow: expect.anything(),
        nextStep: {
          stepType: 'MULTI_OPTIONS_PROMPT',
          authenticators: [fullSettingsOption(reauthPassword), fullSettingsOption(reauthPasskey)],
        },
      });
      const { flow } = started;

      // A menu action, answered or initiated, is not judged: the answer is the gate's step with the reason.
      for (const [option, params] of [
        [profile, { name: 'Al' }],
        [enrollTotp, undefined],
      ] as const) {
        const refused = await act(flow.id, option, params);
        expect(refused).toEqual({
          status: 'INCOMPLETE',
          flow: expect.objectContaining({ failedAttempts: 0, stepIndex: 0 }),
          nextStep: {
            stepType: 'MULTI_OPTIONS_PROMPT',
            authenticators: [fullSettingsOption(reauthPassword), fullSettingsOption(reauthPasskey)],
            messages: [SettingsMessages.reauthenticationRequired()],
          },
        });
        expect(nextStepOf(refused).messages?.[0]?.messageId).toBe('msg_reauthentication_required');
      }
      expect(profile.answers).toEqual([]);
      expect(enrollTotp.initiations).toBe(0);
      expect(await row(flow.id)).toMatchObject({ version: 0, failedAttempts: 0, stepIndex: 0, stepState: {} });

      // Once re-authenticated, the menu.
      const reauthenticated = await act(flow.id, reauthPassword, { password: 'pw' });
      expect(reauthenticated).toMatchObject({
        status: 'INCOMPLETE',
        flow: { stepIndex: 1 },
        nextStep: { stepType: 'MULTI_OPTIONS_PROMPT', messages: [SettingsMessages.reauthenticated()] },
      });
      expect(namesIn(reauthenticated)).toEqual(namesOf(menu));
      // The gate's options stay selectable behind the open gate (a second re-authentication is harmless).
      await expect(act(flow.id, reauthPassword, { password: 'pw' })).resolves.toMatchObject({
        status: 'INCOMPLETE',
        flow: { stepIndex: 2 },
      });
      await expect(act(flow.id, profile, { name: 'Al' })).resolves.toMatchObject({
        status: 'INCOMPLETE',
        flow: { stepIndex: 3 },
        nextStep: { messages: [done(profile.name)] },
      });
      expect(profile.answers).toEqual([{ name: 'Al' }]);

      // Leaving changes nothing: FinishSettings is not gated.
      gate.open = false;
      const leaving = await startSettings();
      await expect(act(leaving.flow.id, finish)).resolves.toMatchObject({ status: 'SUCCESS_COMPLETED' });
      expect(await row(leaving.flow.id)).toMatchObject({ state: 'succeeded' });
    });

    it('ends the flow when the gate is closed and the account has no way to re-authenticate', async () => {
      gate.open = false;
      reauthPassword.offered = false;
      reauthPasskey.offered = false;
      const outcome = await startSettings();
      expect(outcome).toEqual({
        status: 'FAIL_COMPLETED',
        flow: expect.objectContaining({ type: 'SETTINGS' }),
        messages: [SettingsMessages.reauthenticationUnavailable()],
      });
      expect(outcome.status === 'FAIL_COMPLETED' && outcome.messages[0]?.messageId).toBe(
        'msg_reauthentication_unavailable',
      );
      expect(await row(outcome.flow.id)).toMatchObject({ state: 'failed' });
      await expect(act(outcome.flow.id, reauthPassword, { password: 'pw' })).rejects.toMatchObject({
        code: ErrorCodes.FLOW_INVALID_ID,
      });

      // Likewise when the last way goes while the flow waits (the passkey removed elsewhere).
      reauthPasskey.offered = true;
      const waiting = await startSettings();
      expect(namesIn(waiting)).toEqual([reauthPasskey.name]);
      reauthPasskey.offered = false;
      await expect(act(waiting.flow.id, profile, { name: 'Al' })).resolves.toMatchObject({
        status: 'FAIL_COMPLETED',
        messages: [SettingsMessages.reauthenticationUnavailable()],
      });
      expect(await row(waiting.flow.id)).toMatchObject({ state: 'failed' });
    });

    it('judges an option without required params when answered with no params, and still refuses missing ones (FLW-60003)', async () => {
      const { flow } = await startSettings();
      await expect(act(flow.id, backupCodes, {})).resolves.toMatchObject({
        status: 'INCOMPLETE',
        flow: { stepIndex: 1 },
        nextStep: { messages: [done(backupCodes.name)] },
      });
      await expect(act(flow.id, removeTotp)).resolves.toMatchObject({ status: 'INCOMPLETE', flow: { stepIndex: 2 } });
      expect(backupCodes.answers).toEqual([{}]);
      expect(removeTotp.answers).toEqual([{}]);

      for (const params of [undefined, {}, { password: '' }] as Array<Record<string, string> | undefined>) {
        await expect(act(flow.id, password, params)).rejects.toMatchObject({
          status: 400,
          code: ErrorCodes.FLOW_MISSING_PARAMS,
        });
      }
      expect(password.answers).toEqual([]);
      expect(await row(flow.id)).toMatchObject({ stepIndex: 2, failedAttempts: 0 });
    });

    it('answers a `reprompt` failure with only that option’s full prompt, and counts it', async () => {
      enrollTotp.answer = async (_context, { code }) =>
        code === '123456' ? succeeded(enrollTotp.name) : { outcome: 'failure', message: WRONG, reprompt: true };
      const { flow } = await startSettings();
      await act(flow.id, enrollTotp);
      const outcome = await act(flow.id, enrollTotp, { code: '000000' });
      expect(outcome).toEqual({
        status: 'FAIL_INCOMPLETE',
        flow: expect.objectContaining({ failedAttempts: 1, stepIndex: 0 }),
        nextStep: {
          stepType: 'AUTHENTICATOR_PROMPT',
          authenticators: [fullSettingsOption(enrollTotp, { state: '{"secret":"s1"}' })],
          messages: [WRONG],
        },
      });
      expect(await row(flow.id)).toMatchObject({
        failedAttempts: 1,
        stepIndex: 0,
        stepState: { [enrollTotp.name]: { secret: 's1' } },
      });
      // The same secret, answered right.
      await expect(act(flow.id, enrollTotp, { code: '123456' })).resolves.toMatchObject({
        status: 'INCOMPLETE',
        nextStep: { stepType: 'MULTI_OPTIONS_PROMPT', messages: [done(enrollTotp.name)] },
      });
    });

    it('shows what a success made to be shown once to that option’s prompt in the next presentation only, never storing it', async () => {
      const codes = ['code-1', 'code-2'];
      backupCodes.answer = async () =>
        succeeded(backupCodes.name, { next: { messages: [done(backupCodes.name)], shown: codes } });
      const { flow } = await startSettings();
      const generated = await act(flow.id, backupCodes);
      expect(optionIn(generated, backupCodes)?.metadata.additionalData).toEqual({ shown: JSON.stringify(codes) });
      // Only to the option that made it.
      expect(optionIn(generated, profile)?.metadata.additionalData).toBeUndefined();
      expect(JSON.stringify(await row(flow.id))).not.toContain('code-1');

      // Presented again, by another action or on its own: gone.
      const later = await act(flow.id, profile, { name: 'Al' });
      expect(optionIn(later, backupCodes)?.metadata.additionalData).toBeUndefined();
      const described = await settings.describe(project, flow.id, 'SETTINGS', { owner: aliceS1() });
      expect(optionIn(described, backupCodes)?.metadata.additionalData).toBeUndefined();
    });

    describe('effects', () => {
      /** Another flow, which an option's effects write to: shows whether those writes committed. */
      let other: string;
      const markOther = (tx: Tx, failedAttempts: number) =>
        tx.flow.update({ where: { id: other }, data: { failedAttempts } });
      const afterCommit = jest.fn<Promise<void>, []>();

      beforeEach(async () => {
        other = (await startSettings()).flow.id;
        afterCommit.mockReset().mockResolvedValue(undefined);
      });

      it('commits the effects’ writes with the step, their messages after the option’s, then runs afterCommit', async () => {
        const SENT = message('msg_test_sent');
        const { flow } = await startSettings();
        // What afterCommit finds in the database: the step already written.
        const seen: number[] = [];
        afterCommit.mockImplementation(async () => void seen.push((await row(flow.id)).stepIndex));
        profile.answer = async () =>
          succeeded(profile.name, {
            effects: async (tx) => {
              await markOther(tx, 3);
              return { messages: [SENT] };
            },
            afterCommit,
          });
        const outcome = await act(flow.id, profile, { name: 'Al' });
        expect(outcome).toMatchObject({
          status: 'INCOMPLETE',
          flow: { stepIndex: 1 },
          nextStep: { messages: [done(profile.name), SENT] },
        });
        expect(await row(other)).toMatchObject({ failedAttempts: 3 });
        // Once, and only after the step was written.
        expect(seen).toEqual([1]);
      });

      it('rolls back the effects’ writes and counts the answer when they refuse it, without afterCommit', async () => {
        profile.answer = async () =>
          succeeded(profile.name, {
            effects: async (tx) => {
              await markOther(tx, 3);
              return { refused: TAKEN };
            },
            afterCommit,
          });
        const { flow } = await startSettings();
        const outcome = await act(flow.id, profile, { name: 'taken' });
        expect(outcome).toEqual({
          status: 'FAIL_INCOMPLETE',
          flow: expect.objectContaining({ stepIndex: 0, failedAttempts: 1 }),
          nextStep: { stepType: 'MULTI_OPTIONS_PROMPT', authenticators: expect.any(Array), messages: [TAKEN] },
        });
        expect(await row(flow.id)).toMatchObject({ stepIndex: 0, failedAttempts: 1, state: 'active' });
        expect(await row(other)).toMatchObject({ failedAttempts: 0 });
        expect(afterCommit).not.toHaveBeenCalled();
      });

      it('answers an error the effects threw as refusedBy maps it, after the rollback, counted', async () => {
        const violation = new Error('unique violation');
        const asked: unknown[] = [];
        profile.answer = async () =>
          succeeded(profile.name, {
            effects: async (tx) => {
              await markOther(tx, 3);
              throw violation;
            },
            refusedBy: async (error) => {
              asked.push(error);
              return [TAKEN, HINT];
            },
            afterCommit,
          });
        const { flow } = await startSettings();
        await expect(act(flow.id, profile, { name: 'taken' })).resolves.toEqual({
          status: 'FAIL_INCOMPLETE',
          flow: expect.objectContaining({ stepIndex: 0, failedAttempts: 1 }),
          nextStep: { stepType: 'MULTI_OPTIONS_PROMPT', authenticators: expect.any(Array), messages: [TAKEN, HINT] },
        });
        expect(asked).toEqual([violation]);
        expect(await row(flow.id)).toMatchObject({ stepIndex: 0, failedAttempts: 1 });
        expect(await row(other)).toMatchObject({ failedAttempts: 0 });
        expect(afterCommit).not.toHaveBeenCalled();
      });

      it('lets an error that refusedBy does not answer propagate, with nothing written or counted', async () => {
        const broken = new Error('database gone');
        profile.answer = async () =>
          succeeded(profile.name, {
            effects: async (tx) => {
              await markOther(tx, 3);
              throw broken;
            },
            refusedBy: async () => undefined,
            afterCommit,
          });
        const { flow } = await startSettings();
        await expect(act(flow.id, profile, { name: 'Al' })).rejects.toThrow('database gone');
        expect(await row(flow.id)).toMatchObject({ version: 0, stepIndex: 0, failedAttempts: 0 });
        expect(await row(other)).toMatchObject({ failedAttempts: 0 });
        expect(afterCommit).not.toHaveBeenCalled();
      });
    });

    it('gives the flow its lifetime again on every action and every initiation', async () => {
      const { flow } = await startSettings();
      const ttl = project.settings.flowTtlSeconds * 1000;
      const expiringSoon = () =>
        db.prisma.flow.update({ where: { id: flow.id }, data: { expiresAt: new Date(Date.now() + 5_000) } });
      /** The expiry after `work`, which must be the lifetime from some moment during it. */
      const expectSlid = async (work: () => Promise<unknown>) => {
        await expiringSoon();
        const before = Date.now();
        await work();
        const after = Date.now();
        const { expiresAt } = await row(flow.id);
        expect(expiresAt.getTime()).toBeGreaterThanOrEqual(before + ttl);
        expect(expiresAt.getTime()).toBeLessThanOrEqual(after + ttl);
      };
      await expectSlid(() => act(flow.id, profile, { name: 'Al' }));
      await expectSlid(() => act(flow.id, enrollTotp));
    });
  });
});
