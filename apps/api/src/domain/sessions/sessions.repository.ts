import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';

export type SessionRow = Prisma.SessionGetPayload<object>;
type Tx = Prisma.TransactionClient;

/** What the privileged window is judged on: when the session last proved who its user is, and how. */
export interface SessionAuthentication {
  identityId: string;
  authTime: Date;
  amr: string[];
}

@Injectable()
export class SessionsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Whether the session exists, is not revoked and has not expired. */
  async isActive(id: string, now = new Date()): Promise<boolean> {
    const session = await this.prisma.session.findUnique({ where: { id }, select: { revokedAt: true, expiresAt: true } });
    return !!session && session.revokedAt === null && session.expiresAt > now;
  }

  /** The live session's last authentication; undefined when it is unknown, revoked or expired. */
  async findAuthentication(id: string, now = new Date()): Promise<SessionAuthentication | undefined> {
    const session = await this.prisma.session.findUnique({ where: { id }, select: { identityId: true, authTime: true, amr: true, revokedAt: true, expiresAt: true } });
    if (!session || session.revokedAt !== null || session.expiresAt <= now) return undefined;
    return { identityId: session.identityId, authTime: session.authTime, amr: session.amr };
  }

  /**
   * Records a re-authentication in a live session: auth_time becomes `now` and the methods just used join
   * the session's amr. False when the session is gone (revoked or expired meanwhile).
   */
  async reauthenticate(id: string, amr: string[], now = new Date()): Promise<boolean> {
    const session = await this.prisma.session.findUnique({ where: { id }, select: { amr: true } });
    if (!session) return false;
    const merged = [...new Set([...session.amr, ...amr])];
    const { count } = await this.prisma.session.updateMany({ where: { id, revokedAt: null, expiresAt: { gt: now } }, data: { authTime: now, amr: merged } });
    return count === 1;
  }

  /**
   * Revokes every other session of the identity and the refresh tokens issued in them (a password change:
   * whoever knew the old one may be signed in elsewhere); `keepSessionId` and its tokens stay. Returns how
   * many sessions ended.
   */
  async revokeOtherSessions(tx: Tx, identityId: string, keepSessionId: string, now = new Date()): Promise<number> {
    await tx.refreshToken.updateMany({ where: { identityId, sessionId: { not: keepSessionId }, revokedAt: null }, data: { revokedAt: now } });
    const { count } = await tx.session.updateMany({ where: { identityId, id: { not: keepSessionId }, revokedAt: null }, data: { revokedAt: now } });
    return count;
  }
}
