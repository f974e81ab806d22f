import { applyDecorators, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { PermissionsGuard } from './permissions.guard';

/**
 * Admin API authentication, then authorization: the root token, a project's API key, or a console user's
 * access token (whichever the Bearer credential is), then the endpoint's declared requirement (PermissionsGuard).
 */
export const AdminAuth = (): ClassDecorator & MethodDecorator =>
  applyDecorators(
    UseGuards(AuthGuard(['admin-token', 'api-key', 'console-user']), PermissionsGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing or wrong admin credentials' }),
    ApiForbiddenResponse({ description: 'The caller lacks the permission this endpoint declares' }),
  );
