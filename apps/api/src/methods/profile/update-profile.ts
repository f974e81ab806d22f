import { Injectable } from '@nestjs/common';
import { SELF_SERVICE_ACTIONS, type FlowMessage } from '@keyway/flow-types';
import { AuditService } from '../../domain/audit/audit.service';
import { AfterFlowHooks } from '../../domain/flows/after-flow-hooks';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import { FlowAccounts, type FlowAccount } from '../../domain/identities/flow-accounts';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import type { CompiledIdentitySchema } from '../../domain/schemas/identity-schema';
import { fieldsFromSchema, paramsFromSchema } from '../../domain/schemas/schema-params';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import { ApiError, ErrorCodes } from '../../infra/http/errors';
import type { AuthenticationResult, Authenticator, AuthenticatorContext, AuthenticatorPrompt } from '../authenticator';
import { PasskeysService } from '../passkey/passkeys.service';
import { fieldMessages, readTraitParams } from '../password/registration-form';
import { addressChanges, changedFields, uniqueClaims, type UniqueClaim } from './profile-changes';

/**
 * Settings: the profile form. New traits are validated per field by the identity's schema version (as
 * registration validates them); login identifiers and verifiable addresses follow in the same transaction; a
 * new email address starts unverified and gets a code (the `settings.profile_updated` hooks: a VERIFICATION flow,
 * answered at /flows/verification), the new flow named in the message that says so.
 */
@Injectable()
export class UpdateProfile implements Authenticator {
  readonly name = SELF_SERVICE_ACTIONS.updateProfile;
  readonly idp = 'LOCAL';
  readonly displayName = 'Profile';
  readonly i18nKey = 'action.profile.update';
  readonly flowTypes = ['SETTINGS'] as const;
  readonly requiresInitiation = false;
  /** Each field's problem is answered on its field. */
  readonly reportsMissingFields = true;

  constructor(
    private readonly accounts: FlowAccounts,
    private readonly identities: IdentitiesRepository,
    private readonly hooks: AfterFlowHooks,
    private readonly passkeys: PasskeysService,
    private readonly audit: AuditService,
  ) {}

  /** The schema's traits as params, none required (a param left out keeps its value, an empty one removes the trait). */
  async prompt({ project, flow }: AuthenticatorContext): Promise<AuthenticatorPrompt> {
    const { schema, traits } = await this.accounts.of(project.id, flow);
    const values = currentValues(schema, traits);
    return {
      promptType: 'USER_PROMPT',
      params: paramsFromSchema(schema),
      requiredParams: [],
      ...(Object.keys(values).length ? { additionalData: values } : {}),
    };
  }

  async authenticate(context: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    const { project, application, flow } = context;
    if (Object.keys(params).length === 0)
      throw ApiError.badRequest('Give at least one traits.<name> param to change.', ErrorCodes.FLOW_MISSING_PARAMS);
    const account = await this.accounts.of(project.id, flow);
    const { schema } = account;
    const { traits, errors } = readTraitParams(schema, params, account.traits);
    if (errors.length) return refused(fieldMessages(errors));
    const claims = uniqueClaims(schema, traits);
    const taken = await this.identities.takenClaims(undefined, project.id, account.id, claims);
    if (taken.length) return refused(takenMessages(taken));

    const lost = await this.signInLost(account, traits);
    if (lost.length) return refused(lost.map((field) => SettingsMessages.lastSignInIdentifier(field)));

    const changed = changedFields(account.traits, traits);
    const addresses = addressChanges(
      schema.verifiableAddressesOf(account.traits),
      schema.verifiableAddressesOf(traits),
    );
    // A new email address is mailed a code (flows/hooks: VerifyNewEmailHook), with the traits' transaction.
    const hooks = await this.hooks.prepare('settings.profile_updated', {
      project,
      flow,
      identityId: account.id,
      at: new Date(),
      identity: { traits, schemaVersion: account.schemaVersion },
      addedEmails: addresses.added.filter(({ via }) => via === 'email').map(({ value }) => value),
    });
    return {
      outcome: 'success',
      identityId: account.id,
      amr: [],
      next: { messages: [SettingsMessages.profileUpdated(changed)] },
      effects: async (tx) => {
        await this.identities.updateTraits(tx, project.id, account.id, traits, schema.identifiersOf(traits), addresses);
        const { verificationFlows = [] } = await hooks.run(tx);
        return {
          messages: verificationFlows.map(({ email, flowId }) => {
            const field = claims.find(({ kind, value }) => kind === 'address' && value === email)?.field;
            return SettingsMessages.verificationCodeSent(field ?? 'traits', flowId);
          }),
        };
      },
      // Another identity took a value between the check and the write: answered as for any taken value.
      refusedBy: async (error) => {
        if (!isUniqueViolation(error)) return undefined;
        const raced = await this.identities.takenClaims(undefined, project.id, account.id, claims);
        return takenMessages(raced.length ? raced : claims);
      },
      afterCommit: () =>
        this.audit.record('identity.traits_updated', {
          projectId: project.id,
          identityId: account.id,
          clientId: application.clientId,
          data: { fields: changed, via: 'settings' },
        }),
    };
  }

  /**
   * The fields whose values the password signs in with, when the update removes every one of them and the
   * identity has no passkey: it would be left without a way to sign in.
   */
  private async signInLost(account: FlowAccount, traits: Record<string, unknown>): Promise<string[]> {
    const { schema } = account;
    if (account.passwordIdentifier === undefined || schema.identifiersOf(traits).length > 0) return [];
    if ((await this.passkeys.list(account.id)).length > 0) return [];
    const fields = uniqueClaims(schema, account.traits).filter(({ kind }) => kind === 'identifier');
    return [...new Set(fields.map(({ field }) => field))];
  }
}

function refused([first, ...more]: FlowMessage[]): AuthenticationResult {
  return { outcome: 'failure', message: first as FlowMessage, moreMessages: more };
}

/** One message per field that claims a taken value. */
function takenMessages(claims: UniqueClaim[]): FlowMessage[] {
  return [...new Set(claims.map(({ field }) => field))].map((field) => SettingsMessages.identifierTaken(field));
}

/** Traits as the wire carries them (all strings): what the profile form shows as the current values. */
function currentValues(schema: CompiledIdentitySchema, traits: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of fieldsFromSchema(schema)) {
    const value = traits[field.trait];
    if (value === undefined || value === null) continue;
    // MULTI_VALUED params travel comma-separated, as the form reads them back.
    values[field.param] = Array.isArray(value)
      ? value.map(String).join(',')
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  }
  return values;
}
