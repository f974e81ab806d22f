import { HttpStatus, Injectable } from '@nestjs/common';
import { ApiError, ErrorCodes } from '../../infra/http/errors';
import type { Project } from '../projects/projects.service';
import { SessionsRepository } from './sessions.repository';

/**
 * Whether a session authenticated recently enough (its auth_time within the project's
 * `privilegedSessionSeconds`) to change credentials or identifiers. Pure, for the flow and the tests.
 */
export function isWithinPrivilegedWindow(authTime: Date, windowSeconds: number, now = new Date()): boolean {
  return now.getTime() - authTime.getTime() < windowSeconds * 1000;
}

/**
 * The privileged window of a session, read from the Session row (auth_time moves when the user
 * re-authenticates in the settings flow), never from the token's claim, which is frozen at issue time.
 */
@Injectable()
export class PrivilegedSessions {
  constructor(private readonly sessions: SessionsRepository) {}

  async isPrivileged(project: Project, sessionId: string, now = new Date()): Promise<boolean> {
    const session = await this.sessions.findAuthentication(sessionId, now);
    return (
      session !== undefined &&
      isWithinPrivilegedWindow(session.authTime, project.settings.privilegedSessionSeconds, now)
    );
  }

  /** 403 `KW-40301` unless the session is privileged: what PrivilegedSessionGuard answers for /me factor changes. */
  async require(project: Project, sessionId: string): Promise<void> {
    if (await this.isPrivileged(project, sessionId)) return;
    throw new ApiError(
      HttpStatus.FORBIDDEN,
      ErrorCodes.REAUTHENTICATION_REQUIRED,
      'Re-authentication required.',
      `This change needs a sign-in from the last ${project.settings.privilegedSessionSeconds} seconds. Re-authenticate through the settings flow (POST ${project.issuer}/flows/settings) and try again.`,
    );
  }
}
