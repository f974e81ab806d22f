import type {
  AuthenticatorOption,
  FlowLink,
  FlowMessage,
  FlowResponse,
  SelfServiceCompletedResponse,
} from '@keyway/flow-types';
import type { FlowOutcome } from '../engine/flow-engine.service';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { ApiError, ErrorCodes } from '../../infra/http/errors';
import { isUuid } from '../../infra/http/ids';
import type { AuthRequest, FlowRecord } from '../../domain/flows/flow';
import type { FlowStore } from '../../domain/flows/flow.store';
import type { AuthorizationRequestParams } from '../../domain/grants/authorization-request';
import type { AuthorizationFront, AuthorizeService } from '../../domain/grants/authorize.service';
import type { Project } from '../../domain/projects/projects.service';

/** What registration, verification and recovery share: the wire shape of their answers and the flow checks. */
export type SelfServiceFlowType = 'REGISTRATION' | 'VERIFICATION' | 'RECOVERY' | 'SETTINGS';

const ENDPOINT: Record<SelfServiceFlowType, string> = {
  REGISTRATION: 'registration',
  VERIFICATION: 'verification',
  RECOVERY: 'recovery',
  SETTINGS: 'settings',
};

/** A step is answered at the flow type's own endpoint. */
function linksOf(project: Project, flowType: SelfServiceFlowType): FlowLink[] {
  const endpoint = ENDPOINT[flowType];
  return [{ name: endpoint, href: `${project.issuer}/flows/${endpoint}`, method: 'POST' }];
}

/** INCOMPLETE / FAIL_INCOMPLETE: one action to answer, posted back to the flow's own endpoint. */
export function stepResponse(
  project: Project,
  flowType: SelfServiceFlowType,
  flowId: string,
  flowStatus: 'INCOMPLETE' | 'FAIL_INCOMPLETE',
  option: AuthenticatorOption,
  messages?: FlowMessage[],
): FlowResponse {
  return {
    flowId,
    flowStatus,
    flowType,
    nextStep: { stepType: 'AUTHENTICATOR_PROMPT', authenticators: [option], ...(messages?.length ? { messages } : {}) },
    links: linksOf(project, flowType),
  };
}

/**
 * The self-service JSON answer to what the flow engine made of a step (the login fronts have their own
 * presenters): the step with this flow type's link, the flow's end, or its failure.
 */
export function presentOutcome(
  project: Project,
  flowType: SelfServiceFlowType,
  outcome: FlowOutcome,
): FlowResponse | SelfServiceCompletedResponse {
  if (outcome.status === 'SUCCESS_COMPLETED')
    return { flowId: outcome.flow.id, flowStatus: 'SUCCESS_COMPLETED', flowType };
  if (outcome.status === 'FAIL_COMPLETED') return failedResponse(flowType, outcome.flow.id, outcome.messages);
  return {
    flowId: outcome.flow.id,
    flowStatus: outcome.status,
    flowType,
    nextStep: outcome.nextStep,
    links: linksOf(project, flowType),
  };
}

export function failedResponse(flowType: SelfServiceFlowType, flowId: string, messages: FlowMessage[]): FlowResponse {
  return { flowId, flowStatus: 'FAIL_COMPLETED', flowType, messages };
}

/**
 * The running flow named by a client's flowId. Unknown, finished, expired and other tenants' flows all
 * answer the same; so does a flow whose application has since gone or lost app-native access, and a flow
 * of the other front (`hosted`: the flow was started by the hosted pages, which alone answer it and which
 * need no app-native access).
 */
export async function loadLiveFlow<
  F extends { projectId: string; applicationId: string; authRequest: AuthRequest; expiresAt: Date },
>(
  project: Project,
  flowType: SelfServiceFlowType,
  flowId: string,
  findActive: (id: string) => Promise<F | undefined>,
  applications: ApplicationsService,
  hosted = false,
): Promise<F> {
  const flow = isUuid(flowId) ? await findActive(flowId) : undefined;
  if (
    !flow ||
    flow.projectId !== project.id ||
    flow.expiresAt.getTime() <= Date.now() ||
    (flow.authRequest.responseMode === 'query') !== hosted
  ) {
    throw ApiError.badRequest(
      `Invalid or expired flowId. Start a new ${ENDPOINT[flowType]} flow.`,
      ErrorCodes.FLOW_INVALID_ID,
    );
  }
  const application = await applications.findByClientId(project.id, flow.authRequest.clientId);
  if (!application || application.id !== flow.applicationId || (!hosted && !application.appNative)) {
    throw ApiError.badRequest('The application of this flow is no longer available.', ErrorCodes.FLOW_INVALID_ID);
  }
  return flow;
}

/**
 * A registration or recovery flow for an authorization request, checked by the authorize pipeline of
 * `front` (client, redirect_uri, PKCE, scope): response_type=code is implied, and so is response_mode=direct
 * on the JSON front.
 */
export async function startFromAuthorizationRequest(
  authorize: AuthorizeService,
  store: Pick<FlowStore, 'create'>,
  project: Project,
  flowType: 'REGISTRATION' | 'RECOVERY',
  request: AuthorizationRequestParams,
  authorization: string | undefined,
  front: AuthorizationFront,
): Promise<FlowRecord> {
  const responseMode = front.responseMode === 'direct' ? 'direct' : request.response_mode;
  const { application, authRequest } = await authorize.validate(
    project,
    { ...request, response_type: request.response_type ?? 'code', response_mode: responseMode },
    authorization,
    front,
  );
  const expiresAt = new Date(Date.now() + project.settings.flowTtlSeconds * 1000);
  return store.create(undefined, {
    projectId: project.id,
    applicationId: application.id,
    type: flowType,
    authRequest,
    expiresAt,
  });
}
