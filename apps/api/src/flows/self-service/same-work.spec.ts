import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from '@prisma/driver-adapter-utils';
import { encodeAuthenticatorId, SELF_SERVICE_ACTIONS } from '@keyway/flow-types';
import { AppModule } from '../../app.module';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { loadConfig } from '../../infra/config/config';
import { PasswordHasher } from '../../infra/crypto/password-hasher';
import { PreparedSql } from '../../infra/database/prepared-sql';
import { openDatabase, type Database } from '../../infra/database/database';
import { openPGliteDataDir } from '../../infra/database/pglite-files';
import { OutboxWorker } from '../../domain/email/outbox-worker';
import { PrismaClient } from '../../generated/prisma/client';
import { IdentitiesService } from '../../admin/identities/identities.service';
import { DATABASE } from '../../infra/database/prisma.module';
import { ProjectsService, type Project } from '../../domain/projects/projects.service';
import { RecoveryService } from '../recovery/recovery.service';
import { RegistrationService } from '../registration/registration.service';
import { VerificationService } from '../verification/verification.service';

// Proof that the self-service steps that take an email address do the same work whether or not the address
// has an account (README "Self-service", docs/self-service.md "Timing"): the same SQL statements, in the same
// order, and the same hashing, on a real database. Timing follows work; the benchmark (`npm run bench --
// --enumeration`) measures the timing itself. Account-dependent work happens after the answer, in the
// outbox worker, which is stopped while the request path is recorded and run afterwards to check what
// it did.

const RECOVERY_EMAIL = encodeAuthenticatorId(SELF_SERVICE_ACTIONS.recoveryEmail, 'LOCAL');
const RECOVERY_CODE = encodeAuthenticatorId(SELF_SERVICE_ACTIONS.recoveryCode, 'LOCAL');
const REGISTRATION_FORM = encodeAuthenticatorId(SELF_SERVICE_ACTIONS.passwordRegistration, 'LOCAL');
const REDIRECT_URI = 'com.example.app:/cb';

/** What one request did: every SQL statement sent (text only: the values differ), the hash algorithms used, argon2 hashes made. */
interface Work {
  statements: string[];
  hashes: string[];
  argon2: number;
}

/** Passes every statement through to the real adapter and writes its SQL text down, transactions included. */
function recording(factory: SqlDriverAdapterFactory, log: string[]): SqlDriverAdapterFactory {
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property) {
        const value: unknown = Reflect.get(object, property, object);
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        if (property === 'queryRaw' || property === 'executeRaw') {
          return (query: SqlQuery) => {
            log.push(query.sql);
            return method.call(object, query);
          };
        }
        if (property === 'startTransaction') {
          return async (...args: unknown[]) => {
            log.push('BEGIN');
            return wrap((await method.apply(object, args)) as Transaction);
          };
        }
        if (property === 'commit' || property === 'rollback') {
          return (...args: unknown[]) => {
            log.push(property.toUpperCase());
            return method.apply(object, args);
          };
        }
        if (property === 'connect') return async () => wrap((await method.call(object)) as SqlDriverAdapter);
        return method.bind(object);
      },
    });
  return wrap(factory);
}

describe('self-service: known and unknown addresses cost the same work', () => {
  let dataDir: string;
  let db: Database;
  let moduleRef: TestingModule;
  let project: Project;
  let clientId: string;
  const log: string[] = [];
  const owner = { verified: 'verified@example.com', unverified: 'unverified@example.com' };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'keyway-same-work-'));
    // Migrated by the product's own code, then reopened through the recording adapter.
    await (await openDatabase({ dataDir })).close();
    const pglite = await openPGliteDataDir(path.join(dataDir, 'pglite'));
    // The ES module build, as the product loads it (infra/database/database.ts), for the ES module build of PGlite.
    const { PrismaPGlite } = await import('pglite-prisma-adapter');
    const prisma = new PrismaClient({ adapter: recording(new PrismaPGlite(pglite), log) });
    let closed: Promise<void> | undefined;
    // Closed by the Nest module (PrismaModule) and by afterAll: only once.
    db = {
      prisma,
      sql: new PreparedSql(prisma),
      kind: 'pglite',
      close: () => (closed ??= prisma.$disconnect().then(() => pglite.close())),
    };
    // Cheap argon2 parameters: the test counts hashes, it does not time them.
    const config = loadConfig({
      KEYWAY_DATA_DIR: dataDir,
      KEYWAY_LOG_LEVEL: 'silent',
      KEYWAY_LOG_FORMAT: 'json',
      KEYWAY_SEED_DEMO: 'false',
      KEYWAY_ARGON2_MEMORY_KIB: '1024',
      KEYWAY_ARGON2_ITERATIONS: '1',
    });
    // Not initialised: the outbox worker stays stopped until runOutbox() starts it.
    moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot(config)],
    })
      .overrideProvider(DATABASE)
      .useValue(db)
      .compile();

    project = await moduleRef.get(ProjectsService).create({ slug: 'same-work', name: 'Same work' });
    const created = await moduleRef.get(ApplicationsService).create(project.id, {
      name: 'App',
      type: 'public',
      redirectUris: [REDIRECT_URI],
      grantTypes: ['authorization_code', 'refresh_token'],
      appNative: true,
    });
    clientId = created.application.clientId;
    const identities = moduleRef.get(IdentitiesService);
    for (const email of Object.values(owner))
      await identities.create(project.id, { email, name: 'Owner' }, { password: { value: 'owner password 1' } });
    await prisma.verifiableAddress.updateMany({
      where: { value: owner.verified },
      data: { verified: true, verifiedAt: new Date() },
    });
  }, 120_000);

  afterAll(async () => {
    await moduleRef?.close();
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  afterEach(() => jest.restoreAllMocks());

  /** Records the statements and hashing of `request` alone (nothing else runs: the worker is stopped). */
  async function work<T>(request: () => Promise<T>): Promise<Work & { result: T }> {
    const hashes: string[] = [];
    const createHash = crypto.createHash;
    jest.spyOn(crypto, 'createHash').mockImplementation((algorithm, options) => {
      hashes.push(algorithm);
      return createHash(algorithm, options);
    });
    const argon2 = jest.spyOn(PasswordHasher.prototype, 'hash');
    log.length = 0;
    const result = await request();
    const statements = [...log];
    jest.restoreAllMocks();
    return { statements, hashes, argon2: argon2.mock.calls.length, result };
  }

  const sameWork = (a: Work, b: Work) => {
    // The recorders saw the work at all (the code's SHA-256, the flow and outbox writes).
    expect(a.statements).toContain('COMMIT');
    expect(a.hashes).toContain('sha256');
    expect(b.statements).toEqual(a.statements);
    expect(b.hashes).toEqual(a.hashes);
    expect(b.argon2).toBe(a.argon2);
  };

  /** Runs the outbox worker until no deferred work is left (mail itself cannot go out: no SMTP server). */
  async function runOutbox(): Promise<void> {
    const worker = moduleRef.get(OutboxWorker);
    await worker.onApplicationBootstrap();
    try {
      for (let i = 0; i < 200; i++) {
        await worker.drain();
        if ((await db.prisma.outboxMessage.count({ where: { kind: { startsWith: 'job:' } } })) === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error('deferred work was left in the outbox');
    } finally {
      await worker.beforeApplicationShutdown();
    }
  }

  /** An answer without its flowId: what must be the same for every address. */
  const shape = (answer: unknown) => ({ ...(answer as Record<string, unknown>), flowId: undefined });
  const flowIdOf = (answer: unknown) => (answer as { flowId: string }).flowId;

  const mailsTo = (to: string) =>
    db.prisma.outboxMessage.findMany({
      where: { toAddress: to },
      orderBy: { createdAt: 'asc' },
      select: { kind: true, text: true },
    });
  const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] ?? '';

  describe('recovery, address step', () => {
    const recovery = () => moduleRef.get(RecoveryService);
    const startRecovery = async () =>
      flowIdOf(
        await recovery().start(
          project,
          {
            client_id: clientId,
            redirect_uri: REDIRECT_URI,
            scope: 'openid',
            code_challenge: 'E9Melhoa2OwvFrEMTJguCQaoeKlrmmVGd7e8lOQ9OUg',
            code_challenge_method: 'S256',
          },
          undefined,
        ),
      );
    const askFor = async (email: string) => {
      const flowId = await startRecovery();
      return work(() =>
        recovery().advance(project, {
          flowId,
          selectedAuthenticator: { authenticatorId: RECOVERY_EMAIL, params: { email } },
        }),
      ).then((w) => ({ ...w, flowId }));
    };

    it('sends the same statements and hashes for a recovery address, an unverified one and an unknown one, and mails only the owners', async () => {
      await askFor('warm-up@example.com');
      const known = await askFor(owner.verified);
      const unverified = await askFor(owner.unverified);
      const unknown = await askFor('nobody@example.com');
      sameWork(known, unknown);
      sameWork(known, unverified);
      expect(shape(known.result)).toEqual(shape(unknown.result));

      await runOutbox();
      expect((await mailsTo(owner.verified)).map((m) => m.kind)).toEqual(['recovery_code']);
      expect((await mailsTo(owner.unverified)).map((m) => m.kind)).toEqual(['recovery_code']);
      expect(await mailsTo('nobody@example.com')).toEqual([]);
      // The mailed code opens the owner's flow; the unknown flow's code step fails like a wrong code.
      const code = codeIn((await mailsTo(owner.verified))[0]!.text);
      const opened = await recovery().advance(project, {
        flowId: known.flowId,
        selectedAuthenticator: { authenticatorId: RECOVERY_CODE, params: { code } },
      });
      expect(opened).toMatchObject({
        flowStatus: 'INCOMPLETE',
        nextStep: { messages: [{ messageId: 'msg_choose_new_password' }] },
      });
      const refused = await recovery().advance(project, {
        flowId: unknown.flowId,
        selectedAuthenticator: { authenticatorId: RECOVERY_CODE, params: { code } },
      });
      expect(refused).toMatchObject({
        flowStatus: 'FAIL_INCOMPLETE',
        nextStep: { messages: [{ messageId: 'msg_invalid_verification_code' }] },
      });
    });
  });

  describe('verification start', () => {
    const verification = () => moduleRef.get(VerificationService);

    it.each(['code', 'link'] as const)(
      'sends the same statements and hashes for unverified, verified and unknown addresses (%s), and mails only the unverified one',
      async (mode) => {
        const unverified = `unverified-${mode}@example.com`;
        await moduleRef.get(IdentitiesService).create(project.id, { email: unverified, name: 'Owner' });
        const start = (email: string) =>
          work(() => verification().start(project, { client_id: clientId, email }, mode));
        await start('warm-up@example.com');
        const mailed = await start(unverified);
        const verified = await start(owner.verified);
        const unknown = await start(`nobody-${mode}@example.com`);
        sameWork(mailed, unknown);
        sameWork(mailed, verified);
        expect(shape(mailed.result)).toEqual(shape(unknown.result));

        await runOutbox();
        expect((await mailsTo(unverified)).map((m) => m.kind)).toEqual([
          mode === 'code' ? 'verification_code' : 'verification_link',
        ]);
        expect(await mailsTo(`nobody-${mode}@example.com`)).toEqual([]);
        expect((await mailsTo(owner.verified)).filter((m) => m.kind.startsWith('verification'))).toEqual([]);
      },
    );
  });

  describe('registration, form step', () => {
    const registration = () => moduleRef.get(RegistrationService);
    const submit = async (email: string) => {
      const started = await registration().start(
        project,
        {
          client_id: clientId,
          redirect_uri: REDIRECT_URI,
          scope: 'openid',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCQaoeKlrmmVGd7e8lOQ9OUg',
          code_challenge_method: 'S256',
        },
        undefined,
      );
      return work(() =>
        registration().advance(project, {
          flowId: flowIdOf(started),
          selectedAuthenticator: {
            authenticatorId: REGISTRATION_FORM,
            params: { 'traits.email': email, 'traits.name': 'New', password: 'a good new password' },
          },
        }),
      );
    };

    it('hashes the password and sends the same statements for a new and a taken address; the identity is created only for the new one', async () => {
      await submit('warm-up-registration@example.com');
      const fresh = await submit('new-person@example.com');
      const taken = await submit(owner.verified.toUpperCase());
      expect(fresh.argon2).toBe(1);
      sameWork(fresh, taken);
      expect(shape(fresh.result)).toEqual(shape(taken.result));

      await runOutbox();
      expect((await mailsTo('new-person@example.com')).map((m) => m.kind)).toEqual(['verification_code']);
      expect((await mailsTo(owner.verified)).map((m) => m.kind)).toContain('registration_attempt');
      expect(await db.prisma.verifiableAddress.count({ where: { projectId: project.id, value: owner.verified } })).toBe(
        1,
      );
      expect(
        await db.prisma.verifiableAddress.count({ where: { projectId: project.id, value: 'new-person@example.com' } }),
      ).toBe(1);
    });
  });
});
