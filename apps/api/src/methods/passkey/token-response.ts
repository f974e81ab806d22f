import { randomBytes } from 'node:crypto';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { z } from 'zod';
import { findUnsafeInput } from '../../infra/http/unsafe-input';
import { AuthenticationCredential, RegistrationCredential } from './webauthn-json';

/**
 * The passkey step's wire format (WSO2 app-native authentication, FIDOAuthenticator): the server sends
 * `challengeData` = base64url(JSON {requestId, publicKeyCredentialRequestOptions}); the app answers
 * `tokenResponse` = base64url(JSON {requestId, credential}) with the WebAuthn JSON serialisation of the
 * assertion. requestId ties an answer to the challenge it was made for.
 */
export function encodeChallengeData(requestId: string, options: PublicKeyCredentialRequestOptionsJSON): string {
  return Buffer.from(JSON.stringify({ requestId, publicKeyCredentialRequestOptions: options })).toString('base64url');
}

export function newRequestId(): string {
  return randomBytes(32).toString('base64url');
}

const TokenResponse = z.object({ requestId: z.string().max(128), credential: AuthenticationCredential });
export type TokenResponse = z.output<typeof TokenResponse>;

/** The decoded tokenResponse, or undefined if it is not base64url JSON of the expected shape. */
export function decodeTokenResponse(tokenResponse: string): TokenResponse | undefined {
  return decodeBase64urlJson(tokenResponse, TokenResponse);
}

/** base64url JSON of the given shape (a WebAuthn answer carried in a flow param), or undefined. */
function decodeBase64urlJson<T extends z.ZodType>(value: string, shape: T): z.output<T> | undefined {
  // Standard base64 is tolerated: platform code that forgets the URL alphabet is common.
  if (!/^[A-Za-z0-9_\-+/]+={0,2}$/.test(value)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  // Decoded past the boundary check of the request (common/unsafe-input.ts), so checked the same way here.
  if (findUnsafeInput(json, '')) return undefined;
  const parsed = shape.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The registration counterpart (settings' AddPasskey): `challengeData` = base64url(JSON {requestId,
 * publicKeyCredentialCreationOptions}), answered by `tokenResponse` = base64url(JSON {requestId, credential})
 * with the RegistrationResponseJSON of navigator.credentials.create().
 */
export function encodeCreationChallenge(requestId: string, options: PublicKeyCredentialCreationOptionsJSON): string {
  return Buffer.from(JSON.stringify({ requestId, publicKeyCredentialCreationOptions: options })).toString('base64url');
}

const RegistrationTokenResponse = z.object({ requestId: z.string().max(128), credential: RegistrationCredential });
export type RegistrationTokenResponse = z.output<typeof RegistrationTokenResponse>;

/** The decoded registration answer, or undefined if it is not base64url JSON of the expected shape. */
export function decodeRegistrationResponse(tokenResponse: string): RegistrationTokenResponse | undefined {
  return decodeBase64urlJson(tokenResponse, RegistrationTokenResponse);
}
