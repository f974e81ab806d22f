import { z } from 'zod';
import { ApplicationView, ApplicationWithSecret, Caller } from './index';

describe('admin API response schemas', () => {
  const application = {
    clientId: 'web',
    name: 'Web',
    type: 'confidential',
    redirectUris: ['https://app.example.com/cb'],
    postLogoutRedirectUris: [],
    grantTypes: ['authorization_code'],
    appNative: false,
    loginFlow: [['BasicAuthenticator']],
    allowEnrollmentInFlow: false,
    backchannelLogoutUri: null,
    idTokenSignedResponseAlg: 'ES256',
    tokenEndpointAuthMethod: 'client_secret_basic',
  };

  it('accept what the API answers, and refuse what it must not (a secret outside the answer that made it)', () => {
    expect(ApplicationView.parse(application)).toEqual(application);
    expect(ApplicationWithSecret.safeParse(application).success).toBe(false);
    expect(ApplicationWithSecret.parse({ ...application, clientSecret: 's' }).clientSecret).toBe('s');
    expect(Caller.safeParse({ kind: 'user', id: 'x', name: 'x', instanceOwner: false, projects: [] }).success).toBe(
      false,
    );
  });

  it('render as JSON Schema for the OpenAPI document', () => {
    const schema = z.toJSONSchema(ApplicationView) as { required: string[]; properties: object };
    expect(schema.required).toContain('clientId');
    expect(schema.required).not.toContain('previousSecretExpiresAt');
    expect(schema.required).toContain('tokenEndpointAuthMethod');
    expect(schema.required).not.toContain('jwks');
  });
});
