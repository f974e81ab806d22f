import {
  createTenant,
  get,
  pkcePair,
  postForm,
  postJson,
  startFlow,
  submitPassword,
  BASIC_AUTHENTICATOR_ID,
  type Tenant,
} from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('app-native login: failures, lockout and bad input', () => {
  let server: KeywayServer;
  let tenant: Tenant;

  beforeAll(async () => {
    server = await startKeyway();
    tenant = await createTenant(server);
  });
  afterAll(() => server?.stop());

  const authn = (body: unknown) => postJson(`${tenant.issuer}/oauth2/authn`, body);

  describe('wrong credentials', () => {
    it('answers FAIL_INCOMPLETE with the same step and remainingAttempts', async () => {
      const { response } = await startFlow(tenant);
      const failed = await submitPassword(tenant, response.body.flowId, tenant.email, 'wrong-password');
      expect(failed.status).toBe(200);
      expect(failed.body).toEqual({
        flowId: response.body.flowId,
        flowStatus: 'FAIL_INCOMPLETE',
        flowType: 'AUTHENTICATION',
        nextStep: {
          ...response.body.nextStep,
          messages: [
            {
              type: 'ERROR',
              messageId: 'msg_invalid_un_pw',
              message: 'Invalid username or password.',
              i18nKey: 'message.msg_invalid_un_pw',
              context: [{ key: 'remainingAttempts', value: '4' }],
            },
          ],
        },
        links: response.body.links,
      });
      // The same flow still accepts the right password afterwards, and success clears the count.
      const done = await submitPassword(tenant, response.body.flowId, tenant.email, tenant.password);
      expect(done.body.flowStatus).toBe('SUCCESS_COMPLETED');
      const { response: again } = await startFlow(tenant);
      const failedAgain = await submitPassword(tenant, again.body.flowId, tenant.email, 'wrong-password');
      expect(failedAgain.body.nextStep.messages[0].context).toEqual([{ key: 'remainingAttempts', value: '4' }]);
    });

    it('answers an unknown username exactly like a wrong password', async () => {
      const { response: a } = await startFlow(tenant);
      const { response: b } = await startFlow(tenant);
      const wrongPassword = await submitPassword(tenant, a.body.flowId, `fresh-${tenant.email}`, 'x');
      const unknownUser = await submitPassword(tenant, b.body.flowId, 'nobody@example.com', 'x');
      const { flowId: _a, ...known } = wrongPassword.body;
      const { flowId: _b, ...unknown } = unknownUser.body;
      expect(unknown).toEqual(known);
      expect(unknown.nextStep.messages[0].context).toEqual([{ key: 'remainingAttempts', value: '4' }]);
    });
  });

  describe('lockout', () => {
    it('locks after the configured failures, refuses even the right password, and unlocks after the lock time', async () => {
      const locked = await createTenant(server, { lockout: { maxAttempts: 3, durationSeconds: 2 } });
      const remaining: string[] = [];
      let last: any;
      for (let i = 0; i < 3; i++) {
        const { response } = await startFlow(locked);
        last = (await submitPassword(locked, response.body.flowId, locked.email, 'wrong')).body;
        if (last.flowStatus === 'FAIL_INCOMPLETE') remaining.push(last.nextStep.messages[0].context[0].value);
      }
      expect(remaining).toEqual(['2', '1']);
      expect(last).toEqual({
        flowId: expect.any(String),
        flowStatus: 'FAIL_COMPLETED',
        flowType: 'AUTHENTICATION',
        messages: [expect.objectContaining({ type: 'ERROR', messageId: 'msg_account_locked' })],
      });

      const { response } = await startFlow(locked);
      const whileLocked = await submitPassword(locked, response.body.flowId, locked.email, locked.password);
      expect(whileLocked.body.flowStatus).toBe('FAIL_COMPLETED');
      // The flow is dead after FAIL_COMPLETED.
      const reuse = await submitPassword(locked, response.body.flowId, locked.email, locked.password);
      expect(reuse.status).toBe(400);

      const identity = await get(
        `${server.baseUrl}/api/admin/v1/projects/${locked.slug}/identities/${locked.identityId}`,
        {
          authorization: `Bearer ${server.adminToken}`,
        },
      );
      expect(identity.body.lockedUntil).toEqual(expect.any(String));

      await sleep(2100);
      const { response: after } = await startFlow(locked);
      const unlocked = await submitPassword(locked, after.body.flowId, locked.email, locked.password);
      expect(unlocked.body.flowStatus).toBe('SUCCESS_COMPLETED');
    });

    it('evaluates exactly maxAttempts of 16 concurrent guessers, and refuses the right password while locked', async () => {
      // The default policy (5 attempts). Before attempts were reserved atomically, 10–13 of 16 concurrent
      // guesses were checked and a right password among them got in.
      const locking = await createTenant(server);
      const flows = await Promise.all(Array.from({ length: 16 }, () => startFlow(locking)));
      const answers = await Promise.all(
        flows.map(({ response }) => submitPassword(locking, response.body.flowId, locking.email, 'wrong-guess')),
      );
      const evaluated = answers
        .filter((a) => a.body.flowStatus === 'FAIL_INCOMPLETE')
        .map((a) => a.body.nextStep.messages[0].context[0].value);
      expect(evaluated.sort()).toEqual(['1', '2', '3', '4']);
      expect(answers.filter((a) => a.body.flowStatus === 'FAIL_COMPLETED')).toHaveLength(12);
      for (const answer of answers.filter((a) => a.body.flowStatus === 'FAIL_COMPLETED')) {
        expect(answer.body.messages).toEqual([expect.objectContaining({ messageId: 'msg_account_locked' })]);
      }

      const { response } = await startFlow(locking);
      const right = await submitPassword(locking, response.body.flowId, locking.email, locking.password);
      expect(right.body.flowStatus).toBe('FAIL_COMPLETED');
      expect(right.body.messages).toEqual([expect.objectContaining({ messageId: 'msg_account_locked' })]);
    });

    it('makes locks progressive: the first one lasts initialDurationSeconds, not durationSeconds', async () => {
      const locking = await createTenant(server, {
        lockout: { maxAttempts: 2, initialDurationSeconds: 2, durationSeconds: 900 },
      });
      for (let i = 0; i < 2; i++) {
        const { response } = await startFlow(locking);
        await submitPassword(locking, response.body.flowId, locking.email, 'wrong');
      }
      const identity = await get(
        `${server.baseUrl}/api/admin/v1/projects/${locking.slug}/identities/${locking.identityId}`,
        {
          authorization: `Bearer ${server.adminToken}`,
        },
      );
      const lockSeconds = (Date.parse(identity.body.lockedUntil) - Date.now()) / 1000;
      expect(lockSeconds).toBeGreaterThan(0);
      expect(lockSeconds).toBeLessThanOrEqual(2);

      await sleep(2100);
      const { response } = await startFlow(locking);
      expect(
        (await submitPassword(locking, response.body.flowId, locking.email, locking.password)).body.flowStatus,
      ).toBe('SUCCESS_COMPLETED');
    });

    it('locks unknown usernames the same way, so locking reveals nothing', async () => {
      const locked = await createTenant(server, { lockout: { maxAttempts: 2, durationSeconds: 60 } });
      const outcomes: string[] = [];
      for (let i = 0; i < 3; i++) {
        const { response } = await startFlow(locked);
        outcomes.push(
          (await submitPassword(locked, response.body.flowId, 'ghost@example.com', 'wrong')).body.flowStatus,
        );
      }
      expect(outcomes).toEqual(['FAIL_INCOMPLETE', 'FAIL_COMPLETED', 'FAIL_COMPLETED']);
    });
  });

  describe('flow endpoint bad input', () => {
    /** `fields` names the bad params or body fields of a 400 that has them (docs/errors.md). */
    const expectApiError = (response: { status: number; body: any }, status = 400, fields?: string[]) => {
      expect(response.status).toBe(status);
      expect(response.body).toEqual({
        code: expect.any(String),
        message: expect.any(String),
        description: expect.any(String),
        traceId: expect.any(String),
        ...(fields ? { fields: fields.map((field) => expect.objectContaining({ field })) } : {}),
      });
    };

    it('rejects an unknown flowId', async () => {
      const response = await authn({
        flowId: '6f9619ff-8b86-4011-b42d-00c04fc964ff',
        selectedAuthenticator: { authenticatorId: BASIC_AUTHENTICATOR_ID, params: { username: 'a', password: 'b' } },
      });
      expectApiError(response);
      expect(response.body.code).toBe('FLW-60001');
      expectApiError(
        await authn({ flowId: 'not-a-uuid', selectedAuthenticator: { authenticatorId: BASIC_AUTHENTICATOR_ID } }),
      );
    });

    it('rejects an authenticator the step does not offer', async () => {
      const { response } = await startFlow(tenant);
      const totp = Buffer.from('totp:LOCAL').toString('base64url');
      for (const authenticatorId of [
        totp,
        'garbage!',
        Buffer.from('BasicAuthenticator:Google').toString('base64url'),
      ]) {
        const answer = await authn({
          flowId: response.body.flowId,
          selectedAuthenticator: { authenticatorId, params: { token: '1' } },
        });
        expectApiError(answer);
        expect(answer.body.code).toBe('FLW-60002');
      }
    });

    it('rejects missing params', async () => {
      const { response } = await startFlow(tenant);
      const noParams = await authn({
        flowId: response.body.flowId,
        selectedAuthenticator: { authenticatorId: BASIC_AUTHENTICATOR_ID },
      });
      expectApiError(noParams, 400, ['selectedAuthenticator.params.username', 'selectedAuthenticator.params.password']);
      expect(noParams.body.description).toContain('username, password');
      const noPassword = await authn({
        flowId: response.body.flowId,
        selectedAuthenticator: { authenticatorId: BASIC_AUTHENTICATOR_ID, params: { username: tenant.email } },
      });
      expectApiError(noPassword, 400, ['selectedAuthenticator.params.password']);
      expect(noPassword.body.description).toContain('password');
      expectApiError(await authn({ selectedAuthenticator: { authenticatorId: BASIC_AUTHENTICATOR_ID } }), 400, [
        'flowId',
      ]);
      expectApiError(
        await authn({
          flowId: response.body.flowId,
          selectedAuthenticator: { authenticatorId: BASIC_AUTHENTICATOR_ID, params: { username: 1 } },
        }),
        400,
        ['selectedAuthenticator.params.username'],
      );
      // None of this used up the flow.
      const done = await submitPassword(tenant, response.body.flowId, tenant.email, tenant.password);
      expect(done.body.flowStatus).toBe('SUCCESS_COMPLETED');
    });

    it('rejects a non-JSON or malformed body', async () => {
      const form = await fetch(`${tenant.issuer}/oauth2/authn`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'flowId=1',
      });
      expectApiError({ status: form.status, body: await form.json() }, 415);
      const broken = await fetch(`${tenant.issuer}/oauth2/authn`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"flowId":',
      });
      expectApiError({ status: broken.status, body: await broken.json() });
      expectApiError(await postJson(`${tenant.issuer}/oauth2/authn`, ['not', 'an', 'object']), 400, ['body']);
    });

    it('refuses to reuse a flow after success', async () => {
      const { response } = await startFlow(tenant);
      expect((await submitPassword(tenant, response.body.flowId, tenant.email, tenant.password)).body.flowStatus).toBe(
        'SUCCESS_COMPLETED',
      );
      const again = await submitPassword(tenant, response.body.flowId, tenant.email, tenant.password);
      expectApiError(again);
      expect(again.body.code).toBe('FLW-60001');
    });

    it("refuses another tenant's flow", async () => {
      const other = await createTenant(server);
      const { response } = await startFlow(tenant);
      const crossTenant = await submitPassword(other, response.body.flowId, tenant.email, tenant.password);
      expectApiError(crossTenant);
    });

    it('answers 404 for an unknown tenant', async () => {
      const response = await postJson(`${server.baseUrl}/t/no-such-tenant/oauth2/authn`, {
        flowId: 'x',
        selectedAuthenticator: { authenticatorId: 'y' },
      });
      expectApiError(response, 404);
    });
  });

  describe('authorization endpoint bad input', () => {
    const authorize = (params: Record<string, string>) => postForm(`${tenant.issuer}/oauth2/authorize`, params);
    const valid = () => {
      const { challenge } = pkcePair();
      return {
        client_id: tenant.clientId,
        response_type: 'code',
        redirect_uri: tenant.redirectUri,
        scope: 'openid',
        response_mode: 'direct',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      };
    };
    const expectOAuthError = (response: { status: number; body: any }, error: string, status = 400) => {
      expect(response.status).toBe(status);
      expect(response.body).toEqual({ error, error_description: expect.any(String) });
    };

    it('rejects an unknown client and a missing client_id', async () => {
      expectOAuthError(await authorize({ ...valid(), client_id: 'nope' }), 'invalid_client');
      const { client_id: _, ...withoutClient } = valid();
      expectOAuthError(await authorize(withoutClient), 'invalid_request');
    });

    it('rejects an unregistered or missing redirect_uri, without redirecting', async () => {
      const unregistered = await authorize({ ...valid(), redirect_uri: 'com.evil.app:/cb' });
      expectOAuthError(unregistered, 'invalid_request');
      expect(unregistered.headers.get('location')).toBeNull();
      const { redirect_uri: _, ...withoutRedirect } = valid();
      expectOAuthError(await authorize(withoutRedirect), 'invalid_request');
    });

    it('requires PKCE S256 for public clients and refuses plain', async () => {
      const { code_challenge: _c, code_challenge_method: _m, ...withoutPkce } = valid();
      expectOAuthError(await authorize(withoutPkce), 'invalid_request');
      expectOAuthError(await authorize({ ...valid(), code_challenge_method: 'plain' }), 'invalid_request');
      expectOAuthError(await authorize({ ...valid(), code_challenge: 'short' }), 'invalid_request');
    });

    it('rejects other response types, modes and unknown scopes', async () => {
      expectOAuthError(await authorize({ ...valid(), response_type: 'token' }), 'unsupported_response_type');
      expectOAuthError(await authorize({ ...valid(), scope: 'openid admin' }), 'invalid_scope');
    });

    it('answers without response_mode=direct as the browser login, where an unusable mode goes back to the app', async () => {
      const params = new URLSearchParams({ ...valid(), response_mode: 'fragment' });
      const refused = await fetch(`${tenant.issuer}/oauth2/authorize?${params}`, { redirect: 'manual' });
      expect(refused.status).toBe(303);
      const location = new URL(refused.headers.get('location')!);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('iss')).toBe(tenant.issuer);
      params.set('response_mode', 'query');
      const page = await fetch(`${tenant.issuer}/oauth2/authorize?${params}`, { redirect: 'manual' });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    });

    it('rejects repeated parameters', async () => {
      const body = new URLSearchParams(valid());
      body.append('scope', 'email');
      const response = await fetch(`${tenant.issuer}/oauth2/authorize`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      expectOAuthError({ status: response.status, body: await response.json() }, 'invalid_request');
    });
  });

  describe('token endpoint bad input', () => {
    async function freshCode(): Promise<{ code: string; verifier: string }> {
      const { response, verifier } = await startFlow(tenant);
      const done = await submitPassword(tenant, response.body.flowId, tenant.email, tenant.password);
      return { code: done.body.authData.code, verifier };
    }
    const token = (params: Record<string, string>) => postForm(`${tenant.issuer}/oauth2/token`, params);

    it('refuses a wrong code_verifier, and the code is spent afterwards', async () => {
      const { code, verifier } = await freshCode();
      const base = {
        grant_type: 'authorization_code',
        code,
        redirect_uri: tenant.redirectUri,
        client_id: tenant.clientId,
      };
      const wrong = await token({ ...base, code_verifier: pkcePair().verifier });
      expect(wrong.body.error).toBe('invalid_grant');
      expect((await token({ ...base, code_verifier: verifier })).body.error).toBe('invalid_grant');
    });

    it('refuses a missing verifier, a wrong redirect_uri and another client', async () => {
      const a = await freshCode();
      expect(
        (
          await token({
            grant_type: 'authorization_code',
            code: a.code,
            redirect_uri: tenant.redirectUri,
            client_id: tenant.clientId,
          })
        ).body.error,
      ).toBe('invalid_grant');
      const b = await freshCode();
      expect(
        (
          await token({
            grant_type: 'authorization_code',
            code: b.code,
            redirect_uri: 'com.example.app:/other',
            code_verifier: b.verifier,
            client_id: tenant.clientId,
          })
        ).body.error,
      ).toBe('invalid_grant');
      const other = await createTenant(server);
      const c = await freshCode();
      const crossClient = await postForm(`${other.issuer}/oauth2/token`, {
        grant_type: 'authorization_code',
        code: c.code,
        redirect_uri: tenant.redirectUri,
        code_verifier: c.verifier,
        client_id: other.clientId,
      });
      expect(crossClient.body.error).toBe('invalid_grant');
    });

    it('answers RFC 6749 errors for unknown grants, clients and missing parameters', async () => {
      expect((await token({ grant_type: 'password', client_id: tenant.clientId })).body.error).toBe(
        'unsupported_grant_type',
      );
      const unknownClient = await token({ grant_type: 'authorization_code', code: 'x', client_id: 'nope' });
      expect(unknownClient.status).toBe(401);
      expect(unknownClient.body.error).toBe('invalid_client');
      expect((await token({ client_id: tenant.clientId })).body.error).toBe('invalid_request');
      expect((await token({ grant_type: 'authorization_code', client_id: tenant.clientId })).body.error).toBe(
        'invalid_request',
      );
      expect(
        (await token({ grant_type: 'refresh_token', refresh_token: 'bogus', client_id: tenant.clientId })).body.error,
      ).toBe('invalid_grant');
      const json = await postJson(`${tenant.issuer}/oauth2/token`, { grant_type: 'authorization_code' });
      expect(json.status).toBe(400);
      expect(json.body.error).toBe('invalid_request');
    });

    it('refuses userinfo without a valid access token', async () => {
      const none = await get(`${tenant.issuer}/oauth2/userinfo`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toContain('invalid_token');
      expect((await get(`${tenant.issuer}/oauth2/userinfo`, { authorization: 'Bearer abc.def.ghi' })).status).toBe(401);
    });
  });
});
