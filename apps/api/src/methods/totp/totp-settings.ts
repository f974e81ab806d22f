import { Injectable } from '@nestjs/common';
import { SELF_SERVICE_ACTIONS } from '@keyway/flow-types';
import { z } from 'zod';
import { AuditService } from '../../domain/audit/audit.service';
import { FlowMessages } from '../../domain/flows/flow-messages';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import { FlowAccounts } from '../../domain/identities/flow-accounts';
import type { AuthenticationResult, Authenticator, AuthenticatorContext, AuthenticatorPrompt } from '../authenticator';
import { TotpService } from './totp.service';

const TOKEN_PARAM = 'token';

/** An enrollment shown but not yet confirmed: the secret and its URI, sealed as TotpService makes them. */
const EnrollmentState = z.object({ sealed: z.string() });

/**
 * Settings: an authenticator app. Selected, it shows a new secret (the same one again if the user already
 * saw it); a first code from the app confirms it. Offered while the identity has none.
 */
@Injectable()
export class EnrollTotp implements Authenticator {
  readonly name = SELF_SERVICE_ACTIONS.enrollTotp;
  readonly idp = 'LOCAL';
  readonly displayName = 'Authenticator app';
  readonly i18nKey = 'action.totp.enroll';
  readonly flowTypes = ['SETTINGS'] as const;
  readonly requiresInitiation = true;

  constructor(
    private readonly totp: TotpService,
    private readonly accounts: FlowAccounts,
    private readonly audit: AuditService,
  ) {}

  async isOffered({ project, flow }: AuthenticatorContext): Promise<boolean> {
    return !(await this.accounts.of(project.id, flow)).totpEnrolled;
  }

  async initiate(context: AuthenticatorContext): Promise<{ stepState: z.infer<typeof EnrollmentState> }> {
    const pending = this.pending(context);
    if (pending) return { stepState: pending };
    const account = await this.accounts.of(context.project.id, context.flow);
    const enrollee = await this.totp.findEnrollee(account.id);
    return {
      stepState: { sealed: await this.totp.beginFlowEnrollment(context.project.name, enrollee?.label ?? account.id) },
    };
  }

  async prompt(context: AuthenticatorContext): Promise<AuthenticatorPrompt> {
    const pending = this.pending(context);
    const enrollment = pending && (await this.totp.openFlowEnrollment(pending.sealed));
    return {
      promptType: 'USER_PROMPT',
      params: [
        {
          param: TOKEN_PARAM,
          type: 'STRING',
          order: 0,
          i18nKey: 'totp.authenticator',
          displayName: 'Token',
          confidential: false,
        },
      ],
      requiredParams: [TOKEN_PARAM],
      ...(enrollment
        ? { additionalData: { enrollment: 'true', secret: enrollment.secret, otpauthUri: enrollment.otpauthUri } }
        : {}),
    };
  }

  async authenticate(context: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    const { project, application, flow } = context;
    const pending = this.pending(context);
    if (!pending) return { outcome: 'failure', message: FlowMessages.totpEnrollmentNotStarted() };
    const identityId = flow.identityId as string;
    const result = await this.totp.completeFlowEnrollment(
      identityId,
      pending.sealed,
      (params[TOKEN_PARAM] ?? '').trim(),
    );
    // A wrong first code: the same secret again, on its own (the user is mid-setup).
    if (result === 'invalid') return { outcome: 'failure', message: SettingsMessages.invalidTotp(), reprompt: true };
    if (result === 'replayed')
      return { outcome: 'failure', message: SettingsMessages.totpAlreadyEnrolled(), stepState: null };
    return {
      outcome: 'success',
      identityId,
      amr: [],
      next: { messages: [SettingsMessages.totpEnrolled()] },
      afterCommit: () =>
        this.audit.record('totp.enrolled', {
          projectId: project.id,
          identityId,
          clientId: application.clientId,
          data: { via: 'settings' },
        }),
    };
  }

  private pending({ flow }: AuthenticatorContext): z.infer<typeof EnrollmentState> | undefined {
    const state = EnrollmentState.safeParse(flow.stepState[this.name]);
    return state.success ? state.data : undefined;
  }
}

/** Settings: removes the authenticator app. Offered while the identity has one. */
@Injectable()
export class RemoveTotp implements Authenticator {
  readonly name = SELF_SERVICE_ACTIONS.removeTotp;
  readonly idp = 'LOCAL';
  readonly displayName = 'Remove authenticator app';
  readonly i18nKey = 'action.totp.remove';
  readonly flowTypes = ['SETTINGS'] as const;
  readonly requiresInitiation = false;

  constructor(
    private readonly totp: TotpService,
    private readonly accounts: FlowAccounts,
    private readonly audit: AuditService,
  ) {}

  async isOffered({ project, flow }: AuthenticatorContext): Promise<boolean> {
    return (await this.accounts.of(project.id, flow)).totpEnrolled;
  }

  prompt(): AuthenticatorPrompt {
    return { promptType: 'USER_PROMPT', params: [], requiredParams: [] };
  }

  async authenticate({ project, application, flow }: AuthenticatorContext): Promise<AuthenticationResult> {
    const identityId = flow.identityId as string;
    await this.totp.remove(identityId);
    return {
      outcome: 'success',
      identityId,
      amr: [],
      next: { messages: [SettingsMessages.totpRemoved()] },
      afterCommit: () =>
        this.audit.record('totp.removed', {
          projectId: project.id,
          identityId,
          clientId: application.clientId,
          data: { via: 'settings' },
        }),
    };
  }
}
