import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { isUuid } from '../../infra/http/ids';

/** base64url of 16 id bytes + 32 MAC bytes. */
const SSO_KEY = /^[A-Za-z0-9_-]{64}$/;

/**
 * The key that lets a browser or an app continue an SSO session: the browser's session cookie, and the `isk`
 * claim of an ID token that a later app-native `/oauth2/authorize` sends back as `sessionId` (WSO2's
 * "SessionId based SSO"). It is the session id with an HMAC over project and session: nothing is stored, a
 * database leak yields no usable key, a key of one project never opens another's, and a guessed or altered
 * key fails the constant-time MAC check before any query. Whoever holds it holds the session, like a cookie;
 * revoking the session (logout) kills every copy.
 */
@Injectable()
export class SsoKeys {
  private readonly macKey: Buffer;

  constructor(@Inject(KEYWAY_CONFIG) config: KeywayConfig) {
    // A key of its own, derived from the secret key: the MACs can never be confused with other uses of it.
    this.macKey = createHmac('sha256', config.secretKey).update('keyway sso session keys v1').digest();
  }

  keyOf(projectId: string, sessionId: string): string {
    const id = Buffer.from(sessionId.replaceAll('-', ''), 'hex');
    return Buffer.concat([id, this.mac(projectId, id)]).toString('base64url');
  }

  /** The session id a well-formed, authentic key of this project names; undefined for anything else. */
  sessionIdOf(projectId: string, key: string | undefined): string | undefined {
    if (!key || !SSO_KEY.test(key)) return undefined;
    const raw = Buffer.from(key, 'base64url');
    const id = raw.subarray(0, 16);
    if (!timingSafeEqual(raw.subarray(16), this.mac(projectId, id))) return undefined;
    const hex = id.toString('hex');
    const sessionId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    return isUuid(sessionId) ? sessionId : undefined;
  }

  private mac(projectId: string, id: Buffer): Buffer {
    return createHmac('sha256', this.macKey).update(projectId).update('\0').update(id).digest();
  }
}
