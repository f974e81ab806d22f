import { Injectable } from '@nestjs/common';
import { SELF_SERVICE_ACTIONS } from '@keyway/flow-types';
import { z } from 'zod';
import { AuditService } from '../../domain/audit/audit.service';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import type { AuthenticationResult, Authenticator, AuthenticatorContext, AuthenticatorPrompt } from '../authenticator';
import { BackupCodesService, newBackupCodeSet } from './backup-codes.service';

const NewCodes = z.array(z.string());

/**
 * Settings: a new set of backup codes, replacing the old one. The codes are shown once, with the step that
 * follows the answer that made them (AuthenticatorContext.shown), and never stored; after that the option
 * shows only how many remain unused.
 */
@Injectable()
export class RegenerateBackupCodes implements Authenticator {
  readonly name = SELF_SERVICE_ACTIONS.regenerateBackupCodes;
  readonly idp = 'LOCAL';
  readonly displayName = 'Backup codes';
  readonly i18nKey = 'action.backup_codes.regenerate';
  readonly flowTypes = ['SETTINGS'] as const;
  readonly requiresInitiation = false;

  constructor(
    private readonly backupCodes: BackupCodesService,
    private readonly audit: AuditService,
  ) {}

  async prompt({ flow, shown }: AuthenticatorContext): Promise<AuthenticatorPrompt> {
    const codes = NewCodes.safeParse(shown?.[this.name]);
    const remaining = codes.success
      ? codes.data.length
      : (await this.backupCodes.status(flow.identityId as string)).remaining;
    return {
      promptType: 'USER_PROMPT',
      params: [],
      requiredParams: [],
      additionalData: { remaining: String(remaining), ...(codes.success ? { codes: codes.data.join(',') } : {}) },
    };
  }

  async authenticate({ project, application, flow }: AuthenticatorContext): Promise<AuthenticationResult> {
    const identityId = flow.identityId as string;
    // Stored with the step: of two answers racing on one flow version, the set shown is the set kept.
    const set = newBackupCodeSet();
    const { codes } = set;
    return {
      outcome: 'success',
      identityId,
      amr: [],
      next: { messages: [SettingsMessages.backupCodesGenerated(codes.length)], shown: codes },
      effects: (tx) => this.backupCodes.store(identityId, set, tx),
      afterCommit: () =>
        this.audit.record('backup_codes.generated', {
          projectId: project.id,
          identityId,
          clientId: application.clientId,
          data: { count: codes.length, via: 'settings' },
        }),
    };
  }
}
