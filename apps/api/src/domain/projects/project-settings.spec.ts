import { isWebAuthnOrigin, ProjectSettings, ProjectSettingsInput } from './project-settings';

describe('webauthn settings', () => {
  it('default to nothing stored: the relying party follows KEYWAY_PUBLIC_URL', () => {
    expect(ProjectSettings.parse({}).webauthn).toEqual({});
  });

  it.each([
    'https://login.example.com',
    'https://example.com:8443',
    'http://localhost:3000',
    'http://127.0.0.1:8080',
    `android:apk-key-hash:${'a'.repeat(43)}`,
  ])('accepts origin %s', (origin) => expect(isWebAuthnOrigin(origin)).toBe(true));

  it.each([
    'http://example.com',
    'https://example.com/',
    'https://example.com/path',
    'android:apk-key-hash:short',
    'ios:bundle-id:com.example',
    'example.com',
  ])('refuses origin %s', (origin) => expect(isWebAuthnOrigin(origin)).toBe(false));

  it('refuses an RP ID that is not a host name, and web origins outside the RP ID', () => {
    expect(ProjectSettingsInput.safeParse({ webauthn: { rpId: 'https://example.com' } }).success).toBe(false);
    const outside = ProjectSettingsInput.safeParse({
      webauthn: { rpId: 'example.com', origins: ['https://example.org'] },
    });
    expect(outside.success).toBe(false);
    expect(outside.error?.issues[0]?.message).toMatch(/not rpId 'example.com' or a subdomain/);
    const android = `android:apk-key-hash:${'a'.repeat(43)}`;
    expect(
      ProjectSettingsInput.parse({ webauthn: { rpId: 'example.com', origins: ['https://login.example.com', android] } })
        .webauthn,
    ).toEqual({
      rpId: 'example.com',
      origins: ['https://login.example.com', android],
    });
  });
});

describe('branding', () => {
  it('is empty by default and takes https logos and #rrggbb colours only', () => {
    expect(ProjectSettings.parse({}).branding).toEqual({});
    const ok = { displayName: 'Acme', logoUrl: 'https://cdn.acme.test/logo.svg', primaryColor: '#0f766e' };
    expect(ProjectSettings.parse({ branding: ok }).branding).toEqual(ok);
    expect(ProjectSettings.safeParse({ branding: { logoUrl: 'http://cdn.acme.test/logo.svg' } }).success).toBe(false);
    expect(ProjectSettings.safeParse({ branding: { logoUrl: 'javascript:alert(1)' } }).success).toBe(false);
    expect(ProjectSettings.safeParse({ branding: { primaryColor: 'red;}' } }).success).toBe(false);
    expect(ProjectSettingsInput.parse({ branding: { logoUrl: null } }).branding).toEqual({ logoUrl: null });
  });
});

describe('mail settings', () => {
  it('default to English and every notification mail on', () => {
    expect(ProjectSettings.parse({})).toMatchObject({
      defaultLocale: 'en',
      emails: { welcome: true, newSignIn: true },
    });
  });

  it('store the default locale canonical and refuse what is not a BCP 47 tag', () => {
    expect(ProjectSettings.parse({ defaultLocale: 'de-ch' }).defaultLocale).toBe('de-CH');
    const invalid = ProjectSettingsInput.safeParse({ defaultLocale: 'not a tag' });
    expect(invalid.success).toBe(false);
    expect(invalid.error?.issues[0]?.message).toMatch(/BCP 47/);
  });

  it('take each toggle on its own and refuse unknown ones', () => {
    expect(ProjectSettingsInput.parse({ emails: { newSignIn: false } }).emails).toEqual({ newSignIn: false });
    expect(ProjectSettingsInput.safeParse({ emails: { marketing: true } }).success).toBe(false);
    expect(ProjectSettingsInput.safeParse({ emails: { welcome: 'yes' } }).success).toBe(false);
  });
});
