import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { Project } from '../projects/projects.service';
import { SessionsRepository } from './sessions.repository';

/** How a logout was asked for: the browser at end_session_endpoint, or an app's JSON call. */
export type LogoutChannel = 'rp_initiated' | 'native';

/**
 * Ends SSO sessions: the session and every refresh token issued in it (every app of the browser is signed
 * out at once, as the session was shared), the apps told by back-channel logout, recorded on the identity's
 * timeline. Ending an ended session
 * changes nothing and is not an error: a logout is idempotent.
 */
@Injectable()
export class SessionLogout {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly audit: AuditService,
  ) {}

  /** True when a live session ended now. */
  async end(
    project: Project,
    sessionId: string,
    by: { clientId?: string | undefined; channel: LogoutChannel },
  ): Promise<boolean> {
    // The apps' logout tokens are queued with the logout itself (the repository's session-end hook).
    const ended = await this.sessions.endLive(project.id, sessionId);
    if (!ended) return false;
    await this.audit.record('session.logged_out', {
      projectId: project.id,
      identityId: ended.identityId,
      clientId: by.clientId,
      data: { sessionId, channel: by.channel },
    });
    return true;
  }
}
