import { Injectable } from '@nestjs/common';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { SecretBox } from '../../infra/crypto/secret-box';
import { PrismaClient } from '../../generated/prisma/client';

/**
 * RS256 signs ID tokens (the algorithm every OIDC client must accept); ES256 signs access tokens,
 * which are minted on every refresh and cost a fraction of an RSA signature.
 */
export const ID_TOKEN_ALG = 'RS256';
export const ACCESS_TOKEN_ALG = 'ES256';
const ALGORITHMS = [ID_TOKEN_ALG, ACCESS_TOKEN_ALG] as const;
export type SigningAlg = (typeof ALGORITHMS)[number];

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  privateKey: CryptoKey;
}

interface KeySet {
  signing: Map<SigningAlg, SigningKey>;
  /** Every published key (active and retired), for /oauth2/jwks and for verifying our own tokens. */
  jwks: { keys: JWK[] };
}

/** A project's signing keys: generated with the project, private halves sealed at rest, decrypted once. */
@Injectable()
export class SigningKeysService {
  private readonly keySets = new Map<string, Promise<KeySet>>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly secretBox: SecretBox,
  ) {}

  /** Fresh keys for a new project, ready to be stored. */
  async generateKeySet(): Promise<{ kid: string; alg: string; publicJwk: JWK; privateJwkEncrypted: string }[]> {
    return Promise.all(
      ALGORITHMS.map(async (alg) => {
        const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
        const publicJwk = await exportJWK(publicKey);
        const kid = await calculateJwkThumbprint(publicJwk);
        const privateJwk = await exportJWK(privateKey);
        return {
          kid,
          alg,
          publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
          privateJwkEncrypted: await this.secretBox.seal(JSON.stringify(privateJwk)),
        };
      }),
    );
  }

  async signingKey(projectId: string, alg: SigningAlg): Promise<SigningKey> {
    const key = (await this.keySet(projectId)).signing.get(alg);
    if (!key) throw new Error(`Project ${projectId} has no active ${alg} signing key`);
    return key;
  }

  async jwks(projectId: string): Promise<{ keys: JWK[] }> {
    return (await this.keySet(projectId)).jwks;
  }

  private keySet(projectId: string): Promise<KeySet> {
    let keySet = this.keySets.get(projectId);
    if (!keySet) {
      keySet = this.load(projectId);
      keySet.catch(() => this.keySets.delete(projectId));
      this.keySets.set(projectId, keySet);
    }
    return keySet;
  }

  private async load(projectId: string): Promise<KeySet> {
    const rows = await this.prisma.signingKey.findMany({ where: { projectId }, orderBy: { createdAt: 'desc' } });
    const signing = new Map<SigningAlg, SigningKey>();
    for (const row of rows) {
      const alg = row.alg as SigningAlg;
      if (row.status !== 'active' || signing.has(alg)) continue;
      const privateJwk = JSON.parse(await this.secretBox.open(row.privateJwkEncrypted)) as JWK;
      signing.set(alg, { kid: row.kid, alg, privateKey: (await importJWK(privateJwk, alg)) as CryptoKey });
    }
    return { signing, jwks: { keys: rows.map((row) => row.publicJwk as JWK) } };
  }
}
