import { Module } from '@nestjs/common';
import { IdentitiesModule } from '../identities/identities.module';
import { KeysModule } from '../keys/keys.module';
import { AccessTokenVerifier } from './access-token.verifier';
import { PrivilegedSessions } from './privileged-session';
import { SessionsRepository } from './sessions.repository';
import { IdTokenHints } from './id-token-hints';
import { SsoKeys } from './sso-keys';

@Module({
  imports: [IdentitiesModule, KeysModule],
  providers: [SessionsRepository, AccessTokenVerifier, PrivilegedSessions, SsoKeys, IdTokenHints],
  exports: [SessionsRepository, AccessTokenVerifier, PrivilegedSessions, SsoKeys, IdTokenHints],
})
export class SessionsModule {}
