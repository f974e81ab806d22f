import { Injectable } from '@nestjs/common';
import type {
  AuthenticatorOption,
  AuthnRequest,
  FlowMessage,
  FlowResponse,
  SelfServiceCompletedResponse,
} from '@keyway/flow-types';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { AuditService } from '../../domain/audit/audit.service';
import { BackupCodesService } from '../../methods/backup-codes/backup-codes.service';
import { ApiError, ErrorCodes } from '../../infra/http/errors';
import { PasswordHasher } from '../../infra/crypto/password-hasher';
import { EmailOutbox } from '../../domain/email/email-outbox';
import { parseUiLocales } from '../../domain/email/mail-locale';
import { MailRecipients } from '../../domain/email/mail-recipients.service';
import { AfterFlowHooks } from '../../domain/flows/after-flow-hooks';
import type { FlowRecord } from '../../domain/flows/flow';
import { FlowStore, type Tx } from '../../domain/flows/flow.store';
import { IdentitiesRepository, type IdentityAccount } from '../../domain/identities/identities.repository';
import { checkParamLengths, requireParams } from '../../domain/flows/step-params';
import { CODE_TTL_MS, generateCode, hashCode } from '../../infra/crypto/one-time-code';
import { MAX_PASSKEYS_PER_IDENTITY, PasskeysService } from '../../methods/passkey/passkeys.service';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import type { Project } from '../../domain/projects/projects.service';
import type { CompiledIdentitySchema } from '../../domain/schemas/identity-schema';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import type { VerifiedAccessToken } from '../../domain/sessions/access-token.verifier';
import { PrivilegedSessions } from '../../domain/sessions/privileged-session';
import { readNewPassword } from '../../methods/password/new-password';
import { fieldMessages, readTraitParams } from '../../methods/password/registration-form';
import { failedResponse, loadLiveFlow } from '../self-service/self-service-responses';
import { SelfServiceMessages } from '../../domain/flows/self-service-messages';
import { emailVerificationStepState } from '../../methods/email-code/email-code-verification';
import type { SettingsContext, SettingsOutcome } from './settings-context';
import { SettingsFactors } from './settings-factors.service';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import {
  isOffered,
  requiredParamsOf,
  settingsMenu,
  settingsStep,
  SETTINGS_IDS,
  type AccountState,
} from './settings-options';
import { SettingsReauthentication } from './settings-reauthentication.service';
import { addressChanges, changedFields, SettingsFlowState, uniqueClaims } from './settings-steps';

/** Refused answers one flow accepts (bad forms, wrong codes, wrong passwords) before it dies, as in registration. */
const MAX_FAILURES = 10;
const REAUTHENTICATION_IDS: readonly string[] = [
  SETTINGS_IDS.passwordReauthentication,
  SETTINGS_IDS.passkeyReauthentication,
];

type SettingsResponse = FlowResponse | SelfServiceCompletedResponse;

/**
 * Self-service settings, native JSON, in the login flow's wire shape, for a signed-in user (Bearer access
 * token). The flow belongs to the token's identity and session. Every change needs a session that
 * authenticated within the project's `privilegedSessionSeconds` (the Session row's auth_time); otherwise
 * the step is a re-authentication with the identity's own first factors. The settings step is a menu of
 * actions (profile, password, TOTP, passkeys, backup codes, done); each successful action re-offers the
 * updated menu with an INFO message saying what changed.
 */
@Injectable()
export class SettingsService {
  constructor(
    private readonly flows: FlowStore,
    private readonly identities: IdentitiesRepository,
    private readonly privileged: PrivilegedSessions,
    private readonly applications: ApplicationsService,
    private readonly schemas: IdentitySchemasService,
    private readonly hasher: PasswordHasher,
    private readonly outbox: EmailOutbox,
    private readonly passkeys: PasskeysService,
    private readonly backupCodes: BackupCodesService,
    private readonly audit: AuditService,
    private readonly reauthentication: SettingsReauthentication,
    private readonly factors: SettingsFactors,
    private readonly recipients: MailRecipients,
    private readonly hooks: AfterFlowHooks,
  ) {}

  /** `{}` with a Bearer token (verified by AccessTokenGuard): a flow for the token's identity and session, on behalf of the token's client. */
  async start(project: Project, token: VerifiedAccessToken, uiLocales?: string): Promise<SettingsResponse> {
    const application = token.clientId ? await this.applications.findByClientId(project.id, token.clientId) : undefined;
    if (!application?.appNative)
      throw ApiError.badRequest("The access token's client is not an app-native application of this project.");
    // Born bound to its identity and session (kept in stepState).
    const flow = await this.flows.create(undefined, {
      projectId: project.id,
      applicationId: application.id,
      type: 'SETTINGS',
      // Settings issue no authorization code; the client is kept so the flow stays bound to it.
      authRequest: { clientId: application.clientId, scope: token.scope, ...withUiLocales(parseUiLocales(uiLocales)) },
      identityId: token.identity.id,
      stepState: { sessionId: token.sessionId } satisfies SettingsFlowState,
      expiresAt: this.expiry(project),
    });
    const context = await this.context(project, flow, token);
    if (await this.privileged.isPrivileged(project, token.sessionId)) {
      return settingsStep(
        project.issuer,
        flow.id,
        'INCOMPLETE',
        settingsMenu(context.schema, await this.accountState(context.account, context.schema)),
      );
    }
    return this.askReauthentication(context, []);
  }

  async advance(project: Project, request: AuthnRequest, token: VerifiedAccessToken): Promise<SettingsResponse> {
    const flow = await loadLiveFlow(
      project,
      'SETTINGS',
      request.flowId,
      (id) => this.flows.findActive(id, 'SETTINGS'),
      this.applications,
    );
    const state = SettingsFlowState.safeParse(flow.stepState);
    // Another identity's or another session's flow answers exactly like an unknown one.
    if (!state.success || flow.identityId !== token.identity.id || state.data.sessionId !== token.sessionId)
      throw invalidFlow();
    const params = request.selectedAuthenticator.params ?? {};
    checkParamLengths(params);

    const context = await this.context(project, flow, token);
    const selected = request.selectedAuthenticator.authenticatorId;
    if (REAUTHENTICATION_IDS.includes(selected)) {
      if (!(await this.reauthentication.offers(context, selected))) throw notOffered();
      // A missing password or passkey answer is a client's mistake, not a guess: refused before the lockout counts it.
      requireParams(params, requiredParamsOf(selected, params));
      return this.apply(context, await this.reauthentication.answer(context, selected, params));
    }
    const account = await this.accountState(context.account, context.schema);
    if (!isOffered(selected, context.schema, account)) throw notOffered();
    // Leaving changes nothing: it needs no recent sign-in.
    if (selected === SETTINGS_IDS.finishSettings) return this.finish(context);
    if (!(await this.privileged.isPrivileged(project, token.sessionId)))
      return this.askReauthentication(context, [SettingsMessages.reauthenticationRequired()]);
    requireParams(params, requiredParamsOf(selected, params));
    return this.apply(context, await this.act(context, selected, params));
  }

  private act(context: SettingsContext, selected: string, params: Record<string, string>): Promise<SettingsOutcome> {
    switch (selected) {
      case SETTINGS_IDS.updateProfile:
        return this.updateProfile(context, params);
      case SETTINGS_IDS.changePassword:
        return this.changePassword(context, params);
      case SETTINGS_IDS.enrollTotp:
        return this.factors.enrollTotp(context, params);
      case SETTINGS_IDS.removeTotp:
        return this.factors.removeTotp(context);
      case SETTINGS_IDS.addPasskey:
        return this.factors.addPasskey(context, params);
      case SETTINGS_IDS.removePasskey:
        return this.factors.removePasskey(context, params);
      case SETTINGS_IDS.regenerateBackupCodes:
        return this.factors.regenerateBackupCodes(context);
      default:
        throw notOffered();
    }
  }

  /**
   * New traits, validated per field by the identity's schema version (as registration validates them). Login
   * identifiers and verifiable addresses follow in the same transaction; a new email address starts
   * unverified and gets a code (a VERIFICATION flow, answered at /flows/verification) mailed to it.
   */
  private async updateProfile(context: SettingsContext, params: Record<string, string>): Promise<SettingsOutcome> {
    const { project, account, schema, flow } = context;
    if (Object.keys(params).length === 0)
      throw ApiError.badRequest('Give at least one traits.<name> param to change.', ErrorCodes.FLOW_MISSING_PARAMS);
    const { traits, errors } = readTraitParams(schema, params, account.traits);
    if (errors.length) return { kind: 'retry', messages: fieldMessages(errors) };
    const changed = changedFields(account.traits, traits);
    const claims = uniqueClaims(schema, traits);
    const taken = await this.identities.takenClaims(undefined, project.id, account.id, claims);
    if (taken.length) return { kind: 'retry', messages: takenMessages(taken.map((claim) => claim.field)) };

    const addresses = addressChanges(
      schema.verifiableAddressesOf(account.traits),
      schema.verifiableAddressesOf(traits),
    );
    const name = typeof traits['name'] === 'string' ? traits['name'] : undefined;
    const write = async (tx: Tx): Promise<FlowMessage[]> => {
      if (!(await this.flows.update(tx, flow, { stepIndex: flow.stepIndex + 1, expiresAt: this.expiry(project) })))
        throw ApiError.flowConflict();
      await this.identities.updateTraits(tx, project.id, account.id, traits, schema.identifiersOf(traits), addresses);
      const sent: FlowMessage[] = [];
      for (const address of addresses.added.filter(({ via }) => via === 'email')) {
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
        const field =
          claims.find((claim) => claim.kind === 'address' && claim.value === address.value)?.field ?? 'traits';
        sent.push(SettingsMessages.verificationCodeSent(field, verificationFlow.id));
      }
      return sent;
    };
    let sent: FlowMessage[];
    try {
      sent = await this.flows.transaction(write);
    } catch (error) {
      // Another identity took a value between the check and the write: answer as for any taken value.
      if (!isUniqueViolation(error)) throw error;
      const raced = await this.identities.takenClaims(undefined, project.id, account.id, claims);
      return {
        kind: 'retry',
        messages: takenMessages(
          raced.length ? raced.map((claim) => claim.field) : [...new Set(claims.map((claim) => claim.field))],
        ),
      };
    }
    await this.audit.record('identity.traits_updated', {
      projectId: project.id,
      identityId: account.id,
      clientId: context.application.clientId,
      data: { fields: changed, via: 'settings' },
    });
    return { kind: 'done', messages: [SettingsMessages.profileUpdated(changed), ...sent], flowMoved: true };
  }

  /**
   * A new password (the policy of registration and recovery). In one transaction: the password and the
   * `settings.password_changed` hooks (flows/hooks): every other session and its refresh tokens revoked
   * (this one stays), and a notice to the identity's email.
   */
  private async changePassword(context: SettingsContext, params: Record<string, string>): Promise<SettingsOutcome> {
    const { project, account, schema, flow, token } = context;
    const form = readNewPassword(params);
    if (!form.ok) return { kind: 'retry', messages: form.messages };
    // Hashed before the transaction: argon2id takes tens of milliseconds that no lock should wait for.
    const passwordHash = await this.hasher.hash(form.password);
    const email = schema.verifiableAddressesOf(account.traits).find(({ via }) => via === 'email')?.value;
    const hooks = await this.hooks.prepare('settings.password_changed', {
      project,
      flow,
      identityId: account.id,
      at: new Date(),
      identity: account,
      email,
      keepSessionId: token.sessionId,
    });
    let revoked: number;
    try {
      revoked = await this.flows.transaction(async (tx) => {
        if (!(await this.flows.update(tx, flow, { stepIndex: flow.stepIndex + 1, expiresAt: this.expiry(project) })))
          throw ApiError.flowConflict();
        await this.identities.setPassword(
          tx,
          project.id,
          account.id,
          passwordHash,
          schema.identifiersOf(account.traits),
        );
        const facts = await hooks.run(tx);
        return facts.revokedSessions ?? 0;
      });
    } catch (error) {
      // Only an identity getting its first password can collide: its identifiers are someone else's logins.
      if (!isUniqueViolation(error)) throw error;
      return { kind: 'retry', messages: [SelfServiceMessages.identifierTaken()] };
    }
    await this.audit.record('password.changed', {
      projectId: project.id,
      identityId: account.id,
      clientId: context.application.clientId,
      data: { revokedSessions: revoked, via: 'settings' },
    });
    return { kind: 'done', messages: [SettingsMessages.passwordChanged()], flowMoved: true };
  }

  private async finish(context: SettingsContext): Promise<SettingsResponse> {
    if (!(await this.flows.update(undefined, context.flow, { state: 'succeeded' }))) throw ApiError.flowConflict();
    return { flowId: context.flow.id, flowStatus: 'SUCCESS_COMPLETED', flowType: 'SETTINGS' };
  }

  /** Writes what the outcome means for the flow, then answers with the step that follows. */
  private async apply(context: SettingsContext, outcome: SettingsOutcome): Promise<SettingsResponse> {
    const { project, flow } = context;
    switch (outcome.kind) {
      case 'terminal':
        await this.flows.update(undefined, flow, { state: 'failed' });
        return failedResponse('SETTINGS', flow.id, outcome.messages);
      case 'prompt':
        await this.move(context, outcome.state);
        return settingsStep(project.issuer, flow.id, 'INCOMPLETE', [outcome.option]);
      case 'done': {
        if (!outcome.flowMoved) await this.move(context, outcome.state ?? context.state);
        const account = await this.reloadAccount(context);
        return settingsStep(
          project.issuer,
          flow.id,
          'INCOMPLETE',
          settingsMenu(context.schema, account, outcome.backupCodes),
          outcome.messages,
        );
      }
      case 'retry': {
        const failedAttempts = flow.failedAttempts + 1;
        const dead = failedAttempts >= MAX_FAILURES;
        const change = {
          failedAttempts,
          ...(dead ? { state: 'failed' as const } : {}),
          ...(outcome.state ? { stepState: { ...outcome.state } } : {}),
        };
        const written = await this.flows.update(undefined, flow, change);
        if (!written) throw ApiError.flowConflict();
        if (dead) return failedResponse('SETTINGS', flow.id, [SelfServiceMessages.tooManyAttempts()]);
        const advanced = { ...context, flow: written, state: outcome.state ?? context.state };
        return settingsStep(
          project.issuer,
          flow.id,
          'FAIL_INCOMPLETE',
          outcome.option ? [outcome.option] : await this.currentStep(advanced),
          outcome.messages,
        );
      }
    }
  }

  /** The re-authentication step (or the end of the flow when the identity has nothing to re-authenticate with). */
  private async askReauthentication(context: SettingsContext, messages: FlowMessage[]): Promise<SettingsResponse> {
    const step = await this.reauthentication.step(context);
    if (!step) {
      await this.flows.update(undefined, context.flow, { state: 'failed' });
      return failedResponse('SETTINGS', context.flow.id, [SettingsMessages.reauthenticationUnavailable()]);
    }
    if (step.kind === 'prompt') {
      await this.move(context, step.state);
      return settingsStep(context.project.issuer, context.flow.id, 'INCOMPLETE', [step.option], messages);
    }
    return settingsStep(context.project.issuer, context.flow.id, 'INCOMPLETE', step.options, messages);
  }

  /** What a refused answer offers again: the menu in the privileged window, otherwise the re-authentication options. */
  private async currentStep(context: SettingsContext): Promise<AuthenticatorOption[]> {
    if (await this.privileged.isPrivileged(context.project, context.state.sessionId))
      return settingsMenu(context.schema, await this.accountState(context.account, context.schema));
    const step = await this.reauthentication.step(context);
    if (step?.kind === 'options') return step.options;
    if (step?.kind === 'prompt') {
      // A passkey-only identity gets a fresh challenge; the flow keeps it for the next answer.
      await this.flows.update(undefined, context.flow, { stepState: { ...step.state } });
      return [step.option];
    }
    return [];
  }

  private async move(context: SettingsContext, state: SettingsFlowState): Promise<void> {
    const { flow, project } = context;
    if (
      !(await this.flows.update(undefined, flow, {
        stepIndex: flow.stepIndex + 1,
        stepState: { ...state },
        expiresAt: this.expiry(project),
      }))
    )
      throw ApiError.flowConflict();
  }

  private async context(project: Project, flow: FlowRecord, token: SettingsContext['token']): Promise<SettingsContext> {
    const account = await this.identities.findAccount(project.id, token.identity.id);
    const application = await this.applications.findByClientId(project.id, flow.authRequest.clientId);
    const state = SettingsFlowState.safeParse(flow.stepState);
    if (!account || !application || !state.success) throw invalidFlow();
    const schema = (await this.schemas.resolve(project.id, account.schemaVersion)).compiled;
    return { project, application, flow, state: state.data, token, account, schema };
  }

  private async reloadAccount(context: SettingsContext): Promise<AccountState> {
    const account = await this.identities.findAccount(context.project.id, context.account.id);
    if (!account) throw invalidFlow();
    return this.accountState(account, context.schema);
  }

  private async accountState(account: IdentityAccount, schema: CompiledIdentitySchema): Promise<AccountState> {
    const [passkeys, backupCodes] = await Promise.all([
      this.passkeys.list(account.id),
      this.backupCodes.status(account.id),
    ]);
    return {
      traits: account.traits,
      hasPassword: account.hasPassword,
      // Without a password yet, one can be set when the traits give it login identifiers.
      canSetPassword: account.hasPassword || schema.identifiersOf(account.traits).length > 0,
      totpEnrolled: account.totpEnrolled,
      passkeys,
      maxPasskeys: MAX_PASSKEYS_PER_IDENTITY,
      backupCodesRemaining: backupCodes.remaining,
    };
  }

  /** Each answer that moves the flow gives it the project's flow lifetime again (an idle timeout). */
  private expiry(project: Project): Date {
    return new Date(Date.now() + project.settings.flowTtlSeconds * 1000);
  }
}

function invalidFlow(): ApiError {
  return ApiError.badRequest('Invalid or expired flowId. Start a new settings flow.', ErrorCodes.FLOW_INVALID_ID);
}

function notOffered(): ApiError {
  return ApiError.badRequest(
    'The selected authenticator is not offered in the current step.',
    ErrorCodes.FLOW_INVALID_AUTHENTICATOR,
  );
}

function takenMessages(fields: string[]): FlowMessage[] {
  return [...new Set(fields)].map((field) => SettingsMessages.identifierTaken(field));
}

function withUiLocales(uiLocales: string[] | undefined): { uiLocales?: string[] } {
  return uiLocales?.length ? { uiLocales } : {};
}
