import { randomBytes } from 'node:crypto';
import {
  adminApi,
  createTenant,
  get,
  postForm,
  postJson,
  putJson,
  startFlow,
  submitPassword,
  type JsonResponse,
  type Tenant,
} from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';
import { eventually, SmtpSink } from '@keyway/e2e-support';

const FORM_ID = Buffer.from('PasswordRegistration:LOCAL').toString('base64url');
const CODE_ID = Buffer.from('EmailCodeVerification:LOCAL').toString('base64url');

/** What RFC 6749 §5.1 asks of a response carrying tokens or secrets. */
function expectNotStored(response: JsonResponse, what: string): void {
  expect({
    what,
    status: response.status,
    cacheControl: response.headers.get('cache-control'),
    pragma: response.headers.get('pragma'),
  }).toEqual({
    what,
    status: expect.any(Number),
    cacheControl: 'no-store',
    pragma: 'no-cache',
  });
  expect(response.status).toBeLessThan(300);
}

describe('security headers', () => {
  describe('on a development server (http public URL)', () => {
    let server: KeywayServer;
    let tenant: Tenant;
    const sink = new SmtpSink();

    beforeAll(async () => {
      await sink.start();
      server = await startKeyway({ env: { KEYWAY_EMAIL_POLL_MS: '100' } });
      tenant = await createTenant(server);
      const smtp = { host: '127.0.0.1', port: sink.port, tlsMode: 'none', fromAddress: 'accounts@acme.example' };
      expect(
        (
          await putJson(`${server.baseUrl}/api/admin/v1/projects/${tenant.slug}/email/smtp`, smtp, {
            authorization: `Bearer ${server.adminToken}`,
          })
        ).status,
      ).toBe(200);
    }, 90_000);
    afterAll(async () => {
      await server?.stop();
      await sink.stop();
    });

    it('marks every answer that carries tokens, codes or secrets no-store', async () => {
      const app = await adminApi(server).post(`/projects/${tenant.slug}/applications`, {
        name: 'Confidential',
        type: 'confidential',
        redirectUris: ['https://app.example/cb'],
      });
      expect(app.body.clientSecret).toEqual(expect.any(String));
      expectNotStored(app, 'application creation (client secret)');

      const { response, verifier } = await startFlow(tenant);
      const done = await submitPassword(tenant, response.body.flowId, tenant.email, tenant.password);
      expect(done.body.authData.code).toEqual(expect.any(String));
      expectNotStored(done, '/oauth2/authn with a code');
      const tokens = await postForm(`${tenant.issuer}/oauth2/token`, {
        grant_type: 'authorization_code',
        code: done.body.authData.code,
        client_id: tenant.clientId,
        redirect_uri: tenant.redirectUri,
        code_verifier: verifier,
      });
      const bearer = { authorization: `Bearer ${tokens.body.access_token}` };

      const userinfo = await get(`${tenant.issuer}/oauth2/userinfo`, bearer);
      expect(userinfo.body.sub).toEqual(expect.any(String));
      expectNotStored(userinfo, 'userinfo');
      const backupCodes = await postJson(`${tenant.issuer}/me/backup-codes`, {}, bearer);
      expect(backupCodes.body.codes).toHaveLength(10);
      expectNotStored(backupCodes, 'POST /me/backup-codes');
      const totp = await postJson(`${tenant.issuer}/me/totp`, {}, bearer);
      expect(totp.body.secret).toEqual(expect.any(String));
      expectNotStored(totp, 'POST /me/totp');

      // Registration started with only a client_id ends in a session: the token response.
      const email = `reg-${randomBytes(4).toString('hex')}@example.com`;
      const started = await postJson(`${tenant.issuer}/flows/registration`, {
        client_id: tenant.clientId,
        scope: 'openid email',
      });
      await postJson(`${tenant.issuer}/flows/registration`, {
        flowId: started.body.flowId,
        selectedAuthenticator: {
          authenticatorId: FORM_ID,
          params: { 'traits.email': email, password: 'correct horse battery' },
        },
      });
      const mail = await eventually(async () => {
        const found = sink.messages.find((m) => m.to && !Array.isArray(m.to) && m.to.value[0]?.address === email);
        expect(found).toBeDefined();
        return found!;
      });
      const code = /\b(\d{6})\b/.exec(mail.text ?? '')?.[1] ?? '';
      const session = await postJson(`${tenant.issuer}/flows/registration`, {
        flowId: started.body.flowId,
        selectedAuthenticator: { authenticatorId: CODE_ID, params: { code } },
      });
      expect(session.body.session.access_token).toEqual(expect.any(String));
      expectNotStored(session, 'registration session');

      // Public metadata stays cacheable.
      expect((await get(`${tenant.issuer}/.well-known/openid-configuration`)).headers.get('cache-control')).toBe(
        'public, max-age=300',
      );
      expect((await get(`${tenant.issuer}/oauth2/jwks`)).headers.get('cache-control')).toBe('public, max-age=300');
    });

    it('sends nosniff on JSON (answers and errors), no HSTS over http, and leaves the API docs open', async () => {
      for (const response of [
        await get(`${server.baseUrl}/health/live`),
        await get(`${server.baseUrl}/api/admin/v1/projects`),
        await get(`${server.baseUrl}/no/such/route`),
      ]) {
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('strict-transport-security')).toBeNull();
      }
      expect((await fetch(`${server.baseUrl}/api/docs/openapi.json`)).status).toBe(200);
    });
  });

  describe('in production behind an https public URL', () => {
    let server: KeywayServer;

    beforeAll(async () => {
      server = await startKeyway({
        env: {
          NODE_ENV: 'production',
          KEYWAY_PUBLIC_URL: 'https://id.example.test',
          KEYWAY_SECRET_KEY: randomBytes(32).toString('base64url'),
          // Production generates no secrets: the console client's must be given too.
          KEYWAY_CONSOLE_CLIENT_SECRET: randomBytes(32).toString('base64url'),
          KEYWAY_SEED_DEMO: 'false',
        },
      });
    }, 90_000);
    afterAll(() => server?.stop());

    it('sends HSTS on every answer', async () => {
      for (const response of [
        await get(`${server.baseUrl}/health/ready`),
        await get(`${server.baseUrl}/api/admin/v1/projects`),
      ]) {
        expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      }
    });

    it('keeps the API documentation (UI and JSON) behind the admin token', async () => {
      for (const path of ['/api/docs', '/api/docs/', '/api/docs/openapi.json']) {
        const anonymous = await fetch(`${server.baseUrl}${path}`);
        expect({ path, status: anonymous.status }).toEqual({ path, status: 401 });
        expect(await anonymous.json()).toMatchObject({ code: 'KW-40100' });
        const wrong = await fetch(`${server.baseUrl}${path}`, { headers: { authorization: 'Bearer not-the-token' } });
        expect(wrong.status).toBe(401);
      }
      const document = await fetch(`${server.baseUrl}/api/docs/openapi.json`, {
        headers: { authorization: `Bearer ${server.adminToken}` },
      });
      expect(document.status).toBe(200);
      expect(((await document.json()) as { info: { title: string } }).info.title).toBe('Keyway API');
      const ui = await fetch(`${server.baseUrl}/api/docs`, {
        headers: { authorization: `Bearer ${server.adminToken}` },
      });
      expect(ui.status).toBe(200);
    });
  });
});
