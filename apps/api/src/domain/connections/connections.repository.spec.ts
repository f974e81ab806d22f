import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../infra/crypto/secret-box';
import type { KeywayConfig } from '../../infra/config/config';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import {
  openScratchDatabase,
  singleProcessNotifications,
  type ScratchDatabase,
} from '../../infra/database/scratch-database.testing';
import { FederatedCredentialsRepository } from '../federation/federated-credentials.repository';
import { IdentitiesRepository } from '../identities/identities.repository';
import { CONNECTION_PRESETS_TABLE } from './connection-presets';
import { ConnectionsRepository, type NewConnection } from './connections.repository';

// Connections on both databases: names unique per project, the client secret sealed at rest (the column never
// holds it in clear), the applications they are offered on replaced whole and gone with the application, and
// every user's link to a connection gone with it.

jest.setTimeout(120_000);

describe.each(['pglite', 'postgres'] as const)('ConnectionsRepository on %s', (kind) => {
  let scratch: ScratchDatabase;
  let repository: ConnectionsRepository;
  let links: FederatedCredentialsRepository;
  let identities: IdentitiesRepository;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    const secretBox = new SecretBox({ secretKey: randomBytes(32) } as unknown as KeywayConfig);
    links = new FederatedCredentialsRepository(scratch.db.prisma);
    identities = new IdentitiesRepository(scratch.db.prisma, scratch.db.sql);
    repository = new ConnectionsRepository(
      scratch.db.prisma,
      secretBox,
      links,
      singleProcessNotifications(scratch.db.prisma),
    );
  });
  afterAll(() => scratch?.dispose());

  const newProject = async () =>
    (await scratch.db.prisma.project.create({ data: { slug: `p-${randomBytes(4).toString('hex')}`, name: 'P' } })).id;
  const newApplication = async (projectId: string) =>
    scratch.db.prisma.application.create({
      data: {
        projectId,
        clientId: `c-${randomBytes(6).toString('hex')}`,
        name: 'Shop',
        type: 'public',
        redirectUris: ['https://shop.example/cb'],
        grantTypes: ['authorization_code'],
      },
    });
  const google = (overrides: Partial<NewConnection> = {}): NewConnection => {
    const preset = CONNECTION_PRESETS_TABLE.google;
    return {
      name: 'google',
      kind: 'oidc',
      preset: 'google',
      clientId: 'web.apps.googleusercontent.com',
      clientSecret: 'GOCSPX-plaintext-secret',
      allowedAudiences: ['ios.apps.googleusercontent.com'],
      scopes: preset.scopes,
      discoveryUrl: null,
      claimMapping: preset.claimMapping,
      trustEmailVerified: true,
      linkingPolicy: 'trust-verified-email',
      applications: [],
      ...preset.endpoints!,
      ...overrides,
    };
  };

  it('creates, reads, lists and deletes a connection; another project neither sees nor deletes it', async () => {
    const projectId = await newProject();
    const created = await repository.create(projectId, google());
    expect(created).toMatchObject({
      projectId,
      name: 'google',
      kind: 'oidc',
      clientSecretSet: true,
      allowedAudiences: ['ios.apps.googleusercontent.com'],
      issuer: 'https://accounts.google.com',
      claimMapping: { email: 'email', name: 'name' },
      linkingPolicy: 'trust-verified-email',
      applications: [],
    });
    expect(created).not.toHaveProperty('clientSecret');
    expect(await repository.find(projectId, created.id)).toEqual(created);
    expect(await repository.list(projectId)).toEqual([created]);
    const other = await newProject();
    expect(await repository.find(other, created.id)).toBeUndefined();
    expect(await repository.delete(other, created.id)).toBeUndefined();
    expect(await repository.delete(projectId, created.id)).toEqual({ linksRemoved: 0, identitiesStranded: 0 });
    expect(await repository.delete(projectId, created.id)).toBeUndefined();
    expect(await repository.list(projectId)).toEqual([]);
  });

  it('seals the client secret: the column never holds it in clear, and it opens again', async () => {
    const projectId = await newProject();
    const created = await repository.create(projectId, google());
    const row = await scratch.db.prisma.connection.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.clientSecretSealed).toBeTruthy();
    expect(row.clientSecretSealed).not.toContain('GOCSPX-plaintext-secret');
    expect(await repository.clientSecretOf(projectId, created.id)).toBe('GOCSPX-plaintext-secret');

    await repository.update(projectId, created.id, { clientSecret: 'rotated-secret' });
    const rotated = await scratch.db.prisma.connection.findUniqueOrThrow({ where: { id: created.id } });
    expect(rotated.clientSecretSealed).not.toContain('rotated-secret');
    expect(await repository.clientSecretOf(projectId, created.id)).toBe('rotated-secret');

    // Omitted keeps it; null removes it.
    await repository.update(projectId, created.id, { scopes: ['openid'] });
    expect(await repository.clientSecretOf(projectId, created.id)).toBe('rotated-secret');
    const removed = await repository.update(projectId, created.id, { clientSecret: null });
    expect(removed?.clientSecretSet).toBe(false);
    expect(await repository.clientSecretOf(projectId, created.id)).toBeNull();
  });

  it('keeps names unique per project, not across projects', async () => {
    const projectId = await newProject();
    await repository.create(projectId, google());
    expect(isUniqueViolation(await repository.create(projectId, google()).catch((error: unknown) => error))).toBe(true);
    await expect(repository.create(await newProject(), google())).resolves.toMatchObject({ name: 'google' });
  });

  it('replaces the applications a connection is offered on, and drops an application that is deleted', async () => {
    const projectId = await newProject();
    const [web, mobile] = [await newApplication(projectId), await newApplication(projectId)];
    const created = await repository.create(
      projectId,
      google({ applications: [{ applicationId: web.id, mode: 'redirect' }] }),
    );
    expect(created.applications).toEqual([{ applicationId: web.id, clientId: web.clientId, mode: 'redirect' }]);

    const replaced = await repository.update(projectId, created.id, {
      applications: [
        { applicationId: mobile.id, mode: 'native' },
        { applicationId: web.id, mode: 'both' },
      ],
      linkingPolicy: 'never',
    });
    expect(replaced?.linkingPolicy).toBe('never');
    expect(new Set(replaced?.applications.map((application) => `${application.clientId}:${application.mode}`))).toEqual(
      new Set([`${mobile.clientId}:native`, `${web.clientId}:both`]),
    );
    // The applications alone (no other field) are a change too.
    const alone = await repository.update(projectId, created.id, {
      applications: [{ applicationId: web.id, mode: 'redirect' }],
    });
    expect(alone?.applications).toEqual([{ applicationId: web.id, clientId: web.clientId, mode: 'redirect' }]);
    await repository.update(projectId, created.id, {
      applications: [
        { applicationId: mobile.id, mode: 'native' },
        { applicationId: web.id, mode: 'both' },
      ],
    });

    await scratch.db.prisma.application.delete({ where: { id: mobile.id } });
    expect((await repository.find(projectId, created.id))?.applications).toEqual([
      { applicationId: web.id, clientId: web.clientId, mode: 'both' },
    ]);
    expect(await repository.update(await newProject(), created.id, { clientId: 'x' })).toBeUndefined();
  });

  it("deletes every user's link with the connection, and counts the users it leaves without a way in", async () => {
    const projectId = await newProject();
    const [kept, gone, third] = [
      await repository.create(projectId, google({ name: 'apple' })),
      await repository.create(projectId, google()),
      await repository.create(projectId, google({ name: 'github' })),
    ];
    const identity = async (password: boolean) =>
      (
        await identities.create(undefined, {
          projectId,
          traits: {},
          schemaVersion: 1,
          ...(password
            ? {
                passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
                identifiers: [`u${randomBytes(4).toString('hex')}@example.com`],
              }
            : { identifiers: [] }),
          addresses: [],
        })
      ).id;
    // Only the connection: stranded. A password too: fine. Another link too: fine, and that link stays.
    const [onlyThis, withPassword, withOther] = [await identity(false), await identity(true), await identity(false)];
    // withOther: kept, gone, third, in this order; the links that stay keep their order.
    expect(await links.addLink(undefined, projectId, withOther, kept.id, 's3')).toBe('linked');
    for (const [identityId, subject] of [
      [onlyThis, 's1'],
      [withPassword, 's2'],
      [withOther, 's3'],
    ] as const)
      expect(await links.addLink(undefined, projectId, identityId, gone.id, subject)).toBe('linked');
    expect(await links.addLink(undefined, projectId, withOther, third.id, 's3')).toBe('linked');

    expect(await repository.delete(projectId, gone.id)).toEqual({ linksRemoved: 3, identitiesStranded: 1 });
    expect(await links.listLinks(onlyThis)).toEqual([]);
    expect(await links.listLinks(withPassword)).toEqual([]);
    expect(await links.listLinks(withOther)).toEqual([
      expect.objectContaining({ connectionId: kept.id, subject: 's3' }),
      expect.objectContaining({ connectionId: third.id, subject: 's3' }),
    ]);
    expect(await links.findLinkedIdentity(projectId, gone.id, 's1')).toBeUndefined();
    expect(
      await scratch.db.prisma.credentialIdentifier.count({
        where: { projectId, type: 'oidc', identifier: { startsWith: `${gone.id}:` } },
      }),
    ).toBe(0);
    expect(await links.findLinkedIdentity(projectId, kept.id, 's3')).toBe(withOther);
  });

  it('keeps the links when the deletion rolls back (a failure after the links went)', async () => {
    const projectId = await newProject();
    const connection = await repository.create(projectId, google());
    const identityId = (
      await identities.create(undefined, { projectId, traits: {}, schemaVersion: 1, identifiers: [], addresses: [] })
    ).id;
    await links.addLink(undefined, projectId, identityId, connection.id, 'sub');
    const failing = new ConnectionsRepository(
      scratch.db.prisma,
      new SecretBox({ secretKey: randomBytes(32) } as unknown as KeywayConfig),
      {
        removeConnectionLinks: async (...args: Parameters<FederatedCredentialsRepository['removeConnectionLinks']>) => {
          await links.removeConnectionLinks(...args);
          throw new Error('boom');
        },
      } as unknown as FederatedCredentialsRepository,
      singleProcessNotifications(scratch.db.prisma),
    );
    await expect(failing.delete(projectId, connection.id)).rejects.toThrow('boom');
    expect(await repository.find(projectId, connection.id)).toBeDefined();
    expect(await links.findLinkedIdentity(projectId, connection.id, 'sub')).toBe(identityId);
  });
});
