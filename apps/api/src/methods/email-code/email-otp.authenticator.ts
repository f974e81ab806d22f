import { Injectable } from '@nestjs/common';
import type { AuthenticatorMetadata } from '@keyway/flow-types';
import { z } from 'zod';
import type {
  AuthenticationResult,
  Authenticator,
  AuthenticatorContext,
  AuthenticatorPrompt,
  InitiationRequest,
} from '../authenticator';
import { MailRecipients } from '../../domain/email/mail-recipients.service';
import { FlowMessages } from '../../domain/flows/flow-messages';
import { requireParams } from '../../domain/flows/step-params';
import { ApiError } from '../../infra/http/errors';
import { normaliseIdentifier } from '../../domain/schemas/identity-traits';
import { LockoutService, type AttemptSubject } from '../../domain/lockout/lockout.service';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import { checkCode, generateCode, hashCode, normaliseCode } from '../../infra/crypto/one-time-code';
import { EmailOtpMessages } from './email-otp.messages';
import { EmailOtpRepository, type OtpRecipient } from './email-otp.repository';

const NAME = 'email-otp-authenticator';

type Param = NonNullable<AuthenticatorMetadata['params']>[number];
const USERNAME_PARAM: Param = {
  param: 'username',
  type: 'STRING',
  order: 0,
  i18nKey: 'username.param',
  displayName: 'Username',
  confidential: false,
};
const CODE_PARAM: Param = {
  param: 'OTPCode',
  type: 'STRING',
  order: 0,
  i18nKey: 'otp.code.param',
  displayName: 'Code',
  confidential: false,
};

const USERNAME_PROMPT: AuthenticatorPrompt = {
  promptType: 'USER_PROMPT',
  params: [USERNAME_PARAM],
  requiredParams: ['username'],
};
const CODE_PROMPT: AuthenticatorPrompt = {
  promptType: 'USER_PROMPT',
  params: [CODE_PARAM],
  requiredParams: [CODE_PARAM.param],
};

/**
 * What the step keeps in flow.stepState (server side only). `identityId` null with an `identifier`: a
 * first-step username nobody has — no code exists (codeHash null), yet everything else looks the same.
 */
const OtpState = z.object({
  identityId: z.string().nullable(),
  identifier: z.string().optional(),
  codeHash: z.string().nullable(),
  expiresAt: z.number(),
  /** Codes issued in this step (the first one and the resends). */
  sends: z.number().int(),
  lastSentAt: z.number(),
});
type OtpState = z.infer<typeof OtpState>;

/**
 * A one-time code sent by email (the `login_otp` template), wire-compatible with WSO2's
 * email-otp-authenticator. User-initiated: selecting it sends a code; selecting it again without params
 * resends (within the project's emailOtp limits). After a step that identified the user it mails that
 * identity; as a first step it first asks for the username, and answers the same whether or not the user
 * exists (unknown users get no mail, and their code submissions fail like wrong codes, counted for the
 * identifier). Wrong codes count against the 'email_otp' lockout factor.
 *
 * amr: only "otp" (RFC 8176 §2). RFC 8176 has no value for email; "sms"/"tel" name other channels, and
 * "mfa" is a property of the whole login (the engine merges each step's amr), not of this factor.
 */
@Injectable()
export class EmailOtpAuthenticator implements Authenticator {
  readonly name = NAME;
  readonly idp = 'LOCAL';
  readonly displayName = 'Email OTP';
  readonly i18nKey = 'authenticator.email.otp';
  readonly flowTypes = ['AUTHENTICATION'] as const;
  readonly amr = ['otp'] as const;
  readonly requiresInitiation = true;

  constructor(
    private readonly repository: EmailOtpRepository,
    private readonly schemas: IdentitySchemasService,
    private readonly lockout: LockoutService,
    private readonly recipients: MailRecipients,
  ) {}

  prompt({ flow }: AuthenticatorContext): AuthenticatorPrompt {
    // A first step asks who is signing in until a username was given (then a code was "sent").
    if (!flow.identityId && !readState(flow.stepState)) return USERNAME_PROMPT;
    return CODE_PROMPT;
  }

  async initiate(
    context: AuthenticatorContext,
    request?: InitiationRequest,
  ): Promise<{ stepState?: unknown; refused?: ReturnType<typeof EmailOtpMessages.resendLimit> }> {
    const { project, flow } = context;
    const state = readState(flow.stepState);
    if (!state) {
      // First step: nothing to send before the username is known.
      if (!flow.identityId) return {};
      return { stepState: await this.issue(context, { identityId: flow.identityId }, undefined) };
    }
    // The step presented again (e.g. after a wrong code) keeps the code already sent.
    if (!request?.reselected) return { stepState: state };

    const settings = project.settings.emailOtp;
    if (state.sends > settings.maxResends) return { stepState: state, refused: EmailOtpMessages.resendLimit() };
    const wait = Math.ceil((state.lastSentAt + settings.resendIntervalSeconds * 1000 - Date.now()) / 1000);
    if (wait > 0) return { stepState: state, refused: EmailOtpMessages.resendTooSoon(wait) };
    return {
      stepState: await this.issue(
        context,
        { identityId: state.identityId, ...(state.identifier ? { identifier: state.identifier } : {}) },
        state,
      ),
    };
  }

  async authenticate(context: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    const { project, flow } = context;
    const state = readState(flow.stepState);
    if (!state && !flow.identityId) {
      const identifier = normaliseIdentifier(params['username'] ?? '');
      const identity = await this.repository.findByIdentifier(project.id, identifier);
      // Same answer either way: the next prompt asks for the code.
      return {
        outcome: 'continue',
        stepState: await this.issue(context, { identityId: identity?.identityId ?? null, identifier }, undefined),
      };
    }
    // The engine refused an empty code; one of only spaces or dashes is no guess either, so it costs nothing.
    requireParams(params, CODE_PROMPT.requiredParams, normaliseCode);
    if (!state) return { outcome: 'failure', message: EmailOtpMessages.notSent() };

    const identity = state.identityId ? await this.repository.findById(project.id, state.identityId) : undefined;
    const subject: AttemptSubject = identity
      ? { kind: 'identity', identityId: identity.identityId, lockedUntil: identity.lockedUntil }
      : { kind: 'identifier', identifier: state.identifier ?? '' };
    const attempt = await this.lockout.reserve(project.id, subject, 'email_otp', project.settings.lockout);
    if (!attempt.granted) return { outcome: 'terminal', message: FlowMessages.accountLocked() };

    const check = checkCode(state, params[CODE_PARAM.param] ?? '');
    const expired = check === 'expired';
    if (check !== 'valid' || !identity) {
      const { remainingAttempts, locked } = await attempt.failed();
      if (locked) return { outcome: 'terminal', message: FlowMessages.accountLocked() };
      return {
        outcome: 'failure',
        message: expired
          ? EmailOtpMessages.expiredCode(remainingAttempts)
          : EmailOtpMessages.invalidCode(remainingAttempts),
      };
    }

    await attempt.succeeded();
    if (identity.state !== 'active') return { outcome: 'terminal', message: FlowMessages.accountUnavailable() };
    // Single use: success advances the step (optimistic lock on stepIndex) and clears the step state.
    return { outcome: 'success', identityId: identity.identityId, amr: ['otp'] };
  }

  /**
   * Issues a code for the target and stores its hash with the flow, the mail enqueued in the same
   * transaction. No mail (and no code) for unknown users, identities without a verifiable email,
   * inactive or locked identities — the state looks the same, so the answer does too.
   */
  private async issue(
    { project, flow }: AuthenticatorContext,
    target: { identityId: string | null; identifier?: string },
    previous: OtpState | undefined,
  ): Promise<OtpState> {
    const settings = project.settings.emailOtp;
    const now = Date.now();
    const identity = target.identityId ? await this.repository.findById(project.id, target.identityId) : undefined;
    const address = identity ? await this.emailOf(identity) : undefined;
    const sendable =
      identity &&
      address &&
      identity.state === 'active' &&
      !(identity.lockedUntil && identity.lockedUntil.getTime() > now);
    const code = sendable ? generateCode(settings.length) : undefined;
    const state: OtpState = {
      identityId: target.identityId,
      ...(target.identifier !== undefined ? { identifier: target.identifier } : {}),
      codeHash: code ? hashCode(code) : null,
      expiresAt: now + settings.ttlSeconds * 1000,
      sends: (previous?.sends ?? 0) + 1,
      lastSentAt: now,
    };
    const name =
      identity && typeof asRecord(identity.traits)['name'] === 'string'
        ? String(asRecord(identity.traits)['name'])
        : '';
    const locale =
      code && identity
        ? await this.recipients.localeFor(project, 'login_otp', identity, flow.authRequest.uiLocales)
        : project.settings.defaultLocale;
    // Another request wrote (or issued a code in) the flow since it was read: nothing was stored or sent.
    const stored = await this.repository.storeCode(
      flow,
      NAME,
      state,
      code && address
        ? {
            projectId: project.id,
            kind: 'login_otp',
            locale,
            to: address,
            variables: {
              projectName: project.name,
              name,
              code,
              expiresInMinutes: Math.max(1, Math.ceil(settings.ttlSeconds / 60)),
            },
            // One mail per issued code, even if this transaction were retried.
            idempotencyKey: `login-otp:${flow.id}:${flow.stepIndex}:${state.sends}`,
          }
        : undefined,
    );
    if (!stored) throw ApiError.flowConflict();
    return state;
  }

  /** The identity's verifiable email: the first trait its schema marks `verification.via: email`. */
  private async emailOf(identity: OtpRecipient): Promise<string | undefined> {
    const { compiled } = await this.schemas.resolve(identity.projectId, identity.schemaVersion);
    const traits = asRecord(identity.traits);
    for (const trait of compiled.traits) {
      const value = traits[trait.name];
      if (trait.annotations.verification?.via === 'email' && typeof value === 'string' && value.includes('@'))
        return value;
    }
    return undefined;
  }
}

function readState(stepState: Record<string, unknown>): OtpState | undefined {
  const parsed = OtpState.safeParse(stepState[NAME]);
  return parsed.success ? parsed.data : undefined;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
