import { Module } from '@nestjs/common';
import { IdentitiesModule } from '../identities/identities.module';
import { KeysModule } from '../keys/keys.module';
import { AccessTokenVerifier } from './access-token.verifier';
import { SessionsRepository } from './sessions.repository';

@Module({
  imports: [IdentitiesModule, KeysModule],
  providers: [SessionsRepository, AccessTokenVerifier],
  exports: [SessionsRepository, AccessTokenVerifier],
})
export class SessionsModule {}
