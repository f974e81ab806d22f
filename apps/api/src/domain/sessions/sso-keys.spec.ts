import { randomUUID } from 'node:crypto';
import { SsoKeys } from './sso-keys';
import type { KeywayConfig } from '../../infra/config/config';

const keys = (secret = 1) => new SsoKeys({ secretKey: new Uint8Array(32).fill(secret) } as KeywayConfig);

describe('SsoKeys', () => {
  const project = randomUUID();
  const session = randomUUID();

  it('names the session it was made for, in that project only', () => {
    const key = keys().keyOf(project, session);
    expect(key).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(keys().sessionIdOf(project, key)).toBe(session);
    expect(keys().sessionIdOf(randomUUID(), key)).toBeUndefined();
  });

  it('refuses altered, truncated or foreign keys, and keys of another secret', () => {
    const key = keys().keyOf(project, session);
    const flipped = `${key.slice(0, 10)}${key[10] === 'A' ? 'B' : 'A'}${key.slice(11)}`;
    expect(keys().sessionIdOf(project, flipped)).toBeUndefined();
    expect(keys().sessionIdOf(project, key.slice(0, 63))).toBeUndefined();
    expect(keys().sessionIdOf(project, undefined)).toBeUndefined();
    expect(keys().sessionIdOf(project, 'x'.repeat(64))).toBeUndefined();
    expect(keys(2).sessionIdOf(project, key)).toBeUndefined();
  });
});
