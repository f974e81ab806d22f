import { randomBytes, randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { FlowMessages } from '../../domain/flows/flow-messages';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { LockoutService } from '../../domain/lockout/lockout.service';
import { ProjectSettings } from '../../domain/projects/project-settings';
import type { Project } from '../../domain/projects/projects.service';
import type { KeywayConfig } from '../../infra/config/config';
import { PasswordHasher } from '../../infra/crypto/password-hasher';
import type { Database } from '../../infra/database/database';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import type { AuthenticatorContext } from '../authenticator';
import { BasicAuthenticator } from './basic.authenticator';
import { AuditService } from '../../domain/audit/audit.service';

// Username & password with the real identities, lockout and argon2id hasher on a scratch database of each
// kind (cheap argon2 parameters). What matters: an unknown username answers exactly like a wrong password.

jest.setTimeout(120_000);

const argon2 = (memoryCost: number) =>
  ({ argon2: { memoryCost, timeCost: 1, parallelism: 1, concurrency: 2 } }) as KeywayConfig;
const PASSWORD = 'correct horse battery staple';

describe.each(['pglite', 'postgres'] as const)('BasicAuthenticator on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let identities: IdentitiesRepository;
  let hasher: PasswordHasher;
  let authenticator: BasicAuthenticator;
  let context: AuthenticatorContext;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    db = scratch.db;
    const row = await db.prisma.project.create({ data: { slug: `p${randomBytes(4).toString('hex')}`, name: 'P' } });
    const project: Project = {
      id: row.id,
      slug: row.slug,
      name: row.name,
      issuer: `https://id.example.com/t/${row.slug}`,
      settings: ProjectSettings.parse({ lockout: { maxAttempts: 3 } }),
    };
    identities = new IdentitiesRepository(db.prisma, db.sql);
    hasher = new PasswordHasher(argon2(4096));
    authenticator = new BasicAuthenticator(
      identities,
      hasher,
      new LockoutService(db.prisma, db.sql, identities, new AuditService(db.prisma, db.sql)),
    );
    // The password check reads only the project of its context, never the application or the flow.
    context = { project } as AuthenticatorContext;
  });

  afterAll(() => scratch?.dispose());
  afterEach(() => jest.restoreAllMocks());

  /** An identity whose password credential has `email` as its login identifier. */
  async function newUser(
    options: { passwordHash?: string; state?: 'active' | 'disabled' } = {},
  ): Promise<{ id: string; email: string; credentialId: string }> {
    const email = `${randomUUID()}@example.com`;
    const identity = await identities.create(undefined, {
      projectId: context.project.id,
      traits: { email },
      schemaVersion: 1,
      passwordHash: options.passwordHash ?? (await hasher.hash(PASSWORD)),
      identifiers: [email],
      addresses: [],
    });
    if (options.state) await db.prisma.identity.update({ where: { id: identity.id }, data: { state: options.state } });
    const credential = await db.prisma.credential.findFirstOrThrow({
      where: { identityId: identity.id, type: 'password' },
    });
    return { id: identity.id, email, credentialId: credential.id };
  }
  const login = (username: string, password: string) => authenticator.authenticate(context, { username, password });
  const storedHash = async (credentialId: string) =>
    (await db.prisma.credential.findUniqueOrThrow({ where: { id: credentialId } })).secret;

  it('asks for username and password, the password confidential, without initiation', () => {
    expect([
      authenticator.name,
      authenticator.idp,
      authenticator.displayName,
      authenticator.i18nKey,
      authenticator.requiresInitiation,
    ]).toEqual(['BasicAuthenticator', 'LOCAL', 'Username & Password', 'authenticator.basic', false]);
    const prompt = authenticator.prompt();
    expect(prompt).toMatchObject({ promptType: 'USER_PROMPT', requiredParams: ['username', 'password'] });
    expect(prompt.params?.map(({ param, confidential }) => [param, confidential])).toEqual([
      ['username', false],
      ['password', true],
    ]);
  });

  it('signs in with the right password (amr pwd), whatever the case and spaces of the username', async () => {
    const user = await newUser();
    await expect(login(user.email, PASSWORD)).resolves.toEqual({
      outcome: 'success',
      identityId: user.id,
      amr: ['pwd'],
    });
    await expect(login(`  ${user.email.toUpperCase()} `, PASSWORD)).resolves.toEqual({
      outcome: 'success',
      identityId: user.id,
      amr: ['pwd'],
    });
  });

  it('answers a wrong password and an unknown username alike, counting down to the same lock', async () => {
    const user = await newUser();
    const decoy = jest.spyOn(hasher, 'verifyDecoy');
    const unknown = `${randomUUID()}@example.com`;
    const known: unknown[] = [];
    const nobody: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await login(user.email, 'wrong password'));
      nobody.push(await login(unknown, 'wrong password'));
    }
    expect(known).toEqual([
      { outcome: 'failure', message: FlowMessages.invalidCredentials(2) },
      { outcome: 'failure', message: FlowMessages.invalidCredentials(1) },
      { outcome: 'terminal', message: FlowMessages.accountLocked() },
    ]);
    expect(nobody).toEqual(known);
    // The unknown username cost an argon2 verification as well (no enumeration by timing).
    expect(decoy).toHaveBeenCalledTimes(3);
  });

  it('ends the flow for a locked identity, even with the right password, and counts nothing more', async () => {
    const user = await newUser();
    for (let i = 0; i < 3; i++) await login(user.email, 'wrong password');
    const lockedUntil = (await db.prisma.identity.findUniqueOrThrow({ where: { id: user.id } })).lockedUntil;
    expect(lockedUntil).toBeInstanceOf(Date);
    const verify = jest.spyOn(hasher, 'verify');
    await expect(login(user.email, PASSWORD)).resolves.toEqual({
      outcome: 'terminal',
      message: FlowMessages.accountLocked(),
    });
    // Refused before the (expensive) check.
    expect(verify).not.toHaveBeenCalled();
    expect((await db.prisma.identity.findUniqueOrThrow({ where: { id: user.id } })).lockedUntil).toEqual(lockedUntil);
  });

  it('honours an identity lock set through another factor', async () => {
    const user = await newUser();
    await identities.lock(user.id, new Date(Date.now() + 3_600_000));
    await expect(login(user.email, PASSWORD)).resolves.toEqual({
      outcome: 'terminal',
      message: FlowMessages.accountLocked(),
    });
  });

  it('clears the failures with a success', async () => {
    const user = await newUser();
    await login(user.email, 'wrong password');
    await login(user.email, 'wrong password');
    await expect(login(user.email, PASSWORD)).resolves.toMatchObject({ outcome: 'success' });
    await expect(login(user.email, 'wrong password')).resolves.toEqual({
      outcome: 'failure',
      message: FlowMessages.invalidCredentials(2),
    });
  });

  it('ends the flow for a disabled identity only once the password was right', async () => {
    const user = await newUser({ state: 'disabled' });
    // A wrong password says nothing about the account.
    await expect(login(user.email, 'wrong password')).resolves.toEqual({
      outcome: 'failure',
      message: FlowMessages.invalidCredentials(2),
    });
    await expect(login(user.email, PASSWORD)).resolves.toEqual({
      outcome: 'terminal',
      message: FlowMessages.accountUnavailable(),
    });
  });

  it('re-hashes at the current parameters after a successful login, and only then', async () => {
    const oldParameters = await newUser({ passwordHash: await new PasswordHasher(argon2(2048)).hash(PASSWORD) });
    const before = await storedHash(oldParameters.credentialId);
    expect(before).toMatch(/^\$argon2id\$v=19\$m=2048,t=1,p=1\$/);
    await login(oldParameters.email, 'wrong password');
    expect(await storedHash(oldParameters.credentialId)).toBe(before);

    await expect(login(oldParameters.email, PASSWORD)).resolves.toMatchObject({ outcome: 'success' });
    const after = await storedHash(oldParameters.credentialId);
    expect(after).toMatch(/^\$argon2id\$v=19\$m=4096,t=1,p=1\$/);
    await expect(login(oldParameters.email, PASSWORD)).resolves.toMatchObject({ outcome: 'success' });
    // A hash at the current parameters is left as it is.
    expect(await storedHash(oldParameters.credentialId)).toBe(after);

    // An imported bcrypt hash is upgraded the same way.
    const imported = await newUser({ passwordHash: bcrypt.hashSync(PASSWORD, 4) });
    await expect(login(imported.email, PASSWORD)).resolves.toMatchObject({
      outcome: 'success',
      identityId: imported.id,
    });
    expect(await storedHash(imported.credentialId)).toMatch(/^\$argon2id\$v=19\$m=4096,t=1,p=1\$/);
    await expect(login(imported.email, PASSWORD)).resolves.toMatchObject({ outcome: 'success' });
  });
});
