import { isOAuthEndpoint } from './exception.filter';

describe('isOAuthEndpoint', () => {
  it('answers OAuth errors on the OAuth endpoints, API errors on the flow and admin endpoints', () => {
    expect(isOAuthEndpoint('/t/demo/oauth2/token')).toBe(true);
    expect(isOAuthEndpoint('/t/demo/oauth2/authorize?x=1')).toBe(true);
    expect(isOAuthEndpoint('/t/demo/.well-known/openid-configuration')).toBe(true);
    expect(isOAuthEndpoint('/t/demo/oauth2/authn')).toBe(false);
    expect(isOAuthEndpoint('/api/admin/v1/projects')).toBe(false);
  });
});
