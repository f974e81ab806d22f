import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { LoginOption } from '@keyway/admin-api';
import { z } from 'zod';
import { LoginFlowValidator } from '../../flows/engine/login-flow.validator';
import { AdminResponse } from '../openapi';
import { AdminAuth } from '../auth/admin-auth.decorator';
import { RequireSignedIn } from '../auth/require-permission';

/** What an application's login steps may name: the console's flow designer offers exactly these. */
@ApiTags('admin: applications')
@AdminAuth()
@Controller('api/admin/v1/login-options')
export class LoginOptionsAdminController {
  constructor(private readonly loginFlows: LoginFlowValidator) {}

  @Get()
  @RequireSignedIn()
  @AdminResponse(z.array(LoginOption))
  @ApiOperation({ summary: 'The login options this server has, with what constrains where a step may offer them' })
  list(): LoginOption[] {
    return this.loginFlows.loginOptions();
  }
}
