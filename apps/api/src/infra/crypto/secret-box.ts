import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { compactDecrypt, CompactEncrypt } from 'jose';
import { KEYWAY_CONFIG, type KeywayConfig } from '../config/config';

/**
 * Encrypts secrets at rest (private signing keys, later SMTP and IdP secrets) as compact JWE
 * (`dir` + A256GCM) under KEYWAY_SECRET_KEY. The JWE header carries a key fingerprint so a wrong key is
 * reported as such rather than as corrupt data.
 */
@Injectable()
export class SecretBox {
  private readonly key: Uint8Array;
  private readonly kid: string;

  constructor(@Inject(KEYWAY_CONFIG) config: KeywayConfig) {
    this.key = config.secretKey;
    this.kid = keyFingerprint(config.secretKey);
  }

  async seal(plaintext: string): Promise<string> {
    return new CompactEncrypt(new TextEncoder().encode(plaintext))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: this.kid })
      .encrypt(this.key);
  }

  async open(sealed: string): Promise<string> {
    const { plaintext, protectedHeader } = await compactDecrypt(sealed, this.key).catch((cause: unknown) => {
      throw new Error('A secret stored at rest could not be decrypted (was KEYWAY_SECRET_KEY changed?)', { cause });
    });
    if (protectedHeader.kid !== this.kid)
      throw new Error('A secret stored at rest was sealed under another KEYWAY_SECRET_KEY');
    return new TextDecoder().decode(plaintext);
  }
}

function keyFingerprint(key: Uint8Array): string {
  // Not secret: a short hash that only identifies which key sealed a value.
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}
