import { createHash, randomBytes } from 'node:crypto';
import type { KeywayServer } from './keyway-server';

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

async function toJson<T>(response: Response): Promise<JsonResponse<T>> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function postForm<T = any>(
  url: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  return toJson<T>(
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
      body: new URLSearchParams(params).toString(),
    }),
  );
}

/** A request with a JSON body: `postJson(url, body, headers?)` and its PATCH and PUT twins. */
function sendJson(method: 'POST' | 'PATCH' | 'PUT') {
  return async <T = any>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonResponse<T>> =>
    toJson<T>(
      await fetch(url, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    );
}

export const postJson = sendJson('POST');

export const patchJson = sendJson('PATCH');

export async function get<T = any>(url: string, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
  return toJson<T>(await fetch(url, { headers }));
}

/** The admin API, authenticated with the server's bootstrap token. */
export function adminApi(server: KeywayServer) {
  const auth = { authorization: `Bearer ${server.adminToken}` };
  const base = `${server.baseUrl}/api/admin/v1`;
  return {
    post: <T = any>(path: string, body: unknown) => postJson<T>(`${base}${path}`, body, auth),
    patch: <T = any>(path: string, body: unknown) => patchJson<T>(`${base}${path}`, body, auth),
    put: <T = any>(path: string, body: unknown) => putJson<T>(`${base}${path}`, body, auth),
    get: <T = any>(path: string) => get<T>(`${base}${path}`, auth),
    delete: <T = any>(path: string) => sendDelete<T>(`${base}${path}`, auth),
  };
}

export async function sendDelete<T = any>(url: string, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
  return toJson<T>(await fetch(url, { method: 'DELETE', headers }));
}

export interface Tenant {
  slug: string;
  issuer: string;
  clientId: string;
  redirectUri: string;
  email: string;
  password: string;
  identityId: string;
}

/** A fresh project with a public app-native client and one user, set up through the admin API. */
export async function createTenant(server: KeywayServer, settings?: Record<string, unknown>): Promise<Tenant> {
  const admin = adminApi(server);
  const slug = `t-${randomBytes(5).toString('hex')}`;
  const project = await admin.post('/projects', { slug, name: `Test ${slug}`, ...(settings ? { settings } : {}) });
  if (project.status !== 201) throw new Error(`create project: ${project.status} ${JSON.stringify(project.body)}`);
  const redirectUri = 'com.example.app:/oauth2redirect';
  const app = await admin.post(`/projects/${slug}/applications`, {
    name: 'Native app',
    type: 'public',
    redirectUris: [redirectUri],
    grantTypes: ['authorization_code', 'refresh_token'],
    appNative: true,
  });
  if (app.status !== 201) throw new Error(`create application: ${app.status} ${JSON.stringify(app.body)}`);
  const email = `user-${randomBytes(4).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const identity = await admin.post(`/projects/${slug}/identities`, { traits: { email, name: 'Test User' }, password });
  if (identity.status !== 201) throw new Error(`create identity: ${identity.status} ${JSON.stringify(identity.body)}`);
  return {
    slug,
    issuer: project.body.issuer,
    clientId: app.body.clientId,
    redirectUri,
    email,
    password,
    identityId: identity.body.id,
  };
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const BASIC_AUTHENTICATOR_ID = 'QmFzaWNBdXRoZW50aWNhdG9yOkxPQ0FM';
/** base64url("totp:LOCAL"), as in the reference's scenario 2. */
export const TOTP_AUTHENTICATOR_ID = 'dG90cDpMT0NBTA';

/** Starts an app-native flow for a tenant; returns the response and the PKCE verifier. */
export async function startFlow(
  tenant: Pick<Tenant, 'issuer' | 'clientId' | 'redirectUri'>,
  extra: Record<string, string> = {},
  /** A confidential client's `Basic …` credentials. */
  authorization?: string,
) {
  const pkce = pkcePair();
  const response = await postForm(
    `${tenant.issuer}/oauth2/authorize`,
    {
      client_id: tenant.clientId,
      response_type: 'code',
      redirect_uri: tenant.redirectUri,
      scope: 'openid profile email',
      state: 'st-123',
      response_mode: 'direct',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      ...extra,
    },
    authorization ? { authorization } : {},
  );
  return { response, verifier: pkce.verifier };
}

export function submitPassword(tenant: Pick<Tenant, 'issuer'>, flowId: string, username: string, password: string) {
  return postJson(`${tenant.issuer}/oauth2/authn`, {
    flowId,
    selectedAuthenticator: { authenticatorId: BASIC_AUTHENTICATOR_ID, params: { username, password } },
  });
}

export function submitTotp(tenant: Pick<Tenant, 'issuer'>, flowId: string, token: string) {
  return postJson(`${tenant.issuer}/oauth2/authn`, {
    flowId,
    selectedAuthenticator: { authenticatorId: TOTP_AUTHENTICATOR_ID, params: { token } },
  });
}

export const putJson = sendJson('PUT');

export async function del<T = any>(url: string, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
  return toJson<T>(await fetch(url, { method: 'DELETE', headers }));
}
