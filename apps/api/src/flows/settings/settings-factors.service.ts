import { Injectable } from '@nestjs/common';
import { AuditService } from '../../domain/audit/audit.service';
import { newRequestId } from '../../methods/passkey/token-response';
import { BackupCodesService } from '../../methods/backup-codes/backup-codes.service';
import { FlowMessages } from '../../domain/flows/flow-messages';
import { MAX_PASSKEYS_PER_IDENTITY, PasskeysService } from '../../methods/passkey/passkeys.service';
import { TotpService } from '../../methods/totp/totp.service';
import type { SettingsContext, SettingsOutcome } from './settings-context';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import {
  addPasskeyPrompt,
  CREDENTIAL_ID_PARAM,
  enrollTotpPrompt,
  PASSKEY_NAME_PARAM,
  TOKEN_PARAM,
  TOKEN_RESPONSE_PARAM,
} from './settings-options';
import { decodeRegistrationResponse, encodeCreationChallenge } from './settings-steps';

const MAX_PASSKEY_NAME = 100;

/**
 * The second factors and passkeys in the settings flow, through the same services as /me and the login's
 * in-flow enrollment: TOTP (enroll with a secret kept sealed in the flow, confirmed by a first code;
 * remove), passkeys (registration ceremony; remove), backup codes (a new set, shown once).
 */
@Injectable()
export class SettingsFactors {
  constructor(
    private readonly totp: TotpService,
    private readonly passkeys: PasskeysService,
    private readonly backupCodes: BackupCodesService,
    private readonly audit: AuditService,
  ) {}

  /** Selected without a code: shows the secret (the same one again if the user already saw it); with a code: confirms. */
  async enrollTotp(context: SettingsContext, params: Record<string, string>): Promise<SettingsOutcome> {
    const { project, account, state } = context;
    const token = params[TOKEN_PARAM];
    if (token === undefined) {
      let sealed = state.totpEnrollment;
      if (!sealed) {
        const enrollee = await this.totp.findEnrollee(account.id);
        sealed = await this.totp.beginFlowEnrollment(project.name, enrollee?.label ?? account.id);
      }
      const enrollment = await this.totp.openFlowEnrollment(sealed);
      return { kind: 'prompt', option: enrollTotpPrompt(enrollment), state: { ...state, totpEnrollment: sealed } };
    }
    if (!state.totpEnrollment) return { kind: 'retry', messages: [FlowMessages.totpEnrollmentNotStarted()] };
    const result = await this.totp.completeFlowEnrollment(account.id, state.totpEnrollment, token.trim());
    if (result === 'invalid')
      return {
        kind: 'retry',
        messages: [SettingsMessages.invalidTotp()],
        option: enrollTotpPrompt(await this.totp.openFlowEnrollment(state.totpEnrollment)),
      };
    const { totpEnrollment: _done, ...rest } = state;
    if (result === 'replayed')
      return { kind: 'retry', messages: [SettingsMessages.totpAlreadyEnrolled()], state: rest };
    await this.audit.record('totp.enrolled', {
      projectId: project.id,
      identityId: account.id,
      clientId: context.application.clientId,
      data: { via: 'settings' },
    });
    return { kind: 'done', messages: [SettingsMessages.totpEnrolled()], state: rest };
  }

  async removeTotp(context: SettingsContext): Promise<SettingsOutcome> {
    const { project, account } = context;
    await this.totp.remove(account.id);
    await this.audit.record('totp.removed', {
      projectId: project.id,
      identityId: account.id,
      clientId: context.application.clientId,
      data: { via: 'settings' },
    });
    return { kind: 'done', messages: [SettingsMessages.totpRemoved()] };
  }

  /** Selected without tokenResponse: creation options (challenge kept on the credential); with it: registers. */
  async addPasskey(context: SettingsContext, params: Record<string, string>): Promise<SettingsOutcome> {
    const { project, account, state } = context;
    const tokenResponse = params[TOKEN_RESPONSE_PARAM];
    if (tokenResponse === undefined) {
      const options = await this.passkeys.registrationOptions(project, { id: account.id, traits: account.traits });
      if (options === 'limit')
        return { kind: 'retry', messages: [SettingsMessages.passkeyLimit(MAX_PASSKEYS_PER_IDENTITY)] };
      const requestId = newRequestId();
      return {
        kind: 'prompt',
        option: addPasskeyPrompt(encodeCreationChallenge(requestId, options)),
        state: { ...state, passkeyRegistration: { requestId } },
      };
    }
    const { passkeyRegistration: pending, ...rest } = state;
    const answer = decodeRegistrationResponse(tokenResponse);
    if (!answer)
      return { kind: 'retry', messages: [SettingsMessages.passkeyRegistrationFailed('malformed tokenResponse')] };
    if (!pending || answer.requestId !== pending.requestId)
      return {
        kind: 'retry',
        messages: [SettingsMessages.passkeyRegistrationFailed('requestId does not match the current challenge')],
      };
    const name = params[PASSKEY_NAME_PARAM]?.trim().slice(0, MAX_PASSKEY_NAME) || undefined;
    const result = await this.passkeys.register(project, account.id, answer.credential, name);
    // The challenge is spent whatever the outcome: a new attempt starts by selecting the action again.
    switch (result.outcome) {
      case 'registered':
        await this.audit.record('passkey.registered', {
          projectId: project.id,
          identityId: account.id,
          clientId: context.application.clientId,
          data: { passkeyId: result.passkey.id, via: 'settings' },
        });
        return { kind: 'done', messages: [SettingsMessages.passkeyAdded()], state: rest };
      case 'limit':
        return { kind: 'retry', messages: [SettingsMessages.passkeyLimit(MAX_PASSKEYS_PER_IDENTITY)], state: rest };
      case 'not-pending':
        return {
          kind: 'retry',
          messages: [SettingsMessages.passkeyRegistrationFailed('the challenge expired')],
          state: rest,
        };
      case 'duplicate':
        return {
          kind: 'retry',
          messages: [SettingsMessages.passkeyRegistrationFailed('this passkey is already registered')],
          state: rest,
        };
      case 'invalid':
        return { kind: 'retry', messages: [SettingsMessages.passkeyRegistrationFailed(result.reason)], state: rest };
    }
  }

  async removePasskey(context: SettingsContext, params: Record<string, string>): Promise<SettingsOutcome> {
    const { project, account } = context;
    const passkeyId = params[CREDENTIAL_ID_PARAM] ?? '';
    const passkeys = await this.passkeys.list(account.id);
    if (!passkeys.some(({ id }) => id === passkeyId))
      return { kind: 'retry', messages: [SettingsMessages.passkeyNotFound()] };
    // An identity without a password signs in with its passkeys: the last one stays.
    if (!account.hasPassword && passkeys.length === 1)
      return { kind: 'retry', messages: [SettingsMessages.lastSignInMethod()] };
    if (!(await this.passkeys.remove(account.id, passkeyId)))
      return { kind: 'retry', messages: [SettingsMessages.passkeyNotFound()] };
    await this.audit.record('passkey.removed', {
      projectId: project.id,
      identityId: account.id,
      clientId: context.application.clientId,
      data: { passkeyId, via: 'settings' },
    });
    return { kind: 'done', messages: [SettingsMessages.passkeyRemoved()] };
  }

  async regenerateBackupCodes(context: SettingsContext): Promise<SettingsOutcome> {
    const { project, account } = context;
    const { codes } = await this.backupCodes.generate(account.id);
    await this.audit.record('backup_codes.generated', {
      projectId: project.id,
      identityId: account.id,
      clientId: context.application.clientId,
      data: { count: codes.length, via: 'settings' },
    });
    return { kind: 'done', messages: [SettingsMessages.backupCodesGenerated(codes.length)], backupCodes: codes };
  }
}
