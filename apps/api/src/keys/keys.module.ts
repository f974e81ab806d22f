import { Module } from '@nestjs/common';
import { SecretBox } from '../crypto/secret-box';
import { SigningKeysService } from './signing-keys.service';

@Module({
  providers: [SecretBox, SigningKeysService],
  exports: [SigningKeysService],
})
export class KeysModule {}
