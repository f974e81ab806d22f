import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import {
  adminApi,
  BASIC_AUTHENTICATOR_ID,
  createTenant,
  pkcePair,
  postForm,
  postJson,
  putJson,
  startFlow,
  submitPassword,
  type Tenant,
} from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

/**
 * Malformed requests over every public endpoint, from a seeded generator (the same requests on every run):
 * NUL bytes, lone surrogates, huge strings, wrong types, malformed JSON, wrong content types, duplicate
 * params, odd base64 lengths, deep nesting and prototype keys, in bodies, queries, path segments and the
 * headers that reach the database. Whatever the client sends, the answer is never a 5xx.
 */

const SEED = 0x6b657977; // "keyw"
/** Requests generated per route (about 1,100 in all); each route gets every kind of damage in turn. */
const PER_ROUTE = 24;
const CONCURRENCY = 4;

/** mulberry32: a tiny seeded PRNG, so a failure is reproducible from the seed and the request index. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

/** Percent-encodes every UTF-16 code unit as (generalised) UTF-8, so lone surrogates reach the server as WTF-8 bytes. */
function percentEncode(value: string): string {
  let out = '';
  for (const char of value) {
    const cp = char.codePointAt(0)!;
    if (/^[A-Za-z0-9_.~-]$/.test(char)) out += char;
    else if (cp < 0x80) out += `%${cp.toString(16).padStart(2, '0').toUpperCase()}`;
    else {
      const bytes =
        cp < 0x800
          ? [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)]
          : cp < 0x10000
            ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
            : [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
      out += bytes.map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
    }
  }
  return out;
}
const formEncode = (entries: Array<[string, string]>): string =>
  entries.map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`).join('&');

type Encoding = 'form' | 'json' | 'query' | 'none';
type Params = Record<string, unknown>;

interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** With `{name}` placeholders for path params (values from `pathParams`). */
  path: string;
  encoding: Encoding;
  auth?: 'admin' | 'bearer' | 'basic';
  /** A plausible request to damage (may do setup requests, e.g. start a flow for its flowId). */
  base: () => Promise<Params>;
}

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** What was done to the request, for the failure report. */
  label: string;
}

const BAD_STRINGS: Record<string, string> = {
  nul: 'a\u0000b',
  nulOnly: '\u0000',
  loneHigh: 'x\ud800y',
  loneLow: '\udc00',
  reversedPair: '\udc00\ud800',
  huge: 'x'.repeat(100_000),
  controls: '\u0001\u001f\u007f\u0085\u2028',
  oddBase64: 'abcde',
  proto: '__proto__',
  constructorKey: 'constructor',
  emoji: '😀'.repeat(50),
  percent: '%E0%A4%A',
  sql: "' OR 1=1; --",
};
const WRONG_TYPES: unknown[] = [0, -1, 1e308, true, false, null, [], ['a', 'b'], {}, { a: 'b' }, [{ $ne: null }]];
const BAD_PATH_SEGMENTS = [
  'de%00mo',
  '%00',
  '%ED%A0%80',
  '%C0%80',
  '%uD800',
  'a'.repeat(2000),
  '__proto__',
  'constructor',
  '%2e%2e',
  '%25',
  'x%20y',
  '%E0%A4%A',
];
const CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/x-www-form-urlencoded; charset=latin1',
  '',
];
const MALFORMED_BODIES = [
  '{"a":',
  '[',
  '{"flowId":"\\ud800"',
  'nul',
  '{"a":1,}',
  '\u0000',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '"just a string"',
  '123',
  '%%%',
  'a=1&a=2&a[b]=c',
];

function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** The fields of a params object, as key paths into nested objects (the places damage can go). Keys may hold dots (`traits.email`). */
function fieldPaths(params: Params, prefix: string[] = []): string[][] {
  return Object.entries(params).flatMap(([key, value]) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? [[...prefix, key], ...fieldPaths(value as Params, [...prefix, key])]
      : [[...prefix, key]],
  );
}
function valueAt(params: Params, path: string[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Params)[key], params);
}
function setPath(params: Params, path: string[], value: unknown): Params {
  const copy = structuredClone(params);
  const parent = valueAt(copy, path.slice(0, -1)) as Params;
  // defineProperty: a key like `__proto__` becomes an own property (as JSON.parse makes it), not the prototype.
  Object.defineProperty(parent, path[path.length - 1]!, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}
const named = (path: string[]): string => path.join(' › ');

describe('fuzzing every public endpoint with malformed input', () => {
  let server: KeywayServer;
  let tenant: Tenant;
  let adminSlug: string;
  let accessToken: string;
  let confidential: { clientId: string; clientSecret: string };
  let identityId: string;

  beforeAll(async () => {
    server = await startKeyway();
    tenant = await createTenant(server);
    // Admin routes damage a project of their own, so a PATCH that lands cannot change the flows under test.
    const admin = await createTenant(server);
    adminSlug = admin.slug;
    identityId = admin.identityId;
    const app = await adminApi(server).post(`/projects/${tenant.slug}/applications`, {
      name: 'Confidential',
      type: 'confidential',
      redirectUris: ['https://app.example/cb'],
      appNative: true,
    });
    confidential = { clientId: app.body.clientId, clientSecret: app.body.clientSecret };
    const { response, verifier } = await startFlow(tenant);
    const done = await submitPassword(tenant, response.body.flowId, tenant.email, tenant.password);
    const tokens = await postForm(`${tenant.issuer}/oauth2/token`, {
      client_id: tenant.clientId,
      grant_type: 'authorization_code',
      code: done.body.authData.code,
      redirect_uri: tenant.redirectUri,
      code_verifier: verifier,
    });
    accessToken = tokens.body.access_token;
  });
  afterAll(() => server?.stop());

  const pathParams = (): Record<string, string> => ({
    tenant: tenant.slug,
    slug: adminSlug,
    clientId: tenant.clientId,
    id: identityId,
    kind: 'welcome',
    locale: 'en',
    version: '1',
    credentialId: 'AAAA',
    // Ids nothing has: the bodies and paths are what is damaged, before any lookup.
    memberId: '00000000-0000-4000-8000-000000000001',
    invitationId: '00000000-0000-4000-8000-000000000002',
    keyId: '00000000-0000-4000-8000-000000000003',
    resourceId: '00000000-0000-4000-8000-000000000004',
    connectionId: '00000000-0000-4000-8000-000000000005',
    issuerId: '00000000-0000-4000-8000-000000000006',
    role: 'fuzz-role',
  });
  const authorizeParams = (): Params => ({
    client_id: tenant.clientId,
    response_type: 'code',
    redirect_uri: tenant.redirectUri,
    scope: 'openid profile email',
    state: 'st',
    response_mode: 'direct',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
  });
  const flowId = async (): Promise<string> => (await startFlow(tenant)).response.body.flowId as string;
  const selfServiceFlowId = async (path: string, body: Params): Promise<string> =>
    (await postJson(`${tenant.issuer}/flows/${path}`, body)).body?.flowId as string;
  const registrationStart = (): Params => ({
    client_id: tenant.clientId,
    redirect_uri: tenant.redirectUri,
    scope: 'openid',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    state: 's',
  });
  const step = (id: string, authenticator: string, params: Params): Params => ({
    flowId: id,
    selectedAuthenticator: { authenticatorId: authenticator, params },
  });
  const actionId = (name: string) => Buffer.from(`${name}:LOCAL`).toString('base64url');

  const routes = (): Route[] => [
    { method: 'GET', path: '/t/{tenant}/.well-known/openid-configuration', encoding: 'query', base: async () => ({}) },
    { method: 'GET', path: '/t/{tenant}/oauth2/jwks', encoding: 'query', base: async () => ({}) },
    { method: 'GET', path: '/t/{tenant}/oauth2/authorize', encoding: 'query', base: async () => authorizeParams() },
    { method: 'POST', path: '/t/{tenant}/oauth2/authorize', encoding: 'form', base: async () => authorizeParams() },
    {
      method: 'POST',
      path: '/t/{tenant}/oauth2/authn',
      encoding: 'json',
      base: async () =>
        step(await flowId(), BASIC_AUTHENTICATOR_ID, { username: 'nobody@example.com', password: 'wrong' }),
    },
    {
      method: 'POST',
      path: '/t/{tenant}/oauth2/authorize-challenge',
      encoding: 'form',
      base: async () => ({
        client_id: tenant.clientId,
        response_type: 'code',
        scope: 'openid',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        username: 'nobody@example.com',
        password: 'x',
      }),
    },
    {
      method: 'POST',
      path: '/t/{tenant}/oauth2/authorize-challenge',
      encoding: 'form',
      base: async () => ({
        auth_session: randomBytes(32).toString('base64url'),
        token: '123456',
        authenticator_id: BASIC_AUTHENTICATOR_ID,
      }),
    },
    {
      method: 'POST',
      path: '/t/{tenant}/oauth2/token',
      encoding: 'form',
      base: async () => ({
        grant_type: 'authorization_code',
        code: randomBytes(32).toString('base64url'),
        client_id: tenant.clientId,
        redirect_uri: tenant.redirectUri,
        code_verifier: pkcePair().verifier,
      }),
    },
    {
      method: 'POST',
      path: '/t/{tenant}/oauth2/token',
      encoding: 'form',
      base: async () => ({
        grant_type: 'refresh_token',
        refresh_token: randomBytes(32).toString('base64url'),
        client_id: tenant.clientId,
      }),
    },
    {
      method: 'POST',
      path: '/t/{tenant}/oauth2/token',
      encoding: 'form',
      auth: 'basic',
      base: async () => ({ grant_type: 'refresh_token', refresh_token: 'x' }),
    },
    {
      method: 'POST',
      path: '/t/{tenant}/oauth2/token',
      encoding: 'form',
      base: async () => ({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        scope: 'openid',
        client_id: tenant.clientId,
      }),
    },
    {
      method: 'POST',
      path: '/t/{tenant}/oauth2/token',
      encoding: 'form',
      auth: 'basic',
      base: async () => ({
        grant_type: 'client_credentials',
        resource: 'https://api.example.com/orders',
        scope: 'orders:read',
      }),
    },
    {
      method: 'POST',
      path: '/t/{tenant}/oauth2/revoke',
      encoding: 'form',
      base: async () => ({ token: randomBytes(32).toString('base64url'), client_id: tenant.clientId }),
    },
    {
      method: 'POST',
      path: '/t/{tenant}/oauth2/introspect',
      encoding: 'form',
      auth: 'basic',
      base: async () => ({ token: randomBytes(32).toString('base64url'), token_type_hint: 'refresh_token' }),
    },
    { method: 'GET', path: '/t/{tenant}/oauth2/userinfo', encoding: 'query', auth: 'bearer', base: async () => ({}) },
    { method: 'POST', path: '/t/{tenant}/oauth2/userinfo', encoding: 'form', auth: 'bearer', base: async () => ({}) },
    { method: 'POST', path: '/t/{tenant}/flows/registration', encoding: 'json', base: async () => registrationStart() },
    {
      method: 'POST',
      path: '/t/{tenant}/flows/registration',
      encoding: 'json',
      base: async () =>
        step(await selfServiceFlowId('registration', registrationStart()), actionId('PasswordRegistration'), {
          'traits.email': 'new@example.com',
          'traits.name': 'N',
          password: 'a long password 1',
        }),
    },
    {
      method: 'POST',
      path: '/t/{tenant}/flows/verification',
      encoding: 'json',
      base: async () => ({ client_id: tenant.clientId, email: 'nobody@example.com' }),
    },
    {
      method: 'POST',
      path: '/t/{tenant}/flows/verification',
      encoding: 'json',
      base: async () =>
        step(
          await selfServiceFlowId('verification', { client_id: tenant.clientId, email: 'x@example.com' }),
          actionId('EmailCodeVerification'),
          { code: '123456' },
        ),
    },
    { method: 'POST', path: '/t/{tenant}/flows/recovery', encoding: 'json', base: async () => registrationStart() },
    {
      method: 'POST',
      path: '/t/{tenant}/flows/recovery',
      encoding: 'json',
      base: async () =>
        step(await selfServiceFlowId('recovery', registrationStart()), actionId('EmailRecovery'), {
          email: 'nobody@example.com',
        }),
    },
    { method: 'POST', path: '/t/{tenant}/flows/settings', encoding: 'json', auth: 'bearer', base: async () => ({}) },
    {
      method: 'POST',
      path: '/t/{tenant}/flows/settings',
      encoding: 'json',
      auth: 'bearer',
      base: async () => step(randomBytes(16).toString('hex'), actionId('UpdateProfile'), { 'traits.name': 'X' }),
    },
    // Hosted login (a browser's authorization request), its form answers, and the logout endpoint's two fronts.
    {
      method: 'GET',
      path: '/t/{tenant}/oauth2/authorize',
      encoding: 'query',
      base: async () => ({ ...authorizeParams(), response_mode: 'query', prompt: 'login', max_age: '60' }),
    },
    {
      method: 'POST',
      path: '/t/{tenant}/ui/login',
      encoding: 'form',
      base: async () => ({
        flowId: randomBytes(16).toString('hex'),
        authenticatorId: BASIC_AUTHENTICATOR_ID,
        csrf_token: 'x',
        username: 'nobody@example.com',
        password: 'wrong',
      }),
    },
    {
      method: 'GET',
      path: '/t/{tenant}/oauth2/logout',
      encoding: 'query',
      base: async () => ({ client_id: tenant.clientId, post_logout_redirect_uri: tenant.redirectUri, state: 'st' }),
    },
    {
      method: 'POST',
      path: '/t/{tenant}/oauth2/logout',
      encoding: 'form',
      base: async () => ({
        response_mode: 'direct',
        client_id: tenant.clientId,
        refresh_token: randomBytes(32).toString('base64url'),
      }),
    },
    { method: 'GET', path: '/t/{tenant}/ui/registration', encoding: 'query', base: async () => authorizeParams() },
    {
      method: 'POST',
      path: '/t/{tenant}/ui/registration',
      encoding: 'form',
      base: async () => ({
        flowId: await flowId(),
        authenticatorId: actionId('PasswordRegistration'),
        csrf_token: 'x',
        'traits.email': 'a@b.c',
      }),
    },
    { method: 'GET', path: '/t/{tenant}/ui/recovery', encoding: 'query', base: async () => authorizeParams() },
    {
      method: 'POST',
      path: '/t/{tenant}/ui/recovery',
      encoding: 'form',
      base: async () => ({ flowId: 'x', authenticatorId: actionId('EmailRecovery'), csrf_token: 'x', email: 'a@b.c' }),
    },
    {
      method: 'GET',
      path: '/t/{tenant}/ui/verification',
      encoding: 'query',
      base: async () => ({ client_id: tenant.clientId }),
    },
    {
      method: 'POST',
      path: '/t/{tenant}/ui/verification',
      encoding: 'form',
      base: async () => ({ client_id: tenant.clientId, email: 'a@b.c', csrf_token: 'x' }),
    },
    {
      method: 'GET',
      path: '/t/{tenant}/ui/verification/confirm',
      encoding: 'query',
      base: async () => ({ flow: randomBytes(16).toString('hex'), token: 'abc' }),
    },
    { method: 'POST', path: '/t/{tenant}/me/totp', encoding: 'json', auth: 'bearer', base: async () => ({}) },
    {
      method: 'POST',
      path: '/t/{tenant}/me/totp/verify',
      encoding: 'json',
      auth: 'bearer',
      base: async () => ({ token: '123456' }),
    },
    {
      method: 'POST',
      path: '/t/{tenant}/me/passkeys/registration-options',
      encoding: 'json',
      auth: 'bearer',
      base: async () => ({}),
    },
    {
      method: 'POST',
      path: '/t/{tenant}/me/passkeys',
      encoding: 'json',
      auth: 'bearer',
      base: async () => ({
        name: 'k',
        credential: {
          id: 'abcde',
          rawId: 'abcde',
          type: 'public-key',
          response: { clientDataJSON: 'abcde', attestationObject: 'abcde' },
          clientExtensionResults: {},
        },
      }),
    },
    { method: 'GET', path: '/t/{tenant}/me/passkeys', encoding: 'query', auth: 'bearer', base: async () => ({}) },
    {
      method: 'DELETE',
      path: '/t/{tenant}/me/passkeys/{credentialId}',
      encoding: 'none',
      auth: 'bearer',
      base: async () => ({}),
    },
    {
      method: 'POST',
      path: '/t/{tenant}/me/backup-codes',
      encoding: 'json',
      auth: 'bearer',
      base: async () => ({ count: 10 }),
    },
    { method: 'GET', path: '/t/{tenant}/me/backup-codes', encoding: 'query', auth: 'bearer', base: async () => ({}) },
    {
      method: 'POST',
      path: '/api/admin/v1/projects',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({
        slug: `f-${randomBytes(4).toString('hex')}`,
        name: 'Fuzz',
        settings: { lockout: { maxAttempts: 5 } },
      }),
    },
    { method: 'GET', path: '/api/admin/v1/projects/{slug}', encoding: 'query', auth: 'admin', base: async () => ({}) },
    {
      method: 'PATCH',
      path: '/api/admin/v1/projects/{slug}',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({ name: 'Fuzz', settings: { webauthn: { rpName: 'x' }, emails: { welcome: true } } }),
    },
    {
      method: 'POST',
      path: '/api/admin/v1/projects/{slug}/applications',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({
        name: 'A',
        type: 'public',
        redirectUris: ['com.example:/cb'],
        loginFlow: [['BasicAuthenticator']],
        clientId: `c-${randomBytes(4).toString('hex')}`,
      }),
    },
    {
      method: 'PATCH',
      path: '/api/admin/v1/projects/{slug}/applications/{clientId}',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({ name: 'B', redirectUris: ['com.example:/cb'] }),
    },
    {
      method: 'POST',
      path: '/api/admin/v1/projects/{slug}/applications/{clientId}/login-flow/preview',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({ loginFlow: [['BasicAuthenticator', 'FIDOAuthenticator'], ['totp']] }),
    },
    {
      method: 'GET',
      path: '/api/admin/v1/projects/{slug}/applications',
      encoding: 'query',
      auth: 'admin',
      base: async () => ({}),
    },
    {
      method: 'POST',
      path: '/api/admin/v1/projects/{slug}/api-resources',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({
        identifier: `https://api.example.com/${randomBytes(4).toString('hex')}`,
        name: 'API',
        scopes: [{ name: 'orders:read', description: 'Read orders' }],
        accessTokenTtlSeconds: 300,
      }),
    },
    {
      method: 'PATCH',
      path: '/api/admin/v1/projects/{slug}/api-resources/{resourceId}',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({ name: 'API', scopes: [{ name: 'orders:write' }], accessTokenTtlSeconds: null }),
    },
    {
      method: 'GET',
      path: '/api/admin/v1/projects/{slug}/api-resources/{resourceId}',
      encoding: 'query',
      auth: 'admin',
      base: async () => ({}),
    },
    {
      method: 'GET',
      path: '/api/admin/v1/projects/{slug}/connections',
      encoding: 'query',
      auth: 'admin',
      base: async () => ({}),
    },
    {
      method: 'POST',
      path: '/api/admin/v1/projects/{slug}/connections',
      encoding: 'json',
      auth: 'admin',
      // A built-in preset: creating it calls no provider.
      base: async () => ({
        name: `g-${randomBytes(4).toString('hex')}`,
        preset: 'google',
        clientId: 'web.apps.googleusercontent.com',
        clientSecret: 'secret',
        allowedAudiences: ['ios.apps.googleusercontent.com'],
        claimMapping: { email: 'email' },
        linkingPolicy: 'proof',
        applications: [{ clientId: 'nobody', mode: 'both' }],
      }),
    },
    {
      method: 'PATCH',
      path: '/api/admin/v1/projects/{slug}/connections/{connectionId}',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({ scopes: ['openid'], clientSecret: null, trustEmailVerified: false }),
    },
    {
      method: 'GET',
      path: '/api/admin/v1/projects/{slug}/connections/{connectionId}',
      encoding: 'query',
      auth: 'admin',
      base: async () => ({}),
    },
    {
      method: 'POST',
      path: '/api/admin/v1/projects/{slug}/connections/{connectionId}/test',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({}),
    },
    {
      method: 'DELETE',
      path: '/api/admin/v1/projects/{slug}/connections/{connectionId}',
      encoding: 'query',
      auth: 'admin',
      base: async () => ({}),
    },
    {
      method: 'GET',
      path: '/api/admin/v1/projects/{slug}/token-issuers',
      encoding: 'query',
      auth: 'admin',
      base: async () => ({}),
    },
    {
      method: 'POST',
      path: '/api/admin/v1/projects/{slug}/token-issuers',
      encoding: 'json',
      auth: 'admin',
      // A static key set: creating it calls no partner.
      base: async () => ({
        name: `p-${randomBytes(4).toString('hex')}`,
        mode: 'jwt',
        issuer: 'https://partner.example.com',
        audiences: ['keyway'],
        jwks: {
          keys: [
            {
              kty: 'EC',
              crv: 'P-256',
              x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
              y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
            },
          ],
        },
        claimMapping: { email: 'email' },
        updatePolicy: 'every-login',
        applications: ['nobody'],
      }),
    },
    {
      method: 'PATCH',
      path: '/api/admin/v1/projects/{slug}/token-issuers/{issuerId}',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({ audiences: ['keyway'], updatePolicy: 'first-login', callbackTimeoutMs: 2000 }),
    },
    {
      method: 'POST',
      path: '/api/admin/v1/projects/{slug}/token-issuers/{issuerId}/rotate-secret',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({}),
    },
    {
      method: 'DELETE',
      path: '/api/admin/v1/projects/{slug}/token-issuers/{issuerId}',
      encoding: 'query',
      auth: 'admin',
      base: async () => ({}),
    },
    {
      method: 'PUT',
      path: '/api/admin/v1/projects/{slug}/applications/{clientId}/resource-grants',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({ grants: [{ resource: 'https://api.example.com/orders', scopes: ['orders:read'] }] }),
    },
    {
      method: 'POST',
      path: '/api/admin/v1/projects/{slug}/identities',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({
        traits: { email: `i-${randomBytes(4).toString('hex')}@example.com`, name: 'I' },
        password: 'a long password 1',
      }),
    },
    {
      method: 'GET',
      path: '/api/admin/v1/projects/{slug}/identities/{id}',
      encoding: 'query',
      auth: 'admin',
      base: async () => ({}),
    },
    {
      method: 'POST',
      path: '/api/admin/v1/projects/{slug}/identity-schemas',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({
        schema: {
          type: 'object',
          properties: {
            email: {
              type: 'string',
              pattern: '^[a-z@.]+$',
              keyway: { credentials: { password: { identifier: true } } },
            },
          },
        },
      }),
    },
    {
      method: 'POST',
      path: '/api/admin/v1/projects/{slug}/identity-schemas/preview',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({
        schema: {
          type: 'object',
          required: ['email'],
          properties: {
            email: { type: 'string', format: 'email', keyway: { credentials: { password: { identifier: true } } } },
            plan: { type: 'string', enum: ['free', 'pro'] },
          },
        },
      }),
    },
    {
      method: 'GET',
      path: '/api/admin/v1/projects/{slug}/identity-schemas/{version}',
      encoding: 'query',
      auth: 'admin',
      base: async () => ({}),
    },
    {
      method: 'PUT',
      path: '/api/admin/v1/projects/{slug}/identity-schemas/default',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({ version: 1 }),
    },
    {
      method: 'GET',
      path: '/api/admin/v1/projects/{slug}/email/templates/{kind}/{locale}',
      encoding: 'query',
      auth: 'admin',
      base: async () => ({}),
    },
    {
      method: 'PUT',
      path: '/api/admin/v1/projects/{slug}/email/templates/{kind}/{locale}',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({ subject: 'Hi', html: '<p>{{#name}}x{{/name}}</p>', text: 'Hi' }),
    },
    {
      method: 'PUT',
      path: '/api/admin/v1/projects/{slug}/email/smtp',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({ host: '127.0.0.1', port: 2525, tlsMode: 'none', fromAddress: 'a@example.com' }),
    },
    {
      method: 'GET',
      path: '/api/admin/v1/projects/{slug}/email/outbox',
      encoding: 'query',
      auth: 'admin',
      base: async () => ({ status: 'pending' }),
    },
    {
      method: 'POST',
      path: '/api/admin/v1/projects/{slug}/email/test',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({ to: 'a@example.com' }),
    },
    { method: 'GET', path: '/api/admin/v1/me', encoding: 'query', auth: 'admin', base: async () => ({}) },
    { method: 'GET', path: '/api/admin/v1/permissions', encoding: 'query', auth: 'admin', base: async () => ({}) },
    {
      method: 'PATCH',
      path: '/api/admin/v1/projects/{slug}/members/{memberId}',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({ role: 'developer' }),
    },
    {
      method: 'DELETE',
      path: '/api/admin/v1/projects/{slug}/members/{memberId}',
      encoding: 'query',
      auth: 'admin',
      base: async () => ({}),
    },
    {
      method: 'POST',
      path: '/api/admin/v1/projects/{slug}/invitations',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({ email: `m-${randomBytes(4).toString('hex')}@example.com`, role: 'helpdesk' }),
    },
    {
      method: 'DELETE',
      path: '/api/admin/v1/projects/{slug}/invitations/{invitationId}',
      encoding: 'query',
      auth: 'admin',
      base: async () => ({}),
    },
    {
      method: 'POST',
      path: '/api/admin/v1/invitations/lookup',
      encoding: 'json',
      base: async () => ({ token: randomBytes(32).toString('base64url') }),
    },
    {
      method: 'POST',
      path: '/api/admin/v1/invitations/accept',
      encoding: 'json',
      base: async () => ({ token: randomBytes(32).toString('base64url'), password: 'a long password 1', name: 'N' }),
    },
    {
      method: 'POST',
      path: '/api/admin/v1/projects/{slug}/roles',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({
        name: `r-${randomBytes(4).toString('hex')}`,
        description: 'Fuzz',
        permissions: ['projects.read', 'audit.read'],
      }),
    },
    {
      method: 'PATCH',
      path: '/api/admin/v1/projects/{slug}/roles/{role}',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({ description: 'Fuzz', permissions: ['projects.read'] }),
    },
    {
      method: 'DELETE',
      path: '/api/admin/v1/projects/{slug}/roles/{role}',
      encoding: 'query',
      auth: 'admin',
      base: async () => ({}),
    },
    {
      method: 'POST',
      path: '/api/admin/v1/projects/{slug}/api-keys',
      encoding: 'json',
      auth: 'admin',
      base: async () => ({ name: 'Fuzz', role: 'helpdesk', expiresAt: '2099-01-01T00:00:00Z' }),
    },
    {
      method: 'DELETE',
      path: '/api/admin/v1/projects/{slug}/api-keys/{keyId}',
      encoding: 'query',
      auth: 'admin',
      base: async () => ({}),
    },
  ];

  /** The kinds of damage, applied in turn to every route (the PRNG picks where and with what). */
  type Damage = (
    rng: Rng,
    route: Route,
    params: Params,
  ) => {
    params?: Params;
    raw?: { body: string; contentType: string };
    path?: Record<string, string>;
    headers?: Record<string, string>;
    query?: string;
    label: string;
  };
  const badValueIn =
    (name: string): Damage =>
    (rng, _route, params) => {
      const fields = fieldPaths(params);
      const value = BAD_STRINGS[name]!;
      if (fields.length === 0)
        return {
          params: { [pick(rng, ['state', 'client_id', 'email', 'x'])]: value },
          label: `${name} in a new field`,
        };
      const field = pick(rng, fields);
      return { params: setPath(params, field, value), label: `${name} in ${named(field)}` };
    };
  const damages: Record<string, Damage> = {
    nul: badValueIn('nul'),
    nulOnly: badValueIn('nulOnly'),
    loneHigh: badValueIn('loneHigh'),
    loneLow: badValueIn('loneLow'),
    reversedPair: badValueIn('reversedPair'),
    huge: badValueIn('huge'),
    controls: badValueIn('controls'),
    oddBase64: badValueIn('oddBase64'),
    protoValue: badValueIn('proto'),
    emoji: badValueIn('emoji'),
    percent: badValueIn('percent'),
    sql: badValueIn('sql'),
    badKey: (rng, _route, params) => {
      const key = pick(rng, [
        'a\u0000b',
        '\ud800',
        '__proto__',
        'constructor',
        'prototype',
        'hasOwnProperty',
        'toString',
      ]);
      const objects = [
        [],
        ...fieldPaths(params).filter((field) => {
          const value = valueAt(params, field);
          return value && typeof value === 'object' && !Array.isArray(value);
        }),
      ];
      const at = pick(rng, objects);
      return {
        params: setPath(params, [...at, key], 'x'),
        label: `key ${JSON.stringify(key)} in ${named(at) || 'the top level'}`,
      };
    },
    wrongType: (rng, _route, params) => {
      const fields = fieldPaths(params);
      const field = fields.length ? pick(rng, fields) : ['x'];
      const value = pick(rng, WRONG_TYPES);
      return { params: setPath(params, field, value), label: `${JSON.stringify(value)} as ${named(field)}` };
    },
    badPath: (rng, route) => {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
      const name = names.length ? pick(rng, names) : 'tenant';
      const segment = pick(rng, BAD_PATH_SEGMENTS);
      return { path: { [name]: segment }, label: `path ${name}=${segment.slice(0, 40)}` };
    },
    malformedBody: (rng) => {
      const body = pick(rng, MALFORMED_BODIES);
      const contentType = pick(rng, ['application/json', 'application/x-www-form-urlencoded']);
      return { raw: { body, contentType }, label: `${contentType} body ${JSON.stringify(body)}` };
    },
    wrongContentType: (rng, _route, params) => {
      const contentType = pick(rng, CONTENT_TYPES);
      return {
        raw: { body: JSON.stringify(params), contentType },
        label: `content-type ${JSON.stringify(contentType)}`,
      };
    },
    duplicateParams: (rng, _route, params) => {
      const fields = Object.keys(params);
      const field = fields.length ? pick(rng, fields) : 'state';
      const query = formEncode([
        ...Object.entries(params).map(([key, value]): [string, string] => [key, String(value)]),
        [field, 'second'],
        [`${field}[x]`, 'y'],
      ]);
      return {
        query,
        raw: { body: query, contentType: 'application/x-www-form-urlencoded' },
        label: `duplicate ${field}`,
      };
    },
    deepJson: (rng) => {
      const depth = pick(rng, [100, 1000, 5000, 20000]);
      const kind = pick(rng, ['array', 'object'] as const);
      return {
        raw: {
          body: `{"flowId":${deepJson(depth, kind)},"selectedAuthenticator":{"authenticatorId":"x","params":${deepJson(depth, kind)}},"schema":${deepJson(depth, kind)}}`,
          contentType: 'application/json',
        },
        label: `${kind}s nested ${depth} deep`,
      };
    },
    deepTemplate: (rng, _route, params) => {
      const depth = pick(rng, [500, 5000, 15000]);
      const template = `${'{{#name}}'.repeat(depth)}x${'{{/name}}'.repeat(depth)}`;
      const field = pick(rng, ['html', 'text', 'subject']);
      return { params: { ...params, [field]: template }, label: `template ${field} nested ${depth} deep` };
    },
    badHeaders: (rng) => {
      const header = pick<Record<string, string>>(rng, [
        { authorization: `Basic ${Buffer.from('a\u0000b:secret').toString('base64')}` },
        { authorization: `Basic ${Buffer.from('a%00b:secret').toString('base64')}` },
        { authorization: `Basic ${Buffer.from('%ED%A0%80:x').toString('base64')}` },
        { authorization: 'Basic ####' },
        { authorization: 'Bearer abcde' },
        { authorization: `Bearer ${'a'.repeat(8000)}` },
        { 'user-agent': 'Mozilla\u00ff\u0085' },
        { 'user-agent': 'x'.repeat(8000) },
        { 'x-forwarded-for': 'not-an-ip, \u00ff' },
        { 'x-request-id': '\u00ff'.repeat(20) },
        { cookie: 'keyway_csrf=%00; other=%ED%A0%80' },
        { 'accept-language': '\u00ff' },
      ]);
      return { headers: header, label: `header ${JSON.stringify(header).slice(0, 80)}` };
    },
  };

  /** Builds one damaged request; only the route's own setup (flow ids…) is awaited. */
  async function build(route: Route, damageName: string, seed: number): Promise<FuzzRequest> {
    const rng = prng(seed);
    const params = await route.base();
    const damage = damages[damageName]!(rng, route, params);
    const segments = { ...pathParams(), ...(damage.path ?? {}) };
    const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
      damage.path?.[name] !== undefined ? damage.path[name]! : encodeURIComponent(segments[name]!),
    );
    const headers: Record<string, string> = { accept: 'application/json' };
    if (route.auth === 'admin') headers['authorization'] = `Bearer ${server.adminToken}`;
    if (route.auth === 'bearer') headers['authorization'] = `Bearer ${accessToken}`;
    if (route.auth === 'basic')
      headers['authorization'] =
        `Basic ${Buffer.from(`${confidential.clientId}:${confidential.clientSecret}`).toString('base64')}`;
    Object.assign(headers, damage.headers ?? {});
    const finalParams = damage.params ?? params;
    let url = `${server.baseUrl}${path}`;
    let body: string | undefined;
    const asEntries = (): Array<[string, string]> =>
      Object.entries(finalParams).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : JSON.stringify(value),
      ]);
    if (route.encoding === 'query') {
      const query = damage.query ?? formEncode(asEntries().map(([key, value]) => [key, value.slice(0, 6000)]));
      if (query) url += `?${query}`;
    } else if (damage.raw) {
      body = damage.raw.body;
      if (damage.raw.contentType) headers['content-type'] = damage.raw.contentType;
    } else if (route.encoding === 'form') {
      body = formEncode(asEntries());
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (route.encoding === 'json') {
      // JSON.stringify writes lone surrogates as \ud800 escapes: the server's JSON.parse turns them back into lone surrogates.
      body = JSON.stringify(finalParams);
      headers['content-type'] = 'application/json';
    }
    if (route.method === 'GET' || route.method === 'DELETE') body = undefined;
    return {
      method: route.method,
      url,
      headers,
      ...(body !== undefined ? { body } : {}),
      label: `${route.method} ${route.path} ${damageName}: ${damage.label}`,
    };
  }

  async function send(request: FuzzRequest): Promise<{ status: number; text: string }> {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      redirect: 'manual',
      ...(request.body !== undefined ? { body: request.body } : {}),
    });
    return { status: response.status, text: await response.text() };
  }

  describe("bad bytes are refused at the boundary with a 400 naming the field, in the endpoint's error shape", () => {
    const oauthError = (field: string) => ({
      error: 'invalid_request',
      error_description: expect.stringContaining(`${field}: must`),
    });
    const apiError = (field: string) => ({
      code: 'KW-40000',
      message: 'Invalid request.',
      description: expect.stringContaining(`${field}: must`),
      fields: [expect.objectContaining({ field })],
      traceId: expect.any(String),
    });
    const raw = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${server.baseUrl}${path}`, { redirect: 'manual', ...init });
      return { status: response.status, body: (await response.json()) as unknown };
    };

    it('a NUL byte in the tenant path segment (discovery, jwks)', async () => {
      expect(await raw('/t/de%00mo/oauth2/jwks')).toEqual({ status: 400, body: oauthError('tenant') });
      expect(await raw(`/t/${tenant.slug}%00/.well-known/openid-configuration`)).toEqual({
        status: 400,
        body: oauthError('tenant'),
      });
    });

    it('NUL bytes in OAuth parameters: client_id at the token endpoint, state at authorize', async () => {
      const token = await raw(`/t/${tenant.slug}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=refresh_token&refresh_token=x&client_id=a%00b',
      });
      expect(token).toEqual({ status: 400, body: oauthError('client_id') });
      const query = formEncode(Object.entries({ ...authorizeParams(), state: 'a\u0000b' }) as Array<[string, string]>);
      expect(await raw(`/t/${tenant.slug}/oauth2/authorize?${query}`)).toEqual({
        status: 400,
        body: oauthError('state'),
      });
    });

    it('a NUL byte in a client id sent with HTTP Basic', async () => {
      const response = await raw(`/t/${tenant.slug}/oauth2/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from('a%00b:secret').toString('base64')}`,
        },
        body: 'grant_type=refresh_token&refresh_token=x',
      });
      expect(response).toEqual({
        status: 401,
        body: { error: 'invalid_client', error_description: expect.stringContaining('client_id must not contain NUL') },
      });
    });

    it('a NUL byte in the recovery email and a lone surrogate in the registration state (flow endpoints)', async () => {
      const flow = await selfServiceFlowId('recovery', registrationStart());
      const recovery = await postJson(
        `${tenant.issuer}/flows/recovery`,
        step(flow, actionId('EmailRecovery'), { email: 'a\u0000@example.com' }),
      );
      expect(recovery).toMatchObject({ status: 400, body: apiError('selectedAuthenticator.params.email') });
      const registration = await raw(`/t/${tenant.slug}/flows/registration`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...registrationStart(), state: 'x' }).replace('"state":"x"', '"state":"\\ud800"'),
      });
      expect(registration).toEqual({ status: 400, body: apiError('state') });
    });

    it('a NUL byte in a header (User-Agent is stored with sessions) never reaches a handler', async () => {
      // fetch refuses to send it, so over a raw socket: Node's HTTP parser answers 400 itself.
      const { port } = new URL(server.baseUrl);
      const statusLine = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () =>
          socket.end(`GET /t/${tenant.slug}/oauth2/jwks HTTP/1.1\r\nHost: x\r\nUser-Agent: a\u0000b\r\n\r\n`, 'latin1'),
        );
        socket.once('data', (chunk) => resolve(chunk.toString('latin1').split('\r\n')[0]!));
        socket.once('error', reject);
      });
      expect(statusLine).toMatch(/^HTTP\/1\.1 400 /);
    });

    it('authenticatorIds of a length base64 cannot have are an unknown option, not a crash', async () => {
      for (const authenticatorId of ['abcde', '__proto__', 'a']) {
        const answer = await postJson(
          `${tenant.issuer}/oauth2/authn`,
          step(await flowId(), authenticatorId, { username: 'x', password: 'y' }),
        );
        expect({ authenticatorId, status: answer.status, code: answer.body.code }).toEqual({
          authenticatorId,
          status: 400,
          code: 'FLW-60002',
        });
      }
    });

    it('prototype keys in step params are plain (unknown) params', async () => {
      const body = `{"flowId":"${await flowId()}","selectedAuthenticator":{"authenticatorId":"${BASIC_AUTHENTICATOR_ID}","params":{"constructor":{"prototype":{"x":1}},"toString":"x"}}}`;
      const answer = await raw(`/t/${tenant.slug}/oauth2/authn`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(answer.status).toBe(400);
      const proto = await raw(`/t/${tenant.slug}/oauth2/authn`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body.replace('"toString"', '"__proto__"'),
      });
      expect(proto.status).toBe(400);
    });

    it('JSON nested deeper than any request needs', async () => {
      const answer = await raw(`/t/${tenant.slug}/flows/registration`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"state":${deepJson(5000, 'array')}}`,
      });
      expect(answer).toMatchObject({
        status: 400,
        body: { code: 'KW-40000', description: expect.stringMatching(/^state(\[0\])+: is nested too deeply/) },
      });
    });

    it('an email template with sections nested 5,000 deep', async () => {
      const nested = `${'{{#name}}'.repeat(5000)}x${'{{/name}}'.repeat(5000)}`;
      const answer = await putJson(
        `${server.baseUrl}/api/admin/v1/projects/${adminSlug}/email/templates/welcome/en`,
        { subject: 'Hi', html: 'x', text: nested },
        { authorization: `Bearer ${server.adminToken}` },
      );
      expect(answer).toMatchObject({
        status: 400,
        body: { code: 'KW-40000', description: expect.stringMatching(/^text: sections .* nested more than \d+ deep/) },
      });
    });
  });

  it('answers no malformed request with a 5xx', async () => {
    const rng = prng(SEED);
    const damageNames = Object.keys(damages);
    const plan: Array<{ route: Route; damage: string; seed: number }> = [];
    for (const route of routes()) {
      const offset = Math.floor(rng() * damageNames.length);
      for (let i = 0; i < PER_ROUTE; i++)
        plan.push({
          route,
          damage: damageNames[(i + offset) % damageNames.length]!,
          seed: Math.floor(rng() * 2 ** 32),
        });
    }
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < plan.length) {
        const { route, damage, seed } = plan[next++]!;
        let request: FuzzRequest | undefined;
        try {
          request = await build(route, damage, seed);
          const { status, text } = await send(request);
          sent++;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status >= 500) failures.push(`${status} ← ${request.label.slice(0, 200)} → ${text.slice(0, 200)}`);
        } catch (error) {
          failures.push(
            `no answer ← ${request?.label.slice(0, 200) ?? `${route.method} ${route.path} ${damage} (setup)`}: ${(error as Error).message}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    // The count, for the record (and for comparing builds): how many requests and how many answered 5xx.
    const byStatus = [...statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
    console.log(`fuzz: ${sent} requests over ${routes().length} routes, ${failures.length} failures (${byStatus})`);
    // With the server's log of each failure (found by the traceId in the answer), to see the cause at once.
    const logged = (failure: string) =>
      server
        .output()
        .split('\n')
        .filter((line) => [...failure.matchAll(/traceId\\?":\\?"([\w-]+)/g)].some((match) => line.includes(match[1]!)));
    expect(failures.map((failure) => [failure, ...logged(failure).map((line) => line.slice(0, 1500))])).toEqual([]);
    // The server is still healthy afterwards.
    expect((await fetch(`${server.baseUrl}/health`)).status).toBe(200);
  }, 120_000);
});
