import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  SettingsRequest,
  type AuthnRequest,
  type FlowResponse,
  type SelfServiceCompletedResponse,
} from '@keyway/flow-types';
import { z } from 'zod';
import { JsonBody } from '../../infra/http/zod-pipes';
import type { Project } from '../../domain/projects/projects.service';
import { AccessTokenGuard, CurrentAccessToken } from '../guards/access-token.guard';
import type { VerifiedAccessToken } from '../../domain/sessions/access-token.verifier';
import { Tenant } from '../../domain/projects/tenant.pipe';
import { SettingsService } from '../../flows/settings/settings.service';

/**
 * One URL for the whole flow, like registration: `{}` starts a settings flow for the Bearer token's
 * identity and session, `{flowId, selectedAuthenticator}` answers its current step. Every request needs
 * the access token (a flow answers only to tokens of the session that started it). The privileged window is
 * not a guard here: outside it the flow answers with a re-authentication step instead of a 403.
 */
@ApiTags('self-service')
@ApiBearerAuth()
@UseGuards(AccessTokenGuard)
@Controller('t/:tenant/flows/settings')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Start a settings flow ({}) or answer its current step ({flowId, selectedAuthenticator}); Bearer access token required',
  })
  @ApiBody({ schema: z.toJSONSchema(SettingsRequest) as object })
  async post(
    @Tenant() project: Project,
    @JsonBody(SettingsRequest) body: SettingsRequest,
    @CurrentAccessToken() token: VerifiedAccessToken,
  ): Promise<FlowResponse | SelfServiceCompletedResponse> {
    if (isStepAnswer(body)) return this.settings.advance(project, body, token);
    return this.settings.start(project, token, body.ui_locales, body.redirect_uri);
  }
}

function isStepAnswer(body: SettingsRequest): body is AuthnRequest {
  return 'flowId' in body;
}
