import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { FlowSuccessResponse } from '@keyway/flow-types';
import type { RequestContext } from '../../infra/http/request-context';
import { randomToken, sha256 } from '../../infra/crypto/tokens';
import { EmailOutbox } from '../email/email-outbox';
import { formatMailDate } from '../email/mail-locale';
import { MailRecipients } from '../email/mail-recipients.service';
import type { Prisma } from '../../generated/prisma/client';
import type { FlowRecord } from '../flows/flow';
import type { Project } from '../projects/projects.service';
import { SessionsRepository } from '../sessions/sessions.repository';
import { AuthorizationCodesRepository } from './authorization-codes.repository';
import { sessionDevice, type SessionDevice } from './session-device';

type SignedInFlow = FlowRecord & { identityId: string };

/** Turns a successful login flow into an SSO session and a single-use authorization code. */
@Injectable()
export class AuthorizationResponseService {
  constructor(
    private readonly codes: AuthorizationCodesRepository,
    private readonly sessions: SessionsRepository,
    private readonly recipients: MailRecipients,
    private readonly outbox: EmailOutbox,
  ) {}

  /**
   * `client`: the request completing the login; its device is stored with the session and, when the
   * identity signed in before but never from this device, it is mailed a new_sign_in alert (same
   * transaction as the session, so the mail exists exactly when the session does).
   */
  async issue(project: Project, flow: SignedInFlow, client?: RequestContext): Promise<FlowSuccessResponse['authData']> {
    const now = Date.now();
    const code = randomToken();
    const { authRequest } = flow;
    const device = client ? sessionDevice(client) : undefined;
    const alert = device ? await this.newDeviceAlert(project, flow, device, new Date(now)) : undefined;
    const { sessionId } = await this.codes.createWithSession(
      {
        projectId: project.id,
        applicationId: flow.applicationId,
        identityId: flow.identityId,
        amr: flow.amr,
        authTime: new Date(now),
        sessionExpiresAt: new Date(now + project.settings.sessionTtlSeconds * 1000),
        codeHash: sha256(code),
        codeExpiresAt: new Date(now + project.settings.authorizationCodeTtlSeconds * 1000),
        redirectUri: authRequest.redirectUri,
        scope: authRequest.scope,
        nonce: authRequest.nonce,
        codeChallenge: authRequest.codeChallenge,
        codeChallengeMethod: authRequest.codeChallengeMethod,
        device,
      },
      alert,
    );
    return {
      code,
      ...(authRequest.state !== undefined ? { state: authRequest.state } : {}),
      session_state: sessionState(authRequest.clientId, authRequest.redirectUri, sessionId),
    };
  }

  /**
   * The new_sign_in mail to write with the session, or undefined: the project turned it off, this is the
   * identity's first sign-in ever (e.g. right after registering: nothing to compare with), the device was
   * seen before, or the identity has no email address. Costs one indexed query when on; none when off.
   */
  private async newDeviceAlert(
    project: Project,
    flow: SignedInFlow,
    device: SessionDevice,
    signedInAt: Date,
  ): Promise<((tx: Prisma.TransactionClient, sessionId: string) => Promise<unknown>) | undefined> {
    if (!project.settings.emails.newSignIn) return undefined;
    const history = await this.sessions.deviceHistory(flow.identityId, device.fingerprint);
    if (!history.signedInBefore || history.knownDevice) return undefined;
    const recipient = await this.recipients.find(project, 'new_sign_in', flow.identityId, flow.authRequest.uiLocales);
    const to = recipient?.email;
    if (!recipient || !to) return undefined;
    return (tx, sessionId) =>
      this.outbox.enqueueTemplate(tx, {
        projectId: project.id,
        kind: 'new_sign_in',
        locale: recipient.locale,
        to,
        idempotencyKey: `new-sign-in:${sessionId}`,
        variables: {
          projectName: project.name,
          signedInAt: formatMailDate(signedInAt, recipient.locale),
          ...(recipient.name ? { name: recipient.name } : {}),
          ...(device.userAgent ? { device: device.userAgent } : {}),
          ...(device.ip ? { ipAddress: device.ip } : {}),
        },
      });
  }
}

/**
 * OpenID Connect Session Management 1.0 §3: hash(client_id, origin, browser state, salt) + "." + salt.
 * The session id stands in for the browser state; native redirect URIs have no web origin, so the URI
 * itself is used.
 */
function sessionState(clientId: string, redirectUri: string | undefined, sessionId: string): string {
  const salt = randomToken(12);
  // Without a redirect_uri (First-Party Apps) there is no origin at all; the client id stands alone.
  let origin = redirectUri ?? '';
  try {
    if (redirectUri !== undefined) {
      const parsed = new URL(redirectUri);
      if (parsed.origin !== 'null') origin = parsed.origin;
    }
  } catch {
    // keep the URI itself
  }
  const digest = createHash('sha256').update(`${clientId} ${origin} ${sessionId} ${salt}`).digest('hex');
  return `${digest}.${salt}`;
}
