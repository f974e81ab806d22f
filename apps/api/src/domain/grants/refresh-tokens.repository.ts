import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';

export type RefreshTokenRow = Prisma.RefreshTokenGetPayload<object>;
export type RefreshTokenInsert = Omit<RefreshTokenRow, 'rotatedAt' | 'revokedAt' | 'createdAt'>;

@Injectable()
export class RefreshTokensRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Stores a token unless its session has been revoked, in one statement: a session revoked while the
   * token was being issued (a replayed code racing its first use) can never gain a live refresh token.
   * False when nothing was stored.
   */
  async createInLiveSession(data: RefreshTokenInsert): Promise<boolean> {
    const inserted = await this.prisma.$executeRaw`
      INSERT INTO refresh_tokens (id, project_id, application_id, identity_id, session_id, family_id, token_hash, scope, amr,
                                  auth_time, expires_at, family_expires_at)
      SELECT ${data.id}::uuid, ${data.projectId}::uuid, ${data.applicationId}::uuid, ${data.identityId}::uuid, ${data.sessionId}::uuid,
             ${data.familyId}::uuid, ${data.tokenHash}, ${data.scope}, ${data.amr}::text[], ${data.authTime}, ${data.expiresAt}, ${data.familyExpiresAt}
      WHERE EXISTS (SELECT 1 FROM sessions WHERE id = ${data.sessionId}::uuid AND revoked_at IS NULL)`;
    return inserted === 1;
  }

  /**
   * Marks a live token of this client rotated and returns it, in one statement: a token can be rotated
   * once, even under concurrent use, and only by the client (and tenant) it was issued to — another
   * client presenting it spends nothing. A token whose session was revoked is not live either.
   * Undefined when no such token has this hash.
   */
  async rotate(tokenHash: string, client: { projectId: string; applicationId: string }, now: Date): Promise<RefreshTokenRow | undefined> {
    const rows = await this.prisma.$queryRaw<RefreshTokenRow[]>`
      UPDATE refresh_tokens AS t SET rotated_at = ${now}
      FROM sessions AS s
      WHERE t.token_hash = ${tokenHash} AND t.project_id = ${client.projectId}::uuid AND t.application_id = ${client.applicationId}::uuid
        AND t.rotated_at IS NULL AND t.revoked_at IS NULL AND s.id = t.session_id AND s.revoked_at IS NULL
      RETURNING t.id, t.project_id AS "projectId", t.application_id AS "applicationId", t.identity_id AS "identityId",
                t.session_id AS "sessionId", t.family_id AS "familyId", t.token_hash AS "tokenHash", t.scope, t.amr,
                t.auth_time AS "authTime", t.expires_at AS "expiresAt", t.family_expires_at AS "familyExpiresAt",
                t.rotated_at AS "rotatedAt", t.revoked_at AS "revokedAt", t.created_at AS "createdAt"`;
    return rows[0];
  }

  /** Undoes `rotate` for a request refused before anything was issued. */
  async unrotate(id: string): Promise<void> {
    await this.prisma.refreshToken.updateMany({ where: { id, revokedAt: null }, data: { rotatedAt: null } });
  }

  /** The token with this hash and whether its session was revoked. */
  findByHash(tokenHash: string): Promise<(RefreshTokenRow & { session: { revokedAt: Date | null } }) | null> {
    return this.prisma.refreshToken.findUnique({ where: { tokenHash }, include: { session: { select: { revokedAt: true } } } });
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
