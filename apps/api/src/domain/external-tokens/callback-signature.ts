import { createHmac } from 'node:crypto';

/** The headers a partner's callback verifies (docs/external-tokens.md spells the scheme out for partners). */
const TIMESTAMP_HEADER = 'X-Keyway-Timestamp';
const SIGNATURE_HEADER = 'X-Keyway-Signature';

/**
 * `v1=` + hex HMAC-SHA256 over `${timestamp}.${body}`, keyed with the callback secret's UTF-8 bytes. The timestamp
 * (unix seconds) is signed with the body, so a partner rejecting old timestamps stops replays of a captured call.
 */
export function callbackSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The signed headers of one callback call. */
export function signedCallbackHeaders(secret: string, body: string, now = new Date()): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: callbackSignature(secret, timestamp, body),
  };
}
