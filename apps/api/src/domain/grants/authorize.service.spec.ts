import { randomBytes } from 'node:crypto';
import {
  openScratchDatabase,
  type ScratchDatabase,
  singleProcessNotifications,
} from '../../infra/database/scratch-database.testing';
import { OAuthError } from '../../infra/http/errors';
import type { Application } from '../applications/application';
import { ApplicationsRepository } from '../applications/applications.repository';
import { ApplicationsService } from '../applications/applications.service';
import type { AuthRequest } from '../flows/flow';
import { ProjectSettings } from '../projects/project-settings';
import type { Project } from '../projects/projects.service';
import type { AuthorizationRequestParams } from './authorization-request';
import {
  APP_NATIVE_FRONT,
  APP_NATIVE_SESSION_FRONT,
  AuthorizeService,
  FIRST_PARTY_FRONT,
  HOSTED_FRONT,
  type AuthorizationFront,
} from './authorize.service';
import { ClientAssertionVerifier } from './client-assertion.verifier';
import { ClientAssertionsRepository } from './client-assertions.repository';
import { ClientAuthenticator } from './client-authentication';
import { ClientKeySets } from './client-key-sets';

// The authorization request checks every front shares, one row per rule (as node-oidc-provider's check
// tables): each row changes one thing in a valid request of its front and says what the answer is. The
// clients are real rows read through the real ApplicationsService; on PGlite only, since no SQL behaviour is
// under test here, only what is done with the client that a lookup returns.

jest.setTimeout(60_000);

const FRONTS = {
  APP_NATIVE: APP_NATIVE_FRONT,
  FIRST_PARTY: FIRST_PARTY_FRONT,
  HOSTED: HOSTED_FRONT,
  SESSION: APP_NATIVE_SESSION_FRONT,
} satisfies Record<string, AuthorizationFront>;
type FrontName = keyof typeof FRONTS;

/** A valid S256 challenge (RFC 7636 appendix B). */
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const REDIRECT = 'com.example.app:/cb';

/** A valid request of each front, without its client_id (the row's client gives it). */
const VALID: Record<FrontName, AuthorizationRequestParams> = {
  APP_NATIVE: {
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'openid',
    response_mode: 'direct',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
  },
  FIRST_PARTY: { response_type: 'code', scope: 'openid', code_challenge: CHALLENGE, code_challenge_method: 'S256' },
  HOSTED: {
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'openid',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
  },
  // A native registration that signs the app in: only a client (the registration front fills response_type).
  SESSION: { response_type: 'code' },
};
/** What a valid request of each front becomes (clientId aside). */
const VALID_AUTH_REQUEST: Record<FrontName, Omit<AuthRequest, 'clientId'>> = {
  APP_NATIVE: { redirectUri: REDIRECT, scope: 'openid', codeChallenge: CHALLENGE, codeChallengeMethod: 'S256' },
  FIRST_PARTY: { scope: 'openid', codeChallenge: CHALLENGE, codeChallengeMethod: 'S256' },
  HOSTED: {
    redirectUri: REDIRECT,
    scope: 'openid',
    codeChallenge: CHALLENGE,
    codeChallengeMethod: 'S256',
    responseMode: 'query',
  },
  SESSION: { scope: 'openid', responseMode: 'session' },
};

/**
 * public: app-native, code grant, a private-use and a loopback redirect. confidential: the same with a secret
 * sent by HTTP Basic (client_secret_basic); confidentialPost: one that sends it in the body (client_secret_post).
 * browserOnly: not app-native. refreshOnly: app-native without the code grant. foreign: another project's.
 */
type ClientName = 'public' | 'confidential' | 'confidentialPost' | 'browserOnly' | 'refreshOnly' | 'foreign';
/** Placeholders replaced by the secret of the client that authenticates. */
const SECRET = '<secret>';
const WRONG_SECRET = 'not-the-secret';

interface Row {
  rule: string;
  front: FrontName;
  /** Default: public. `null`: no client_id; a string in quotes: that literal client_id. */
  client?: ClientName | null | { literal: string };
  /** Merged over the front's valid request; `undefined` removes a parameter. */
  params?: Partial<Record<keyof AuthorizationRequestParams, string | undefined>>;
  /** `Authorization: Basic` with this client and secret (SECRET for the right one). */
  basic?: { client: ClientName; secret: string };
  /** The OAuthError and its HTTP status; otherwise the request is accepted. */
  error?: [OAuthError['error'], number];
  /** The accepted request's AuthRequest (clientId aside); default: the front's valid one. */
  authRequest?: Omit<AuthRequest, 'clientId'>;
}

const ROWS: Row[] = [
  // The valid request of each front, as the baseline of every other row.
  ...(Object.keys(FRONTS) as FrontName[]).map((front): Row => ({ rule: 'a valid request is accepted', front })),

  // client_id
  { rule: 'client_id is required', front: 'APP_NATIVE', client: null, error: ['invalid_request', 400] },
  {
    rule: 'an unknown client_id is invalid_client (400: nobody to authenticate)',
    front: 'APP_NATIVE',
    client: { literal: 'no-such-client' },
    error: ['invalid_client', 400],
  },
  {
    rule: 'another project’s client is unknown here',
    front: 'APP_NATIVE',
    client: 'foreign',
    error: ['invalid_client', 400],
  },
  {
    rule: 'another project’s client is unknown on every front',
    front: 'HOSTED',
    client: 'foreign',
    error: ['invalid_client', 400],
  },

  // redirect_uri
  {
    rule: 'app-native requires redirect_uri',
    front: 'APP_NATIVE',
    params: { redirect_uri: undefined },
    error: ['invalid_request', 400],
  },
  {
    rule: 'redirect_uri must be registered',
    front: 'APP_NATIVE',
    params: { redirect_uri: 'com.example.app:/other' },
    error: ['invalid_request', 400],
  },
  {
    rule: 'redirect_uri is compared exactly',
    front: 'APP_NATIVE',
    params: { redirect_uri: `${REDIRECT}/` },
    error: ['invalid_request', 400],
  },
  {
    rule: 'a loopback redirect_uri may use any port (RFC 8252 §7.3)',
    front: 'APP_NATIVE',
    params: { redirect_uri: 'http://127.0.0.1:49152/cb' },
    authRequest: { ...VALID_AUTH_REQUEST.APP_NATIVE, redirectUri: 'http://127.0.0.1:49152/cb' },
  },
  { rule: 'First-Party Apps may leave redirect_uri out; nothing is bound then', front: 'FIRST_PARTY' },
  {
    rule: 'First-Party Apps bind a redirect_uri that is sent',
    front: 'FIRST_PARTY',
    params: { redirect_uri: REDIRECT },
    authRequest: { ...VALID_AUTH_REQUEST.FIRST_PARTY, redirectUri: REDIRECT },
  },
  {
    rule: 'First-Party Apps check a redirect_uri that is sent',
    front: 'FIRST_PARTY',
    params: { redirect_uri: 'https://evil.example/cb' },
    error: ['invalid_request', 400],
  },
  {
    rule: 'an empty redirect_uri is not an absent one',
    front: 'FIRST_PARTY',
    params: { redirect_uri: '' },
    error: ['invalid_request', 400],
  },

  // response_type
  {
    rule: 'response_type is required',
    front: 'APP_NATIVE',
    params: { response_type: undefined },
    error: ['invalid_request', 400],
  },
  {
    rule: 'response_type must be code',
    front: 'APP_NATIVE',
    params: { response_type: 'token' },
    error: ['unsupported_response_type', 400],
  },
  {
    rule: 'hybrid response types are not supported',
    front: 'FIRST_PARTY',
    params: { response_type: 'code id_token' },
    error: ['unsupported_response_type', 400],
  },
  {
    rule: 'the client must be allowed the code grant',
    front: 'APP_NATIVE',
    client: 'refreshOnly',
    error: ['unauthorized_client', 400],
  },
  {
    rule: 'the code grant is needed on the hosted pages too',
    front: 'HOSTED',
    client: 'refreshOnly',
    error: ['unauthorized_client', 400],
  },

  // response_mode, per front
  {
    rule: 'app-native needs response_mode=direct',
    front: 'APP_NATIVE',
    params: { response_mode: undefined },
    error: ['invalid_request', 400],
  },
  {
    rule: 'app-native refuses response_mode=query',
    front: 'APP_NATIVE',
    params: { response_mode: 'query' },
    error: ['invalid_request', 400],
  },
  { rule: 'First-Party Apps ignore response_mode', front: 'FIRST_PARTY', params: { response_mode: 'form_post' } },
  { rule: 'the hosted pages accept response_mode=query', front: 'HOSTED', params: { response_mode: 'query' } },
  {
    rule: 'the hosted pages refuse response_mode=direct',
    front: 'HOSTED',
    params: { response_mode: 'direct' },
    error: ['invalid_request', 400],
  },
  {
    rule: 'the hosted pages refuse response_mode=fragment',
    front: 'HOSTED',
    params: { response_mode: 'fragment' },
    error: ['invalid_request', 400],
  },

  // app-native access
  {
    rule: 'app-native needs a client with app-native authentication enabled',
    front: 'APP_NATIVE',
    client: 'browserOnly',
    error: ['unauthorized_client', 400],
  },
  {
    rule: 'First-Party Apps need it too',
    front: 'FIRST_PARTY',
    client: 'browserOnly',
    error: ['unauthorized_client', 400],
  },
  {
    rule: 'a session start needs it too',
    front: 'SESSION',
    client: 'browserOnly',
    error: ['unauthorized_client', 400],
  },
  { rule: 'the hosted pages serve any client (a browser front)', front: 'HOSTED', client: 'browserOnly' },

  // The hosted pages without a redirect_uri: nothing is issued, so no PKCE or scope is asked for.
  {
    rule: 'the hosted pages without redirect_uri check no PKCE or scope',
    front: 'HOSTED',
    params: {
      redirect_uri: undefined,
      code_challenge: undefined,
      code_challenge_method: undefined,
      scope: undefined,
      ui_locales: 'fr',
    },
    authRequest: { scope: '', responseMode: 'query', uiLocales: ['fr'] },
  },

  // PKCE
  {
    rule: 'public clients must send a code_challenge',
    front: 'APP_NATIVE',
    params: { code_challenge: undefined, code_challenge_method: undefined },
    error: ['invalid_request', 400],
  },
  {
    rule: 'public clients must send one on First-Party Apps too',
    front: 'FIRST_PARTY',
    params: { code_challenge: undefined, code_challenge_method: undefined },
    error: ['invalid_request', 400],
  },
  {
    rule: 'public clients must send one on the hosted pages when a code is issued',
    front: 'HOSTED',
    params: { code_challenge: undefined, code_challenge_method: undefined },
    error: ['invalid_request', 400],
  },
  {
    rule: 'code_challenge_method without code_challenge',
    front: 'APP_NATIVE',
    params: { code_challenge: undefined },
    error: ['invalid_request', 400],
  },
  {
    rule: 'code_challenge_method is required (the plain default is refused)',
    front: 'APP_NATIVE',
    params: { code_challenge_method: undefined },
    error: ['invalid_request', 400],
  },
  {
    rule: 'plain is refused',
    front: 'APP_NATIVE',
    params: { code_challenge_method: 'plain' },
    error: ['invalid_request', 400],
  },
  {
    rule: 'the method is case-sensitive',
    front: 'APP_NATIVE',
    params: { code_challenge_method: 's256' },
    error: ['invalid_request', 400],
  },
  {
    rule: 'an S256 challenge has 43 characters, not 42',
    front: 'APP_NATIVE',
    params: { code_challenge: CHALLENGE.slice(1) },
    error: ['invalid_request', 400],
  },
  {
    rule: 'an S256 challenge has 43 characters, not 44',
    front: 'APP_NATIVE',
    params: { code_challenge: `${CHALLENGE}A` },
    error: ['invalid_request', 400],
  },
  {
    rule: 'an S256 challenge is base64url, not base64',
    front: 'APP_NATIVE',
    params: { code_challenge: `${CHALLENGE.slice(0, 42)}+` },
    error: ['invalid_request', 400],
  },
  {
    rule: 'an S256 challenge carries no padding',
    front: 'FIRST_PARTY',
    params: { code_challenge: `${CHALLENGE.slice(0, 42)}=` },
    error: ['invalid_request', 400],
  },
  {
    rule: 'confidential clients may leave PKCE out',
    front: 'APP_NATIVE',
    client: 'confidentialPost',
    params: { client_secret: SECRET, code_challenge: undefined, code_challenge_method: undefined },
    authRequest: { redirectUri: REDIRECT, scope: 'openid' },
  },
  {
    rule: 'confidential clients that send PKCE get it checked',
    front: 'APP_NATIVE',
    client: 'confidentialPost',
    params: { client_secret: SECRET, code_challenge_method: 'plain' },
    error: ['invalid_request', 400],
  },

  // scope
  { rule: 'scope is required', front: 'APP_NATIVE', params: { scope: undefined }, error: ['invalid_scope', 400] },
  { rule: 'a blank scope is no scope', front: 'FIRST_PARTY', params: { scope: '   ' }, error: ['invalid_scope', 400] },
  {
    rule: 'an unknown scope is invalid_scope',
    front: 'APP_NATIVE',
    params: { scope: 'openid admin' },
    error: ['invalid_scope', 400],
  },
  { rule: 'scopes are case-sensitive', front: 'HOSTED', params: { scope: 'OpenID' }, error: ['invalid_scope', 400] },
  {
    rule: 'scope is stored without repeats or extra spaces',
    front: 'APP_NATIVE',
    params: { scope: ' openid  profile openid email offline_access ' },
    authRequest: { ...VALID_AUTH_REQUEST.APP_NATIVE, scope: 'openid profile email offline_access' },
  },

  // ui_locales, state and nonce
  {
    rule: 'ui_locales are canonicalised, deduplicated, and unusable tags dropped',
    front: 'APP_NATIVE',
    params: { ui_locales: 'de-ch EN not_a_tag!! de-CH' },
    authRequest: { ...VALID_AUTH_REQUEST.APP_NATIVE, uiLocales: ['de-CH', 'en'] },
  },
  {
    rule: 'ui_locales with nothing usable are left out (a preference, never an error)',
    front: 'FIRST_PARTY',
    params: { ui_locales: '!!! ???' },
  },
  {
    rule: 'state and nonce are kept for the response and the ID token',
    front: 'APP_NATIVE',
    params: { state: 'af0ifjsldkj', nonce: 'n-0S6_WzA2Mj' },
    authRequest: { ...VALID_AUTH_REQUEST.APP_NATIVE, state: 'af0ifjsldkj', nonce: 'n-0S6_WzA2Mj' },
  },

  // Confidential clients authenticate before any credential is collected in their name (not on the hosted pages).
  {
    rule: 'a confidential client must authenticate',
    front: 'APP_NATIVE',
    client: 'confidential',
    error: ['invalid_client', 401],
  },
  {
    rule: 'a confidential client must authenticate on First-Party Apps',
    front: 'FIRST_PARTY',
    client: 'confidential',
    error: ['invalid_client', 401],
  },
  {
    rule: 'a wrong client_secret is refused',
    front: 'APP_NATIVE',
    client: 'confidentialPost',
    params: { client_secret: WRONG_SECRET },
    error: ['invalid_client', 401],
  },
  {
    rule: 'an empty client_secret is refused',
    front: 'APP_NATIVE',
    client: 'confidentialPost',
    params: { client_secret: '' },
    error: ['invalid_client', 401],
  },
  {
    rule: 'client_secret_post authenticates',
    front: 'APP_NATIVE',
    client: 'confidentialPost',
    params: { client_secret: SECRET },
  },
  {
    rule: 'the right secret in the body is refused for a client registered with client_secret_basic',
    front: 'APP_NATIVE',
    client: 'confidential',
    params: { client_secret: SECRET },
    error: ['invalid_client', 401],
  },
  {
    rule: 'the right secret by Basic is refused for a client registered with client_secret_post',
    front: 'FIRST_PARTY',
    client: 'confidentialPost',
    basic: { client: 'confidentialPost', secret: SECRET },
    error: ['invalid_client', 401],
  },
  {
    rule: 'client_secret_basic authenticates',
    front: 'FIRST_PARTY',
    client: 'confidential',
    basic: { client: 'confidential', secret: SECRET },
  },
  {
    rule: 'a wrong Basic secret is refused',
    front: 'APP_NATIVE',
    client: 'confidential',
    basic: { client: 'confidential', secret: WRONG_SECRET },
    error: ['invalid_client', 401],
  },
  {
    rule: 'one authentication method, not two',
    front: 'APP_NATIVE',
    client: 'confidential',
    params: { client_secret: SECRET },
    basic: { client: 'confidential', secret: SECRET },
    error: ['invalid_request', 400],
  },
  {
    rule: 'Basic credentials of another client than client_id are refused',
    front: 'APP_NATIVE',
    client: 'confidential',
    basic: { client: 'public', secret: SECRET },
    error: ['invalid_request', 400],
  },
  {
    rule: 'the hosted pages leave client authentication to the token endpoint',
    front: 'HOSTED',
    client: 'confidential',
  },
  {
    rule: 'a session start authenticates a confidential client',
    front: 'SESSION',
    client: 'confidential',
    error: ['invalid_client', 401],
  },
  {
    rule: 'a session start accepts an authenticated confidential client',
    front: 'SESSION',
    client: 'confidential',
    basic: { client: 'confidential', secret: SECRET },
  },

  // A session start (registration that signs the app in): no code, so nothing for a redirect_uri or PKCE to bind.
  {
    rule: 'a session start takes no redirect_uri',
    front: 'SESSION',
    params: { redirect_uri: REDIRECT },
    error: ['invalid_request', 400],
  },
  {
    rule: 'a session start takes no code_challenge',
    front: 'SESSION',
    params: { code_challenge: CHALLENGE, code_challenge_method: 'S256' },
    error: ['invalid_request', 400],
  },
  {
    rule: 'a session start keeps the scope asked for, nonce and ui_locales',
    front: 'SESSION',
    params: { scope: 'openid email', nonce: 'n', ui_locales: 'de' },
    authRequest: { scope: 'openid email', responseMode: 'session', nonce: 'n', uiLocales: ['de'] },
  },
  {
    rule: 'a session start checks its scope',
    front: 'SESSION',
    params: { scope: 'openid admin' },
    error: ['invalid_scope', 400],
  },
];

describe('AuthorizeService.validate', () => {
  let scratch: ScratchDatabase;
  let service: AuthorizeService;
  let project: Project;
  const clients = {} as Record<ClientName, Application>;
  const secrets: Partial<Record<ClientName, string>> = {};

  beforeAll(async () => {
    scratch = await openScratchDatabase('pglite');
    const prisma = scratch.db.prisma;
    const newProject = async (): Promise<Project> => {
      const row = await prisma.project.create({ data: { slug: `p${randomBytes(4).toString('hex')}`, name: 'P' } });
      return {
        id: row.id,
        slug: row.slug,
        name: row.name,
        issuer: `https://id.example.com/t/${row.slug}`,
        settings: ProjectSettings.parse({}),
      };
    };
    project = await newProject();
    const foreignProject = await newProject();
    const applications = new ApplicationsService(
      new ApplicationsRepository(prisma),
      singleProcessNotifications(prisma),
    );
    const client = (
      type: 'public' | 'confidential',
      options: { appNative?: boolean; grantTypes?: string[]; post?: boolean } = {},
    ) => ({
      name: 'App',
      type,
      ...(options.post ? { tokenEndpointAuthMethod: 'client_secret_post' as const } : {}),
      redirectUris: [REDIRECT, 'http://127.0.0.1/cb'],
      grantTypes: options.grantTypes ?? ['authorization_code', 'refresh_token'],
      appNative: options.appNative ?? true,
    });
    clients.public = (await applications.create(project.id, client('public'))).application;
    const confidential = await applications.create(project.id, client('confidential'));
    clients.confidential = confidential.application;
    secrets.confidential = confidential.clientSecret ?? '';
    const confidentialPost = await applications.create(project.id, client('confidential', { post: true }));
    clients.confidentialPost = confidentialPost.application;
    secrets.confidentialPost = confidentialPost.clientSecret ?? '';
    clients.browserOnly = (await applications.create(project.id, client('public', { appNative: false }))).application;
    clients.refreshOnly = (
      await applications.create(project.id, client('public', { grantTypes: ['refresh_token'] }))
    ).application;
    clients.foreign = (await applications.create(foreignProject.id, client('public'))).application;
    const assertions = new ClientAssertionVerifier(new ClientKeySets(), new ClientAssertionsRepository(prisma));
    service = new AuthorizeService(applications, new ClientAuthenticator(applications, assertions));
  });

  afterAll(() => scratch?.dispose());

  const withSecret = (value: string | undefined, client: ClientName) => (value === SECRET ? secrets[client] : value);

  it.each(ROWS.map((row) => [`${row.front}: ${row.rule}`, row] as const))('%s', async (_name, row) => {
    const clientId =
      row.client === null
        ? undefined
        : typeof row.client === 'object'
          ? row.client.literal
          : clients[row.client ?? 'public'].clientId;
    const merged: Record<string, string | undefined> = { ...VALID[row.front], client_id: clientId, ...row.params };
    const params = Object.fromEntries(
      Object.entries(merged)
        .filter(([, value]) => value !== undefined)
        .map(([name, value]) => [name, withSecret(value, (row.client as ClientName | undefined) ?? 'public')]),
    ) as AuthorizationRequestParams;
    const authorization = row.basic
      ? `Basic ${Buffer.from(`${clients[row.basic.client].clientId}:${withSecret(row.basic.secret, row.basic.client)}`).toString('base64')}`
      : undefined;

    const result = service.validate(project, params, authorization, FRONTS[row.front]);
    if (row.error) {
      const [error, status] = row.error;
      await expect(result).rejects.toBeInstanceOf(OAuthError);
      await expect(result).rejects.toMatchObject({ error, status });
      return;
    }
    const client = clients[(row.client as ClientName | undefined) ?? 'public'];
    await expect(result).resolves.toEqual({
      application: client,
      authRequest: { clientId: client.clientId, ...(row.authRequest ?? VALID_AUTH_REQUEST[row.front]) },
    });
  });
});
