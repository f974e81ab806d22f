import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminApiError, createAdminClient, ok } from './index';

/** A real HTTP server standing in for the API's wire: it records each request and answers as told. */
describe('the admin client', () => {
  let server: Server;
  let baseUrl: string;
  const seen: { method: string; url: string; authorization?: string; body: string }[] = [];
  let answer: { status: number; body?: unknown } = { status: 200, body: {} };

  beforeAll(async () => {
    server = createServer(async (request: IncomingMessage, response) => {
      let body = '';
      for await (const chunk of request) body += chunk;
      seen.push({ method: request.method!, url: request.url!, authorization: request.headers.authorization, body });
      response.writeHead(answer.status, answer.body === undefined ? {} : { 'content-type': 'application/json' });
      response.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => (seen.length = 0));

  it('fills the path template, sends the key as a Bearer token and returns the typed body', async () => {
    answer = { status: 200, body: [{ clientId: 'app' }] };
    const admin = createAdminClient({ baseUrl, apiKey: 'kwk_id_secret' });
    const apps = await ok(
      admin.GET('/api/admin/v1/projects/{slug}/applications', { params: { path: { slug: 'a b/c' } } }),
    );
    expect(apps).toEqual([{ clientId: 'app' }]);
    expect(seen).toEqual([
      expect.objectContaining({
        method: 'GET',
        url: '/api/admin/v1/projects/a%20b%2Fc/applications',
        authorization: 'Bearer kwk_id_secret',
      }),
    ]);
  });

  it('sends the body as JSON and the query string from params', async () => {
    answer = { status: 200, body: { items: [] } };
    const admin = createAdminClient({ baseUrl: baseUrl.slice(0, -1) });
    await ok(
      admin.GET('/api/admin/v1/projects/{slug}/identities', {
        params: { path: { slug: 'acme' }, query: { q: 'ada@example.com', state: 'active' } },
      }),
    );
    await ok(admin.POST('/api/admin/v1/projects', { body: { slug: 'acme', name: 'Acme' } }));
    expect(seen.map(({ method, url, body }) => [method, url, body])).toEqual([
      ['GET', '/api/admin/v1/projects/acme/identities?q=ada%40example.com&state=active', ''],
      ['POST', '/api/admin/v1/projects', JSON.stringify({ slug: 'acme', name: 'Acme' })],
    ]);
  });

  it('turns a refusal into an AdminApiError with the status, code and per-field messages', async () => {
    answer = {
      status: 400,
      body: { code: 'KW-40000', message: 'Invalid request.', fields: [{ field: 'slug', message: 'Too short.' }] },
    };
    const admin = createAdminClient({ baseUrl });
    const refused = await ok(admin.POST('/api/admin/v1/projects', { body: { slug: 'a', name: 'A' } })).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(AdminApiError);
    expect(refused).toMatchObject({ status: 400, body: { code: 'KW-40000' }, message: 'Invalid request.' });
    expect((refused as AdminApiError).fieldMessage('slug')).toBe('Too short.');
  });

  it('names the status when a refusal carries no error body (a proxy in between)', async () => {
    answer = { status: 502 };
    const refused = await ok(createAdminClient({ baseUrl }).GET('/api/admin/v1/me')).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 502, body: { code: 'HTTP-502' } });
  });

  it('answers undefined for a 204', async () => {
    answer = { status: 204 };
    const admin = createAdminClient({ baseUrl });
    await expect(
      ok(admin.DELETE('/api/admin/v1/projects/{slug}/api-keys/{id}', { params: { path: { slug: 'acme', id: 'k' } } })),
    ).resolves.toBeUndefined();
  });
});
