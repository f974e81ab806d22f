import { clientAuthenticationBody, draftOf } from './application-form';

describe('clientAuthenticationBody', () => {
  const draft = draftOf();
  const key = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' };

  it('sends only the method for a secret method', () => {
    expect(clientAuthenticationBody({ ...draft, method: 'client_secret_post', jwksText: 'ignored' })).toEqual({
      body: { tokenEndpointAuthMethod: 'client_secret_post' },
    });
  });

  it('sends a pasted JWK Set, or a JWK Set URL, for private_key_jwt', () => {
    const pasted = { ...draft, method: 'private_key_jwt' as const, jwksText: JSON.stringify({ keys: [key] }) };
    expect(clientAuthenticationBody(pasted)).toEqual({
      body: { tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [key] } },
    });
    const byUrl = { ...pasted, keySource: 'jwksUri' as const, jwksUri: ' https://app.example/jwks ' };
    expect(clientAuthenticationBody(byUrl)).toEqual({
      body: { tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'https://app.example/jwks' },
    });
  });

  it('names the field of what is wrong: not JSON, no keys, a private key, no URL', () => {
    const jwt = { ...draft, method: 'private_key_jwt' as const };
    expect(clientAuthenticationBody({ ...jwt, jwksText: '{' })).toMatchObject({ field: 'jwks' });
    expect(clientAuthenticationBody({ ...jwt, jwksText: '{"keys":[]}' })).toMatchObject({ field: 'jwks' });
    expect(
      clientAuthenticationBody({ ...jwt, jwksText: JSON.stringify({ keys: [{ ...key, d: 'secret' }] }) }),
    ).toMatchObject({ field: 'jwks', problem: expect.stringMatching(/private key/) });
    expect(clientAuthenticationBody({ ...jwt, keySource: 'jwksUri', jwksUri: 'keys' })).toMatchObject({
      field: 'jwksUri',
    });
  });

  it('starts from the application’s settings', () => {
    expect(draftOf({ tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'https://a.example/jwks' } as never)).toEqual(
      {
        method: 'private_key_jwt',
        keySource: 'jwksUri',
        jwksText: '',
        jwksUri: 'https://a.example/jwks',
      },
    );
  });
});
