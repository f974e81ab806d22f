import { Injectable, Logger } from '@nestjs/common';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import type { AuthenticationResult, Authenticator, AuthenticatorContext, AuthenticatorPrompt } from '../authenticator';
import { FlowMessages } from '../../domain/flows/flow-messages';
import { LockoutService, type AttemptSubject } from '../../domain/lockout/lockout.service';
import type { PasskeyOwner, StoredPasskey, WebAuthnCredential } from './passkey-credentials.repository';
import { PasskeysService } from './passkeys.service';
import { decodeTokenResponse, encodeChallengeData, newRequestId } from './token-response';

/** What `initiate` keeps on the flow for this step: the challenge the answer must sign, and how. */
const FidoStepState = z.object({
  requestId: z.string(),
  challenge: z.string(),
  userVerification: z.enum(['required', 'preferred']),
  /** The request options as sent (stored as JSON on the flow; only their shape is checked on the way back). */
  options: z.custom<PublicKeyCredentialRequestOptionsJSON>(
    (value) => typeof (value as { challenge?: unknown } | null)?.challenge === 'string',
  ),
});
type FidoStepState = z.infer<typeof FidoStepState>;

/**
 * Passkeys (WebAuthn) as a login option, wire-compatible with WSO2's FIDOAuthenticator. Selected without
 * params it initiates: a fresh challenge, answered by an INTERNAL_PROMPT whose challengeData the app hands
 * to the platform's passkey API. In a first step it signs in passwordless (the passkey names the identity;
 * user verification required); after a step that identified the user it is a second factor over that
 * identity's passkeys. Failed assertions count against the owner's 'passkey' attempts.
 */
@Injectable()
export class FidoAuthenticator implements Authenticator {
  readonly name = 'FIDOAuthenticator';
  readonly idp = 'LOCAL';
  readonly displayName = 'Passkey';
  readonly i18nKey = 'authenticator.Fido';
  /** Login steps; settings' re-authentication wraps it (PasskeyReauthentication). */
  readonly flowTypes = ['AUTHENTICATION'] as const;
  readonly amr = ['hwk', 'swk'] as const;
  readonly requiresInitiation = true;

  private readonly logger = new Logger('FIDOAuthenticator');

  constructor(
    private readonly passkeys: PasskeysService,
    private readonly lockout: LockoutService,
  ) {}

  async initiate({ project, flow }: AuthenticatorContext): Promise<{ stepState: FidoStepState }> {
    const { options, userVerification } = await this.passkeys.signInChallenge(project, flow.identityId);
    return { stepState: { requestId: newRequestId(), challenge: options.challenge, userVerification, options } };
  }

  prompt({ flow }: AuthenticatorContext): AuthenticatorPrompt {
    const state = FidoStepState.safeParse(flow.stepState[this.name]);
    return {
      promptType: 'INTERNAL_PROMPT',
      ...(state.success
        ? { additionalData: { challengeData: encodeChallengeData(state.data.requestId, state.data.options) } }
        : {}),
      requiredParams: ['tokenResponse'],
    };
  }

  async authenticate(
    { project, flow }: AuthenticatorContext,
    params: Record<string, string>,
  ): Promise<AuthenticationResult> {
    const token = decodeTokenResponse(params['tokenResponse'] ?? '');
    const state = FidoStepState.safeParse(flow.stepState[this.name]);

    // Whose passkey is answering: the identity of the earlier steps, or (passwordless) the passkey's owner.
    let owner: PasskeyOwner;
    let credential: WebAuthnCredential;
    let passkey: StoredPasskey | undefined;
    if (flow.identityId) {
      const enrolled = await this.passkeys.findByIdentity(flow.identityId);
      if (!enrolled || enrolled.owner.projectId !== project.id)
        return { outcome: 'terminal', message: FlowMessages.passkeyNotEnrolled() };
      ({ owner, credential } = enrolled);
      passkey = token && credential.config.passkeys.find(({ id }) => id === token.credential.id);
    } else {
      const found = token && (await this.passkeys.findPasskey(project.id, token.credential.id));
      // Nobody to count against: an unreadable answer or a credential id this project never registered.
      if (!found) return this.refuse(project.id, token ? 'unknown credential id' : 'malformed tokenResponse');
      ({ owner, credential, passkey } = found);
    }

    const subject: AttemptSubject = { kind: 'identity', identityId: owner.id, lockedUntil: owner.lockedUntil };
    const attempt = await this.lockout.reserve(project.id, subject, 'passkey', project.settings.lockout);
    if (!attempt.granted) return { outcome: 'terminal', message: FlowMessages.accountLocked() };

    let problem: string | undefined;
    let amr: string[] = [];
    if (!token) problem = 'malformed tokenResponse';
    else if (!passkey) problem = 'the passkey is not one of the identity’s';
    else if (!state.success) problem = 'no passkey challenge was initiated in this step';
    else if (token.requestId !== state.data.requestId) problem = 'requestId does not match the current challenge';
    else {
      const result = await this.passkeys.verifyAssertion(
        project,
        { credential, passkey },
        token.credential,
        state.data,
      );
      if (result.outcome === 'invalid') problem = result.reason;
      else amr = amrOf(result);
    }
    if (problem) {
      const { remainingAttempts, locked } = await attempt.failed();
      this.logger.warn({ projectId: project.id, identityId: owner.id, passkeyFailure: problem });
      if (locked) return { outcome: 'terminal', message: FlowMessages.accountLocked() };
      return { outcome: 'failure', message: FlowMessages.invalidPasskey(remainingAttempts) };
    }

    await attempt.succeeded();
    if (owner.state !== 'active') return { outcome: 'terminal', message: FlowMessages.accountUnavailable() };
    return { outcome: 'success', identityId: owner.id, amr };
  }

  private refuse(projectId: string, problem: string): AuthenticationResult {
    this.logger.warn({ projectId, passkeyFailure: problem });
    return { outcome: 'failure', message: FlowMessages.invalidPasskey() };
  }
}

/**
 * RFC 8176 values. The key: "hwk" (hardware-secured) for a device-bound passkey, "swk" (software-secured)
 * for a synced one (backup eligible: the private key leaves the device, kept by a cloud keychain); with
 * attestation 'none' this is the authenticator's own claim. RFC 8176 has no value for WebAuthn user
 * verification (a PIN or a biometric — the assertion does not say which); "user" (the user was tested at
 * the device) is the closest, and is added only when the UV flag is set: mere presence (UP) is in every
 * assertion and would tell a relying party nothing. A passkey with "user" is two factors on its own.
 */
function amrOf(result: { userVerified: boolean; deviceType: StoredPasskey['deviceType'] }): string[] {
  return [result.deviceType === 'multiDevice' ? 'swk' : 'hwk', ...(result.userVerified ? ['user'] : [])];
}
