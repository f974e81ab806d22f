import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  BASIC_AUTHENTICATOR_ID,
  del,
  get,
  patchJson,
  pkcePair,
  postForm,
  postJson,
  putJson,
  type JsonResponse,
} from './http';
import type { KeywayServer } from './keyway-server';

/** The system project: its identities are the console's users, its owners the instance's owners. */
export const SYSTEM_PROJECT = 'keyway-admin';
const CONSOLE_CLIENT_ID = 'keyway-console';
/** `${KEYWAY_CONSOLE_URL}/auth/callback` with the default console URL. */
const CONSOLE_REDIRECT_URI = 'http://localhost:3001/auth/callback';
export const FIRST_OWNER_EMAIL = 'owner@keyway.local';

/**
 * The first owner's password. On PGlite the server creates `owner@keyway.local` at its first start and keeps the
 * password in `<data dir>/owner-password`; PostgreSQL seeds nothing, so the owner is made with the CLI, as
 * the README says (`create-owner`).
 */
export async function firstOwnerPassword(server: KeywayServer): Promise<string> {
  if (!server.databaseUrl) return readFileSync(path.join(server.dataDir, 'owner-password'), 'utf8').trim();
  const password = `owner-${randomBytes(9).toString('base64url')}`;
  const created = await server.command(['create-owner', '--email', FIRST_OWNER_EMAIL, '--password', password]);
  if (created.exitCode !== 0) throw new Error(`create-owner failed (${created.exitCode}):\n${created.output}`);
  return password;
}

/**
 * Signs a console user in as the console's server does: the system project's app-native API with the
 * confidential `keyway-console` client (HTTP Basic with the secret the server keeps in its data dir) and
 * PKCE, authorize → authn (username and password) → token. Returns the access token the admin API takes.
 */
export async function consoleSignIn(server: KeywayServer, email: string, password: string): Promise<string> {
  const issuer = `${server.baseUrl}/t/${SYSTEM_PROJECT}`;
  const secret = readFileSync(path.join(server.dataDir, 'console-client-secret'), 'utf8').trim();
  const basic = { authorization: `Basic ${Buffer.from(`${CONSOLE_CLIENT_ID}:${secret}`).toString('base64')}` };
  const pkce = pkcePair();
  const started = await postForm(
    `${issuer}/oauth2/authorize`,
    {
      client_id: CONSOLE_CLIENT_ID,
      response_type: 'code',
      redirect_uri: CONSOLE_REDIRECT_URI,
      scope: 'openid profile email',
      state: randomBytes(8).toString('hex'),
      response_mode: 'direct',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    },
    basic,
  );
  if (started.status !== 200) throw new Error(`authorize: ${started.status} ${JSON.stringify(started.body)}`);
  const done = await postJson(`${issuer}/oauth2/authn`, {
    flowId: started.body.flowId,
    selectedAuthenticator: { authenticatorId: BASIC_AUTHENTICATOR_ID, params: { username: email, password } },
  });
  if (done.body?.flowStatus !== 'SUCCESS_COMPLETED')
    throw new Error(`authn for ${email}: ${done.status} ${JSON.stringify(done.body)}`);
  const tokens = await postForm(
    `${issuer}/oauth2/token`,
    {
      grant_type: 'authorization_code',
      code: done.body.authData.code,
      redirect_uri: CONSOLE_REDIRECT_URI,
      code_verifier: pkce.verifier,
    },
    basic,
  );
  if (tokens.status !== 200) throw new Error(`token: ${tokens.status} ${JSON.stringify(tokens.body)}`);
  return tokens.body.access_token as string;
}

export interface AdminClient {
  get<T = any>(path: string): Promise<JsonResponse<T>>;
  post<T = any>(path: string, body: unknown): Promise<JsonResponse<T>>;
  patch<T = any>(path: string, body: unknown): Promise<JsonResponse<T>>;
  put<T = any>(path: string, body: unknown): Promise<JsonResponse<T>>;
  delete<T = any>(path: string): Promise<JsonResponse<T>>;
}

/** The admin API (`/api/admin/v1…`) with a Bearer credential: a console user's access token or an API key. */
export function adminAs(server: KeywayServer, bearer: string): AdminClient {
  const auth = { authorization: `Bearer ${bearer}` };
  const base = `${server.baseUrl}/api/admin/v1`;
  return {
    get: (path) => get(`${base}${path}`, auth),
    post: (path, body) => postJson(`${base}${path}`, body, auth),
    patch: (path, body) => patchJson(`${base}${path}`, body, auth),
    put: (path, body) => putJson(`${base}${path}`, body, auth),
    delete: (path) => del(`${base}${path}`, auth),
  };
}
