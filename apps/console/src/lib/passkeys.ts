import {
  browserSupportsWebAuthn,
  startAuthentication,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';

/**
 * The browser's side of a passkey step, through @simplewebauthn/browser (the counterpart of the API's
 * @simplewebauthn/server): the step's `challengeData` is base64url(JSON {requestId, publicKeyCredentialRequestOptions});
 * the answer, `tokenResponse`, is base64url(JSON {requestId, credential}) with the assertion in WebAuthn's JSON
 * form (README, "Passkeys").
 */

interface ChallengeData {
  requestId: string;
  publicKeyCredentialRequestOptions: PublicKeyCredentialRequestOptionsJSON;
}

export const passkeysSupported = (): boolean => browserSupportsWebAuthn();

/** Asks the browser for a passkey assertion for the step's challenge; resolves to the step's `tokenResponse`. */
export async function passkeyTokenResponse(challengeData: string): Promise<string> {
  const { requestId, publicKeyCredentialRequestOptions } = JSON.parse(fromBase64url(challengeData)) as ChallengeData;
  const credential = await startAuthentication({ optionsJSON: publicKeyCredentialRequestOptions });
  return toBase64url(JSON.stringify({ requestId, credential }));
}

/** What to tell the user when the browser's passkey request fails (error names from the WebAuthn spec). */
export function describePasskeyError(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'AbortError') return 'The passkey request was cancelled or timed out.';
  if (name === 'SecurityError')
    return 'This browser refused the passkey request for this address: passkeys work only where the console is configured to be.';
  return error instanceof Error ? error.message : 'The passkey request failed.';
}

function fromBase64url(value: string): string {
  const base64 = value.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}

function toBase64url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
