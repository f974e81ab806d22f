import { Module } from '@nestjs/common';
import { PasskeyCredentialsRepository } from './passkey-credentials.repository';
import { PasskeysService } from './passkeys.service';

/** Passkeys (WebAuthn): storage and both ceremonies; used by the FIDO login step and by /me/passkeys. */
@Module({
  providers: [PasskeyCredentialsRepository, PasskeysService],
  exports: [PasskeysService],
})
export class PasskeysModule {}
