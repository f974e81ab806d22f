import type { AuthenticatorContext } from '../authenticator';
import { FidoAuthenticator } from './fido.authenticator';
import { decodeTokenResponse, encodeChallengeData } from './token-response';

// The tokenResponse and challengeData of seed scenario 3 (WSO2 app-native authentication reference).
const REFERENCE_TOKEN_RESPONSE =
  'eyJyZXF1ZXN0SWQiOiJ1b2hBYnRpSE9TaWJKbjN1Y0ZqdzZ4bFJxTzBqSlZ6NWtPdS1oWHRyb3JJIiwiY3JlZGVudGlhbCI6eyJpZCI6Imc2OGF6eHhWeDZxUnhxQWllbEVwRHotaHVTZyIsInJlc3BvbnNlIjp7ImF1dGhlbnRpY2F0b3JEYXRhIjoiU1pZTjVZZ09qR2gwTkJjUFpIWmdXNF9rcnJtaWhqTEhtVnp6dW9NZGwyTWRBQUFBQUEiLCJjbGllbnREYXRhSlNPTiI6ImV5SjBlWEJsSWpvaWQyVmlZWFYwYUc0dVoyVjBJaXdpWTJoaGJHeGxibWRsSWpvaU9URk1hR2hKWVVGUVZYTnRNMFJFYVdWRmNtbHNNRWszYTNGMmNVZzFVbVYzT0Vwd055MW9aM2R3UVNJc0ltOXlhV2RwYmlJNkltaDBkSEJ6T2k4dmJHOWpZV3hvYjNOME9qZzBORE1pTENKamNtOXpjMDl5YVdkcGJpSTZabUZzYzJVc0ltOTBhR1Z5WDJ0bGVYTmZZMkZ1WDJKbFgyRmtaR1ZrWDJobGNtVWlPaUprYnlCdWIzUWdZMjl0Y0dGeVpTQmpiR2xsYm5SRVlYUmhTbE5QVGlCaFoyRnBibk4wSUdFZ2RHVnRjR3hoZEdVdUlGTmxaU0JvZEhSd2N6b3ZMMmR2Ynk1bmJDOTVZV0pRWlhnaWZRIiwic2lnbmF0dXJlIjoiTUVVQ0lRQ0xWSGF2c1FkZHhDVElfQkxFS053WG5rUDZpb3AwcldzRjlEMHJyVFRNdkFJZ0hqM1JhMW55UmU5ckdWVWcxd3NhbThudExobW5QbWpLbFRJLTZhaDJzSmMiLCJ1c2VySGFuZGxlIjoiTnpEeU5tOWE0NEFmUktjeXJCQVR6M1RtQVFLaHAwNEQwd3B3Y01iYlE3MCJ9LCJjbGllbnRFeHRlbnNpb25SZXN1bHRzIjp7fSwidHlwZSI6InB1YmxpYy1rZXkifX0';
const REFERENCE_CHALLENGE_DATA =
  'eyJyZXF1ZXN0SWQiOiJ1b2hBYnRpSE9TaWJKbjN1Y0ZqdzZ4bFJxTzBqSlZ6NWtPdS1oWHRyb3JJIiwicHVibGljS2V5Q3JlZGVudGlhbFJlcXVlc3RPcHRpb25zIjp7ImNoYWxsZW5nZSI6IjkxTGhoSWFBUFVzbTNERGllRXJpbDBJN2txdnFINVJldzhKcDctaGd3cEEiLCJycElkIjoibG9jYWxob3N0IiwiZXh0ZW5zaW9ucyI6e319fQ';

describe('passkey step wire format', () => {
  it("reads the reference's tokenResponse (which has no rawId) as a WebAuthn assertion", () => {
    expect(decodeTokenResponse(REFERENCE_TOKEN_RESPONSE)).toEqual({
      requestId: 'uohAbtiHOSibJn3ucFjw6xlRqO0jJVz5kOu-hXtrorI',
      credential: {
        id: 'g68azxxVx6qRxqAielEpDz-huSg',
        rawId: 'g68azxxVx6qRxqAielEpDz-huSg',
        type: 'public-key',
        response: {
          authenticatorData: 'SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MdAAAAAA',
          clientDataJSON: expect.stringMatching(/^eyJ0eXBlIjoid2ViYXV0aG4uZ2V0Ii/),
          signature: expect.stringMatching(/^MEUCIQ/),
          userHandle: 'NzDyNm9a44AfRKcyrBATz3TmAQKhp04D0wpwcMbbQ70',
        },
        clientExtensionResults: {},
      },
    });
  });

  it('encodes challengeData exactly as the reference does', () => {
    const options = { challenge: '91LhhIaAPUsm3DDieEril0I7kqvqH5Rew8Jp7-hgwpA', rpId: 'localhost', extensions: {} };
    expect(encodeChallengeData('uohAbtiHOSibJn3ucFjw6xlRqO0jJVz5kOu-hXtrorI', options)).toBe(REFERENCE_CHALLENGE_DATA);
  });

  it.each([
    ['not base64', '%%%'],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['no credential', Buffer.from(JSON.stringify({ requestId: 'x' })).toString('base64url')],
    [
      'a registration instead of an assertion',
      Buffer.from(
        JSON.stringify({
          requestId: 'x',
          credential: { id: 'AA', type: 'public-key', response: { clientDataJSON: 'AA', attestationObject: 'AA' } },
        }),
      ).toString('base64url'),
    ],
    [
      'binary fields that are not base64url',
      Buffer.from(
        JSON.stringify({
          requestId: 'x',
          credential: {
            id: 'A A',
            type: 'public-key',
            response: { clientDataJSON: 'AA', authenticatorData: 'AA', signature: 'AA' },
          },
        }),
      ).toString('base64url'),
    ],
  ])('refuses a tokenResponse that is %s', (_, tokenResponse) => {
    expect(decodeTokenResponse(tokenResponse)).toBeUndefined();
  });
});

describe('FidoAuthenticator', () => {
  const authenticator = new FidoAuthenticator(null as never, null as never);

  it('is the WSO2 FIDOAuthenticator: id, display name, i18n key, user-initiated', () => {
    expect([
      authenticator.name,
      authenticator.idp,
      authenticator.displayName,
      authenticator.i18nKey,
      authenticator.requiresInitiation,
    ]).toEqual(['FIDOAuthenticator', 'LOCAL', 'Passkey', 'authenticator.Fido', true]);
    expect(Buffer.from('RklET0F1dGhlbnRpY2F0b3I6TE9DQUw', 'base64url').toString()).toBe('FIDOAuthenticator:LOCAL');
  });

  it('prompts internally with the challenge it stored on the flow, and asks for tokenResponse', () => {
    const options = { challenge: 'Y2hhbGxlbmdl', rpId: 'localhost', userVerification: 'required' as const };
    const flow = {
      stepState: {
        FIDOAuthenticator: { requestId: 'req-1', challenge: 'Y2hhbGxlbmdl', userVerification: 'required', options },
      },
    };
    expect(authenticator.prompt({ flow } as unknown as AuthenticatorContext)).toEqual({
      promptType: 'INTERNAL_PROMPT',
      additionalData: { challengeData: encodeChallengeData('req-1', options) },
      requiredParams: ['tokenResponse'],
    });
    // Not initiated yet (an answer sent before selecting the option): no challenge to show.
    expect(authenticator.prompt({ flow: { stepState: {} } } as unknown as AuthenticatorContext)).toEqual({
      promptType: 'INTERNAL_PROMPT',
      requiredParams: ['tokenResponse'],
    });
  });
});
