import { randomBytes, randomUUID } from 'node:crypto';
import type { Application } from '../../domain/applications/application';
import { AuditService } from '../../domain/audit/audit.service';
import type { FlowRecord } from '../../domain/flows/flow';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import { ProjectSettings } from '../../domain/projects/project-settings';
import type { Project } from '../../domain/projects/projects.service';
import type { Database } from '../../infra/database/database';
import { openScratchDatabase, type ScratchDatabase } from '../../infra/database/scratch-database.testing';
import type { AuthenticationResult, AuthenticatorContext } from '../authenticator';
import { DEFAULT_BACKUP_CODE_COUNT } from './backup-code-format';
import { BackupCodesRepository } from './backup-codes.repository';
import { BackupCodesService } from './backup-codes.service';
import { RegenerateBackupCodes } from './regenerate-backup-codes';

// Settings' backup codes with the real BackupCodesService and audit on a scratch database of each kind. The
// option reads only the flow's identity, so the flow is a plain record; `shown` is what the engine hands the
// presentation that follows the answer (the answer's `next.shown` under the option's name).

jest.setTimeout(120_000);

const NAME = 'RegenerateBackupCodes';

describe.each(['pglite', 'postgres'] as const)('RegenerateBackupCodes on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let backupCodes: BackupCodesService;
  let option: RegenerateBackupCodes;
  let project: Project;
  let application: Application;

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
      settings: ProjectSettings.parse({}),
    };
    application = { id: randomUUID(), projectId: project.id, clientId: 'settings-app' } as Application;
    backupCodes = new BackupCodesService(new BackupCodesRepository(prisma));
    option = new RegenerateBackupCodes(backupCodes, new AuditService(prisma, db.sql));
  });

  afterAll(() => scratch?.dispose());

  async function newIdentity(): Promise<string> {
    const identity = await db.prisma.identity.create({
      data: { projectId: project.id, traits: { email: `${randomUUID()}@example.com` } },
    });
    return identity.id;
  }

  /** The settings flow as the option sees it: a record bound to the identity (no row needed). */
  function settingsFlow(identityId: string, shown?: Record<string, unknown>): AuthenticatorContext {
    const flow: FlowRecord = {
      id: randomUUID(),
      projectId: project.id,
      applicationId: application.id,
      type: 'SETTINGS',
      stepIndex: 0,
      identityId,
      amr: [],
      failedAttempts: 0,
      authRequest: { clientId: application.clientId, scope: 'openid', sessionId: randomUUID() },
      stepState: {},
      expiresAt: new Date(Date.now() + 600_000),
      version: 0,
    };
    return { project, application, flow, ...(shown ? { shown } : {}) };
  }

  /** Generates through the option and commits its effects as the engine does; the answer and the codes it shows. */
  async function regenerate(identityId: string): Promise<{ result: AuthenticationResult; codes: string[] }> {
    const result = await option.authenticate(settingsFlow(identityId));
    if (result.outcome !== 'success') throw new Error(`expected a success, got ${result.outcome}`);
    await db.prisma.$transaction(async (tx) => result.effects?.(tx));
    return { result, codes: result.next?.shown as string[] };
  }

  const consume = async (identityId: string, code: string) =>
    backupCodes.consume((await backupCodes.findLogin(identityId))?.credential, code);
  const prompt = (identityId: string, shown?: Record<string, unknown>) =>
    option.prompt(settingsFlow(identityId, shown));

  it('is a settings action answered without params', () => {
    expect([option.name, option.idp, option.flowTypes, option.requiresInitiation]).toEqual([
      NAME,
      'LOCAL',
      ['SETTINGS'],
      false,
    ]);
  });

  it('shows how many unused codes remain, none before any were generated', async () => {
    const identityId = await newIdentity();
    await expect(prompt(identityId)).resolves.toEqual({
      promptType: 'USER_PROMPT',
      params: [],
      requiredParams: [],
      additionalData: { remaining: '0' },
    });
    await backupCodes.generate(identityId, 4);
    await expect(prompt(identityId)).resolves.toEqual(expect.objectContaining({ additionalData: { remaining: '4' } }));
  });

  it('generates a new set, shown once with the next presentation and never stored in the clear', async () => {
    const identityId = await newIdentity();
    const { result, codes } = await regenerate(identityId);
    expect(result).toEqual({
      outcome: 'success',
      identityId,
      amr: [],
      next: { messages: [SettingsMessages.backupCodesGenerated(DEFAULT_BACKUP_CODE_COUNT)], shown: codes },
      effects: expect.any(Function),
      afterCommit: expect.any(Function),
    });
    expect(codes).toHaveLength(DEFAULT_BACKUP_CODE_COUNT);
    expect(new Set(codes).size).toBe(DEFAULT_BACKUP_CODE_COUNT);
    await expect(backupCodes.status(identityId)).resolves.toMatchObject({ remaining: DEFAULT_BACKUP_CODE_COUNT });
    const stored = JSON.stringify(
      await db.prisma.credential.findFirst({ where: { identityId, type: 'backup_codes' } }),
    );
    for (const code of codes) expect(stored).not.toContain(code.replace(/-/g, ''));

    // The presentation right after the answer shows them, and counts them.
    await expect(prompt(identityId, { [NAME]: codes })).resolves.toEqual({
      promptType: 'USER_PROMPT',
      params: [],
      requiredParams: [],
      additionalData: { remaining: String(codes.length), codes: codes.join(',') },
    });
    // Any later one shows only the count; state meant for another option is not taken for codes.
    await expect(prompt(identityId)).resolves.toMatchObject({
      additionalData: { remaining: String(DEFAULT_BACKUP_CODE_COUNT) },
    });
    await expect(prompt(identityId, { EnrollTotp: ['not', 'codes'], [NAME]: 'nope' })).resolves.toEqual(
      expect.objectContaining({ additionalData: { remaining: String(DEFAULT_BACKUP_CODE_COUNT) } }),
    );
  });

  it('stores the new set only with the step: a step that does not commit leaves the old set working', async () => {
    const identityId = await newIdentity();
    const { codes: kept } = await regenerate(identityId);
    const result = await option.authenticate(settingsFlow(identityId));
    // The answer lost its commit (another answer moved the flow first): its effects never ran.
    expect(result.outcome === 'success' && result.next?.shown).toHaveLength(DEFAULT_BACKUP_CODE_COUNT);
    await expect(consume(identityId, kept[0] as string)).resolves.toBe('accepted');
  });

  it('makes codes that sign in once each, and counts down what remains', async () => {
    const identityId = await newIdentity();
    const { codes } = await regenerate(identityId);
    const [first, second] = codes as [string, string];
    await expect(consume(identityId, first)).resolves.toBe('accepted');
    await expect(consume(identityId, first)).resolves.toBe('used');
    await expect(consume(identityId, ` ${second.toUpperCase()} `)).resolves.toBe('accepted');
    await expect(prompt(identityId)).resolves.toMatchObject({
      additionalData: { remaining: String(DEFAULT_BACKUP_CODE_COUNT - 2) },
    });
  });

  it('replaces the old set: its codes stop working, used or not', async () => {
    const identityId = await newIdentity();
    const old = (await regenerate(identityId)).codes;
    await expect(consume(identityId, old[0] as string)).resolves.toBe('accepted');
    const fresh = (await regenerate(identityId)).codes;
    expect(fresh.filter((code) => old.includes(code))).toEqual([]);
    for (const code of old.slice(0, 3)) await expect(consume(identityId, code)).resolves.toBe('invalid');
    await expect(backupCodes.status(identityId)).resolves.toMatchObject({ remaining: DEFAULT_BACKUP_CODE_COUNT });
    await expect(consume(identityId, fresh[0] as string)).resolves.toBe('accepted');
  });

  it('audits the new set after the commit, with the count and never the codes', async () => {
    const identityId = await newIdentity();
    const { result, codes } = await regenerate(identityId);
    const audited = () => db.prisma.auditEvent.findMany({ where: { identityId, type: 'backup_codes.generated' } });
    expect(await audited()).toEqual([]);
    if (result.outcome === 'success') await result.afterCommit?.();
    const events = await audited();
    expect(events).toEqual([
      expect.objectContaining({
        projectId: project.id,
        clientId: application.clientId,
        data: { count: DEFAULT_BACKUP_CODE_COUNT, via: 'settings' },
      }),
    ]);
    for (const code of codes) expect(JSON.stringify(events)).not.toContain(code);
  });
});
