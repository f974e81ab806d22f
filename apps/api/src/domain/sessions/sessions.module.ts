import { Module } from '@nestjs/common';
import { IdentitiesModule } from '../identities/identities.module';
import { KeysModule } from '../keys/keys.module';
import { AccessTokenVerifier } from './access-token.verifier';
import { PrivilegedSessions } from './privileged-session';
import { SessionsRepository } from './sessions.repository';
import { IdTokenHints } from './id-token-hints';
import { SsoKeys } from './sso-keys';
import { SessionLogout } from './session-logout.service';
import { BackchannelLogout } from './backchannel-logout';
import { EmailModule } from '../email/email.module';

@Module({
  imports: [IdentitiesModule, KeysModule, EmailModule],
  providers: [
    SessionsRepository,
    AccessTokenVerifier,
    PrivilegedSessions,
    SsoKeys,
    IdTokenHints,
    SessionLogout,
    BackchannelLogout,
  ],
  exports: [SessionsRepository, AccessTokenVerifier, PrivilegedSessions, SsoKeys, IdTokenHints, SessionLogout],
})
export class SessionsModule {}
