import { Module } from '@nestjs/common';
import { IdentitiesModule } from '../identities/identities.module';
import { KeysModule } from '../keys/keys.module';
import { AccessTokenVerifier } from './access-token.verifier';
import { PrivilegedSessions } from './privileged-session';
import { SessionsRepository } from './sessions.repository';

@Module({
  imports: [IdentitiesModule, KeysModule],
  providers: [SessionsRepository, AccessTokenVerifier, PrivilegedSessions],
  exports: [SessionsRepository, AccessTokenVerifier, PrivilegedSessions],
})
export class SessionsModule {}
