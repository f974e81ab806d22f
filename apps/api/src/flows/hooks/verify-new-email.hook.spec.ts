import { randomBytes, randomUUID } from 'node:crypto';
import { EmailOutbox } from '../../domain/email/email-outbox';
import { MailRecipientsRepository } from '../../domain/email/mail-recipients.repository';
import { MailRecipients } from '../../domain/email/mail-recipients.service';
import { OutboxWorker } from '../../domain/email/outbox-worker';
import { OutboxRepository } from '../../domain/email/outbox.repository';
import { TemplatesRepository } from '../../domain/email/templates.repository';
import { TemplatesService } from '../../domain/email/templates.service';
import type { ProfileUpdated } from '../../domain/flows/after-flow-hooks';
import { FlowStore } from '../../domain/flows/flow.store';
import { ProjectSettings } from '../../domain/projects/project-settings';
import type { Project } from '../../domain/projects/projects.service';
import { hashCode } from '../../infra/crypto/one-time-code';
import type { Database } from '../../infra/database/database';
import {
  openScratchDatabase,
  type ScratchDatabase,
  singleProcessNotifications,
} from '../../infra/database/scratch-database.testing';
import { emailVerificationStateOf } from '../../methods/email-code/email-code-verification';
import { VerificationCodeMail } from '../verification/verification-code-mail';
import { VerifyNewEmailHook } from './verify-new-email.hook';

// The hook with the real flow store, outbox and templates on a scratch database of each kind: what a settings
// profile update commits for each email address it added.

jest.setTimeout(120_000);

describe.each(['pglite', 'postgres'] as const)('VerifyNewEmailHook on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let hook: VerifyNewEmailHook;
  let flows: FlowStore;
  let payload: Omit<ProfileUpdated, 'addedEmails'>;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    db = scratch.db;
    const { prisma } = db;
    const row = await prisma.project.create({ data: { slug: `p${randomBytes(4).toString('hex')}`, name: 'Acme' } });
    const project: Project = {
      id: row.id,
      slug: row.slug,
      name: row.name,
      issuer: `https://id.example.com/t/${row.slug}`,
      settings: ProjectSettings.parse({}),
    };
    const application = await prisma.application.create({
      data: {
        projectId: project.id,
        clientId: `c${randomBytes(4).toString('hex')}`,
        name: 'App',
        type: 'public',
        redirectUris: ['com.example.app:/cb'],
        grantTypes: ['authorization_code'],
        loginFlow: [['BasicAuthenticator']],
      },
    });
    const identity = await prisma.identity.create({ data: { projectId: project.id, traits: { name: 'Ada' } } });
    flows = new FlowStore(prisma, db.sql);
    const settingsFlow = await flows.create(undefined, {
      projectId: project.id,
      applicationId: application.id,
      type: 'SETTINGS',
      authRequest: { clientId: application.clientId, scope: 'openid', sessionId: randomUUID() },
      identityId: identity.id,
      expiresAt: new Date(Date.now() + 600_000),
    });
    const outboxRepository = new OutboxRepository(prisma);
    const templates = new TemplatesService(new TemplatesRepository(prisma));
    // Never started: enqueued mail stays for the test to read.
    const worker = new OutboxWorker(
      outboxRepository,
      null as never,
      null as never,
      null as never,
      singleProcessNotifications(null as never),
    );
    hook = new VerifyNewEmailHook(
      new VerificationCodeMail(
        flows,
        new MailRecipients(new MailRecipientsRepository(prisma), templates),
        new EmailOutbox(outboxRepository, templates, worker),
      ),
    );
    payload = {
      project,
      flow: settingsFlow,
      identityId: identity.id,
      at: new Date(),
      identity: { traits: { name: 'Ada' }, schemaVersion: 1 },
    };
  });

  afterAll(() => scratch?.dispose());

  it('has work only when the update added an email address', () => {
    expect(hook.wants({ ...payload, addedEmails: [] })).toBe(false);
    expect(hook.wants({ ...payload, addedEmails: ['ada@example.com'] })).toBe(true);
  });

  it('starts a verification flow bound to the identity per added address and mails its code, in the caller’s transaction', async () => {
    // Letters only: the code is read as the mail's first run of 6 to 8 digits, which an address could hold too.
    const addedEmails = [`${letters()}@example.com`, `${letters()}@example.com`];
    const facts = await flows.transaction((tx) => hook.run(tx, { ...payload, addedEmails }));

    expect(facts.verificationFlows.map(({ email }) => email)).toEqual(addedEmails);
    for (const { email, flowId } of facts.verificationFlows) {
      const flow = await flows.findActive(flowId, 'VERIFICATION');
      expect(flow).toMatchObject({ identityId: payload.identityId, applicationId: payload.flow.applicationId });
      expect(emailVerificationStateOf(flow as NonNullable<typeof flow>)).toMatchObject({ email });
      const mail = await db.prisma.outboxMessage.findFirstOrThrow({ where: { toAddress: email } });
      expect(mail).toMatchObject({ kind: 'verification_code', status: 'pending' });
      // The mailed code is the one the flow holds the hash of (never the code itself).
      const code = /\b(\d{6,8})\b/.exec(mail.text)?.[1] ?? '';
      expect(emailVerificationStateOf(flow as NonNullable<typeof flow>)?.pending?.codeHash).toBe(hashCode(code));
    }
  });

  it('writes nothing when the caller’s transaction rolls back', async () => {
    const email = `${randomUUID()}@example.com`;
    await expect(
      flows.transaction(async (tx) => {
        await hook.run(tx, { ...payload, addedEmails: [email] });
        throw new Error('the profile update failed');
      }),
    ).rejects.toThrow('the profile update failed');
    expect(await db.prisma.outboxMessage.count({ where: { toAddress: email } })).toBe(0);
  });
});

/** A random run of lower-case letters. */
function letters(): string {
  return Array.from(randomBytes(16), (byte) => String.fromCharCode(97 + (byte % 26))).join('');
}
