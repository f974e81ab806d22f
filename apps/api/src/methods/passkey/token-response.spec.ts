import { decodeRegistrationResponse, encodeCreationChallenge } from './token-response';

describe('the AddPasskey wire format', () => {
  const credential = {
    id: 'AAAA',
    rawId: 'AAAA',
    type: 'public-key',
    response: { clientDataJSON: 'AAAA', attestationObject: 'AAAA' },
    clientExtensionResults: {},
  };

  it('wraps the creation options with the requestId', () => {
    const options = {
      challenge: 'c',
      rp: { name: 'x' },
      user: { id: 'u', name: 'n', displayName: 'd' },
      pubKeyCredParams: [],
    };
    expect(JSON.parse(Buffer.from(encodeCreationChallenge('r1', options), 'base64url').toString())).toEqual({
      requestId: 'r1',
      publicKeyCredentialCreationOptions: options,
    });
  });

  it('reads a tokenResponse and refuses anything else', () => {
    const encoded = Buffer.from(JSON.stringify({ requestId: 'r1', credential })).toString('base64url');
    expect(decodeRegistrationResponse(encoded)).toMatchObject({
      requestId: 'r1',
      credential: { id: 'AAAA', type: 'public-key' },
    });
    expect(decodeRegistrationResponse('not base64 !')).toBeUndefined();
    expect(decodeRegistrationResponse(Buffer.from('{"requestId":"r1"}').toString('base64url'))).toBeUndefined();
    expect(decodeRegistrationResponse(Buffer.from('nope').toString('base64url'))).toBeUndefined();
  });
});
