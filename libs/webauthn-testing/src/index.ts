/**
 * A software WebAuthn authenticator for tests: real ES256 (P-256) keys from node:crypto, real
 * authenticatorData (RP ID hash, flags, signature counter, attested credential data), real clientDataJSON
 * and 'none' attestation objects in CBOR — what a platform authenticator and browser produce together,
 * with knobs to produce exactly the wrong thing a test needs (origin, RP ID, challenge, counter, flags).
 * Test-only: nothing in the API may import it.
 */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/** The parts of PublicKeyCredentialCreationOptionsJSON a registration reads. */
export interface CreationOptions {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  excludeCredentials?: { id: string }[];
}

/** The parts of PublicKeyCredentialRequestOptionsJSON an assertion reads. */
export interface RequestOptions {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string }[];
  userVerification?: string;
}

export interface RegistrationResponse {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; attestationObject: string; transports: string[] };
  clientExtensionResults: Record<string, unknown>;
  authenticatorAttachment: 'platform';
}

export interface AuthenticationResponse {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle?: string };
  clientExtensionResults: Record<string, unknown>;
  authenticatorAttachment: 'platform';
}

/** What a test may change about one ceremony; everything else is what an honest client would send. */
export interface CeremonyOverrides {
  origin?: string;
  /** The RP ID whose hash goes into authenticatorData (the client's idea of the RP). */
  rpId?: string;
  challenge?: string;
  type?: string;
  /** Signature counter to report (default: the credential's next value). */
  counter?: number;
  userVerified?: boolean;
  userPresent?: boolean;
  /**
   * get(): use this credential (default: the first allowed one this authenticator holds, else its newest).
   * create(): attest this existing credential again instead of making a new one.
   */
  credentialId?: string;
  /** Leave the user handle out of an assertion (second-factor authenticators often do). */
  omitUserHandle?: boolean;
}

export interface StoredCredential {
  id: string;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  counter: number;
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;
/** All zeros: what a 'none' attestation with no AAGUID disclosure carries. */
const AAGUID = Buffer.alloc(16);

export class SoftwareAuthenticator {
  readonly credentials: StoredCredential[] = [];

  constructor(
    private readonly defaults: {
      origin: string;
      /** Whether the user is verified (PIN/biometric) by default. */
      userVerified?: boolean;
      /** Counts signatures (true) or always reports 0 like most synced passkeys (false). */
      counts?: boolean;
      /** Backup eligible and backed up: a synced (multi-device) passkey. */
      synced?: boolean;
    },
  ) {}

  /** navigator.credentials.create(): a new ES256 credential with 'none' attestation. */
  create(options: CreationOptions, overrides: CeremonyOverrides = {}): RegistrationResponse {
    const rpId = overrides.rpId ?? options.rp.id ?? new URL(this.defaults.origin).hostname;
    // `credentialId` re-attests an existing credential (a client ignoring excludeCredentials, or a clone).
    const existing = this.credentials.find(({ id }) => id === overrides.credentialId);
    const privateKey = existing?.privateKey ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const publicKey = createPublicKey(privateKey);
    const id = existing?.id ?? randomBytes(16).toString('base64url');
    const jwk = publicKey.export({ format: 'jwk' });
    const coseKey = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x ?? '', 'base64url')],
        [-3, Buffer.from(jwk.y ?? '', 'base64url')],
      ]),
    );
    const rawId = Buffer.from(id, 'base64url');
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(rawId.length);
    const counter = overrides.counter ?? 0;
    const authData = Buffer.concat([
      this.authDataHead(rpId, counter, overrides, FLAG_AT),
      AAGUID,
      idLength,
      rawId,
      Buffer.from(coseKey),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, string>>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', authData],
      ]),
    );
    if (!existing) this.credentials.push({ id, rpId, userHandle: options.user.id, privateKey, counter });
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: this.clientData('webauthn.create', options.challenge, overrides),
        attestationObject: Buffer.from(attestationObject).toString('base64url'),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** navigator.credentials.get(): an assertion by one of this authenticator's credentials. */
  get(options: RequestOptions, overrides: CeremonyOverrides = {}): AuthenticationResponse {
    const allowed = new Set((options.allowCredentials ?? []).map(({ id }) => id));
    const credential =
      this.credentials.find(({ id }) => id === overrides.credentialId) ??
      (allowed.size
        ? this.credentials.find(({ id }) => allowed.has(id))
        : this.credentials[this.credentials.length - 1]);
    if (!credential) throw new Error('SoftwareAuthenticator: no credential for these options');
    const rpId = overrides.rpId ?? options.rpId ?? credential.rpId;
    const counter = overrides.counter ?? (this.defaults.counts === false ? 0 : credential.counter + 1);
    credential.counter = Math.max(credential.counter, counter);
    const authenticatorData = this.authDataHead(rpId, counter, overrides, 0);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, overrides);
    const clientDataHash = createHash('sha256').update(Buffer.from(clientDataJSON, 'base64url')).digest();
    // ES256 signatures are DER-encoded in WebAuthn, which is node's default for EC keys.
    const signature = sign('sha256', Buffer.concat([authenticatorData, clientDataHash]), credential.privateKey);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON,
        authenticatorData: authenticatorData.toString('base64url'),
        signature: signature.toString('base64url'),
        ...(overrides.omitUserHandle ? {} : { userHandle: credential.userHandle }),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** rpIdHash (32) | flags (1) | signCount (4, big-endian). */
  private authDataHead(rpId: string, counter: number, overrides: CeremonyOverrides, extraFlags: number): Buffer {
    const userVerified = overrides.userVerified ?? this.defaults.userVerified ?? true;
    const userPresent = overrides.userPresent ?? true;
    const flags =
      (userPresent ? FLAG_UP : 0) |
      (userVerified ? FLAG_UV : 0) |
      (this.defaults.synced ? FLAG_BE | FLAG_BS : 0) |
      extraFlags;
    const signCount = Buffer.alloc(4);
    signCount.writeUInt32BE(counter);
    return Buffer.concat([createHash('sha256').update(rpId).digest(), Buffer.from([flags]), signCount]);
  }

  private clientData(type: string, challenge: string, overrides: CeremonyOverrides): string {
    const json = {
      type: overrides.type ?? type,
      challenge: overrides.challenge ?? challenge,
      origin: overrides.origin ?? this.defaults.origin,
      crossOrigin: false,
    };
    return Buffer.from(JSON.stringify(json)).toString('base64url');
  }
}

/** base64url(JSON) — how the passkey step wraps challengeData and tokenResponse. */
export function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeJson<T = unknown>(value: string): T {
  return JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as T;
}
