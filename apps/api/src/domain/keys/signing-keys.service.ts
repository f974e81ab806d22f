import type { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { importPrivateJwk, type JwsKey } from '../../infra/crypto/jws';
import { SecretBox } from '../../infra/crypto/secret-box';
import { ApiError } from '../../infra/http/errors';
import {
  activatableAt,
  isPublished,
  keySetRefreshSeconds,
  retiresAt,
  SIGNING_ALGS,
  type SigningAlg,
} from './signing-key-lifecycle';
import {
  SigningKeysRepository,
  type AlgRotation,
  type NewSigningKey,
  type SigningKeyRow,
} from './signing-keys.repository';

/** A project's active key for one alg, ready to sign (signJwt). */
export interface SigningKey extends JwsKey {
  alg: SigningAlg;
}

/** A key as the admin API shows it: never private material. */
export type SigningKeyInfo = Omit<SigningKeyRow, 'id' | 'privateJwkEncrypted' | 'publicJwk'> & { use: 'sig' };

interface KeySet {
  rows: SigningKeyRow[];
  signing: Map<SigningAlg, SigningKey>;
  /** What the JWKS lists, valid for instants in [from, until): a retiring key leaves at its retiresAt. */
  published?: { from: number; until: number; jwks: { keys: JWK[] }; verifier: JWTVerifyGetKey };
}

/**
 * A project's signing keys and their rotation (docs/signing-keys.md). Rows are read again every
 * keySetRefreshSeconds (another replica may have rotated); private keys are opened and imported once per key.
 */
@Injectable()
export class SigningKeysService {
  private readonly keySets = new Map<string, { loadedAt: number; keySet: Promise<KeySet> }>();
  /** Imported private keys by row id: they outlive reloads of the rows. */
  private readonly privateKeys = new Map<string, Promise<KeyObject>>();
  private readonly refreshMs: number;

  constructor(
    private readonly repository: SigningKeysRepository,
    private readonly secretBox: SecretBox,
    @Inject(KEYWAY_CONFIG) private readonly config: Pick<KeywayConfig, 'jwksMaxAgeSeconds'>,
  ) {
    this.refreshMs = keySetRefreshSeconds(config.jwksMaxAgeSeconds) * 1000;
  }

  /** Creates the keys a project lacks: an active and a next key per alg (all of them for a new project). */
  async ensureKeys(projectId: string, now = new Date()): Promise<void> {
    await this.fillGaps(projectId, await this.repository.list(projectId), now);
    this.keySets.delete(projectId);
  }

  /** The key that signs `alg` tokens now. */
  async signingKey(projectId: string, alg: SigningAlg, now = new Date()): Promise<SigningKey> {
    const key = (await this.keySet(projectId, now)).signing.get(alg);
    if (!key) throw new Error(`Project ${projectId} has no active ${alg} signing key`);
    return key;
  }

  /** The published keys: what /oauth2/jwks serves. */
  async jwks(projectId: string, now = new Date()): Promise<{ keys: JWK[] }> {
    return this.published(await this.keySet(projectId, now), now).jwks;
  }

  /** The published keys for jose's jwtVerify, imported once per key set (not per request). */
  async verificationKeys(projectId: string, now = new Date()): Promise<JWTVerifyGetKey> {
    return this.published(await this.keySet(projectId, now), now).verifier;
  }

  /** Every key still published, read afresh, for the admin API. */
  async list(projectId: string, now = new Date()): Promise<SigningKeyInfo[]> {
    let rows = await this.repository.list(projectId);
    if (await this.fillGaps(projectId, rows, now)) rows = await this.repository.list(projectId);
    return rows.filter((row) => isPublished(row, now)).map(info);
  }

  /**
   * Rotates the given algs (all, when none are named) in one transaction: the next key signs from now on, the active
   * one is published until every token it signed has expired, a new next key is published. 409 when a next key has
   * not been published long enough yet (clients' cached JWKS may lack it), or when a concurrent rotation won.
   */
  async rotate(
    projectId: string,
    algs: readonly SigningAlg[],
    lifetimes: { idTokenTtlSeconds: number; accessTokenTtlSeconds: number },
    now = new Date(),
  ): Promise<SigningKeyInfo[]> {
    let rows = await this.repository.list(projectId);
    if (await this.fillGaps(projectId, rows, now)) rows = await this.repository.list(projectId);
    const rotations: AlgRotation[] = [];
    for (const alg of algs.length ? algs : SIGNING_ALGS) {
      const active = rows.find((row) => row.alg === alg && row.status === 'active');
      const next = rows.find((row) => row.alg === alg && row.status === 'next');
      if (!active || !next) throw ApiError.conflict(`The ${alg} keys are being rotated by another request.`);
      const from = activatableAt(next, this.config.jwksMaxAgeSeconds);
      if (from > now)
        throw ApiError.conflict(
          `The next ${alg} key has been published since ${next.createdAt.toISOString()}; clients may cache the JWKS for ${this.config.jwksMaxAgeSeconds} s, so it may sign from ${from.toISOString()} on. Rotate again then.`,
        );
      rotations.push({ alg, activeId: active.id, nextId: next.id, newNext: await this.generate(alg, 'next') });
    }
    const done = await this.repository.rotate(
      projectId,
      rotations,
      now,
      retiresAt(now, lifetimes, this.config.jwksMaxAgeSeconds),
    );
    this.keySets.delete(projectId);
    if (!done) throw ApiError.conflict('Another rotation of these keys happened at the same time; list them again.');
    return this.list(projectId, now);
  }

  /** Generates and stores the missing keys; whether there were any. */
  private async fillGaps(projectId: string, rows: SigningKeyRow[], now: Date): Promise<boolean> {
    const missing: NewSigningKey[] = [];
    for (const alg of SIGNING_ALGS)
      for (const status of ['active', 'next'] as const)
        if (!rows.some((row) => row.alg === alg && row.status === status))
          missing.push(await this.generate(alg, status));
    if (missing.length) await this.repository.insertMissing(projectId, missing, now);
    return missing.length > 0;
  }

  private async generate(alg: SigningAlg, status: 'active' | 'next'): Promise<NewSigningKey> {
    const { publicKey, privateKey } = await generateKeyPair(alg, {
      extractable: true,
      ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
    });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    return {
      kid,
      alg,
      status,
      publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
      privateJwkEncrypted: await this.secretBox.seal(JSON.stringify(await exportJWK(privateKey))),
    };
  }

  private keySet(projectId: string, now: Date): Promise<KeySet> {
    const cached = this.keySets.get(projectId);
    const at = now.getTime();
    if (cached && at >= cached.loadedAt && at - cached.loadedAt < this.refreshMs) return cached.keySet;
    const keySet = this.load(projectId, now);
    keySet.catch(() => this.keySets.delete(projectId));
    this.keySets.set(projectId, { loadedAt: at, keySet });
    return keySet;
  }

  private async load(projectId: string, now: Date): Promise<KeySet> {
    let rows = await this.repository.list(projectId);
    // Projects made before an alg (or rotation) existed get their keys on first use.
    if (await this.fillGaps(projectId, rows, now)) rows = await this.repository.list(projectId);
    const signing = new Map<SigningAlg, SigningKey>();
    for (const row of rows) {
      if (row.status !== 'active') continue;
      signing.set(row.alg, { kid: row.kid, alg: row.alg, privateKey: await this.privateKey(row) });
    }
    return { rows, signing };
  }

  private privateKey(row: SigningKeyRow): Promise<KeyObject> {
    let key = this.privateKeys.get(row.id);
    if (!key) {
      key = this.secretBox.open(row.privateJwkEncrypted).then((json) => importPrivateJwk(JSON.parse(json) as JWK));
      key.catch(() => this.privateKeys.delete(row.id));
      this.privateKeys.set(row.id, key);
    }
    return key;
  }

  private published(keySet: KeySet, now: Date): NonNullable<KeySet['published']> {
    const at = now.getTime();
    if (keySet.published && at >= keySet.published.from && at < keySet.published.until) return keySet.published;
    const rows = keySet.rows.filter((row) => isPublished(row, now));
    const until = Math.min(...rows.map((row) => row.retiresAt?.getTime() ?? Infinity));
    const jwks = { keys: rows.map((row) => row.publicJwk) };
    keySet.published = { from: at, until, jwks, verifier: createLocalJWKSet(jwks) };
    return keySet.published;
  }
}

function info({ kid, alg, status, createdAt, activatedAt, retiresAt }: SigningKeyRow): SigningKeyInfo {
  return { kid, alg, use: 'sig', status, createdAt, activatedAt, retiresAt };
}
