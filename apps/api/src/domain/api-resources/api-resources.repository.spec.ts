import { randomBytes } from 'node:crypto';
import {
  openScratchDatabase,
  singleProcessNotifications,
  type ScratchDatabase,
} from '../../infra/database/scratch-database.testing';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import { ApiResourcesRepository } from './api-resources.repository';

// API resources and applications' grants of them on both databases: identifiers unique per project, scopes taken
// off a resource taken out of its grants, grants replaced whole, and the token endpoint's one lookup.

jest.setTimeout(120_000);

describe.each(['pglite', 'postgres'] as const)('ApiResourcesRepository on %s', (kind) => {
  let scratch: ScratchDatabase;
  let repository: ApiResourcesRepository;

  beforeAll(async () => {
    scratch = await openScratchDatabase(kind);
    repository = new ApiResourcesRepository(scratch.db.prisma, singleProcessNotifications(scratch.db.prisma));
  });
  afterAll(() => scratch?.dispose());

  const newProject = async () =>
    (await scratch.db.prisma.project.create({ data: { slug: `p-${randomBytes(4).toString('hex')}`, name: 'P' } })).id;
  const newApplication = async (projectId: string) =>
    (
      await scratch.db.prisma.application.create({
        data: {
          projectId,
          clientId: `c-${randomBytes(6).toString('hex')}`,
          name: 'Worker',
          type: 'confidential',
          redirectUris: [],
          grantTypes: ['client_credentials'],
        },
      })
    ).id;
  const scopes = (...names: string[]) => names.map((name) => ({ name, description: `may ${name}` }));
  const orders = (projectId: string) =>
    repository.create(projectId, {
      identifier: 'https://api.example.com/orders',
      name: 'Orders',
      scopes: scopes('orders:read', 'orders:write'),
      accessTokenTtlSeconds: 300,
    });

  it('creates, reads, lists and deletes a resource, with its scopes in order', async () => {
    const projectId = await newProject();
    const created = await orders(projectId);
    expect(created).toMatchObject({
      projectId,
      identifier: 'https://api.example.com/orders',
      scopes: [
        { name: 'orders:read', description: 'may orders:read' },
        { name: 'orders:write', description: 'may orders:write' },
      ],
      accessTokenTtlSeconds: 300,
    });
    expect(await repository.find(projectId, created.id)).toEqual(created);
    expect(await repository.list(projectId)).toEqual([created]);
    // Another project does not see it, nor delete it.
    const other = await newProject();
    expect(await repository.find(other, created.id)).toBeUndefined();
    expect(await repository.delete(other, created.id)).toBe(false);
    expect(await repository.delete(projectId, created.id)).toBe(true);
    expect(await repository.list(projectId)).toEqual([]);
  });

  it('keeps identifiers unique per project, not across projects', async () => {
    const projectId = await newProject();
    await orders(projectId);
    expect(isUniqueViolation(await orders(projectId).catch((error: unknown) => error))).toBe(true);
    await expect(orders(await newProject())).resolves.toMatchObject({ name: 'Orders' });
  });

  it('replaces an application’s grants whole and reads them with their resources', async () => {
    const projectId = await newProject();
    const applicationId = await newApplication(projectId);
    const first = await orders(projectId);
    const second = await repository.create(projectId, {
      identifier: 'urn:example:billing',
      name: 'Billing',
      scopes: scopes('invoices:read'),
      accessTokenTtlSeconds: null,
    });
    await repository.replaceGrants(applicationId, [{ resourceId: first.id, scopes: ['orders:read'] }]);
    const replaced = await repository.replaceGrants(applicationId, [
      { resourceId: first.id, scopes: ['orders:write'] },
      { resourceId: second.id, scopes: [] },
    ]);
    expect(replaced.map((grant) => [grant.resource.identifier, grant.scopes])).toEqual([
      ['https://api.example.com/orders', ['orders:write']],
      ['urn:example:billing', []],
    ]);
    expect(await repository.grantsOf(applicationId)).toEqual(replaced);
    expect(await repository.replaceGrants(applicationId, [])).toEqual([]);
  });

  it('finds the grant of one resource for the token endpoint, or up to two without one', async () => {
    const projectId = await newProject();
    const applicationId = await newApplication(projectId);
    const other = await newApplication(projectId);
    const resources = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        repository.create(projectId, {
          identifier: `https://${name}.example`,
          name,
          scopes: [],
          accessTokenTtlSeconds: null,
        }),
      ),
    );
    await repository.replaceGrants(
      applicationId,
      resources.map((resource) => ({ resourceId: resource.id, scopes: [] })),
    );
    await repository.replaceGrants(other, [{ resourceId: resources[0]!.id, scopes: [] }]);

    const one = await repository.grantsForToken(applicationId, 'https://b.example');
    expect(one.map((grant) => grant.resource.identifier)).toEqual(['https://b.example']);
    expect(await repository.grantsForToken(applicationId, 'https://unknown.example')).toEqual([]);
    expect(await repository.grantsForToken(applicationId, undefined)).toHaveLength(2);
    expect(await repository.grantsForToken(other, undefined)).toHaveLength(1);
    expect(await repository.grantsForToken(other, 'https://b.example')).toEqual([]);
  });

  it('takes scopes removed from a resource out of its grants, and leaves the rest alone', async () => {
    const projectId = await newProject();
    const applicationId = await newApplication(projectId);
    const resource = await orders(projectId);
    await repository.replaceGrants(applicationId, [
      { resourceId: resource.id, scopes: ['orders:read', 'orders:write'] },
    ]);

    const renamed = await repository.update(projectId, resource.id, { name: 'Orders API' });
    expect(renamed).toMatchObject({ name: 'Orders API', scopes: resource.scopes, accessTokenTtlSeconds: 300 });
    expect((await repository.grantsOf(applicationId))[0]!.scopes).toEqual(['orders:read', 'orders:write']);

    const narrowed = await repository.update(projectId, resource.id, {
      scopes: scopes('orders:write', 'orders:admin'),
      accessTokenTtlSeconds: null,
    });
    expect(narrowed).toMatchObject({ accessTokenTtlSeconds: null, scopes: scopes('orders:write', 'orders:admin') });
    expect((await repository.grantsOf(applicationId))[0]!.scopes).toEqual(['orders:write']);

    expect(await repository.update(await newProject(), resource.id, { name: 'x' })).toBeUndefined();
  });

  it("the token endpoint's cached grants follow every change: new grants, narrowed scopes, a deleted resource", async () => {
    const projectId = await newProject();
    const applicationId = await newApplication(projectId);
    const resource = await orders(projectId);
    expect(await repository.grantsForToken(applicationId, undefined)).toEqual([]);
    await repository.replaceGrants(applicationId, [
      { resourceId: resource.id, scopes: ['orders:read', 'orders:write'] },
    ]);
    expect((await repository.grantsForToken(applicationId, resource.identifier))[0]!.scopes).toEqual([
      'orders:read',
      'orders:write',
    ]);
    await repository.update(projectId, resource.id, { scopes: scopes('orders:write'), accessTokenTtlSeconds: 60 });
    const [narrowed] = await repository.grantsForToken(applicationId, resource.identifier);
    expect(narrowed).toMatchObject({ scopes: ['orders:write'], resource: { accessTokenTtlSeconds: 60 } });
    await repository.delete(projectId, resource.id);
    expect(await repository.grantsForToken(applicationId, resource.identifier)).toEqual([]);
  });

  it('deleting a resource or an application deletes their grants', async () => {
    const projectId = await newProject();
    const applicationId = await newApplication(projectId);
    const resource = await orders(projectId);
    await repository.replaceGrants(applicationId, [{ resourceId: resource.id, scopes: [] }]);
    await repository.delete(projectId, resource.id);
    expect(await repository.grantsOf(applicationId)).toEqual([]);

    const again = await orders(projectId);
    await repository.replaceGrants(applicationId, [{ resourceId: again.id, scopes: [] }]);
    await scratch.db.prisma.application.delete({ where: { id: applicationId } });
    expect(await scratch.db.prisma.applicationResourceGrant.count({ where: { resourceId: again.id } })).toBe(0);
  });

  it('finds the project’s resources by identifier, never another project’s', async () => {
    const projectId = await newProject();
    const resource = await orders(projectId);
    await orders(await newProject());
    expect(
      await repository.findByIdentifiers(projectId, ['https://api.example.com/orders', 'https://nothing.example']),
    ).toEqual([resource]);
  });
});
