import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { ApiError } from '../../infra/http/errors';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import type { Project } from '../../domain/projects/projects.service';
import {
  PasskeyCredentialsRepository,
  type PasskeyOwner,
  type StoredPasskey,
  type WebAuthnConfig,
  type WebAuthnCredential,
} from './passkey-credentials.repository';
import { relyingPartyOf, type RelyingParty } from './relying-party';
import type { AuthenticationCredential, RegistrationCredential } from './webauthn-json';

/** A registration's challenge is good for this long (the browser's own timeout is shorter). */
const REGISTRATION_TTL_MS = 5 * 60_000;
/** How long the platform UI waits for the user (WebAuthn `timeout`). */
const CEREMONY_TIMEOUT_MS = 120_000;
/**
 * @simplewebauthn/server and its ASN.1 and COSE stack (about 3.5 MiB of heap) load with the first ceremony, not at
 * start-up: a deployment without passkeys never holds them.
 */
const webauthn = () => import('@simplewebauthn/server');

/** Enough for every device a person owns; bounds the config a sign-in rewrites. */
export const MAX_PASSKEYS_PER_IDENTITY = 20;
/** Compare-and-set retries when concurrent requests change the same identity's passkeys. */
const WRITE_ATTEMPTS = 4;

/** A passkey as its owner sees it (never the public key or counter). */
export interface PasskeyView {
  id: string;
  name: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  transports: string[];
  /** A synced (multi-device) passkey that is currently backed up. */
  backedUp: boolean;
}

export type RegistrationResult =
  | { outcome: 'registered'; passkey: PasskeyView }
  | { outcome: 'not-pending' }
  | { outcome: 'duplicate' }
  | { outcome: 'limit' }
  | { outcome: 'invalid'; reason: string };

/**
 * 'second-factor': an earlier step established the identity, possession of one of its passkeys is the
 * factor and user verification is only preferred. 'passwordless': the passkey alone signs in, so the
 * authenticator must verify the user (PIN or biometric) — otherwise a found security key is an account.
 */
export type SignInMode = 'passwordless' | 'second-factor';

export interface SignInChallenge {
  options: PublicKeyCredentialRequestOptionsJSON;
  userVerification: 'required' | 'preferred';
}

export type AssertionResult =
  | { outcome: 'verified'; userVerified: boolean; deviceType: StoredPasskey['deviceType'] }
  | { outcome: 'invalid'; reason: string };

/** Passkeys: enrollment (registration ceremony), the sign-in ceremony, and their storage. */
@Injectable()
export class PasskeysService {
  constructor(
    private readonly credentials: PasskeyCredentialsRepository,
    @Inject(KEYWAY_CONFIG) private readonly config: Pick<KeywayConfig, 'publicUrl'>,
  ) {}

  relyingParty(project: Pick<Project, 'name' | 'settings'>): RelyingParty {
    return relyingPartyOf(project, this.config.publicUrl);
  }

  /**
   * Starts a registration for a signed-in identity: creation options with a fresh challenge, which
   * replaces any earlier one still waiting. 'limit' when the identity has the maximum of passkeys.
   */
  async registrationOptions(
    project: Pick<Project, 'name' | 'settings'>,
    identity: { id: string; traits: unknown },
    now = new Date(),
  ): Promise<PublicKeyCredentialCreationOptionsJSON | 'limit'> {
    const rp = this.relyingParty(project);
    const traits = (identity.traits ?? {}) as Record<string, unknown>;
    const userName = typeof traits['email'] === 'string' ? traits['email'] : identity.id;
    const displayName = typeof traits['name'] === 'string' ? traits['name'] : userName;
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const credential = await this.findOrCreate(identity.id);
      if (credential.config.passkeys.length >= MAX_PASSKEYS_PER_IDENTITY) return 'limit';
      const { generateRegistrationOptions } = await webauthn();
      const options = await generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        userName,
        userDisplayName: displayName,
        userID: Buffer.from(credential.config.userHandle, 'base64url'),
        timeout: CEREMONY_TIMEOUT_MS,
        // We trust no attestation (no metadata service): 'none' keeps the ceremony private and simple.
        attestationType: 'none',
        excludeCredentials: credential.config.passkeys.map(({ id, transports }) => ({ id, transports })),
        // Discoverable credentials are what make passwordless sign-in (no username first) possible.
        authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      });
      const registration = {
        challenge: options.challenge,
        expiresAt: new Date(now.getTime() + REGISTRATION_TTL_MS).toISOString(),
      };
      if (await this.credentials.compareAndSetConfig(credential, { ...credential.config, registration }))
        return options;
    }
    throw concurrentChanges();
  }

  /**
   * Finishes a registration: the waiting challenge is spent first (so an answer is accepted once, and a
   * wrong one needs new options), then the response is verified against it and the project's relying party.
   */
  async register(
    project: Pick<Project, 'id' | 'name' | 'settings'>,
    identityId: string,
    response: RegistrationCredential,
    name?: string,
    now = new Date(),
  ): Promise<RegistrationResult> {
    const challenge = await this.spendRegistrationChallenge(identityId, now);
    if (!challenge) return { outcome: 'not-pending' };
    const rp = this.relyingParty(project);

    let verified;
    try {
      const { verifyRegistrationResponse } = await webauthn();
      verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origins,
        expectedRPID: rp.id,
        // User verification is enforced where it matters: at passwordless sign-in.
        requireUserVerification: false,
      });
    } catch (error) {
      return { outcome: 'invalid', reason: reasonOf(error) };
    }
    if (!verified.verified) return { outcome: 'invalid', reason: 'the registration response did not verify' };
    const info = verified.registrationInfo;
    const passkey: StoredPasskey = {
      id: info.credential.id,
      publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
      counter: info.credential.counter,
      transports: response.response.transports ?? [],
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      aaguid: info.aaguid,
      ...(name ? { name } : {}),
      createdAt: now.toISOString(),
    };

    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const credential = await this.credentials.findByIdentity(identityId);
      if (!credential) return { outcome: 'not-pending' }; // removed meanwhile
      if (credential.config.passkeys.some((existing) => existing.id === passkey.id)) return { outcome: 'duplicate' };
      if (credential.config.passkeys.length >= MAX_PASSKEYS_PER_IDENTITY) return { outcome: 'limit' };
      const config = { ...credential.config, passkeys: [...credential.config.passkeys, passkey] };
      try {
        if (await this.credentials.addPasskey(project.id, credential, config, passkey.id))
          return { outcome: 'registered', passkey: viewOf(passkey) };
      } catch (error) {
        if (isUniqueViolation(error)) return { outcome: 'duplicate' }; // another identity of the project has it
        throw error;
      }
    }
    throw concurrentChanges();
  }

  async list(identityId: string): Promise<PasskeyView[]> {
    return ((await this.credentials.findByIdentity(identityId))?.config.passkeys ?? []).map(viewOf);
  }

  /** Removes one passkey; false if the identity has none with that id. */
  async remove(identityId: string, passkeyId: string): Promise<boolean> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const credential = await this.credentials.findByIdentity(identityId);
      if (!credential?.config.passkeys.some(({ id }) => id === passkeyId)) return false;
      const config = {
        ...credential.config,
        passkeys: credential.config.passkeys.filter(({ id }) => id !== passkeyId),
      };
      if (await this.credentials.removePasskey(credential, config, passkeyId)) return true;
    }
    throw concurrentChanges();
  }

  /**
   * Request options for a sign-in. For a second factor they list the identity's passkeys; passwordless
   * options list none, so the platform offers every discoverable passkey it has for the RP ID.
   */
  async signInChallenge(
    project: Pick<Project, 'name' | 'settings'>,
    identityId: string | null,
  ): Promise<SignInChallenge> {
    const rp = this.relyingParty(project);
    const userVerification = identityId ? 'preferred' : 'required';
    const passkeys = identityId ? ((await this.credentials.findByIdentity(identityId))?.config.passkeys ?? []) : [];
    const { generateAuthenticationOptions } = await webauthn();
    const options = await generateAuthenticationOptions({
      rpID: rp.id,
      userVerification,
      timeout: CEREMONY_TIMEOUT_MS,
      ...(identityId ? { allowCredentials: passkeys.map(({ id, transports }) => ({ id, transports })) } : {}),
    });
    return { options, userVerification };
  }

  /** The passkey an assertion names, with its owner; undefined for a credential id the project does not know. */
  async findPasskey(
    projectId: string,
    passkeyId: string,
  ): Promise<{ owner: PasskeyOwner; credential: WebAuthnCredential; passkey: StoredPasskey } | undefined> {
    const found = await this.credentials.findByPasskeyId(projectId, passkeyId);
    const passkey = found?.credential.config.passkeys.find(({ id }) => id === passkeyId);
    return found && passkey ? { ...found, passkey } : undefined;
  }

  /** The identity's webauthn credential and owner, for a second-factor step; undefined if it has no passkey. */
  async findByIdentity(
    identityId: string,
  ): Promise<{ owner: PasskeyOwner; credential: WebAuthnCredential } | undefined> {
    const found = await this.credentials.findWithOwner(identityId);
    return found && found.credential.config.passkeys.length > 0 ? found : undefined;
  }

  /**
   * Verifies an assertion against the challenge of this sign-in, the project's RP ID and origins, the
   * stored public key, user verification and the signature counter; then stores the new counter. A
   * counter that does not increase (when either value is non-zero) means a cloned authenticator or a
   * replay, and fails — also when two sign-ins race with the same counter value.
   */
  async verifyAssertion(
    project: Pick<Project, 'name' | 'settings'>,
    stored: { credential: WebAuthnCredential; passkey: StoredPasskey },
    response: AuthenticationCredential,
    expected: { challenge: string; userVerification: 'required' | 'preferred' },
    now = new Date(),
  ): Promise<AssertionResult> {
    const { credential, passkey } = stored;
    // The user handle is optional in an assertion; when present it must be this passkey's owner's.
    if (response.response.userHandle !== undefined && response.response.userHandle !== credential.config.userHandle) {
      return { outcome: 'invalid', reason: 'the user handle does not belong to the passkey' };
    }
    const rp = this.relyingParty(project);
    let result;
    try {
      const { verifyAuthenticationResponse } = await webauthn();
      result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: expected.challenge,
        expectedOrigin: rp.origins,
        expectedRPID: rp.id,
        credential: {
          id: passkey.id,
          publicKey: Buffer.from(passkey.publicKey, 'base64url'),
          counter: passkey.counter,
          transports: passkey.transports,
        },
        requireUserVerification: expected.userVerification === 'required',
      });
    } catch (error) {
      return { outcome: 'invalid', reason: reasonOf(error) };
    }
    if (!result.verified) return { outcome: 'invalid', reason: 'the signature did not verify' };

    const { newCounter, userVerified, credentialDeviceType, credentialBackedUp } = result.authenticationInfo;
    let current: WebAuthnCredential | undefined = credential;
    for (let attempt = 0; attempt < WRITE_ATTEMPTS && current; attempt++) {
      const latest = current.config.passkeys.find(({ id }) => id === passkey.id);
      if (!latest) return { outcome: 'invalid', reason: 'the passkey was removed' };
      if ((newCounter > 0 || latest.counter > 0) && newCounter <= latest.counter) {
        return {
          outcome: 'invalid',
          reason: `signature counter ${newCounter} did not increase past ${latest.counter}`,
        };
      }
      const updated = { ...latest, counter: newCounter, backedUp: credentialBackedUp, lastUsedAt: now.toISOString() };
      const config: WebAuthnConfig = {
        ...current.config,
        passkeys: current.config.passkeys.map((p) => (p.id === passkey.id ? updated : p)),
      };
      if (await this.credentials.compareAndSetConfig(current, config))
        return { outcome: 'verified', userVerified, deviceType: credentialDeviceType };
      current = await this.credentials.findByIdentity(credential.identityId);
    }
    return { outcome: 'invalid', reason: 'the passkey was changed by concurrent requests' };
  }

  /** The identity's webauthn credential, created (with a fresh user handle) on first use. */
  private async findOrCreate(identityId: string): Promise<WebAuthnCredential> {
    const existing = await this.credentials.findByIdentity(identityId);
    if (existing) return existing;
    try {
      return await this.credentials.create(identityId, {
        userHandle: randomBytes(32).toString('base64url'),
        passkeys: [],
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const created = await this.credentials.findByIdentity(identityId); // a concurrent request created it
      if (!created) throw error;
      return created;
    }
  }

  /** Takes the waiting registration challenge off the credential; undefined if there is none or it expired. */
  private async spendRegistrationChallenge(identityId: string, now: Date): Promise<string | undefined> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const credential = await this.credentials.findByIdentity(identityId);
      const registration = credential?.config.registration;
      if (!credential || !registration) return undefined;
      const { registration: _spent, ...rest } = credential.config;
      if (await this.credentials.compareAndSetConfig(credential, rest)) {
        return Date.parse(registration.expiresAt) > now.getTime() ? registration.challenge : undefined;
      }
    }
    return undefined;
  }
}

function viewOf(passkey: StoredPasskey): PasskeyView {
  return {
    id: passkey.id,
    name: passkey.name ?? null,
    createdAt: passkey.createdAt,
    lastUsedAt: passkey.lastUsedAt ?? null,
    transports: passkey.transports,
    backedUp: passkey.backedUp,
  };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Every compare-and-set attempt lost to other requests changing the same identity's passkeys at that moment:
 * the client's requests raced each other, so 409 (retry) rather than a 500.
 */
function concurrentChanges(): ApiError {
  return ApiError.conflict("This account's passkeys were changed by concurrent requests; retry.");
}
