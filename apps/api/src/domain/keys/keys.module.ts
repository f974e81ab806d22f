import { Module } from '@nestjs/common';
import { SecretBox } from '../../infra/crypto/secret-box';
import { SigningKeysRepository } from './signing-keys.repository';
import { SigningKeysService } from './signing-keys.service';

/** Signing keys, and the SecretBox that seals secrets at rest (one instance for every module that seals). */
@Module({
  providers: [SecretBox, SigningKeysRepository, SigningKeysService],
  exports: [SigningKeysService, SecretBox],
})
export class KeysModule {}
