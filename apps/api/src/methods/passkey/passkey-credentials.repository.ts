import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { Prisma, PrismaClient } from '../../generated/prisma/client';

/** One registered passkey, kept in its identity's webauthn credential (Credential.config.passkeys). */
export const StoredPasskey = z.object({
  /** Credential id, base64url; also a CredentialIdentifier row, so a sign-in finds it by index. */
  id: z.string(),
  /** COSE public key, base64url. */
  publicKey: z.string(),
  /** Last signature counter seen; 0 for authenticators that do not count (most synced passkeys). */
  counter: z.number().int().nonnegative(),
  transports: z.array(z.string()).default([]),
  deviceType: z.enum(['singleDevice', 'multiDevice']),
  backedUp: z.boolean(),
  aaguid: z.string(),
  name: z.string().optional(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().optional(),
});
export type StoredPasskey = z.infer<typeof StoredPasskey>;

/**
 * The identity's one webauthn credential. `userHandle` is the WebAuthn user.id given to every one of its
 * passkeys (random, so it says nothing about the identity); `registration` is the challenge of the one
 * registration in progress: short-lived, and spent by the first answer, right or wrong.
 */
export const WebAuthnConfig = z.object({
  userHandle: z.string(),
  passkeys: z.array(StoredPasskey),
  registration: z.object({ challenge: z.string(), expiresAt: z.iso.datetime() }).optional(),
});
export type WebAuthnConfig = z.infer<typeof WebAuthnConfig>;

export interface WebAuthnCredential {
  id: string;
  identityId: string;
  config: WebAuthnConfig;
  /** The config as stored: compare-and-set compares with this, not with the parsed (normalised) value. */
  stored: Prisma.JsonValue;
}

export interface PasskeyOwner {
  id: string;
  projectId: string;
  state: string;
  lockedUntil: Date | null;
}

const OWNER_SELECT = { id: true, projectId: true, state: true, lockedUntil: true } as const;

/**
 * Passkeys are stored the way the data model stores every factor: one Credential of type webauthn per
 * identity (its config lists the passkeys) and one CredentialIdentifier per passkey (type webauthn,
 * identifier = credential id), whose unique (project, type, identifier) index serves passwordless sign-in
 * and keeps a passkey from being registered to two identities. Writes to the config are compare-and-set
 * on the whole value, so a signature counter can never move backwards under concurrent sign-ins.
 */
@Injectable()
export class PasskeyCredentialsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async findByIdentity(identityId: string): Promise<WebAuthnCredential | undefined> {
    const row = await this.prisma.credential.findUnique({
      where: { identityId_type: { identityId, type: 'webauthn' } },
    });
    return row ? toCredential(row) : undefined;
  }

  /** The credential holding a passkey, with what lockout needs of its identity, in one query. */
  async findByPasskeyId(
    projectId: string,
    passkeyId: string,
  ): Promise<{ owner: PasskeyOwner; credential: WebAuthnCredential } | undefined> {
    const row = await this.prisma.credentialIdentifier.findUnique({
      relationLoadStrategy: 'join',
      where: { projectId_type_identifier: { projectId, type: 'webauthn', identifier: passkeyId } },
      select: { credential: { include: { identity: { select: OWNER_SELECT } } } },
    });
    if (!row) return undefined;
    return { owner: row.credential.identity, credential: toCredential(row.credential) };
  }

  async findWithOwner(
    identityId: string,
  ): Promise<{ owner: PasskeyOwner; credential: WebAuthnCredential } | undefined> {
    const row = await this.prisma.credential.findUnique({
      where: { identityId_type: { identityId, type: 'webauthn' } },
      include: { identity: { select: OWNER_SELECT } },
    });
    return row ? { owner: row.identity, credential: toCredential(row) } : undefined;
  }

  /** Creates the identity's webauthn credential; throws P2002 if a concurrent request created it first. */
  async create(identityId: string, config: WebAuthnConfig): Promise<WebAuthnCredential> {
    return toCredential(
      await this.prisma.credential.create({ data: { identityId, type: 'webauthn', config: toJson(config) } }),
    );
  }

  /** Replaces the config only if nobody changed it since `credential` was read. */
  async compareAndSetConfig(credential: WebAuthnCredential, config: WebAuthnConfig): Promise<boolean> {
    const { count } = await this.prisma.credential.updateMany({
      where: { id: credential.id, type: 'webauthn', config: { equals: credential.stored as Prisma.InputJsonValue } },
      data: { config: toJson(config) },
    });
    return count === 1;
  }

  /**
   * Writes the config (with the new passkey) and the passkey's identifier together; false if the config
   * changed meanwhile. Throws P2002 when the passkey is already registered in the project.
   */
  addPasskey(
    projectId: string,
    credential: WebAuthnCredential,
    config: WebAuthnConfig,
    passkeyId: string,
  ): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.credential.updateMany({
        where: { id: credential.id, type: 'webauthn', config: { equals: credential.stored as Prisma.InputJsonValue } },
        data: { config: toJson(config) },
      });
      if (count !== 1) return false;
      await tx.credentialIdentifier.create({
        data: { projectId, credentialId: credential.id, type: 'webauthn', identifier: passkeyId },
      });
      return true;
    });
  }

  /** Writes the config (without the passkey) and drops the passkey's identifier together; false if the config changed meanwhile. */
  removePasskey(credential: WebAuthnCredential, config: WebAuthnConfig, passkeyId: string): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.credential.updateMany({
        where: { id: credential.id, type: 'webauthn', config: { equals: credential.stored as Prisma.InputJsonValue } },
        data: { config: toJson(config) },
      });
      if (count !== 1) return false;
      await tx.credentialIdentifier.deleteMany({
        where: { credentialId: credential.id, type: 'webauthn', identifier: passkeyId },
      });
      return true;
    });
  }
}

function toJson(config: WebAuthnConfig): Prisma.InputJsonObject {
  return config as unknown as Prisma.InputJsonObject;
}

function toCredential(row: { id: string; identityId: string; config: Prisma.JsonValue }): WebAuthnCredential {
  return { id: row.id, identityId: row.identityId, config: WebAuthnConfig.parse(row.config), stored: row.config };
}
