import { applyDecorators, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { ApiBearerAuth, ApiUnauthorizedResponse } from '@nestjs/swagger';

/** Admin API authentication. Later strategies (API keys, console sessions) join the list here. */
export const AdminAuth = (): ClassDecorator & MethodDecorator =>
  applyDecorators(
    UseGuards(AuthGuard(['admin-token'])),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing or wrong admin credentials' }),
  );
