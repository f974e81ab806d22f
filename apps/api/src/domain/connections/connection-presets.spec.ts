import { unknownMappedTraits } from '../schemas/claim-mapping';
import { upstreamUrlProblem } from './connection';
import { CONNECTION_PRESETS_TABLE, discoveryUrlOf, microsoftEndpoints, presetEndpoints } from './connection-presets';

describe('connection presets', () => {
  it('fills the built-in providers’ endpoints, kind and scopes', () => {
    expect(presetEndpoints('google', {})).toEqual({ endpoints: CONNECTION_PRESETS_TABLE.google.endpoints });
    expect(CONNECTION_PRESETS_TABLE.google).toMatchObject({ kind: 'oidc', scopes: ['openid', 'email', 'profile'] });
    expect(CONNECTION_PRESETS_TABLE.github).toMatchObject({
      kind: 'oauth2',
      emailsUrl: 'https://api.github.com/user/emails',
      endpoints: expect.objectContaining({ userinfoUrl: 'https://api.github.com/user', issuer: null }),
    });
    expect(CONNECTION_PRESETS_TABLE.facebook.kind).toBe('oauth2');
  });

  it('marks Apple’s form_post answer and hashed nonce', () => {
    expect(CONNECTION_PRESETS_TABLE.apple).toMatchObject({
      kind: 'oidc',
      responseMode: 'form_post',
      nonceHashed: true,
      endpoints: expect.objectContaining({ issuer: 'https://appleid.apple.com' }),
    });
  });

  it('fills Microsoft’s endpoints for the tenant, common by default', () => {
    expect(presetEndpoints('microsoft', {})).toEqual({ endpoints: microsoftEndpoints('common') });
    expect(microsoftEndpoints().issuer).toBe('https://login.microsoftonline.com/common/v2.0');
    const contoso = presetEndpoints('microsoft', { tenant: 'contoso.onmicrosoft.com' });
    expect(contoso).toMatchObject({
      endpoints: {
        issuer: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0',
        tokenUrl: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
      },
    });
  });

  it('takes generic OAuth 2.0 endpoints as given, and names those missing', () => {
    const given = {
      authorizationUrl: 'https://idp.example/authorize',
      tokenUrl: 'https://idp.example/token',
      userinfoUrl: 'https://idp.example/me',
    };
    expect(presetEndpoints('oauth2', given)).toEqual({
      endpoints: { issuer: null, jwksUri: null, ...given },
    });
    expect(presetEndpoints('oauth2', { tokenUrl: given.tokenUrl })).toEqual({
      missing: ['authorizationUrl', 'userinfoUrl'],
    });
  });

  it('leaves generic OIDC to discovery', () => {
    expect(presetEndpoints('oidc', {})).toBeUndefined();
    expect(discoveryUrlOf('https://idp.example/')).toBe('https://idp.example/.well-known/openid-configuration');
    expect(discoveryUrlOf('https://idp.example/realms/a/.well-known/openid-configuration')).toBe(
      'https://idp.example/realms/a/.well-known/openid-configuration',
    );
  });
});

describe('claim mapping', () => {
  it('names the entries whose trait the identity schema lacks', () => {
    expect(unknownMappedTraits({ email: 'email', name: 'name' }, ['email', 'name'])).toEqual([]);
    expect(unknownMappedTraits({ email: 'email', picture: 'avatar' }, ['email', 'name'])).toEqual(['picture → avatar']);
  });
});

describe('upstream URLs', () => {
  it('allows https, and http on a loopback address outside production only', () => {
    expect(upstreamUrlProblem('https://idp.example/x', true)).toBeUndefined();
    expect(upstreamUrlProblem('http://127.0.0.1:4000/x', false)).toBeUndefined();
    expect(upstreamUrlProblem('http://127.0.0.1:4000/x', true)).toMatch(/https/);
    expect(upstreamUrlProblem('http://idp.example/x', false)).toMatch(/https/);
    expect(upstreamUrlProblem('https://user:pw@idp.example/', false)).toMatch(/credentials/);
    expect(upstreamUrlProblem('not a url', false)).toMatch(/absolute/);
  });
});
