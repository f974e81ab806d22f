import { z } from 'zod';

/**
 * The WebAuthn JSON serialisation of credentials (PublicKeyCredential.toJSON(), Android Credential
 * Manager, iOS AuthenticationServices via the app) as apps send it. Binary fields are base64url; padding
 * is tolerated and removed because some platform libraries emit it. Unknown fields are dropped.
 */
const Base64Url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url')
    .transform((value) => value.replace(/=+$/, ''));

/** Credential ids are at most 1023 bytes (WebAuthn §5.8.3 / CTAP2); 1366 base64url characters. */
const CredentialId = Base64Url(1366);

export const AuthenticationCredential = z
  .object({
    id: CredentialId,
    // WSO2's sample tokenResponse carries no rawId; it is the id in the JSON serialisation anyway.
    rawId: CredentialId.optional(),
    type: z.literal('public-key'),
    response: z.object({
      clientDataJSON: Base64Url(4096),
      authenticatorData: Base64Url(4096),
      signature: Base64Url(1024),
      userHandle: Base64Url(128).nullish(),
    }),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).nullish(),
  })
  .transform(({ rawId, response: { userHandle, ...response }, authenticatorAttachment, ...credential }) => ({
    ...credential,
    rawId: rawId ?? credential.id,
    response: { ...response, ...(userHandle ? { userHandle } : {}) },
    ...(authenticatorAttachment ? { authenticatorAttachment } : {}),
  }));
export type AuthenticationCredential = z.output<typeof AuthenticationCredential>;

const TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;

export const RegistrationCredential = z
  .object({
    id: CredentialId,
    rawId: CredentialId.optional(),
    type: z.literal('public-key'),
    response: z.object({
      clientDataJSON: Base64Url(4096),
      // 'none' attestation is a few hundred bytes; packed/TPM statements with certificate chains are larger.
      attestationObject: Base64Url(32_768),
      // Transports we do not know are dropped rather than refused: browsers add new ones over time.
      transports: z
        .array(z.string().max(32))
        .max(10)
        .optional()
        .transform((values) =>
          values?.filter((value): value is (typeof TRANSPORTS)[number] =>
            (TRANSPORTS as readonly string[]).includes(value),
          ),
        ),
    }),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).nullish(),
  })
  .transform(({ rawId, authenticatorAttachment, ...credential }) => ({
    ...credential,
    rawId: rawId ?? credential.id,
    ...(authenticatorAttachment ? { authenticatorAttachment } : {}),
  }));
export type RegistrationCredential = z.output<typeof RegistrationCredential>;
