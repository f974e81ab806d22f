import { Injectable } from '@nestjs/common';
import type { AfterFlowHook, PasswordChanged, RecoveryCompleted } from '../../domain/flows/after-flow-hooks';
import type { Tx } from '../../domain/flows/flow.store';
import { SessionsRepository } from '../../domain/sessions/sessions.repository';

/** Recovery: whoever knew the old password may be signed in, so every session so far ends (the new one is issued after the commit). */
@Injectable()
export class RevokeSessionsAfterRecoveryHook implements AfterFlowHook<'recovery.completed'> {
  readonly event = 'recovery.completed';

  constructor(private readonly sessions: SessionsRepository) {}

  async run(tx: Tx, { identityId, at }: RecoveryCompleted): Promise<void> {
    await this.sessions.revokeAll(tx, identityId, at);
  }
}

/** Settings: whoever knew the old password may be signed in elsewhere; those sessions end, the flow's own goes on. */
@Injectable()
export class RevokeOtherSessionsAfterPasswordChangeHook implements AfterFlowHook<'settings.password_changed'> {
  readonly event = 'settings.password_changed';

  constructor(private readonly sessions: SessionsRepository) {}

  async run(tx: Tx, { identityId, keepSessionId, at }: PasswordChanged): Promise<{ revokedSessions: number }> {
    // Reported back: the flow's `password.changed` audit record counts them.
    return { revokedSessions: await this.sessions.revokeOtherSessions(tx, identityId, keepSessionId, at) };
  }
}
