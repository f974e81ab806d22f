import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import type { Application } from '../../domain/applications/application';
import { ApplicationsRepository } from '../../domain/applications/applications.repository';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { AuditService } from '../../domain/audit/audit.service';
import { CONNECTION_PRESETS_TABLE } from '../../domain/connections/connection-presets';
import { ConnectionsRepository } from '../../domain/connections/connections.repository';
import { ConnectionsService } from '../../domain/connections/connections.service';
import { FederatedCredentialsRepository } from '../../domain/federation/federated-credentials.repository';
import { FederatedIdentities } from '../../domain/federation/federated-identities';
import { FlowStore } from '../../domain/flows/flow.store';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { ProjectSettings } from '../../domain/projects/project-settings';
import type { Project } from '../../domain/projects/projects.service';
import { IdentitySchemasRepository } from '../../domain/schemas/identity-schemas.repository';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import { loadConfig, type KeywayConfig } from '../../infra/config/config';
import { SecretBox } from '../../infra/crypto/secret-box';
import type { Database } from '../../infra/database/database';
import {
  openScratchDatabase,
  type ScratchDatabase,
  singleProcessNotifications,
} from '../../infra/database/scratch-database.testing';
import type { AuthenticationResult, AuthenticatorContext } from '../authenticator';
import { UnlinkConnection } from './unlink-connection';

// The settings action that unlinks an account at a connection, with the real connections, federated credential,
// identities and audit on a scratch database of each kind, driven as the engine drives it.

jest.setTimeout(120_000);

describe.each(['pglite', 'postgres'] as const)('UnlinkConnection on %s', (kind) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let flows: FlowStore;
  let identities: IdentitiesRepository;
  let links: FederatedCredentialsRepository;
  let connections: ConnectionsRepository;
  let unlink: UnlinkConnection;
  let project: Project;
  let application: Application;
  let google: { id: string; name: string };
  let github: { id: string; name: string };

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
    const appRow = await prisma.application.create({
      data: {
        projectId: project.id,
        clientId: `c${randomBytes(4).toString('hex')}`,
        name: 'App',
        type: 'public',
        redirectUris: ['com.example.app:/cb'],
        grantTypes: ['authorization_code'],
        appNative: true,
        loginFlow: [['BasicAuthenticator']],
      },
    });
    application = {
      ...appRow,
      loginFlow: appRow.loginFlow as string[][],
      idTokenSignedResponseAlg: 'RS256',
      jwks: null,
    };
    identities = new IdentitiesRepository(prisma, db.sql);
    links = new FederatedCredentialsRepository(prisma);
    const config: KeywayConfig = loadConfig({ KEYWAY_DATA_DIR: tmpdir(), KEYWAY_PUBLIC_URL: 'https://id.example.com' });
    connections = new ConnectionsRepository(prisma, new SecretBox(config), links, singleProcessNotifications(prisma));
    const schemas = new IdentitySchemasService(new IdentitySchemasRepository(prisma));
    const federated = new FederatedIdentities(identities, links, schemas);
    const service = new ConnectionsService(
      connections,
      new ApplicationsService(new ApplicationsRepository(prisma), singleProcessNotifications(prisma)),
      schemas,
      federated,
      config,
    );
    unlink = new UnlinkConnection(service, federated, new AuditService(prisma, db.sql));
    flows = new FlowStore(prisma, db.sql);
    const connection = (preset: 'google' | 'github') => {
      const table = CONNECTION_PRESETS_TABLE[preset];
      return connections.create(project.id, {
        name: preset,
        kind: table.kind,
        preset,
        clientId: 'client',
        clientSecret: null,
        allowedAudiences: [],
        scopes: table.scopes,
        discoveryUrl: null,
        claimMapping: table.claimMapping,
        trustEmailVerified: false,
        linkingPolicy: 'proof',
        applications: [],
        ...table.endpoints!,
      });
    };
    google = await connection('google');
    github = await connection('github');
  });

  afterAll(() => scratch?.dispose());

  /** An identity with a password (or none), linked to the connections given. */
  async function identity(password: boolean, ...linked: { id: string }[]): Promise<string> {
    const email = `${randomUUID()}@example.com`;
    const { id } = await identities.create(undefined, {
      projectId: project.id,
      traits: { email },
      schemaVersion: 1,
      ...(password ? { passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA' } : {}),
      identifiers: password ? [email] : [],
      addresses: [],
    });
    for (const connection of linked)
      expect(await links.addLink(undefined, project.id, id, connection.id, `sub-${randomUUID()}`)).toBe('linked');
    return id;
  }

  async function settingsFlow(identityId: string): Promise<AuthenticatorContext> {
    const flow = await flows.create(undefined, {
      projectId: project.id,
      applicationId: application.id,
      type: 'SETTINGS',
      identityId,
      authRequest: { clientId: application.clientId, scope: 'openid', sessionId: randomUUID() },
      expiresAt: new Date(Date.now() + 600_000),
    });
    return { project, application, flow };
  }

  const audited = (identityId: string) =>
    db.prisma.auditEvent.findMany({ where: { identityId, type: 'linked_account.removed' } });

  it('is a settings action offered only to an identity with a linked account', async () => {
    expect([unlink.name, unlink.flowTypes, unlink.requiresInitiation]).toEqual([
      'UnlinkConnection',
      ['SETTINGS'],
      false,
    ]);
    await expect(unlink.isOffered(await settingsFlow(await identity(true)))).resolves.toBe(false);
    await expect(unlink.isOffered(await settingsFlow(await identity(true, google)))).resolves.toBe(true);
  });

  it('lists the linked connections in additionalData, never the provider subject', async () => {
    const context = await settingsFlow(await identity(true, google, github));
    const prompt = await unlink.prompt(context);
    expect(prompt).toMatchObject({
      promptType: 'USER_PROMPT',
      params: [expect.objectContaining({ param: 'connectionId', type: 'STRING', confidential: false })],
      requiredParams: ['connectionId'],
    });
    expect(JSON.parse(prompt.additionalData?.['connections'] ?? '')).toEqual([
      { connectionId: google.id, name: 'google', displayName: 'Google', linkedAt: expect.any(String) },
      { connectionId: github.id, name: 'github', displayName: 'GitHub', linkedAt: expect.any(String) },
    ]);
    expect(prompt.additionalData?.['connections']).not.toContain('sub-');
  });

  it('unlinks one account, keeps the other, and audits it after the commit', async () => {
    const identityId = await identity(false, google, github);
    const result: AuthenticationResult = await unlink.authenticate(await settingsFlow(identityId), {
      connectionId: google.id,
    });
    expect(result).toMatchObject({
      outcome: 'success',
      identityId,
      next: { messages: [expect.objectContaining({ messageId: 'msg_connection_unlinked', type: 'INFO' })] },
    });
    expect((await links.listLinks(identityId)).map((link) => link.connectionId)).toEqual([github.id]);
    expect(await audited(identityId)).toEqual([]);
    if (result.outcome === 'success') await result.afterCommit?.();
    expect(await audited(identityId)).toEqual([
      expect.objectContaining({
        clientId: application.clientId,
        data: { connectionId: google.id, connection: 'google', via: 'settings' },
      }),
    ]);
  });

  it('refuses the last way to sign in, and keeps it', async () => {
    const identityId = await identity(false, google);
    const result = await unlink.authenticate(await settingsFlow(identityId), { connectionId: google.id });
    expect(result).toEqual({
      outcome: 'failure',
      message: expect.objectContaining({ messageId: 'msg_last_sign_in_method', type: 'ERROR' }),
    });
    expect(await links.listLinks(identityId)).toHaveLength(1);
    // With a password it may go.
    const withPassword = await identity(true, google);
    const allowed = await unlink.authenticate(await settingsFlow(withPassword), { connectionId: google.id });
    expect(allowed.outcome).toBe('success');
    expect(await links.listLinks(withPassword)).toEqual([]);
  });

  it('refuses a connection the identity is not linked to, by field', async () => {
    const identityId = await identity(true, google);
    for (const connectionId of [github.id, randomUUID(), 'not-a-uuid', ''])
      expect(await unlink.authenticate(await settingsFlow(identityId), { connectionId })).toEqual({
        outcome: 'failure',
        message: expect.objectContaining({
          messageId: 'msg_connection_not_linked',
          context: [{ key: 'field', value: 'connectionId' }],
        }),
      });
    expect(await links.listLinks(identityId)).toHaveLength(1);
  });
});
