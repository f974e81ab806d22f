import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { cookies } from 'next/headers';
import { cookieName, secureCookies, sessionLifetimes } from './config';
import { refreshTokens, type IssuedTokens } from './oidc';
import { MemorySessionStore, processWideStore, type SessionStore } from './session-store';

/**
 * A signed-in console user, as the console's server keeps it: the tokens never leave the server; the
 * browser holds only a random id in an httpOnly cookie, and the store knows that id only by its SHA-256.
 */
interface ConsoleSession extends IssuedTokens {
  /** The identity in the system project (the ID token's `sub`). */
  subject: string;
  createdAt: number;
  lastSeenAt: number;
}

const SESSION_COOKIE = 'keyway-console-session';
/** Refresh this long before the access token expires, so a request never reaches the API with a dying token. */
const REFRESH_MARGIN_MS = 30_000;
/** Activity is written back at most this often (the idle timeout needs no finer clock). */
const TOUCH_INTERVAL_MS = 60_000;

const sessions = (): SessionStore<ConsoleSession> =>
  processWideStore('sessions', () => new MemorySessionStore<ConsoleSession>(10_000));

export const sessionCookieName = () => cookieName(SESSION_COOKIE);

export function storeKey(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

export function newId(): string {
  return randomBytes(32).toString('base64url');
}

export function cookieOptions(maxAgeSeconds: number) {
  return { httpOnly: true, sameSite: 'lax', secure: secureCookies(), path: '/', maxAge: maxAgeSeconds } as const;
}

function expiryOf(session: ConsoleSession): number {
  const { idleSeconds, maxSeconds } = sessionLifetimes();
  return Math.min(session.createdAt + maxSeconds * 1000, session.lastSeenAt + idleSeconds * 1000);
}

/**
 * Starts a session for freshly issued tokens: always a new id (the one of an earlier session, if any, is
 * forgotten), so an id planted in the browser before sign-in never becomes a signed-in one.
 */
export async function startSession(tokens: IssuedTokens, subject: string): Promise<void> {
  const jar = await cookies();
  const earlier = jar.get(sessionCookieName())?.value;
  if (earlier) await sessions().delete(storeKey(earlier));
  const now = Date.now();
  const session: ConsoleSession = { ...tokens, subject, createdAt: now, lastSeenAt: now };
  const id = newId();
  await sessions().set(storeKey(id), session, expiryOf(session));
  jar.set(sessionCookieName(), id, cookieOptions(sessionLifetimes().maxSeconds));
}

/** Forgets the session of this request (sign-out, or the API refused its tokens) and clears the cookie. */
export async function endSession(): Promise<void> {
  const jar = await cookies();
  const id = jar.get(sessionCookieName())?.value;
  if (!id) return;
  await sessions().delete(storeKey(id));
  await clearCookie(sessionCookieName());
}

/** Expires a cookie of ours; a `__Host-` one is only replaced by a Secure, Path=/ one. */
export async function clearCookie(name: string): Promise<void> {
  (await cookies()).set(name, '', cookieOptions(0));
}

/** Whether this request carries a live session (pages use it to choose between the shell and sign-in). */
export async function hasSession(): Promise<boolean> {
  const id = (await cookies()).get(sessionCookieName())?.value;
  return id !== undefined && (await sessions().get(storeKey(id))) !== undefined;
}

// One refresh per session at a time: refresh tokens rotate, and presenting one twice makes the API revoke
// the whole family (its reuse detection). With several console processes, a shared store needs a lock here.
const refreshing = new Map<string, Promise<ConsoleSession | undefined>>();

/**
 * A usable access token for this request's session, refreshed when it is about to expire; undefined when
 * there is no session or it cannot be renewed (it is then gone).
 */
export async function sessionAccessToken(): Promise<string | undefined> {
  const id = (await cookies()).get(sessionCookieName())?.value;
  if (!id) return undefined;
  const key = storeKey(id);
  const session = await sessions().get(key);
  if (!session) return undefined;
  const now = Date.now();
  if (session.accessTokenExpiresAt - REFRESH_MARGIN_MS > now) {
    if (now - session.lastSeenAt > TOUCH_INTERVAL_MS) {
      const touched = { ...session, lastSeenAt: now };
      await sessions().set(key, touched, expiryOf(touched));
    }
    return session.accessToken;
  }
  let pending = refreshing.get(key);
  if (!pending) {
    pending = renew(key, session).finally(() => refreshing.delete(key));
    refreshing.set(key, pending);
  }
  return (await pending)?.accessToken;
}

async function renew(key: string, session: ConsoleSession): Promise<ConsoleSession | undefined> {
  const tokens = session.refreshToken ? await refreshTokens(session.refreshToken) : undefined;
  if (!tokens) {
    await sessions().delete(key);
    return undefined;
  }
  const renewed: ConsoleSession = { ...session, ...tokens, lastSeenAt: Date.now() };
  await sessions().set(key, renewed, expiryOf(renewed));
  return renewed;
}
