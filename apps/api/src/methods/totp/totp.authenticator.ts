import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AuditService } from '../../domain/audit/audit.service';
import type { AuthenticationResult, Authenticator, AuthenticatorContext, AuthenticatorPrompt } from '../authenticator';
import { FlowMessages } from '../../domain/flows/flow-messages';
import { LockoutService, type AttemptSubject } from '../../domain/lockout/lockout.service';
import { TotpService, type TotpAttempt } from './totp.service';

const TOKEN_PARAM = {
  param: 'token',
  type: 'STRING',
  order: 0,
  i18nKey: 'totp.authenticator',
  displayName: 'Token',
  confidential: false,
} as const;

const PROMPT: AuthenticatorPrompt = {
  promptType: 'USER_PROMPT',
  params: [TOKEN_PARAM],
  requiredParams: ['token'],
};

/** What `initiate` keeps in flow.stepState.totp while an in-flow enrollment waits for its first code. */
const EnrollmentState = z.object({ enrollment: z.string() });

type LoginIdentity = { id: string; projectId: string; state: string; lockedUntil: Date | null };

/**
 * TOTP (RFC 6238) as a second factor: verifies a code for the identity the previous step established.
 * Wrong and replayed codes count against the identity's 'totp' failures; a code is accepted only once.
 *
 * When the identity has no authenticator app yet and the application allows enrollment in the flow,
 * the option needs initiation: `initiate` creates a secret (sealed in the flow's step state, never
 * taken from the client), the prompt shows it, and the first valid code both confirms the enrollment
 * and completes the step.
 */
@Injectable()
export class TotpAuthenticator implements Authenticator {
  readonly name = 'totp';
  readonly idp = 'LOCAL';
  readonly displayName = 'TOTP';
  readonly i18nKey = 'authenticator.totp';
  readonly flowTypes = ['AUTHENTICATION'] as const;
  readonly amr = ['otp'] as const;
  readonly requiresInitiation = false;
  readonly requiresIdentity = true;

  constructor(
    private readonly totp: TotpService,
    private readonly lockout: LockoutService,
    private readonly audit: AuditService,
  ) {}

  async needsInitiation({ application, flow }: AuthenticatorContext): Promise<boolean> {
    // The flag is checked first: applications without it never pay for the credential lookup here.
    if (!application.allowEnrollmentInFlow || !flow.identityId) return false;
    return (await this.totp.findLogin(flow.identityId)) === undefined;
  }

  async initiate({ project, flow }: AuthenticatorContext): Promise<{ stepState?: unknown }> {
    // Presenting the step again (after a wrong code) must not replace a secret the user already scanned.
    const pending = pendingEnrollment(flow.stepState);
    if (pending) return { stepState: { enrollment: pending } };
    const enrollee = flow.identityId ? await this.totp.findEnrollee(flow.identityId) : undefined;
    if (!enrollee) return {};
    return { stepState: { enrollment: await this.totp.beginFlowEnrollment(project.name, enrollee.label) } };
  }

  prompt({ flow }: AuthenticatorContext): AuthenticatorPrompt | Promise<AuthenticatorPrompt> {
    const pending = pendingEnrollment(flow.stepState);
    if (!pending) return PROMPT;
    return this.totp.openFlowEnrollment(pending).then(({ secret, otpauthUri }) => ({
      ...PROMPT,
      // otpauthUri is what a QR code for the app encodes; the secret is for typing it in by hand.
      additionalData: { enrollment: 'true', secret, otpauthUri },
    }));
  }

  async authenticate(context: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    const { project, application, flow } = context;
    // Configuration validation keeps TOTP out of first steps; a flow stored before that (or edited in the
    // database) must still end cleanly rather than verify a code for nobody.
    if (!flow.identityId) return { outcome: 'terminal', message: FlowMessages.noPriorIdentity() };
    const token = (params['token'] ?? '').trim();
    const login = await this.totp.findLogin(flow.identityId);
    if (login && login.identity.projectId === project.id) {
      return this.verify(context, login.identity, () => this.totp.attempt(login.credential, token));
    }
    if (!application.allowEnrollmentInFlow) return { outcome: 'terminal', message: FlowMessages.totpNotEnrolled() };

    const pending = pendingEnrollment(flow.stepState);
    if (!pending) return { outcome: 'failure', message: FlowMessages.totpEnrollmentNotStarted() };
    const enrollee = await this.totp.findEnrollee(flow.identityId);
    if (!enrollee || enrollee.identity.projectId !== project.id)
      return { outcome: 'terminal', message: FlowMessages.accountUnavailable() };
    const result = await this.verify(context, enrollee.identity, () =>
      this.totp.completeFlowEnrollment(enrollee.identity.id, pending, token),
    );
    if (result.outcome === 'success') {
      await this.audit.record('totp.enrolled', {
        projectId: project.id,
        identityId: enrollee.identity.id,
        clientId: application.clientId,
        data: { inFlow: true },
      });
    }
    return result;
  }

  /** The lockout around one code check, the same for a login and for an enrollment's first code. */
  private async verify(
    { project }: AuthenticatorContext,
    identity: LoginIdentity,
    check: () => Promise<TotpAttempt>,
  ): Promise<AuthenticationResult> {
    const subject: AttemptSubject = { kind: 'identity', identityId: identity.id, lockedUntil: identity.lockedUntil };
    const attempt = await this.lockout.reserve(project.id, subject, 'totp', project.settings.lockout);
    if (!attempt.granted) return { outcome: 'terminal', message: FlowMessages.accountLocked() };

    const outcome = await check();
    if (outcome === 'replayed') {
      // A code that was right but is used up: a client resubmitting its last code, not a guess. Refused,
      // and not counted, so a retrying app cannot lock its own user out.
      const { remainingAttempts } = await attempt.release();
      return { outcome: 'failure', message: FlowMessages.reusedTotp(remainingAttempts) };
    }
    if (outcome !== 'accepted') {
      const { remainingAttempts, locked } = await attempt.failed();
      if (locked) return { outcome: 'terminal', message: FlowMessages.accountLocked() };
      return { outcome: 'failure', message: FlowMessages.invalidTotp(remainingAttempts) };
    }

    await attempt.succeeded();
    if (identity.state !== 'active') return { outcome: 'terminal', message: FlowMessages.accountUnavailable() };
    return { outcome: 'success', identityId: identity.id, amr: ['otp'] };
  }
}

function pendingEnrollment(stepState: Record<string, unknown>): string | undefined {
  const parsed = EnrollmentState.safeParse(stepState['totp']);
  return parsed.success ? parsed.data.enrollment : undefined;
}
