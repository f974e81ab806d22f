import type {
  AuthenticatorOption,
  FlowLink,
  FlowMessage,
  FlowResponse,
  SelfServiceCompletedResponse,
} from '@keyway/flow-types';
import type { FlowEngine, FlowOutcome } from '../engine/flow-engine.service';
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
  return presentStep(project, flowType, outcome);
}

/** A step of the flow, or its failure. */
function presentStep(
  project: Project,
  flowType: SelfServiceFlowType,
  outcome: Exclude<FlowOutcome, { status: 'SUCCESS_COMPLETED' }>,
): FlowResponse {
  if (outcome.status === 'FAIL_COMPLETED') return failedResponse(flowType, outcome.flow.id, outcome.messages);
  return {
    flowId: outcome.flow.id,
    flowStatus: outcome.status,
    flowType,
    nextStep: outcome.nextStep,
    links: linksOf(project, flowType),
  };
}

function failedResponse(flowType: SelfServiceFlowType, flowId: string, messages: FlowMessage[]): FlowResponse {
  return { flowId, flowStatus: 'FAIL_COMPLETED', flowType, messages };
}

/**
 * A registration or recovery flow for an authorization request, checked by the authorize pipeline of
 * `front` (client, redirect_uri, PKCE, scope): response_type=code is implied, and so is response_mode=direct
 * on the JSON front. The engine creates it and presents its first step.
 */
export async function startFromAuthorizationRequest(
  authorize: AuthorizeService,
  engine: FlowEngine,
  project: Project,
  flowType: 'REGISTRATION' | 'RECOVERY',
  request: AuthorizationRequestParams,
  authorization: string | undefined,
  front: AuthorizationFront,
): Promise<FlowResponse> {
  const responseMode = front.responseMode === 'direct' ? 'direct' : request.response_mode;
  const { application, authRequest } = await authorize.validate(
    project,
    { ...request, response_type: request.response_type ?? 'code', response_mode: responseMode },
    authorization,
    front,
  );
  const outcome = await engine.start(project, application, authRequest, { type: flowType });
  if (outcome.status === 'SUCCESS_COMPLETED') throw new Error(`A ${flowType} flow cannot complete as it starts`);
  return presentStep(project, flowType, outcome);
}
