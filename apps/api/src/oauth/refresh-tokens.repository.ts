import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client';
import { isNotFound } from '../prisma/prisma-errors';

export type RefreshTokenRow = Prisma.RefreshTokenGetPayload<object>;

@Injectable()
export class RefreshTokensRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(data: Prisma.RefreshTokenUncheckedCreateInput): Promise<void> {
    await this.prisma.refreshToken.create({ data, select: { id: true } });
  }

  /**
   * Marks a live token rotated and returns it, in one statement: a token can be rotated once, even under
   * concurrent use. Undefined when no live token has this hash (unknown, revoked or already rotated).
   */
  async rotate(tokenHash: string, now: Date): Promise<RefreshTokenRow | undefined> {
    try {
      return await this.prisma.refreshToken.update({ where: { tokenHash, rotatedAt: null, revokedAt: null }, data: { rotatedAt: now } });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Undoes `rotate` for a request refused before anything was issued. */
  async unrotate(id: string): Promise<void> {
    await this.prisma.refreshToken.updateMany({ where: { id, revokedAt: null }, data: { rotatedAt: null } });
  }

  findByHash(tokenHash: string): Promise<RefreshTokenRow | null> {
    return this.prisma.refreshToken.findUnique({ where: { tokenHash } });
  }

  /** Revokes every token of a login (reuse detected, code replayed). */
  async revokeFamily(familyId: string, now: Date): Promise<void> {
    await this.prisma.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: now } });
  }

  /** Revokes a session together with the refresh tokens issued in it. */
  async revokeSession(sessionId: string, now: Date): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.refreshToken.updateMany({ where: { sessionId, revokedAt: null }, data: { revokedAt: now } }),
      this.prisma.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: now } }),
    ]);
  }
}
