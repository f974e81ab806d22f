import 'server-only';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SYSTEM_PROJECT_SLUG } from '../admin-types';

/**
 * The console server's configuration, read from the environment at request time (never at build time:
 * one build runs against any API). Only server code imports this; nothing here reaches the browser.
 */

const DEFAULT_API_URL = 'http://localhost:3000';
const DEFAULT_CONSOLE_URL = 'http://localhost:3001';

/** The console's client in the system project (whose identities are the console's users), as in the API. */
export const CONSOLE_CLIENT_ID = 'keyway-console';

/**
 * Where the console's server reaches the API: `KEYWAY_API_URL`, else `NEXT_PUBLIC_KEYWAY_API_URL` (the
 * health card's older name, kept working), else http://localhost:3000. An internal address (http://api:3000
 * in Docker) is fine: the browser never calls the API itself.
 */
export function apiUrl(): string {
  const configured = process.env['KEYWAY_API_URL']?.trim() || process.env['NEXT_PUBLIC_KEYWAY_API_URL']?.trim();
  return (configured || DEFAULT_API_URL).replace(/\/+$/, '');
}

/** The system project's issuer as the console's server reaches it. */
export function issuerUrl(): string {
  return `${apiUrl()}/t/${SYSTEM_PROJECT_SLUG}`;
}

/**
 * The console's public URL (`KEYWAY_CONSOLE_URL`, as the API is told it): the only origin state-changing
 * requests may come from, the redirect URI the authorization codes are bound to, and whether cookies are Secure.
 */
export function consoleUrl(): URL {
  return new URL(process.env['KEYWAY_CONSOLE_URL']?.trim() || DEFAULT_CONSOLE_URL);
}

/** Request header by which src/proxy.ts tells the layouts which page was asked for (to return to it after sign-in). */
export const PATH_HEADER = 'x-keyway-console-path';

export function redirectUri(): string {
  return new URL('/auth/callback', consoleUrl()).toString();
}

/** Cookies are `Secure` and `__Host-` prefixed (no Domain, Path=/, never set by a subdomain) when the console is https. */
export function secureCookies(): boolean {
  return consoleUrl().protocol === 'https:';
}

export function cookieName(base: string): string {
  return secureCookies() ? `__Host-${base}` : base;
}

/** How long a signed-in session may sit unused, and its absolute end (`KEYWAY_CONSOLE_SESSION_*_SECONDS`). */
export function sessionLifetimes(): { idleSeconds: number; maxSeconds: number } {
  return {
    idleSeconds: positiveInteger('KEYWAY_CONSOLE_SESSION_IDLE_SECONDS', 8 * 3600),
    maxSeconds: positiveInteger('KEYWAY_CONSOLE_SESSION_MAX_SECONDS', 7 * 24 * 3600),
  };
}

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new ConsoleConfigError(`${name} must be a positive integer`);
  return value;
}

export class ConsoleConfigError extends Error {}

let cachedSecret: string | undefined;

/**
 * The console client's secret: `KEYWAY_CONSOLE_CLIENT_SECRET`, else the file the API writes on the embedded
 * default (`<KEYWAY_DATA_DIR or <repo>/.data>/console-client-secret`). Read when first needed, not at start:
 * `npm start` launches the console beside an API that may not have written it yet.
 */
export function clientSecret(): string {
  const configured = process.env['KEYWAY_CONSOLE_CLIENT_SECRET']?.trim();
  if (configured) return configured;
  if (cachedSecret) return cachedSecret;
  const file = path.join(dataDir(), 'console-client-secret');
  if (!existsSync(file))
    throw new ConsoleConfigError(
      `The console client's secret is not configured: set KEYWAY_CONSOLE_CLIENT_SECRET (as for the API), or start the API once so that it writes ${file}.`,
    );
  cachedSecret = readFileSync(file, 'utf8').trim();
  return cachedSecret;
}

/** The API's data dir; a relative KEYWAY_DATA_DIR is taken from the repository root, where `npm start` runs the API. */
function dataDir(): string {
  const configured = process.env['KEYWAY_DATA_DIR']?.trim();
  const root = workspaceRoot();
  return configured ? path.resolve(root, configured) : path.join(root, '.data');
}

/** The repository root (nx.json), from the console's working directory (apps/console under Nx). */
function workspaceRoot(): string {
  let dir = process.cwd();
  for (;;) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}
