import { Injectable } from '@nestjs/common';
import type { AuthnRequest, FlowResponse, SelfServiceCompletedResponse, VerificationStartRequest } from '@keyway/flow-types';
import { ApplicationsService } from '../../applications/applications.service';
import { ApiError, ErrorCodes } from '../../common/errors';
import { isUuid } from '../../common/ids';
import { failedResponse, loadLiveFlow, stepResponse } from '../self-service-responses';
import { EmailOutbox } from '../../email/email-outbox';
import { parseUiLocales } from '../../email/mail-locale';
import { MailRecipients } from '../../email/mail-recipients.service';
import { normaliseIdentifier } from '../../identities/identity-traits';
import type { Project } from '../../projects/projects.service';
import { codeOption, EMAIL_CODE_ID } from '../registration/registration.service';
import { SelfServiceMessages } from '../self-service-messages';
import { checkCode, CODE_TTL_MS, generateCode, hashCode, MAX_CODE_ATTEMPTS, unguessableCodeHash } from './verification-code';
import { linkOption, linkTokenMatches, newLinkToken, verificationLinkUrl } from './verification-link';
import { VerificationRepository } from './verification.repository';

/**
 * How the address is proven: `code` (native JSON: a code typed into the app) or `link` (hosted pages: a
 * link opened from the mail, in any browser). A link flow belongs to the hosted pages, which any client may use.
 */
export type VerificationMode = 'code' | 'link';

/**
 * Standalone email verification, native JSON, in the registration flow's wire shape. The start always
 * answers the same code step: only a known, unverified address of an active identity is mailed a code;
 * every other address gets a flow holding a code nobody knows, so its code step fails exactly like a
 * mistyped code and the endpoint reveals nothing about who has an account.
 */
@Injectable()
export class VerificationService {
  constructor(
    private readonly repository: VerificationRepository,
    private readonly applications: ApplicationsService,
    private readonly outbox: EmailOutbox,
    private readonly recipients: MailRecipients,
  ) {}

  async start(project: Project, request: VerificationStartRequest, mode: VerificationMode = 'code'): Promise<FlowResponse> {
    const application = await this.applications.findByClientId(project.id, request.client_id);
    if (mode === 'code' && !application?.appNative) throw ApiError.badRequest('client_id is not an app-native application of this project.');
    if (!application) throw ApiError.badRequest('client_id is not an application of this project.');
    const email = normaliseIdentifier(request.email);
    const code = generateCode();
    const expiresAt = Date.now() + CODE_TTL_MS;
    // Link mode: the link expires with the code TTL; every address gets a token hash, mailed or not.
    const link = mode === 'link' ? newLinkToken(expiresAt) : undefined;
    const flow = await this.repository.transaction(async (tx) => {
      const identityId = (await this.repository.findUnverifiedOwner(tx, project.id, email)) ?? null;
      // The owner's locale trait, then the request's ui_locales, then the project's default locale.
      const kind = link ? 'verification_link' : 'verification_code';
      const locale = (identityId && (await this.recipients.find(project, kind, identityId, parseUiLocales(request.ui_locales), tx))?.locale) || project.settings.defaultLocale;
      // A link flow has no code step: its code matches nothing, whoever owns the address.
      const pending = { codeHash: identityId && !link ? hashCode(code) : unguessableCodeHash(), expiresAt, attempts: 0 };
      const created = await this.repository.createFlow(tx, {
        projectId: project.id,
        applicationId: application.id,
        // Verification issues no authorization code; the client is kept so the flow stays bound to it.
        authRequest: { clientId: application.clientId, scope: '', ...(link ? { responseMode: 'query' as const } : {}) },
        identityId,
        state: { pending, email, ...(link ? { link: link.pending } : {}) },
        // The flow lives as long as its code: there is nothing else to wait for.
        expiresAt: new Date(expiresAt),
      });
      // Same transaction as the code's hash: the mail exists exactly when the code does.
      if (identityId && link) {
        await this.outbox.enqueueTemplate(tx, {
          projectId: project.id,
          kind: 'verification_link',
          locale,
          to: email,
          idempotencyKey: `verification:${created.id}`,
          variables: { projectName: project.name, link: verificationLinkUrl(project.issuer, created.id, link.token), expiresInMinutes: CODE_TTL_MS / 60_000 },
        });
      } else if (identityId) {
        await this.outbox.enqueueTemplate(tx, {
          projectId: project.id,
          kind: 'verification_code',
          locale,
          to: email,
          idempotencyKey: `verification:${created.id}`,
          variables: { projectName: project.name, code, expiresInMinutes: CODE_TTL_MS / 60_000 },
        });
      }
      return created;
    });
    if (link) return stepResponse(project, 'VERIFICATION', flow.id, 'INCOMPLETE', linkOption(), [SelfServiceMessages.verificationLinkSent()]);
    return stepResponse(project, 'VERIFICATION', flow.id, 'INCOMPLETE', codeOption(), [SelfServiceMessages.verificationCodeSent()]);
  }

  /**
   * The mailed link, opened: verifies the address once. Wrong, used, expired and never-mailed links all
   * answer false alike. No cookie or session is involved: people open mail on another device.
   */
  async confirmLink(project: Project, flowId: string, token: string): Promise<boolean> {
    const flow = isUuid(flowId) ? await this.repository.findActive(flowId) : undefined;
    if (!flow || flow.projectId !== project.id || flow.expiresAt.getTime() <= Date.now()) return false;
    if (!linkTokenMatches(flow.state.link, token) || !flow.identityId) return false;
    const identityId = flow.identityId;
    // The optimistic lock makes the link single-use: a second opening finds the flow finished.
    return this.repository.transaction(async (tx) => {
      if (!(await this.repository.updateFlow(tx, flow, { state: 'succeeded' }))) return false;
      await this.repository.markVerified(tx, identityId, flow.state.email);
      return true;
    });
  }

  /** The client a (possibly used or expired) verification flow was started for, to start a new one. */
  async clientIdOf(project: Project, flowId: string): Promise<string | undefined> {
    return isUuid(flowId) ? this.repository.findClientId(project.id, flowId) : undefined;
  }

  async advance(project: Project, request: AuthnRequest): Promise<FlowResponse | SelfServiceCompletedResponse> {
    const flow = await loadLiveFlow(project, 'VERIFICATION', request.flowId, (id) => this.repository.findActive(id), this.applications);
    if (request.selectedAuthenticator.authenticatorId !== EMAIL_CODE_ID) {
      throw ApiError.badRequest('The selected authenticator is not offered in the current step.', ErrorCodes.FLOW_INVALID_AUTHENTICATOR);
    }
    const code = request.selectedAuthenticator.params?.['code'];
    if (!code) throw ApiError.badRequest("Missing required parameter 'code'.", ErrorCodes.FLOW_MISSING_PARAMS);
    if (code.length > 64) throw ApiError.badRequest("Parameter 'code' is too long.", ErrorCodes.FLOW_MISSING_PARAMS);

    const { pending, email } = flow.state;
    const result = checkCode(pending, code);
    if (result === 'expired') {
      await this.repository.updateFlow(undefined, flow, { state: 'failed' });
      return failedResponse('VERIFICATION', flow.id, [SelfServiceMessages.codeExpired()]);
    }
    if (result === 'invalid' || !flow.identityId) {
      const attempts = pending.attempts + 1;
      const remaining = MAX_CODE_ATTEMPTS - attempts;
      const dead = remaining <= 0;
      const moved = await this.repository.updateFlow(undefined, flow, {
        verification: { email, pending: { ...pending, attempts } },
        failedAttempts: flow.failedAttempts + 1,
        ...(dead ? { state: 'failed' as const } : {}),
      });
      if (!moved) throw ApiError.flowConflict();
      if (dead) return failedResponse('VERIFICATION', flow.id, [SelfServiceMessages.tooManyAttempts()]);
      return stepResponse(project, 'VERIFICATION', flow.id, 'FAIL_INCOMPLETE', codeOption(), [SelfServiceMessages.invalidCode(remaining)]);
    }
    const identityId = flow.identityId;
    // The optimistic lock makes the code single-use: a second answer finds the flow finished.
    await this.repository.transaction(async (tx) => {
      if (!(await this.repository.updateFlow(tx, flow, { state: 'succeeded' }))) throw ApiError.flowConflict();
      await this.repository.markVerified(tx, identityId, email);
    });
    return { flowId: flow.id, flowStatus: 'SUCCESS_COMPLETED', flowType: 'VERIFICATION' };
  }

}

