import { deviceFingerprint, MAX_USER_AGENT_LENGTH, sessionDevice } from './session-device';

const FIREFOX_128 = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const FIREFOX_129 = 'Mozilla/5.0 (X11; Linux x86_64; rv:129.0) Gecko/20100101 Firefox/129.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

describe('session device', () => {
  it('keeps the User-Agent (control characters removed, truncated) and the IP address', () => {
    const device = sessionDevice({ userAgent: `${'a'.repeat(300)}`, ip: '203.0.113.7' });
    expect(device.userAgent).toHaveLength(MAX_USER_AGENT_LENGTH);
    expect(device.ip).toBe('203.0.113.7');
    expect(sessionDevice({ userAgent: 'App\r\nX-Evil: 1', ip: undefined })).toMatchObject({
      userAgent: 'App X-Evil: 1',
      ip: null,
    });
    expect(sessionDevice({ userAgent: undefined, ip: undefined }).userAgent).toBe('');
  });

  it('is the same device across browser updates, case and spacing, whatever the IP address', () => {
    expect(deviceFingerprint(FIREFOX_128)).toBe(deviceFingerprint(FIREFOX_129));
    expect(deviceFingerprint(FIREFOX_128)).toBe(deviceFingerprint(FIREFOX_128.toUpperCase().replace(/ /g, '  ')));
    expect(sessionDevice({ userAgent: FIREFOX_128, ip: '10.0.0.1' }).fingerprint).toBe(
      sessionDevice({ userAgent: FIREFOX_128, ip: '192.0.2.1' }).fingerprint,
    );
    expect(deviceFingerprint(FIREFOX_128)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is another device for another browser or platform', () => {
    expect(deviceFingerprint(FIREFOX_128)).not.toBe(deviceFingerprint(SAFARI_IPHONE));
    expect(deviceFingerprint('')).not.toBe(deviceFingerprint(SAFARI_IPHONE));
  });
});
