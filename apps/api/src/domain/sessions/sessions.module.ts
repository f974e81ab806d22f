import { Module } from '@nestjs/common';
import { IdentitiesModule } from '../identities/identities.module';
import { KeysModule } from '../keys/keys.module';
import { AccessTokenVerifier } from './access-token.verifier';
import { PrivilegedSessions } from './privileged-session';
import { SESSION_END_HOOK, SessionsRepository } from './sessions.repository';
import { IdTokenHints } from './id-token-hints';
import { SsoKeys } from './sso-keys';
import { SessionLogout } from './session-logout.service';
import { BackchannelLogout } from './backchannel-logout';
import { EmailModule } from '../email/email.module';
import { ProjectsModule } from '../projects/projects.module';

@Module({
  imports: [IdentitiesModule, KeysModule, EmailModule, ProjectsModule],
  providers: [
    SessionsRepository,
    AccessTokenVerifier,
    PrivilegedSessions,
    SsoKeys,
    IdTokenHints,
    SessionLogout,
    BackchannelLogout,
    // Every session end queues the apps' back-channel logout tokens in its own transaction.
    { provide: SESSION_END_HOOK, useExisting: BackchannelLogout },
  ],
  exports: [SessionsRepository, AccessTokenVerifier, PrivilegedSessions, SsoKeys, IdTokenHints, SessionLogout],
})
export class SessionsModule {}
