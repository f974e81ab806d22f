import { AuthnRequest, decodeAuthenticatorId, encodeAuthenticatorId, FlowResponse } from './index';

describe('authenticatorId', () => {
  it('encodes the ids the WSO2 reference shows', () => {
    expect(encodeAuthenticatorId('BasicAuthenticator', 'LOCAL')).toBe('QmFzaWNBdXRoZW50aWNhdG9yOkxPQ0FM');
    expect(encodeAuthenticatorId('totp', 'LOCAL')).toBe('dG90cDpMT0NBTA');
    expect(encodeAuthenticatorId('FIDOAuthenticator', 'LOCAL')).toBe('RklET0F1dGhlbnRpY2F0b3I6TE9DQUw');
    expect(encodeAuthenticatorId('GoogleOIDCAuthenticator', 'GoogleNative')).toBe(
      'R29vZ2xlT0lEQ0F1dGhlbnRpY2F0b3I6R29vZ2xlTmF0aXZl',
    );
  });

  it('decodes what it encodes and rejects garbage', () => {
    expect(decodeAuthenticatorId('QmFzaWNBdXRoZW50aWNhdG9yOkxPQ0FM')).toEqual({
      name: 'BasicAuthenticator',
      idp: 'LOCAL',
    });
    expect(decodeAuthenticatorId('not base64!')).toBeUndefined();
    expect(decodeAuthenticatorId(encodeAuthenticatorId('noidp', ''))).toBeUndefined();
    expect(decodeAuthenticatorId('')).toBeUndefined();
    // Lengths of 4n+1 are not base64 (atob throws on them): refused, not thrown.
    for (const id of ['abcde', '__proto__', 'a', 'QmFzaWNBdXRoZW50aWNhdG9yOkxPQ0FMa'])
      expect(decodeAuthenticatorId(id)).toBeUndefined();
  });
});

describe('schemas', () => {
  it('accept the reference scenario 1 success body', () => {
    const body = { flowStatus: 'SUCCESS_COMPLETED', authData: { code: 'bbb0bsdb-857a-3a80-bfbb-48038380bf79' } };
    expect(FlowResponse.safeParse(body).success).toBe(true);
  });

  it('reject an authn request without a flowId', () => {
    const result = AuthnRequest.safeParse({ selectedAuthenticator: { authenticatorId: 'x' } });
    expect(result.success).toBe(false);
  });
});
