import { Injectable } from '@nestjs/common';
import { SELF_SERVICE_ACTIONS, type FlowMessage } from '@keyway/flow-types';
import { AuditService } from '../../domain/audit/audit.service';
import { EmailOutbox } from '../../domain/email/email-outbox';
import { MailRecipients } from '../../domain/email/mail-recipients.service';
import { FlowStore, type Tx } from '../../domain/flows/flow.store';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import { FlowAccounts, type FlowAccount } from '../../domain/identities/flow-accounts';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import type { Project } from '../../domain/projects/projects.service';
import type { CompiledIdentitySchema } from '../../domain/schemas/identity-schema';
import { fieldsFromSchema, paramsFromSchema } from '../../domain/schemas/schema-params';
import { CODE_TTL_MS, generateCode, hashCode } from '../../infra/crypto/one-time-code';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import { ApiError, ErrorCodes } from '../../infra/http/errors';
import type { AuthenticationResult, Authenticator, AuthenticatorContext, AuthenticatorPrompt } from '../authenticator';
import { emailVerificationStepState } from '../email-code/email-code-verification';
import { fieldMessages, readTraitParams } from '../password/registration-form';
import { addressChanges, changedFields, uniqueClaims, type UniqueClaim } from './profile-changes';

type Address = { via: 'email' | 'phone'; value: string };

/**
 * Settings: the profile form. New traits are validated per field by the identity's schema version (as
 * registration validates them); login identifiers and verifiable addresses follow in the same transaction; a
 * new email address starts unverified and gets a code (a VERIFICATION flow, answered at /flows/verification)
 * mailed to it, the new flow named in the message that says so.
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
    private readonly flows: FlowStore,
    private readonly outbox: EmailOutbox,
    private readonly recipients: MailRecipients,
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

    const changed = changedFields(account.traits, traits);
    const addresses = addressChanges(
      schema.verifiableAddressesOf(account.traits),
      schema.verifiableAddressesOf(traits),
    );
    return {
      outcome: 'success',
      identityId: account.id,
      amr: [],
      next: { messages: [SettingsMessages.profileUpdated(changed)] },
      effects: async (tx) => {
        await this.identities.updateTraits(tx, project.id, account.id, traits, schema.identifiersOf(traits), addresses);
        const sent: FlowMessage[] = [];
        for (const address of addresses.added.filter(({ via }) => via === 'email')) {
          const verificationFlowId = await this.sendVerificationCode(tx, context, account, traits, address);
          const field = claims.find(({ kind, value }) => kind === 'address' && value === address.value)?.field;
          sent.push(SettingsMessages.verificationCodeSent(field ?? 'traits', verificationFlowId));
        }
        return { messages: sent };
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

  /** A verification flow for the new address and its code's mail, committed with the profile; the flow's id. */
  private async sendVerificationCode(
    tx: Tx,
    { project, flow }: { project: Project; flow: AuthenticatorContext['flow'] },
    account: FlowAccount,
    traits: Record<string, unknown>,
    address: Address,
  ): Promise<string> {
    const code = generateCode();
    const expiresAt = Date.now() + CODE_TTL_MS;
    const verificationFlow = await this.flows.create(tx, {
      projectId: project.id,
      applicationId: flow.applicationId,
      type: 'VERIFICATION',
      authRequest: { clientId: flow.authRequest.clientId, scope: '' },
      identityId: account.id,
      stepState: emailVerificationStepState({
        pending: { codeHash: hashCode(code), expiresAt, attempts: 0 },
        email: address.value,
      }),
      expiresAt: new Date(expiresAt),
    });
    const name = typeof traits['name'] === 'string' ? traits['name'] : undefined;
    await this.outbox.enqueueTemplate(tx, {
      projectId: project.id,
      kind: 'verification_code',
      locale: await this.recipients.localeFor(
        project,
        'verification_code',
        { traits, schemaVersion: account.schemaVersion },
        flow.authRequest.uiLocales,
        tx,
      ),
      to: address.value,
      idempotencyKey: `verification:${verificationFlow.id}`,
      variables: {
        projectName: project.name,
        email: address.value,
        code,
        expiresInMinutes: CODE_TTL_MS / 60_000,
        ...(name ? { name } : {}),
      },
    });
    return verificationFlow.id;
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
