import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client';

export type RefreshTokenRow = Prisma.RefreshTokenGetPayload<object>;

@Injectable()
export class RefreshTokensRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(data: Prisma.RefreshTokenUncheckedCreateInput): Promise<void> {
    await this.prisma.refreshToken.create({ data, select: { id: true } });
  }

  findByHash(tokenHash: string): Promise<RefreshTokenRow | null> {
    return this.prisma.refreshToken.findUnique({ where: { tokenHash } });
  }

  /** Marks the token rotated; false when it already was (a concurrent or replayed use). */
  async markRotated(id: string, now: Date): Promise<boolean> {
    const { count } = await this.prisma.refreshToken.updateMany({ where: { id, rotatedAt: null, revokedAt: null }, data: { rotatedAt: now } });
    return count === 1;
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
