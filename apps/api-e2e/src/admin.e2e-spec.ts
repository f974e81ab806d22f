import { randomBytes } from 'node:crypto';
import { adminApi, get, postJson } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

describe('admin API', () => {
  let server: KeywayServer;
  let admin: ReturnType<typeof adminApi>;
  const slug = `acme-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    server = await startKeyway();
    admin = adminApi(server);
  });
  afterAll(() => server?.stop());

  it('refuses requests without the admin token, or with a wrong one', async () => {
    const none = await postJson(`${server.baseUrl}/api/admin/v1/projects`, { slug: 'x', name: 'x' });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({
      code: 'KW-40100',
      message: expect.any(String),
      description: expect.any(String),
      traceId: expect.any(String),
    });
    const wrong = await postJson(
      `${server.baseUrl}/api/admin/v1/projects`,
      { slug: 'x', name: 'x' },
      { authorization: 'Bearer nope' },
    );
    expect(wrong.status).toBe(401);
  });

  it('creates a project with its own issuer', async () => {
    const created = await admin.post('/projects', { slug, name: 'Acme' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), slug, issuer: `${server.baseUrl}/t/${slug}` });
    expect((await admin.post('/projects', { slug, name: 'Again' })).status).toBe(409);
    expect((await admin.get(`/projects/${slug}`)).body.slug).toBe(slug);
  });

  it('validates project input', async () => {
    for (const body of [
      { slug: 'Bad Slug', name: 'x' },
      { slug: 'ok' },
      { slug: 'ok', name: 'x', extra: 1 },
      { slug: 'ok', name: 'x', settings: { lockout: { maxAttempts: 0 } } },
    ]) {
      const response = await admin.post('/projects', body);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('KW-40000');
      expect(response.body.description).toEqual(expect.any(String));
    }
  });

  it('creates public and confidential applications; the secret is returned once', async () => {
    const publicApp = await admin.post(`/projects/${slug}/applications`, {
      name: 'Mobile',
      type: 'public',
      redirectUris: ['com.acme.mobile:/callback', 'http://127.0.0.1/callback'],
      grantTypes: ['authorization_code', 'refresh_token'],
      appNative: true,
    });
    expect(publicApp.status).toBe(201);
    expect(publicApp.body.clientId).toEqual(expect.any(String));
    expect(publicApp.body).not.toHaveProperty('clientSecret');

    const confidential = await admin.post(`/projects/${slug}/applications`, {
      name: 'Backend',
      type: 'confidential',
      redirectUris: ['https://acme.example/cb'],
      grantTypes: ['authorization_code'],
    });
    expect(confidential.status).toBe(201);
    expect(confidential.body.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const listed = await admin.get(`/projects/${slug}/applications`);
    expect(listed.body).toHaveLength(2);
    expect(JSON.stringify(listed.body)).not.toContain(confidential.body.clientSecret);
  });

  it('validates application input', async () => {
    const bad = [
      { name: 'x', type: 'public', redirectUris: ['http://evil.example/cb'] },
      { name: 'x', type: 'public', redirectUris: ['https://a.example/cb#frag'] },
      { name: 'x', type: 'spa', redirectUris: ['https://a.example/cb'] },
      { name: 'x', type: 'public', redirectUris: [] },
      { name: 'x', type: 'public', redirectUris: ['https://a.example/cb'], grantTypes: ['implicit'] },
    ];
    for (const body of bad) expect((await admin.post(`/projects/${slug}/applications`, body)).status).toBe(400);
    expect(
      (
        await admin.post('/projects/missing/applications', {
          name: 'x',
          type: 'public',
          redirectUris: ['https://a.example/cb'],
        })
      ).status,
    ).toBe(404);
  });

  it('creates identities, refusing duplicates and weak or malformed input', async () => {
    const created = await admin.post(`/projects/${slug}/identities`, {
      traits: { email: 'Ann@Acme.example', name: 'Ann' },
      password: 'correct horse battery',
    });
    expect(created.status).toBe(201);
    expect(created.body.id).toEqual(expect.any(String));
    expect(JSON.stringify(created.body)).not.toContain('correct horse');
    expect(
      (
        await admin.post(`/projects/${slug}/identities`, {
          traits: { email: 'ann@acme.example' },
          password: 'another password',
        })
      ).status,
    ).toBe(409);
    expect((await admin.post(`/projects/${slug}/identities`, { traits: { email: 'not-an-email' } })).status).toBe(400);
    expect(
      (await admin.post(`/projects/${slug}/identities`, { traits: { email: 'b@acme.example' }, password: 'short' }))
        .status,
    ).toBe(400);
    expect((await admin.get(`/projects/${slug}/identities/${created.body.id}`)).body.traits).toEqual({
      email: 'Ann@Acme.example',
      name: 'Ann',
    });
    expect((await admin.get(`/projects/${slug}/identities/not-a-uuid`)).status).toBe(404);
  });

  it('serves the OpenAPI document', async () => {
    const doc = await get(`${server.baseUrl}/api/docs/openapi.json`);
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/admin/v1/projects', '/t/{tenant}/oauth2/authn', '/t/{tenant}/oauth2/token']),
    );
  });

  it('answers 404 in the API error shape for unknown routes', async () => {
    const response = await get(`${server.baseUrl}/api/admin/v1/nothing-here`, {
      authorization: `Bearer ${server.adminToken}`,
    });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('KW-40400');
  });
});
