import { Injectable } from '@nestjs/common';
import type { FlowResponse } from '@keyway/flow-types';
import type { RequestContext } from '../../infra/http/request-context';
import type { FlowOutcome } from '../../flows/engine/flow-engine.service';
import type { Project } from '../../domain/projects/projects.service';
import { AuthorizationResponseService } from '../../domain/grants/authorization-response.service';

/** Renders flow outcomes in the app-native (WSO2) wire format. */
@Injectable()
export class AppNativePresenter {
  constructor(private readonly authorizationResponse: AuthorizationResponseService) {}

  /** `client`: the request that may complete the login (see AuthorizationResponseService.issue). */
  async present(project: Project, outcome: FlowOutcome, client?: RequestContext): Promise<FlowResponse> {
    switch (outcome.status) {
      case 'SUCCESS_COMPLETED':
        return {
          flowStatus: 'SUCCESS_COMPLETED',
          authData: await this.authorizationResponse.issue(project, outcome.flow, client),
        };
      case 'FAIL_COMPLETED':
        return {
          flowId: outcome.flow.id,
          flowStatus: 'FAIL_COMPLETED',
          flowType: outcome.flow.type,
          messages: outcome.messages,
        };
      default:
        return {
          flowId: outcome.flow.id,
          flowStatus: outcome.status,
          flowType: outcome.flow.type,
          nextStep: outcome.nextStep,
          links: [{ name: 'authentication', href: `${project.issuer}/oauth2/authn`, method: 'POST' }],
        };
    }
  }
}
