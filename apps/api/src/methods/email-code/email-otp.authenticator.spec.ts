import { randomBytes, randomUUID } from 'node:crypto';
import type { Application } from '../../domain/applications/application';
import { EmailOutbox } from '../../domain/email/email-outbox';
import { MailRecipientsRepository } from '../../domain/email/mail-recipients.repository';
import { MailRecipients } from '../../domain/email/mail-recipients.service';
import { OutboxWorker } from '../../domain/email/outbox-worker';
import { OutboxRepository } from '../../domain/email/outbox.repository';
import { TemplatesRepository } from '../../domain/email/templates.repository';
import { TemplatesService } from '../../domain/email/templates.service';
import type { AuthRequest, FlowRecord } from '../../domain/flows/flow';
import { FlowMessages } from '../../domain/flows/flow-messages';
import { FlowStore } from '../../domain/flows/flow.store';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { LockoutService } from '../../domain/lockout/lockout.service';
import { ProjectSettings } from '../../domain/projects/project-settings';
import type { Project } from '../../domain/projects/projects.service';
import { IdentitySchemasRepository } from '../../domain/schemas/identity-schemas.repository';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import type { Database } from '../../infra/database/database';
import {
  openScratchDatabase,
  type ScratchDatabase,
  singleProcessNotifications,
} from '../../infra/database/scratch-database.testing';
import { ErrorCodes } from '../../infra/http/errors';
import type { AuthenticationResult, AuthenticatorContext } from '../authenticator';
import { EmailOtpAuthenticator } from './email-otp.authenticator';
import { EmailOtpMessages } from './email-otp.messages';
import { EmailOtpRepository } from './email-otp.repository';
import { AuditService } from '../../domain/audit/audit.service';

// The email OTP option driven the way the engine drives it (initiate / authenticate, then the returned step
// state written to the flow), with the real flow store, outbox, schemas and lockout on a scratch database of
// each kind. Codes are read from the mails the outbox holds, as a user reads them: the worker is never
// started, so every message stays in the table. Time is the explicit clock below (Date.now is what the
// option reads for expiry and resend intervals).

jest.setTimeout(120_000);

const NAME = 'email-otp-authenticator';
const CODE_PROMPT = {
  promptType: 'USER_PROMPT',
  params: [expect.objectContaining({ param: 'OTPCode' })],
  requiredParams: ['OTPCode'],
};
const USERNAME_PROMPT = {
  promptType: 'USER_PROMPT',
  params: [expect.objectContaining({ param: 'username' })],
  requiredParams: ['username'],
};

describe.each(['pglite', 'postgres'] as const)('EmailOtpAuthenticator on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let flows: FlowStore;
  let authenticator: EmailOtpAuthenticator;
  let project: Project;
  let application: Application;
  let clock: number;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    db = scratch.db;
    const prisma = db.prisma;
    const row = await prisma.project.create({ data: { slug: `p${randomBytes(4).toString('hex')}`, name: 'Acme' } });
    project = {
      id: row.id,
      slug: row.slug,
      name: row.name,
      issuer: `https://id.example.com/t/${row.slug}`,
      settings: ProjectSettings.parse({
        lockout: { maxAttempts: 3 },
        emailOtp: { length: 8, ttlSeconds: 300, maxResends: 1, resendIntervalSeconds: 30 },
      }),
    };
    const appRow = await prisma.application.create({
      data: {
        projectId: project.id,
        clientId: `c${randomBytes(4).toString('hex')}`,
        name: 'App',
        type: 'public',
        redirectUris: ['com.example.app:/cb'],
        grantTypes: ['authorization_code'],
        loginFlow: [[NAME]],
      },
    });
    application = {
      ...appRow,
      loginFlow: appRow.loginFlow as string[][],
      idTokenSignedResponseAlg: 'RS256',
      jwks: null,
    };

    flows = new FlowStore(prisma, db.sql);
    const outboxRepository = new OutboxRepository(prisma);
    const templates = new TemplatesService(new TemplatesRepository(prisma));
    // Never started (no SMTP, no jobs): its wake() does nothing, so enqueued mail stays for the tests to read.
    const worker = new OutboxWorker(
      outboxRepository,
      null as never,
      null as never,
      null as never,
      singleProcessNotifications(null as never),
    );
    const outbox = new EmailOutbox(outboxRepository, templates, worker);
    const identities = new IdentitiesRepository(prisma, db.sql);
    authenticator = new EmailOtpAuthenticator(
      new EmailOtpRepository(prisma, outbox, flows),
      new IdentitySchemasService(new IdentitySchemasRepository(prisma)),
      new LockoutService(prisma, db.sql, identities, new AuditService(prisma, db.sql)),
      new MailRecipients(new MailRecipientsRepository(prisma), templates),
    );
  });

  afterAll(() => scratch?.dispose());

  beforeEach(() => {
    clock = Date.now();
    jest.spyOn(Date, 'now').mockImplementation(() => clock);
  });
  afterEach(() => jest.restoreAllMocks());

  async function newUser(
    options: { state?: 'active' | 'disabled'; lockedUntil?: Date } = {},
  ): Promise<{ id: string; email: string }> {
    const email = `${randomUUID()}@example.com`;
    const identity = await new IdentitiesRepository(db.prisma, db.sql).create(undefined, {
      projectId: project.id,
      traits: { email, name: 'Ada' },
      schemaVersion: 1,
      passwordHash: '$argon2id$v=19$m=4096,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
      identifiers: [email],
      addresses: [{ via: 'email', value: email }],
    });
    if (options.state || options.lockedUntil)
      await db.prisma.identity.update({
        where: { id: identity.id },
        data: {
          ...(options.state ? { state: options.state } : {}),
          ...(options.lockedUntil ? { lockedUntil: options.lockedUntil } : {}),
        },
      });
    return { id: identity.id, email };
  }

  /** A login flow at its email OTP step: the second step after `identityId` was proven, or the first (null). */
  async function newFlow(
    identityId: string | null,
    authRequest: Partial<AuthRequest> = {},
  ): Promise<AuthenticatorContext> {
    let flow = await flows.create(undefined, {
      projectId: project.id,
      applicationId: application.id,
      type: 'AUTHENTICATION',
      authRequest: { clientId: application.clientId, scope: 'openid', ...authRequest },
      expiresAt: new Date(clock + 600_000),
    });
    if (identityId) flow = (await flows.update(undefined, flow, { stepIndex: 1, identityId, amr: ['pwd'] })) ?? flow;
    return { project, application, flow };
  }

  /** What the engine does with an option's new step state: writes it to the flow (taking the version). */
  async function present(context: AuthenticatorContext, stepState: unknown): Promise<AuthenticatorContext> {
    const flow = await flows.update(undefined, context.flow, {
      stepState: { ...context.flow.stepState, [NAME]: stepState },
    });
    if (!flow) throw new Error('flow conflict');
    return { ...context, flow };
  }
  async function initiate(context: AuthenticatorContext, reselected = false): Promise<AuthenticatorContext> {
    const { stepState, refused } = await authenticator.initiate(context, { reselected });
    if (refused) throw new Error(`refused: ${refused.messageId}`);
    return present(context, stepState);
  }
  /** The mails sent to an address, oldest first, with the code each carries. */
  async function mails(to: string): Promise<Array<{ kind: string; subject: string; code: string | undefined }>> {
    const rows = await db.prisma.outboxMessage.findMany({
      where: { projectId: project.id, toAddress: to },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((mail) => ({ kind: mail.kind, subject: mail.subject, code: /^ {4}(\d+)$/m.exec(mail.text)?.[1] }));
  }
  async function lastCode(to: string): Promise<string> {
    const code = (await mails(to)).at(-1)?.code;
    if (!code) throw new Error(`no code mailed to ${to}`);
    return code;
  }
  const answer = (context: AuthenticatorContext, OTPCode: string): Promise<AuthenticationResult> =>
    authenticator.authenticate(context, { OTPCode });
  const stateOf = (flow: FlowRecord) => flow.stepState[NAME] as Record<string, unknown>;

  it('is a user-initiated option named as WSO2 names it', () => {
    expect([
      authenticator.name,
      authenticator.idp,
      authenticator.displayName,
      authenticator.i18nKey,
      authenticator.requiresInitiation,
    ]).toEqual([NAME, 'LOCAL', 'Email OTP', 'authenticator.email.otp', true]);
  });

  describe('after a step that identified the user', () => {
    it('mails a code when initiated, and signs in with it (amr otp)', async () => {
      const user = await newUser();
      const context = await initiate(await newFlow(user.id));
      expect(authenticator.prompt(context)).toEqual(CODE_PROMPT);
      const sent = await mails(user.email);
      expect(sent).toEqual([
        { kind: 'login_otp', subject: 'Your Acme sign-in code', code: expect.stringMatching(/^\d{8}$/) },
      ]);
      await expect(answer(context, ` ${sent[0]?.code} `)).resolves.toEqual({
        outcome: 'success',
        identityId: user.id,
        amr: ['otp'],
      });
    });

    it('answers a wrong code with the remaining attempts, then locks the identity', async () => {
      const user = await newUser();
      const context = await initiate(await newFlow(user.id));
      const code = await lastCode(user.email);
      const wrong = code === '00000000' ? '11111111' : '00000000';
      await expect(answer(context, wrong)).resolves.toEqual({
        outcome: 'failure',
        message: EmailOtpMessages.invalidCode(2),
      });
      await expect(answer(context, wrong)).resolves.toEqual({
        outcome: 'failure',
        message: EmailOtpMessages.invalidCode(1),
      });
      await expect(answer(context, wrong)).resolves.toEqual({
        outcome: 'terminal',
        message: FlowMessages.accountLocked(),
      });
      expect((await db.prisma.identity.findUniqueOrThrow({ where: { id: user.id } })).lockedUntil).toBeInstanceOf(Date);
      // Locked: the right code is not even checked.
      await expect(answer(context, code)).resolves.toEqual({
        outcome: 'terminal',
        message: FlowMessages.accountLocked(),
      });
    });

    it('keeps the code it sent when the step is presented again (no new mail)', async () => {
      const user = await newUser();
      const context = await initiate(await newFlow(user.id));
      const again = await initiate(context);
      expect(stateOf(again.flow)).toEqual(stateOf(context.flow));
      expect(await mails(user.email)).toHaveLength(1);
      await expect(answer(again, await lastCode(user.email))).resolves.toMatchObject({ outcome: 'success' });
    });

    it('accepts the code until ttlSeconds have passed, then answers expired (and counts it)', async () => {
      const user = await newUser();
      const sentAt = clock;
      const context = await initiate(await newFlow(user.id));
      const code = await lastCode(user.email);
      clock = sentAt + 300_000;
      await expect(answer(context, code)).resolves.toEqual({
        outcome: 'failure',
        message: EmailOtpMessages.expiredCode(2),
      });
      clock = sentAt + 299_999;
      await expect(answer(context, code)).resolves.toEqual({ outcome: 'success', identityId: user.id, amr: ['otp'] });
    });

    it('resends only after resendIntervalSeconds and at most maxResends times; a resend replaces the code', async () => {
      const user = await newUser();
      const sentAt = clock;
      let context = await initiate(await newFlow(user.id));
      const first = await lastCode(user.email);

      await expect(authenticator.initiate(context, { reselected: true })).resolves.toEqual({
        stepState: stateOf(context.flow),
        refused: EmailOtpMessages.resendTooSoon(30),
      });
      clock = sentAt + 10_000;
      await expect(authenticator.initiate(context, { reselected: true })).resolves.toMatchObject({
        refused: EmailOtpMessages.resendTooSoon(20),
      });
      expect(await mails(user.email)).toHaveLength(1);

      clock = sentAt + 30_000;
      context = await initiate(context, true);
      const sent = await mails(user.email);
      expect(sent).toHaveLength(2);
      const second = await lastCode(user.email);
      expect(stateOf(context.flow)).toMatchObject({
        sends: 2,
        lastSentAt: sentAt + 30_000,
        expiresAt: sentAt + 330_000,
      });

      // maxResends (1) used up, however long one waits.
      clock = sentAt + 3_600_000;
      await expect(authenticator.initiate(context, { reselected: true })).resolves.toEqual({
        stepState: stateOf(context.flow),
        refused: EmailOtpMessages.resendLimit(),
      });
      expect(await mails(user.email)).toHaveLength(2);

      // The first code is replaced (unless the resend happened to draw the same one, once in 10^8).
      clock = sentAt + 60_000;
      if (first !== second)
        await expect(answer(context, first)).resolves.toEqual({
          outcome: 'failure',
          message: EmailOtpMessages.invalidCode(2),
        });
      await expect(answer(context, second)).resolves.toEqual({ outcome: 'success', identityId: user.id, amr: ['otp'] });
    });

    it('of two requests that issue a code from one read of the flow, the one whose state is stored mailed its code', async () => {
      const user = await newUser();
      const context = await initiate(await newFlow(user.id));
      clock += 30_000;
      // A double-clicked "resend": both requests read the flow (`context`) before either wrote. Each issues a
      // code, staged with its mail; the engine then writes each one's step state under the version it read.
      const settle = <T>(promise: Promise<T>) =>
        promise.then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
      const first = await settle(authenticator.initiate(context, { reselected: true }));
      const second = await settle(authenticator.initiate(context, { reselected: true }));
      // The later request's write happens to come first: it wins, the other's conflicts.
      let stored: FlowRecord | undefined;
      for (const request of [second, first]) {
        if ('value' in request)
          stored =
            (await flows.update(undefined, context.flow, {
              stepState: { ...context.flow.stepState, [NAME]: request.value.stepState },
            })) ?? stored;
      }
      if (!stored) throw new Error('no request wrote the flow');
      // Whichever request won, the code the flow holds is one the user was mailed.
      const resent = (await mails(user.email)).slice(1).map((mail) => mail.code ?? '');
      expect(resent.length).toBeGreaterThan(0);
      const answers = [];
      for (const code of resent) answers.push((await answer({ ...context, flow: stored }, code)).outcome);
      expect(answers).toContain('success');
      // Here: the second request issued nothing (it lost to the first one's staged code) and answers flowConflict.
      expect(second).toEqual({ error: expect.objectContaining({ code: ErrorCodes.FLOW_CONCURRENT_UPDATE }) });
      expect(resent).toHaveLength(1);
    });

    it('refuses an answer before any code was sent, without counting it', async () => {
      const user = await newUser();
      const context = await newFlow(user.id);
      await expect(answer(context, '12345678')).resolves.toEqual({
        outcome: 'failure',
        message: EmailOtpMessages.notSent(),
      });
      expect(
        await db.prisma.attemptCounter.count({ where: { projectId: project.id, key: { contains: user.id } } }),
      ).toBe(0);
    });

    it('mails in the language the app asked for', async () => {
      const user = await newUser();
      await initiate(await newFlow(user.id, { uiLocales: ['de-CH', 'en'] }));
      expect(await mails(user.email)).toEqual([
        { kind: 'login_otp', subject: 'Ihr Anmeldecode für Acme', code: expect.stringMatching(/^\d{8}$/) },
      ]);
    });

    it('mails nothing to a locked or disabled identity', async () => {
      const locked = await newUser({ lockedUntil: new Date(clock + 3_600_000) });
      const lockedContext = await initiate(await newFlow(locked.id));
      expect(await mails(locked.email)).toEqual([]);
      expect(authenticator.prompt(lockedContext)).toEqual(CODE_PROMPT);
      await expect(answer(lockedContext, '12345678')).resolves.toEqual({
        outcome: 'terminal',
        message: FlowMessages.accountLocked(),
      });

      const disabled = await newUser({ state: 'disabled' });
      const disabledContext = await initiate(await newFlow(disabled.id));
      expect(await mails(disabled.email)).toEqual([]);
      await expect(answer(disabledContext, '12345678')).resolves.toEqual({
        outcome: 'failure',
        message: EmailOtpMessages.invalidCode(2),
      });
    });
  });

  describe('as the first step', () => {
    it('asks for the username first, then mails the code and signs in with it', async () => {
      const user = await newUser();
      const start = await newFlow(null);
      expect(authenticator.prompt(start)).toEqual(USERNAME_PROMPT);
      // Nothing to send before the username is known.
      await expect(authenticator.initiate(start, { reselected: false })).resolves.toEqual({});

      const result = await authenticator.authenticate(start, { username: ` ${user.email.toUpperCase()}` });
      expect(result).toEqual({
        outcome: 'continue',
        stepState: expect.objectContaining({ identityId: user.id, identifier: user.email, sends: 1 }),
      });
      const context = await present(start, result.outcome === 'continue' ? result.stepState : undefined);
      expect(authenticator.prompt(context)).toEqual(CODE_PROMPT);
      await expect(answer(context, await lastCode(user.email))).resolves.toEqual({
        outcome: 'success',
        identityId: user.id,
        amr: ['otp'],
      });
    });

    it('answers an unknown username exactly like a known one, mails nobody, and counts its guesses to the same lock', async () => {
      const user = await newUser();
      const unknown = `${randomUUID()}@example.com`;
      let guess = '';
      const run = async (username: string) => {
        const start = await newFlow(null);
        const result = await authenticator.authenticate(start, { username });
        if (result.outcome !== 'continue') throw new Error(`expected continue, got ${result.outcome}`);
        const context = await present(start, result.stepState);
        // One wrong guess for both: anything but the code the known user was mailed.
        guess ||= (await lastCode(user.email)) === '00000000' ? '11111111' : '00000000';
        const answers: unknown[] = [authenticator.prompt(context)];
        for (let i = 0; i < 3; i++) answers.push(await answer(context, guess));
        return { answers, state: result.stepState as Record<string, unknown> };
      };
      const known = await run(user.email);
      const nobody = await run(unknown);
      // What the user sees is the same.
      expect(nobody.answers).toEqual(known.answers);
      expect(known.answers).toEqual([
        CODE_PROMPT,
        { outcome: 'failure', message: EmailOtpMessages.invalidCode(2) },
        { outcome: 'failure', message: EmailOtpMessages.invalidCode(1) },
        { outcome: 'terminal', message: FlowMessages.accountLocked() },
      ]);
      // The stored state has the same fields; only the known user has a code.
      expect(Object.keys(nobody.state).sort()).toEqual(Object.keys(known.state).sort());
      expect(nobody.state).toMatchObject({ identityId: null, identifier: unknown, codeHash: null });
      expect(await mails(unknown)).toEqual([]);
      expect(await mails(user.email)).toHaveLength(1);
    });
  });
});
