import { Module } from '@nestjs/common';
import { IdentitiesModule } from '../identities/identities.module';
import { KeysModule } from '../keys/keys.module';
import { AccessTokenVerifier } from './access-token.verifier';
import { PrivilegedSessions, PrivilegedWindowGate } from './privileged-session';
import { SessionsRepository } from './sessions.repository';

@Module({
  imports: [IdentitiesModule, KeysModule],
  providers: [SessionsRepository, AccessTokenVerifier, PrivilegedSessions, PrivilegedWindowGate],
  exports: [SessionsRepository, AccessTokenVerifier, PrivilegedSessions, PrivilegedWindowGate],
})
export class SessionsModule {}
