import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { SecretBox } from '../../infra/crypto/secret-box';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import { checkTotp, newTotpSecret, normaliseTotpSecret, totpUri } from './totp-codes';
import {
  TotpCredentialsRepository,
  type TotpCredential,
  type TotpEnrollee,
  type TotpLogin,
} from './totp-credentials.repository';

export type TotpAttempt = 'accepted' | 'invalid' | 'replayed';

/** A pending in-flow enrollment, kept sealed in the flow's step state. */
const FlowEnrollment = z.object({ secret: z.string(), otpauthUri: z.string() });
export type FlowEnrollment = z.infer<typeof FlowEnrollment>;

/** TOTP credentials: secrets sealed at rest, codes checked with replay protection, enrollment. */
@Injectable()
export class TotpService {
  constructor(
    private readonly credentials: TotpCredentialsRepository,
    private readonly secretBox: SecretBox,
  ) {}

  /** Seals an imported base32 secret for storage; undefined if it is not a usable secret. */
  async sealImportedSecret(secret: string): Promise<string | undefined> {
    const normalised = normaliseTotpSecret(secret);
    return normalised === undefined ? undefined : this.secretBox.seal(normalised);
  }

  /** A confirmed credential and its identity, for a login step; undefined if the identity has none. */
  async findLogin(identityId: string): Promise<TotpLogin | undefined> {
    const login = await this.credentials.findLogin(identityId);
    return login?.credential.config.confirmed ? login : undefined;
  }

  /**
   * Checks a code against the credential and, if it is good, spends its time step (and every earlier
   * one) atomically: a code is accepted once, even by concurrent requests.
   */
  async attempt(credential: TotpCredential, token: string, now = new Date()): Promise<TotpAttempt> {
    const secret = await this.secretBox.open(credential.sealedSecret);
    const check = await checkTotp(secret, token, { now, lastUsedStep: credential.config.lastUsedStep });
    if (check.outcome !== 'valid') return check.outcome;
    const claimed = await this.credentials.compareAndSetConfig(credential, {
      ...credential.config,
      confirmed: true,
      lastUsedStep: check.timeStep,
    });
    // Losing the race means another request just used this credential: treat this code as spent.
    return claimed ? 'accepted' : 'replayed';
  }

  /**
   * Starts enrollment for a signed-in identity: a fresh secret, stored sealed and unconfirmed until a
   * code proves the user's app has it. Undefined when a confirmed credential exists (remove it first).
   */
  async startEnrollment(
    identityId: string,
    issuer: string,
    label: string,
  ): Promise<{ secret: string; otpauthUri: string } | undefined> {
    const secret = newTotpSecret();
    try {
      if (!(await this.credentials.savePending(identityId, await this.secretBox.seal(secret)))) return undefined;
    } catch (error) {
      if (isUniqueViolation(error)) return undefined; // a concurrent enrollment won
      throw error;
    }
    return { secret, otpauthUri: totpUri(secret, issuer, label) };
  }

  /** Confirms a pending enrollment with a first code. */
  async confirmEnrollment(
    identityId: string,
    token: string,
    now = new Date(),
  ): Promise<'confirmed' | 'invalid' | 'not-pending'> {
    const credential = await this.credentials.find(identityId);
    if (!credential || credential.config.confirmed) return 'not-pending';
    return (await this.attempt(credential, token, now)) === 'accepted' ? 'confirmed' : 'invalid';
  }

  /** The identity a login step would enroll, or undefined if it does not exist. */
  findEnrollee(identityId: string): Promise<TotpEnrollee | undefined> {
    return this.credentials.findEnrollee(identityId);
  }

  /**
   * Starts an enrollment inside a login flow: a fresh secret and its otpauth URI, sealed together so
   * the flow can keep them server-side (the client only ever sees them, never sends them back).
   */
  async beginFlowEnrollment(issuer: string, label: string): Promise<string> {
    const secret = newTotpSecret();
    const enrollment: FlowEnrollment = { secret, otpauthUri: totpUri(secret, issuer, label) };
    return this.secretBox.seal(JSON.stringify(enrollment));
  }

  async openFlowEnrollment(sealed: string): Promise<FlowEnrollment> {
    return FlowEnrollment.parse(JSON.parse(await this.secretBox.open(sealed)));
  }

  /**
   * Completes an in-flow enrollment with the first code from the app: stores the credential confirmed,
   * with that code's time step spent. 'replayed' when a confirmed credential appeared meanwhile.
   */
  async completeFlowEnrollment(
    identityId: string,
    sealed: string,
    token: string,
    now = new Date(),
  ): Promise<TotpAttempt> {
    const { secret } = await this.openFlowEnrollment(sealed);
    const check = await checkTotp(secret, token, { now });
    if (check.outcome !== 'valid') return 'invalid';
    const saved = await this.credentials.saveConfirmed(identityId, await this.secretBox.seal(secret), {
      confirmed: true,
      lastUsedStep: check.timeStep,
    });
    return saved ? 'accepted' : 'replayed';
  }

  remove(identityId: string): Promise<boolean> {
    return this.credentials.remove(identityId);
  }
}
