import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client';

export type SessionRow = Prisma.SessionGetPayload<object>;

@Injectable()
export class SessionsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Whether the session exists, is not revoked and has not expired. */
  async isActive(id: string, now = new Date()): Promise<boolean> {
    const session = await this.prisma.session.findUnique({ where: { id }, select: { revokedAt: true, expiresAt: true } });
    return !!session && session.revokedAt === null && session.expiresAt > now;
  }
}
