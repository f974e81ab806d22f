import { eventually, SmtpSink, type KeywayReplica } from '@keyway/e2e-support';
import { E2E_DATABASE } from './support/keyway-server';
import {
  adminApi,
  BASIC_AUTHENTICATOR_ID,
  createTenant,
  pkcePair,
  postForm,
  postJson,
  putJson,
  type Tenant,
} from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

// Two API processes on one PostgreSQL behave as one (issue 13, "Scale out"): a flow started on one is continued
// on the other, a changed application is refused by the other within a second (cache invalidation by NOTIFY),
// lockout counts the attempts of both, a refresh token raced on both is rotated once, and the outbox sends each
// mail once although both replicas run workers.

const describePostgres = E2E_DATABASE === 'postgres' ? describe : describe.skip;

describePostgres('two replicas on one PostgreSQL', () => {
  let server: KeywayServer;
  let second: KeywayReplica;
  let tenant: Tenant;
  const sink = new SmtpSink();
  /** The same issuer path on the other replica (a load balancer would pick one per request). */
  const on = (base: string, path: string) => `${base}/t/${tenant.slug}${path}`;
  const bases = () => [server.baseUrl, second.baseUrl];

  async function startOn(base: string, extra: Record<string, string> = {}) {
    const pkce = pkcePair();
    const response = await postForm(on(base, '/oauth2/authorize'), {
      client_id: tenant.clientId,
      response_type: 'code',
      redirect_uri: tenant.redirectUri,
      scope: 'openid offline_access',
      response_mode: 'direct',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      ...extra,
    });
    return { response, verifier: pkce.verifier };
  }
  const password = (base: string, flowId: string, username: string, secret: string) =>
    postJson(on(base, '/oauth2/authn'), {
      flowId,
      selectedAuthenticator: { authenticatorId: BASIC_AUTHENTICATOR_ID, params: { username, password: secret } },
    });

  beforeAll(async () => {
    await sink.start();
    server = await startKeyway();
    second = await server.replica();
    tenant = await createTenant(server, { lockout: { maxAttempts: 3 } });
    const smtp = { host: '127.0.0.1', port: sink.port, tlsMode: 'none', fromAddress: 'accounts@acme.example' };
    const put = await putJson(`${server.baseUrl}/api/admin/v1/projects/${tenant.slug}/email/smtp`, smtp, {
      authorization: `Bearer ${server.adminToken}`,
    });
    expect(put.status).toBe(200);
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    await sink.stop();
  });

  it('continues a flow started on one replica on the other, and redeems its code on the first', async () => {
    const { response, verifier } = await startOn(server.baseUrl);
    const done = await password(second.baseUrl, response.body.flowId, tenant.email, tenant.password);
    expect(done.body.flowStatus).toBe('SUCCESS_COMPLETED');
    const tokens = await postForm(on(server.baseUrl, '/oauth2/token'), {
      grant_type: 'authorization_code',
      code: done.body.authData.code,
      redirect_uri: tenant.redirectUri,
      client_id: tenant.clientId,
      code_verifier: verifier,
    });
    expect(tokens.status).toBe(200);
  });

  it("refuses an application's old redirect URI on the other replica within a second of the change", async () => {
    const admin = adminApi(server);
    // Read through the second replica first, so it holds the application in its cache.
    expect((await startOn(second.baseUrl)).response.status).toBe(200);
    const changed = await admin.patch(`/projects/${tenant.slug}/applications/${tenant.clientId}`, {
      redirectUris: ['com.example.app:/new-redirect'],
    });
    expect(changed.status).toBe(200);
    const changedAt = Date.now();
    await eventually(async () => {
      const { response } = await startOn(second.baseUrl);
      expect(response.status).toBe(400);
    });
    expect(Date.now() - changedAt).toBeLessThan(1_000);
    const restored = await admin.patch(`/projects/${tenant.slug}/applications/${tenant.clientId}`, {
      redirectUris: [tenant.redirectUri],
    });
    expect(restored.status).toBe(200);
    await eventually(async () => expect((await startOn(second.baseUrl)).response.status).toBe(200));
  });

  it('counts wrong passwords sent to both replicas at once against one lockout', async () => {
    const user = await adminApi(server).post(`/projects/${tenant.slug}/identities`, {
      traits: { email: `locked-${Date.now()}@example.com` },
      password: 'the-right-password-1',
    });
    expect(user.status).toBe(201);
    const email = user.body.traits.email as string;
    const flows = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        startOn(bases()[index % 2]!).then(({ response }) => response.body.flowId),
      ),
    );
    const answers = await Promise.all(
      flows.map((flowId, index) => password(bases()[index % 2]!, flowId, email, 'wrong-password')),
    );
    // Every attempt beyond the third met a locked account, whichever replica it reached.
    const wrong = answers.filter((answer) => answer.body.nextStep?.messages?.[0]?.messageId === 'msg_invalid_un_pw');
    expect(wrong.length).toBeLessThanOrEqual(3);
    const flow = (await startOn(second.baseUrl)).response.body.flowId;
    const right = await password(server.baseUrl, flow, email, 'the-right-password-1');
    expect(right.body.flowStatus).toBe('FAIL_COMPLETED');
  });

  it('rotates a refresh token raced on both replicas once', async () => {
    const { response, verifier } = await startOn(server.baseUrl);
    const done = await password(server.baseUrl, response.body.flowId, tenant.email, tenant.password);
    const tokens = await postForm(on(server.baseUrl, '/oauth2/token'), {
      grant_type: 'authorization_code',
      code: done.body.authData.code,
      redirect_uri: tenant.redirectUri,
      client_id: tenant.clientId,
      code_verifier: verifier,
    });
    const refresh = tokens.body.refresh_token as string;
    const raced = await Promise.all(
      [...bases(), ...bases()].map((base) =>
        postForm(on(base, '/oauth2/token'), {
          grant_type: 'refresh_token',
          refresh_token: refresh,
          client_id: tenant.clientId,
        }),
      ),
    );
    expect(raced.filter((answer) => answer.status === 200)).toHaveLength(1);
    for (const answer of raced.filter((candidate) => candidate.status !== 200))
      expect(answer.body.error).toBe('invalid_grant');
  });

  it('sends each mail once although both replicas run outbox workers', async () => {
    const addresses = Array.from({ length: 6 }, (_, index) => `mail-${index}-${Date.now()}@example.com`);
    await Promise.all(
      addresses.map(async (email, index) => {
        const created = await adminApi(server).post(`/projects/${tenant.slug}/identities`, {
          traits: { email },
          password: 'a-password-for-mail',
        });
        expect(created.status).toBe(201);
        // A verification code for each, asked for on alternating replicas.
        const started = await postJson(on(bases()[index % 2]!, '/flows/verification'), {
          client_id: tenant.clientId,
          email,
        });
        expect(started.status).toBe(200);
      }),
    );
    const delivered = () =>
      sink.messages.filter((mail) => {
        const to = mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined;
        return to !== undefined && addresses.includes(to);
      });
    await eventually(async () => expect(delivered()).toHaveLength(addresses.length));
    // Both workers had time to take anything left; still one mail per address.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const recipients = delivered().map((mail) => (mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : ''));
    expect(new Set(recipients).size).toBe(addresses.length);
    expect(recipients).toHaveLength(addresses.length);
  });
});
