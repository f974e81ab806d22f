/**
 * The browser's side of a passkey step, with the platform's WebAuthn API (navigator.credentials): the step's
 * `challengeData` is base64url(JSON {requestId, publicKeyCredentialRequestOptions}) with binary fields in
 * base64url; the answer, `tokenResponse`, is base64url(JSON {requestId, credential}) with the assertion in
 * WebAuthn's JSON form (README, "Passkeys").
 */

interface ChallengeData {
  requestId: string;
  publicKeyCredentialRequestOptions: PublicKeyCredentialRequestOptionsJSON;
}

interface PublicKeyCredentialRequestOptionsJSON {
  challenge: string;
  rpId?: string;
  timeout?: number;
  userVerification?: UserVerificationRequirement;
  allowCredentials?: Array<{ id: string; type: 'public-key'; transports?: AuthenticatorTransport[] }>;
  extensions?: AuthenticationExtensionsClientInputs;
}

export function passkeysSupported(): boolean {
  return typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function';
}

/** Asks the browser for a passkey assertion for the step's challenge; resolves to the step's `tokenResponse`. */
export async function passkeyTokenResponse(challengeData: string): Promise<string> {
  const { requestId, publicKeyCredentialRequestOptions: options } = JSON.parse(
    new TextDecoder().decode(fromBase64url(challengeData)),
  ) as ChallengeData;
  const credential = await navigator.credentials.get({
    publicKey: {
      ...options,
      challenge: fromBase64url(options.challenge),
      allowCredentials: (options.allowCredentials ?? []).map((descriptor) => ({
        ...descriptor,
        id: fromBase64url(descriptor.id),
      })),
    },
  });
  if (!(credential instanceof PublicKeyCredential) || !(credential.response instanceof AuthenticatorAssertionResponse))
    throw new Error('The browser answered without a passkey assertion.');
  const response = credential.response;
  const assertion = {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      authenticatorData: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature),
      ...(response.userHandle ? { userHandle: toBase64url(response.userHandle) } : {}),
    },
    clientExtensionResults: credential.getClientExtensionResults(),
    ...(credential.authenticatorAttachment ? { authenticatorAttachment: credential.authenticatorAttachment } : {}),
  };
  return toBase64url(new TextEncoder().encode(JSON.stringify({ requestId, credential: assertion })));
}

/** What to tell the user when the browser's passkey request fails (DOMException names from the WebAuthn spec). */
export function describePasskeyError(error: unknown): string {
  if (error instanceof DOMException) {
    if (error.name === 'NotAllowedError') return 'The passkey request was cancelled or timed out.';
    if (error.name === 'SecurityError')
      return 'This browser refused the passkey request for this address: passkeys work only where the console is configured to be.';
    if (error.name === 'InvalidStateError') return 'This device has no passkey for this account.';
  }
  return error instanceof Error ? error.message : 'The passkey request failed.';
}

function fromBase64url(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function toBase64url(buffer: ArrayBuffer | Uint8Array): string {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
