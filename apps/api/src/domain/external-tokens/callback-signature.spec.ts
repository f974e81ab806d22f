import { createHmac, timingSafeEqual } from 'node:crypto';
import { callbackSignature, signedCallbackHeaders } from './callback-signature';

describe('callback signature', () => {
  const secret = 'partner-secret-0123456789abcdef';
  const body = '{"token":"abc","token_type_hint":"access_token"}';

  it('is v1= and the hex HMAC-SHA256 of "timestamp.body", as a partner recomputes it', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(callbackSignature(secret, 1700000000, body)).toBe(`v1=${expected}`);
  });

  it('signs the timestamp: the same body at another second signs differently', () => {
    expect(callbackSignature(secret, 1700000000, body)).not.toBe(callbackSignature(secret, 1700000001, body));
  });

  it('depends on the secret and on every byte of the body', () => {
    const signature = callbackSignature(secret, 1700000000, body);
    expect(callbackSignature(`${secret}x`, 1700000000, body)).not.toBe(signature);
    expect(callbackSignature(secret, 1700000000, body.replace('abc', 'abd'))).not.toBe(signature);
  });

  it('sends the unix timestamp in seconds with the signature over it', () => {
    const headers = signedCallbackHeaders(secret, body, new Date('2026-12-08T09:00:00.900Z'));
    expect(headers['X-Keyway-Timestamp']).toBe(String(Date.UTC(2026, 11, 8, 9, 0, 0) / 1000));
    // The docs' verification snippet, run against the headers.
    const mac = createHmac('sha256', secret).update(`${headers['X-Keyway-Timestamp']}.${body}`).digest('hex');
    const given = Buffer.from(headers['X-Keyway-Signature']!.slice(3), 'hex');
    expect(timingSafeEqual(given, Buffer.from(mac, 'hex'))).toBe(true);
  });
});
