import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { startUpstreamProvider, type UpstreamProvider } from '@keyway/e2e-support';
import { Browser } from './support/hosted-pages';
import { adminApi, createTenant, pkcePair, postForm, postJson, type Tenant } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

// Federated sign-in in the app-native API (WSO2 scenarios 4 and 5) against oidc-provider (OpenID certified) as
// the upstream provider, in this process with its own keys: native mode with real ID tokens from its IdToken model
// (and the refusals), redirect mode through its real authorization and token endpoints, registering just in time,
// linking to an existing account only after its password, asking for the traits the provider left out.

const APP_REDIRECT_URI = 'https://app.example/callback';

describe('federated sign-in (app-native API)', () => {
  let server: KeywayServer;
  let admin: ReturnType<typeof adminApi>;
  let tenant: Tenant;
  let upstream: UpstreamProvider;
  let clientId: string;

  const authn = (flowId: string, authenticatorId: string, params?: Record<string, string>) =>
    postJson(`${tenant.issuer}/oauth2/authn`, {
      flowId,
      selectedAuthenticator: { authenticatorId, ...(params ? { params } : {}) },
    });

  async function start() {
    const pkce = pkcePair();
    const response = await postForm(`${tenant.issuer}/oauth2/authorize`, {
      client_id: clientId,
      response_type: 'code',
      redirect_uri: APP_REDIRECT_URI,
      scope: 'openid profile email',
      response_mode: 'direct',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });
    expect(response.status).toBe(200);
    return { flowId: response.body.flowId as string, step: response.body.nextStep, verifier: pkce.verifier };
  }

  const optionOf = (step: any, idp: string) => {
    const option = step.authenticators.find((candidate: any) => candidate.idp === idp);
    if (!option) throw new Error(`no ${idp} option in ${JSON.stringify(step)}`);
    return option;
  };

  /** Picks the native option: its prompt carries the nonce the app passes to the provider's SDK. */
  async function startNative() {
    const flow = await start();
    const picked = await authn(flow.flowId, optionOf(flow.step, 'acmeNative').authenticatorId);
    expect(picked.body.flowStatus).toBe('INCOMPLETE');
    const [option] = picked.body.nextStep.authenticators;
    return { ...flow, option };
  }

  /** Picks the redirect option and signs in at the provider as `sub`: the code and state the app gets back. */
  async function redirectLogin(account: Parameters<UpstreamProvider['signInAs']>[0]) {
    const flow = await start();
    const picked = await authn(flow.flowId, optionOf(flow.step, 'acme').authenticatorId);
    const [option] = picked.body.nextStep.authenticators;
    upstream.signInAs(account);
    const callback = await upstream.authorize(option.metadata.additionalData.redirectUrl);
    expect(`${callback.origin}${callback.pathname}`).toBe(APP_REDIRECT_URI);
    return {
      ...flow,
      option,
      code: callback.searchParams.get('code') as string,
      state: callback.searchParams.get('state') as string,
    };
  }

  async function exchange(code: string, verifier: string) {
    const tokens = await postForm(`${tenant.issuer}/oauth2/token`, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: APP_REDIRECT_URI,
      client_id: clientId,
      code_verifier: verifier,
    });
    expect(tokens.status).toBe(200);
    return decodeJwt(tokens.body.id_token as string);
  }

  const email = () => `fed-${randomBytes(4).toString('hex')}@example.com`;

  beforeAll(async () => {
    server = await startKeyway();
    admin = adminApi(server);
    tenant = await createTenant(server);
    const app = await admin.post(`/projects/${tenant.slug}/applications`, {
      name: 'Federated app',
      type: 'public',
      redirectUris: [APP_REDIRECT_URI],
      grantTypes: ['authorization_code', 'refresh_token'],
      appNative: true,
    });
    expect(app.status).toBe(201);
    clientId = app.body.clientId;
    upstream = await startUpstreamProvider(
      { 'keyway-web': 'RS256', 'ios-app': 'ES256', 'stranger-app': 'ES256' },
      { redirectUris: [APP_REDIRECT_URI, `${tenant.issuer}/ui/federation/callback`] },
    );
    const connection = await admin.post(`/projects/${tenant.slug}/connections`, {
      name: 'acme',
      preset: 'oidc',
      clientId: 'keyway-web',
      clientSecret: upstream.clientSecret,
      discoveryUrl: upstream.discoveryUrl,
      allowedAudiences: ['ios-app'],
      trustEmailVerified: true,
      linkingPolicy: 'proof',
      applications: [{ clientId, mode: 'both' }],
    });
    expect(connection.status).toBe(201);
  });
  afterAll(async () => {
    await upstream?.close();
    await server?.stop();
  });

  it('offers the connection in both modes beside the password, only to the apps it names', async () => {
    const { step } = await start();
    expect(step.stepType).toBe('MULTI_OPTIONS_PROMPT');
    expect(step.authenticators.map((option: any) => [option.authenticator, option.idp])).toEqual([
      ['Username & Password', 'LOCAL'],
      ['acme', 'acmeNative'],
      ['acme', 'acme'],
    ]);
    expect(Buffer.from(optionOf(step, 'acme').authenticatorId, 'base64url').toString()).toBe(
      'OpenIDConnectAuthenticator:acme',
    );
    // The tenant's other app does not offer it.
    const other = await postForm(`${tenant.issuer}/oauth2/authorize`, {
      client_id: tenant.clientId,
      response_type: 'code',
      redirect_uri: tenant.redirectUri,
      scope: 'openid',
      response_mode: 'direct',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    });
    expect(other.body.nextStep.authenticators.map((option: any) => option.idp)).toEqual(['LOCAL']);
  });

  it('native mode: signs a new user up from a real ID token, then signs the same subject in again', async () => {
    const address = email();
    const first = await startNative();
    expect(first.option.metadata).toEqual({
      i18nKey: 'authenticator.oidc',
      promptType: 'INTERNAL_PROMPT',
      additionalData: { clientId: 'keyway-web', nonce: expect.any(String), scope: 'openid email profile' },
    });
    expect(first.option.requiredParams).toEqual(['idToken']);
    const accessToken = randomBytes(16).toString('base64url');
    const idToken = await upstream.mintIdToken('ios-app', {
      sub: 'native-user-1',
      nonce: first.option.metadata.additionalData.nonce,
      accessToken,
      amr: ['pwd', 'mfa'],
      claims: { email: address, email_verified: true, name: 'Native User' },
    });
    const done = await authn(first.flowId, first.option.authenticatorId, { idToken, accessToken });
    expect(done.body.flowStatus).toBe('SUCCESS_COMPLETED');
    const claims = await exchange(done.body.authData.code, first.verifier);
    expect(claims.amr).toEqual(expect.arrayContaining(['fed', 'pwd', 'mfa']));

    const identity = await admin.get(`/projects/${tenant.slug}/identities/${claims.sub}`);
    expect(identity.body.traits).toEqual({ email: address, name: 'Native User' });
    // The provider vouched for the address and the connection trusts it: verified, no mail needed.
    expect(identity.body.verifiableAddresses).toEqual([expect.objectContaining({ value: address, verified: true })]);

    const again = await startNative();
    const secondToken = await upstream.mintIdToken('keyway-web', {
      sub: 'native-user-1',
      nonce: again.option.metadata.additionalData.nonce,
      claims: { email: address, email_verified: true },
    });
    const second = await authn(again.flowId, again.option.authenticatorId, { idToken: secondToken });
    expect((await exchange(second.body.authData.code, again.verifier)).sub).toBe(claims.sub);
  });

  it('native mode refuses tokens with a wrong nonce, audience, signature, at_hash or an expired one', async () => {
    const refused = async (mint: (nonce: string) => Promise<string>, extra: Record<string, string> = {}) => {
      const { flowId, option } = await startNative();
      const answer = await authn(flowId, option.authenticatorId, {
        idToken: await mint(option.metadata.additionalData.nonce),
        ...extra,
      });
      expect(answer.status).toBe(200);
      expect(answer.body.flowStatus).toBe('FAIL_INCOMPLETE');
      expect(answer.body.nextStep.messages).toEqual([
        expect.objectContaining({
          messageId: 'msg_federation_failed',
          message: 'Signing in with acme failed. Try again.',
        }),
      ]);
    };
    const token = (clientId: string, nonce: string, expiresAt?: number) =>
      upstream.mintIdToken(clientId, { sub: 'native-user-2', nonce, ...(expiresAt ? { expiresAt } : {}) });
    await refused(() => token('ios-app', 'another-flows-nonce'));
    await refused((nonce) => token('stranger-app', nonce));
    await refused((nonce) => token('ios-app', nonce, Math.floor(Date.now() / 1000) - 600));
    await refused(async (nonce) => {
      const [header, payload, signature] = (await token('ios-app', nonce)).split('.');
      const forged = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'someone-else' };
      return `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    });
    await refused((nonce) => token('ios-app', nonce), { accessToken: 'not-the-token-it-was-issued-with' });
    // A token missing altogether is the client's mistake (FLW-60003), not a counted failure.
    const { flowId, option } = await startNative();
    const missing = await authn(flowId, option.authenticatorId, { accessToken: 'x' });
    expect(missing.status).toBe(400);
  });

  it('redirect mode: the code from the real authorization endpoint links to an existing account after its password', async () => {
    const login = await redirectLogin({
      sub: 'redirect-user-1',
      claims: { email: tenant.email, email_verified: true, name: 'Linked' },
    });
    expect(login.option.metadata.promptType).toBe('REDIRECTION_PROMPT');
    expect(login.option.requiredParams).toEqual(['code', 'state']);
    expect(login.state).toBe(login.option.metadata.additionalData.state);

    // A state this flow did not send is refused before the code is redeemed.
    const forged = await authn(login.flowId, login.option.authenticatorId, { code: login.code, state: 'forged' });
    expect(forged.body.nextStep.messages[0].messageId).toBe('msg_federation_state_mismatch');

    const proof = await authn(login.flowId, login.option.authenticatorId, { code: login.code, state: login.state });
    expect(proof.body.flowStatus).toBe('INCOMPLETE');
    expect(proof.body.nextStep.messages).toEqual([expect.objectContaining({ messageId: 'msg_federation_link_proof' })]);
    expect(proof.body.nextStep.authenticators[0].requiredParams).toEqual(['password']);

    const wrong = await authn(login.flowId, login.option.authenticatorId, { password: 'not-the-password' });
    expect(wrong.body.flowStatus).toBe('FAIL_INCOMPLETE');
    expect(wrong.body.nextStep.messages[0].messageId).toBe('msg_invalid_un_pw');
    expect(wrong.body.nextStep.authenticators[0].requiredParams).toEqual(['password']);

    const linked = await authn(login.flowId, login.option.authenticatorId, { password: tenant.password });
    expect(linked.body.flowStatus).toBe('SUCCESS_COMPLETED');
    const claims = await exchange(linked.body.authData.code, login.verifier);
    expect(claims.sub).toBe(tenant.identityId);
    expect(claims.amr).toEqual(expect.arrayContaining(['fed', 'pwd']));

    // From now on the provider alone signs the account in.
    const later = await redirectLogin({
      sub: 'redirect-user-1',
      claims: { email: tenant.email, email_verified: true },
    });
    const direct = await authn(later.flowId, later.option.authenticatorId, { code: later.code, state: later.state });
    expect(direct.body.flowStatus).toBe('SUCCESS_COMPLETED');
    expect((await exchange(direct.body.authData.code, later.verifier)).sub).toBe(tenant.identityId);
  });

  it('never links on an address the provider does not vouch for', async () => {
    const login = await redirectLogin({
      sub: 'redirect-user-2',
      claims: { email: tenant.email, email_verified: false, name: 'Claimer' },
    });
    const answer = await authn(login.flowId, login.option.authenticatorId, { code: login.code, state: login.state });
    expect(answer.body.flowStatus).toBe('FAIL_INCOMPLETE');
    expect(answer.body.nextStep.messages[0].messageId).toBe('msg_federation_unavailable');
    // Nothing was linked: the same upstream account is refused again, and no identity has its subject.
    const again = await redirectLogin({
      sub: 'redirect-user-2',
      claims: { email: tenant.email, email_verified: false },
    });
    const second = await authn(again.flowId, again.option.authenticatorId, { code: again.code, state: again.state });
    expect(second.body.nextStep.messages[0].messageId).toBe('msg_federation_unavailable');
  });

  it('asks for the traits the provider left out before it registers the identity', async () => {
    const login = await redirectLogin({ sub: 'redirect-user-3', claims: { name: 'No Mail' } });
    const asked = await authn(login.flowId, login.option.authenticatorId, { code: login.code, state: login.state });
    expect(asked.body.flowStatus).toBe('INCOMPLETE');
    expect(asked.body.nextStep.messages[0].messageId).toBe('msg_federation_traits_required');
    expect(asked.body.nextStep.authenticators[0].requiredParams).toEqual(['traits.email']);

    const invalid = await authn(login.flowId, login.option.authenticatorId, { 'traits.email': 'not-an-address' });
    expect(invalid.body.flowStatus).toBe('FAIL_INCOMPLETE');
    expect(invalid.body.nextStep.authenticators[0].requiredParams).toEqual(['traits.email']);

    const address = email();
    const done = await authn(login.flowId, login.option.authenticatorId, { 'traits.email': address });
    expect(done.body.flowStatus).toBe('SUCCESS_COMPLETED');
    const claims = await exchange(done.body.authData.code, login.verifier);
    const identity = await admin.get(`/projects/${tenant.slug}/identities/${claims.sub}`);
    expect(identity.body.traits).toEqual({ email: address, name: 'No Mail' });
    // Typed by the user, not vouched for by the provider: not verified.
    expect(identity.body.verifiableAddresses).toEqual([expect.objectContaining({ value: address, verified: false })]);
  });

  it('concurrent first sign-ins of one upstream subject make one identity', async () => {
    const address = email();
    const logins = await Promise.all(
      [0, 1, 2].map(async () => {
        const flow = await startNative();
        const idToken = await upstream.mintIdToken('ios-app', {
          sub: 'racing-user',
          nonce: flow.option.metadata.additionalData.nonce,
          claims: { email: address, email_verified: true },
        });
        return { flow, idToken };
      }),
    );
    const answers = await Promise.all(
      logins.map(({ flow, idToken }) => authn(flow.flowId, flow.option.authenticatorId, { idToken })),
    );
    const subjects = await Promise.all(
      answers.map(async (answer, index) => {
        expect(answer.body.flowStatus).toBe('SUCCESS_COMPLETED');
        return (await exchange(answer.body.authData.code, logins[index]!.flow.verifier)).sub;
      }),
    );
    expect(new Set(subjects).size).toBe(1);
  });

  describe('in the hosted login', () => {
    async function hostedStart(browser: Browser, expectedStatus = 200) {
      const pkce = pkcePair();
      const query = new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        redirect_uri: APP_REDIRECT_URI,
        scope: 'openid email',
        state: 'app-state',
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
      });
      const page = await browser.get(`${tenant.issuer}/oauth2/authorize?${query.toString()}`);
      expect(page.status).toBe(expectedStatus);
      return { page, verifier: pkce.verifier };
    }

    it('sends the browser to the provider and back through the callback to the app with a code', async () => {
      const browser = new Browser();
      const { page, verifier } = await hostedStart(browser);
      // The password form, and the provider as a button (only its redirect mode: a browser has no provider SDK).
      const buttons = page.forms().filter((form) => form.hidden['authenticatorId'] !== undefined);
      const acme = buttons.find(
        (form) =>
          Buffer.from(form.hidden['authenticatorId']!, 'base64url').toString() === 'OpenIDConnectAuthenticator:acme',
      );
      expect(acme).toBeDefined();
      expect(page.html).not.toContain('acmeNative');
      // The provider's origin is a form target: the 303 answering the button leads there.
      expect(page.headers.get('content-security-policy')).toContain(
        `form-action 'self' https://app.example ${upstream.issuer}`,
      );

      const toProvider = await browser.post(acme!.action, acme!.hidden);
      expect(toProvider.status).toBe(303);
      expect(toProvider.location?.startsWith(`${upstream.issuer}/`)).toBe(true);

      const address = email();
      upstream.signInAs({ sub: 'hosted-user-1', claims: { email: address, email_verified: true, name: 'Hosted' } });
      const callback = await upstream.authorize(toProvider.location!);
      expect(`${callback.origin}${callback.pathname}`).toBe(`${tenant.issuer}/ui/federation/callback`);

      // Another browser (a victim handed the callback URL) is refused: the state is bound to this one's cookie.
      const stranger = await new Browser().get(callback.href);
      expect(stranger.status).toBe(400);

      const back = await browser.get(callback.href);
      expect(back.status).toBe(303);
      const landed = new URL(back.location!);
      expect(`${landed.origin}${landed.pathname}`).toBe(APP_REDIRECT_URI);
      expect(landed.searchParams.get('state')).toBe('app-state');
      expect(landed.searchParams.get('iss')).toBe(tenant.issuer);
      const claims = await exchange(landed.searchParams.get('code')!, verifier);
      expect(claims.amr).toContain('fed');
      // The answer is single use: the same callback again finds no browser binding.
      expect((await browser.get(callback.href)).status).toBe(400);

      // SSO: the next authorize of this browser needs no provider at all (a session through the app's connection).
      const next = await hostedStart(browser, 303);
      expect(next.page.location?.startsWith(`${APP_REDIRECT_URI}?code=`)).toBe(true);
    });

    it('tells the user when the provider answers with an error', async () => {
      const browser = new Browser();
      const { page } = await hostedStart(browser);
      const acme = page
        .forms()
        .find(
          (form) =>
            form.hidden['authenticatorId'] === Buffer.from('OpenIDConnectAuthenticator:acme').toString('base64url'),
        );
      const toProvider = await browser.post(acme!.action, acme!.hidden);
      const state = new URL(toProvider.location!).searchParams.get('state')!;
      const cancelled = await browser.get(
        `${tenant.issuer}/ui/federation/callback?error=access_denied&state=${encodeURIComponent(state)}`,
      );
      expect(cancelled.status).toBe(200);
      expect(cancelled.notices()).toEqual(['Signing in with acme was cancelled.']);
      expect(cancelled.links().map((link) => link.label)).toContain('Start again');
    });
  });

  describe('through First-Party Apps (/oauth2/authorize-challenge)', () => {
    const challenge = (params: Record<string, string>) =>
      postForm(`${tenant.issuer}/oauth2/authorize-challenge`, params);
    const id = (idp: string) => Buffer.from(`OpenIDConnectAuthenticator:${idp}`).toString('base64url');

    async function begin() {
      const pkce = pkcePair();
      const first = await challenge({
        client_id: clientId,
        response_type: 'code',
        scope: 'openid email',
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
      });
      expect(first.status).toBe(403);
      return { authSession: first.body.auth_session as string, step: first.body.next_step, verifier: pkce.verifier };
    }

    it('signs in natively: the option named by authenticator_id, then the ID token', async () => {
      const { authSession } = await begin();
      const picked = await challenge({ auth_session: authSession, authenticator_id: id('acmeNative') });
      expect(picked.status).toBe(403);
      expect(picked.body.error).toBe('insufficient_authorization');
      const nonce = picked.body.next_step.authenticators[0].metadata.additionalData.nonce;
      const idToken = await upstream.mintIdToken('ios-app', { sub: 'fipa-user-1', nonce, claims: { email: email() } });
      const done = await challenge({ auth_session: authSession, authenticator_id: id('acmeNative'), idToken });
      expect(done.status).toBe(200);
      expect(done.body.authorization_code).toEqual(expect.any(String));
    });

    it('answers redirect_to_web for the redirect mode, which needs a browser', async () => {
      const { authSession } = await begin();
      const picked = await challenge({ auth_session: authSession, authenticator_id: id('acme') });
      expect(picked.status).toBe(403);
      expect(picked.body).toEqual({ error: 'redirect_to_web', error_description: expect.any(String) });
    });
  });

  describe('in settings', () => {
    /** A password user of the federated app, signed in: the access token that runs their settings flow. */
    async function signedInUser() {
      const address = email();
      const password = `pw-${randomBytes(9).toString('base64url')}`;
      const created = await admin.post(`/projects/${tenant.slug}/identities`, { traits: { email: address }, password });
      expect(created.status).toBe(201);
      const flow = await start();
      const signedIn = await authn(flow.flowId, Buffer.from('BasicAuthenticator:LOCAL').toString('base64url'), {
        username: address,
        password,
      });
      const tokens = await postForm(`${tenant.issuer}/oauth2/token`, {
        grant_type: 'authorization_code',
        code: signedIn.body.authData.code,
        redirect_uri: APP_REDIRECT_URI,
        client_id: clientId,
        code_verifier: flow.verifier,
      });
      const bearer = { authorization: `Bearer ${tokens.body.access_token}` };
      return {
        id: created.body.id as string,
        settings: (body: unknown) => postJson(`${tenant.issuer}/flows/settings`, body, bearer),
      };
    }
    const idOf = (idp: string) => Buffer.from(`OpenIDConnectAuthenticator:${idp}`).toString('base64url');

    it('links the provider to the signed-in account natively, after which it signs that account in', async () => {
      const user = await signedInUser();
      const started = await user.settings({});
      const offered = started.body.nextStep.authenticators.map((option: any) => option.idp);
      // Native only: the flow was started without a redirect_uri for the provider to come back to.
      expect(offered).toContain('acmeNative');
      expect(offered).not.toContain('acme');
      const flowId = started.body.flowId;
      const picked = await user.settings({ flowId, selectedAuthenticator: { authenticatorId: idOf('acmeNative') } });
      const [option] = picked.body.nextStep.authenticators;
      expect(option.metadata.i18nKey).toBe('action.connection.link');
      const idToken = await upstream.mintIdToken('ios-app', {
        sub: 'settings-user-1',
        nonce: option.metadata.additionalData.nonce,
      });
      const linked = await user.settings({
        flowId,
        selectedAuthenticator: { authenticatorId: idOf('acmeNative'), params: { idToken } },
      });
      expect(linked.body.flowStatus).toBe('INCOMPLETE');
      expect(linked.body.nextStep.messages).toEqual([expect.objectContaining({ messageId: 'msg_connection_linked' })]);
      // Linked now: the menu offers unlinking instead.
      const menu = linked.body.nextStep.authenticators.map((entry: any) => entry.authenticator);
      expect(menu).toContain('Unlink account');
      expect(linked.body.nextStep.authenticators.map((entry: any) => entry.idp)).not.toContain('acmeNative');

      const login = await startNative();
      const token = await upstream.mintIdToken('ios-app', {
        sub: 'settings-user-1',
        nonce: login.option.metadata.additionalData.nonce,
      });
      const done = await authn(login.flowId, login.option.authenticatorId, { idToken: token });
      expect((await exchange(done.body.authData.code, login.verifier)).sub).toBe(user.id);

      // The same provider account cannot be linked to a second account.
      const other = await signedInUser();
      const again = await other.settings({});
      const second = await other.settings({
        flowId: again.body.flowId,
        selectedAuthenticator: { authenticatorId: idOf('acmeNative') },
      });
      const taken = await other.settings({
        flowId: again.body.flowId,
        selectedAuthenticator: {
          authenticatorId: idOf('acmeNative'),
          params: {
            idToken: await upstream.mintIdToken('ios-app', {
              sub: 'settings-user-1',
              nonce: second.body.nextStep.authenticators[0].metadata.additionalData.nonce,
            }),
          },
        },
      });
      expect(taken.body.flowStatus).toBe('FAIL_INCOMPLETE');
      expect(taken.body.nextStep.messages[0].messageId).toBe('msg_connection_account_in_use');
    });

    it('links in redirect mode when the settings flow names a redirect_uri of the app; refuses an unregistered one', async () => {
      const user = await signedInUser();
      expect((await user.settings({ redirect_uri: 'https://evil.example/cb' })).status).toBe(400);
      const started = await user.settings({ redirect_uri: APP_REDIRECT_URI });
      const flowId = started.body.flowId;
      const picked = await user.settings({ flowId, selectedAuthenticator: { authenticatorId: idOf('acme') } });
      const { redirectUrl, state } = picked.body.nextStep.authenticators[0].metadata.additionalData;
      upstream.signInAs({ sub: 'settings-user-2', claims: { email: email(), email_verified: true } });
      const callback = await upstream.authorize(redirectUrl);
      const linked = await user.settings({
        flowId,
        selectedAuthenticator: {
          authenticatorId: idOf('acme'),
          params: { code: callback.searchParams.get('code'), state },
        },
      });
      expect(linked.body.nextStep.messages[0].messageId).toBe('msg_connection_linked');
    });
  });
});
