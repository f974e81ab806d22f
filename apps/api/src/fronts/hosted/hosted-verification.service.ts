import { Injectable } from '@nestjs/common';
import {
  encodeAuthenticatorId,
  VerificationStartRequest,
  type FlowMessage,
  type FlowStepResponse,
} from '@keyway/flow-types';
import { ApplicationsService } from '../../domain/applications/applications.service';
import type { Project } from '../../domain/projects/projects.service';
import { CODE_TTL_MS } from '../../infra/crypto/one-time-code';
import { VerificationService } from '../../flows/verification/verification.service';
import { CONTROL_FIELDS, type Link } from './flow-page.renderer';
import type { HostedAnswer } from './hosted-answer';
import { HostedPages } from './hosted-pages';

const CLIENT_FIELD = 'client_id';
const EMAIL_PARAM = 'email';
const MAX_CLIENT_ID_LENGTH = 256;

/**
 * The first page of a hosted verification: the address to verify. There is no flow yet (the JSON API starts
 * one with {client_id, email}), so the page offers this action in the flow's own shape, without a flowId.
 */
const START_STEP: Pick<FlowStepResponse, 'nextStep'> = {
  nextStep: {
    stepType: 'AUTHENTICATOR_PROMPT',
    authenticators: [
      {
        authenticatorId: encodeAuthenticatorId('EmailLinkVerification', 'LOCAL'),
        authenticator: 'Email verification link',
        idp: 'LOCAL',
        metadata: {
          i18nKey: 'action.email.verification.start',
          promptType: 'USER_PROMPT',
          params: [
            {
              param: EMAIL_PARAM,
              type: 'STRING',
              order: 0,
              i18nKey: 'param.email',
              displayName: 'Email address',
              confidential: false,
            },
          ],
        },
        requiredParams: [EMAIL_PARAM],
      },
    ],
  },
};

/**
 * Hosted email verification ({issuer}/ui/verification): the address typed into a page, then a link mailed
 * to it (VerificationService in `link` mode). Every address gets the same "check your email" page; only a
 * known, unverified one is mailed. Opening the link (/ui/verification/confirm) verifies it once, in any browser.
 */
@Injectable()
export class HostedVerificationService {
  constructor(
    private readonly pages: HostedPages,
    private readonly verification: VerificationService,
    private readonly applications: ApplicationsService,
  ) {}

  async startPage(
    project: Project,
    query: Record<string, unknown>,
    cookieHeader: string | undefined,
  ): Promise<HostedAnswer> {
    const clientId = query[CLIENT_FIELD];
    if (typeof clientId !== 'string' || clientId === '' || clientId.length > MAX_CLIENT_ID_LENGTH)
      return this.pages.errorPage(project, 400, 'client_id is required (once).');
    if (!(await this.applications.findByClientId(project.id, clientId)))
      return this.pages.errorPage(project, 400, 'client_id is not an application of this project.');
    const csrf = this.pages.csrf.forPage(cookieHeader);
    return {
      kind: 'page',
      status: 200,
      html: this.startForm(project, clientId, csrf.token),
      setCookie: csrf.setCookie,
    };
  }

  async submit(
    project: Project,
    body: unknown,
    contentType: string | undefined,
    cookieHeader: string | undefined,
  ): Promise<HostedAnswer> {
    const form = this.pages.readForm(project, body, contentType, cookieHeader);
    if (!form.ok) return form.answer;
    const { fields } = form;
    const clientId = fields[CLIENT_FIELD] ?? '';
    // The link step has nothing to post: a flowId here did not come from these pages.
    if (fields[CONTROL_FIELDS.flowId] !== undefined)
      return this.pages.errorPage(
        project,
        400,
        'This step is answered by opening the link in the email.',
        this.restartLink(project, clientId),
      );
    const email = (fields[EMAIL_PARAM] ?? '').trim();
    const request = VerificationStartRequest.safeParse({ client_id: clientId, email });
    if (!request.success) {
      if (clientId === '' || clientId.length > MAX_CLIENT_ID_LENGTH)
        return this.pages.errorPage(project, 400, 'client_id is required.');
      const text = email === '' ? 'is required' : 'is not a valid email address';
      const message: FlowMessage = {
        type: 'ERROR',
        messageId: 'msg_trait_invalid',
        message: `${EMAIL_PARAM}: ${text}`,
        i18nKey: 'message.msg_trait_invalid',
        context: [{ key: 'field', value: EMAIL_PARAM }],
      };
      return {
        kind: 'page',
        status: 200,
        html: this.startForm(project, clientId, fields[CONTROL_FIELDS.csrf] ?? '', [message], { [EMAIL_PARAM]: email }),
      };
    }
    try {
      const response = await this.verification.start(project, request.data, 'link');
      const messages = 'nextStep' in response ? (response.nextStep.messages ?? []) : [];
      return this.pages.page(200, {
        projectName: project.name,
        title: 'Check your email',
        messages,
        paragraphs: [
          `The link works once, in any browser, for ${CODE_TTL_MS / 60_000} minutes. Didn't get it? Check your spam folder, or send a new one.`,
        ],
        links: [this.restartLink(project, clientId, 'Send a new link')],
      });
    } catch (error) {
      return this.pages.errorAnswer(project, error, this.restartLink(project, clientId));
    }
  }

  /** The mailed link: verified once; used, expired and wrong links all get the same "expired" page. */
  async confirm(project: Project, query: Record<string, unknown>): Promise<HostedAnswer> {
    const flowId = typeof query['flow'] === 'string' ? query['flow'] : '';
    const token = typeof query['token'] === 'string' ? query['token'] : '';
    if (await this.verification.confirmLink(project, flowId, token)) {
      return this.pages.page(200, {
        projectName: project.name,
        title: 'Your email address is verified',
        paragraphs: ['Thank you. You can close this page and return to the app.'],
      });
    }
    const clientId = await this.verification.clientIdOf(project, flowId);
    return this.pages.page(400, {
      projectName: project.name,
      title: 'This link has expired',
      paragraphs: [
        'Verification links work only once and only for a short time. Request a new one to verify your email address.',
      ],
      links: clientId ? [this.restartLink(project, clientId, 'Request a new link')] : [],
    });
  }

  private startForm(
    project: Project,
    clientId: string,
    csrfToken: string,
    messages: FlowMessage[] = [],
    values: Record<string, string> = {},
  ): string {
    return this.pages.renderer.step(
      { nextStep: { ...START_STEP.nextStep, ...(messages.length ? { messages } : {}) } },
      {
        projectName: project.name,
        action: `${project.issuer}/ui/verification`,
        csrfToken,
        hidden: { [CLIENT_FIELD]: clientId },
        values,
      },
    );
  }

  private restartLink(project: Project, clientId: string, label = 'Start again'): Link {
    return { href: `${project.issuer}/ui/verification?${new URLSearchParams({ [CLIENT_FIELD]: clientId })}`, label };
  }
}
