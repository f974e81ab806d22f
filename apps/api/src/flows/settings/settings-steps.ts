import { isDeepStrictEqual } from 'node:util';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { decodeBase64urlJson } from '../../methods/passkey/token-response';
import { normaliseIdentifier } from '../../domain/schemas/identity-traits';
import { RegistrationCredential } from '../../methods/passkey/webauthn-json';
import type { CompiledIdentitySchema } from '../../domain/schemas/identity-schema';

/** What a settings flow keeps in Flow.stepState between requests (server-side only). */
export const SettingsFlowState = z.object({
  /** The session that started the flow: only its access tokens may answer it. */
  sessionId: z.string(),
  /** A TOTP enrollment shown but not yet confirmed (sealed secret + URI, as TotpService makes it). */
  totpEnrollment: z.string().optional(),
  /** A passkey registration waiting for its answer; its challenge itself lives on the webauthn credential. */
  passkeyRegistration: z.object({ requestId: z.string() }).optional(),
  /** The login FIDO authenticator's own state for a passkey re-authentication, under its own name. */
  FIDOAuthenticator: z.unknown().optional(),
});
export type SettingsFlowState = z.infer<typeof SettingsFlowState>;

/** A value of the new traits that must belong to no other identity of the project. */
export interface UniqueClaim {
  field: string;
  kind: 'identifier' | 'address';
  via?: 'email' | 'phone';
  value: string;
}

/**
 * The values the traits claim project-wide, per field: password login identifiers and verifiable addresses,
 * normalised as they are stored. A value taken by someone else is reported on the field that claims it.
 */
export function uniqueClaims(schema: CompiledIdentitySchema, traits: Record<string, unknown>): UniqueClaim[] {
  const claims: UniqueClaim[] = [];
  for (const trait of schema.traits) {
    const raw = traits[trait.name];
    if (typeof raw !== 'string' || raw.trim() === '') continue;
    const value = normaliseIdentifier(raw);
    const field = `traits.${trait.name}`;
    if (trait.annotations.credentials?.password?.identifier === true) claims.push({ field, kind: 'identifier', value });
    const via = trait.annotations.verification?.via;
    if (via) claims.push({ field, kind: 'address', via, value });
  }
  return claims;
}

/**
 * The traits whose value the update changes (added, changed or removed), as params (`traits.<name>`), sorted:
 * stored traits come back in the database's key order, which is not the order they were written in.
 */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.filter((name) => !isDeepStrictEqual(before[name], after[name])).map((name) => `traits.${name}`);
}

type Address = { via: 'email' | 'phone'; value: string };

/** Verifiable addresses the update adds (they start unverified) and removes; unchanged ones keep their state. */
export function addressChanges(before: Address[], after: Address[]): { added: Address[]; removed: Address[] } {
  const key = (address: Address) => `${address.via}:${address.value}`;
  const old = new Set(before.map(key));
  const now = new Set(after.map(key));
  return {
    added: after.filter((address) => !old.has(key(address))),
    removed: before.filter((address) => !now.has(key(address))),
  };
}

/**
 * The AddPasskey step's wire format, the registration counterpart of the login's FIDO step: `challengeData`
 * = base64url(JSON {requestId, publicKeyCredentialCreationOptions}), answered by `tokenResponse` =
 * base64url(JSON {requestId, credential}) with the RegistrationResponseJSON of navigator.credentials.create().
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
