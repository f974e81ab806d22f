import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import { isUniqueViolation } from '../../infra/database/prisma-errors';

/**
 * What a TOTP credential keeps beside its sealed secret (Credential.config). `lastUsedStep` is the time
 * step of the last accepted code (replay protection); `confirmed` is false while an enrollment waits for
 * its first code.
 */
export const TotpConfig = z.object({
  confirmed: z.boolean(),
  lastUsedStep: z.number().int().nonnegative().optional(),
});
export type TotpConfig = z.infer<typeof TotpConfig>;

export interface TotpCredential {
  id: string;
  identityId: string;
  /** The base32 secret, sealed by SecretBox. */
  sealedSecret: string;
  config: TotpConfig;
}

export interface TotpEnrollee {
  identity: { id: string; projectId: string; state: string; lockedUntil: Date | null };
  /** Shown by the authenticator app next to the code (the email, else the identity id). */
  label: string;
  confirmed: boolean;
}

export interface TotpLogin {
  identity: { id: string; projectId: string; state: string; lockedUntil: Date | null };
  credential: TotpCredential;
}

@Injectable()
export class TotpCredentialsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The identity's TOTP credential with what lockout needs of the identity, in one query. */
  async findLogin(identityId: string): Promise<TotpLogin | undefined> {
    const row = await this.prisma.credential.findUnique({
      where: { identityId_type: { identityId, type: 'totp' } },
      include: { identity: { select: { id: true, projectId: true, state: true, lockedUntil: true } } },
    });
    if (!row?.secret) return undefined;
    return { identity: row.identity, credential: toCredential(row) };
  }

  async find(identityId: string): Promise<TotpCredential | undefined> {
    const row = await this.prisma.credential.findUnique({ where: { identityId_type: { identityId, type: 'totp' } } });
    return row?.secret ? toCredential(row) : undefined;
  }

  /**
   * Replaces the credential's config only if nobody changed it since it was read (compare-and-set on the
   * whole JSON value), so one code cannot be accepted twice by concurrent requests.
   */
  async compareAndSetConfig(credential: TotpCredential, config: TotpConfig): Promise<boolean> {
    const { count } = await this.prisma.credential.updateMany({
      where: { id: credential.id, type: 'totp', config: { equals: credential.config as Prisma.InputJsonObject } },
      data: { config: config as Prisma.InputJsonObject },
    });
    return count === 1;
  }

  /** The identity, with what lockout and an otpauth label need, and whether its TOTP is confirmed. */
  async findEnrollee(identityId: string): Promise<TotpEnrollee | undefined> {
    const row = await this.prisma.identity.findUnique({
      where: { id: identityId },
      select: {
        id: true,
        projectId: true,
        state: true,
        lockedUntil: true,
        traits: true,
        credentials: { where: { type: 'totp' }, select: { config: true } },
      },
    });
    if (!row) return undefined;
    const { credentials, traits, ...identity } = row;
    const email = (traits as Record<string, unknown> | null)?.['email'];
    const config = credentials[0] ? TotpConfig.safeParse(credentials[0].config) : undefined;
    return {
      identity,
      label: typeof email === 'string' ? email : identity.id,
      confirmed: config?.success === true && config.data.confirmed,
    };
  }

  /**
   * Stores a credential confirmed by its first code (in-flow enrollment): replaces an unconfirmed one
   * (a /me enrollment left pending), never a confirmed one — false if a confirmed credential appeared.
   */
  async saveConfirmed(identityId: string, sealedSecret: string, config: TotpConfig): Promise<boolean> {
    const { count } = await this.prisma.credential.updateMany({
      where: { identityId, type: 'totp', NOT: { config: { path: ['confirmed'], equals: true } } },
      data: { secret: sealedSecret, config },
    });
    if (count === 1) return true;
    try {
      await this.prisma.credential.create({ data: { identityId, type: 'totp', secret: sealedSecret, config } });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false; // confirmed meanwhile (or a concurrent enrollment won)
      throw error;
    }
  }

  /** Starts (or restarts) an enrollment; never overwrites a confirmed credential. */
  async savePending(identityId: string, sealedSecret: string): Promise<boolean> {
    const pending: TotpConfig = { confirmed: false };
    const existing = await this.find(identityId);
    if (existing?.config.confirmed) return false;
    if (existing) {
      const { count } = await this.prisma.credential.updateMany({
        where: { id: existing.id, config: { equals: existing.config as Prisma.InputJsonObject } },
        data: { secret: sealedSecret, config: pending },
      });
      return count === 1;
    }
    await this.prisma.credential.create({ data: { identityId, type: 'totp', secret: sealedSecret, config: pending } });
    return true;
  }

  async remove(identityId: string): Promise<boolean> {
    const { count } = await this.prisma.credential.deleteMany({ where: { identityId, type: 'totp' } });
    return count > 0;
  }
}

function toCredential(row: {
  id: string;
  identityId: string;
  secret: string | null;
  config: Prisma.JsonValue;
}): TotpCredential {
  return {
    id: row.id,
    identityId: row.identityId,
    sealedSecret: row.secret ?? '',
    config: TotpConfig.parse(row.config),
  };
}
