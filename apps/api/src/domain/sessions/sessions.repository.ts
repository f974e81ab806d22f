import { Inject, Injectable, Optional } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import { PreparedSql, preparedStatement } from '../../infra/database/prepared-sql';

export type SessionRow = Prisma.SessionGetPayload<object>;
export type RefreshTokenRow = Prisma.RefreshTokenGetPayload<object>;
export type RefreshTokenInsert = Omit<RefreshTokenRow, 'rotatedAt' | 'revokedAt' | 'createdAt'>;
type Tx = Prisma.TransactionClient;

/** A session that just ended (logout, revocation): what the hooks of its end are told. */
export interface EndedSession {
  id: string;
  projectId: string;
  identityId: string;
}

/**
 * Work that must exist exactly when sessions end, written in the transaction that ends them (the apps'
 * back-channel logout tokens, queued in the outbox). Every way a session ends goes through it.
 */
export interface SessionEndHook {
  sessionsEnded(tx: Tx, ended: EndedSession[]): Promise<void>;
}
export const SESSION_END_HOOK = Symbol('SESSION_END_HOOK');

const ENDED = { id: true, projectId: true, identityId: true } as const;

export interface NewSession {
  id: string;
  projectId: string;
  identityId: string;
  amr: string[];
  authTime: Date;
  expiresAt: Date;
  /** The device the login completed on; undefined when unknown (stored as {}). */
  device?: { userAgent: string; ip: string | null; fingerprint: string } | undefined;
}

/** Whether the identity has any session yet, and one from this device. */
export interface DeviceHistory {
  signedInBefore: boolean;
  knownDevice: boolean;
}

/** What the privileged window is judged on: when the session last proved who its user is, and how. */
export interface SessionAuthentication {
  identityId: string;
  authTime: Date;
  amr: string[];
}

/**
 * Sessions and the refresh tokens issued in them: one aggregate, so this is the only writer of both tables.
 * A refresh token lives and dies with its session: it is stored only into a live session and rotated only
 * while its session is live (one statement each), and every revocation of sessions revokes their tokens in
 * the same transaction.
 */
@Injectable()
export class SessionsRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: PreparedSql,
    @Optional() @Inject(SESSION_END_HOOK) private readonly endHook?: SessionEndHook,
  ) {}

  /** The end hook, in the ending transaction, when sessions did end. */
  private async ended(tx: Tx, sessions: EndedSession[]): Promise<number> {
    if (sessions.length) await this.endHook?.sessionsEnded(tx, sessions);
    return sessions.length;
  }

  /** In the caller's transaction when given (the login's authorization code, a mail that must exist with the session). */
  async create(tx: Tx | undefined, session: NewSession): Promise<void> {
    const { device } = session;
    await this.sql.query(
      CREATE_SESSION,
      [
        session.id,
        session.projectId,
        session.identityId,
        session.amr,
        session.authTime,
        session.expiresAt,
        JSON.stringify(device ? { userAgent: device.userAgent, ip: device.ip } : {}),
        device?.fingerprint ?? null,
        new Date(),
      ],
      tx,
    );
  }

  /** One round trip, two probes of the (identity_id, device_fingerprint) index. */
  async deviceHistory(identityId: string, fingerprint: string): Promise<DeviceHistory> {
    const [row] = await this.sql.query(DEVICE_HISTORY, [identityId, fingerprint]);
    return { signedInBefore: row?.signedInBefore === true, knownDevice: row?.knownDevice === true };
  }

  /** Whether the session exists, is not revoked and has not expired. */
  async isActive(id: string, now = new Date()): Promise<boolean> {
    const session = await this.prisma.session.findUnique({
      where: { id },
      select: { revokedAt: true, expiresAt: true },
    });
    return !!session && session.revokedAt === null && session.expiresAt > now;
  }

  /** The live session's last authentication; undefined when it is unknown, revoked or expired. */
  async findAuthentication(id: string, now = new Date()): Promise<SessionAuthentication | undefined> {
    const session = await this.prisma.session.findUnique({
      where: { id },
      select: { identityId: true, authTime: true, amr: true, revokedAt: true, expiresAt: true },
    });
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
    const { count } = await this.prisma.session.updateMany({
      where: { id, revokedAt: null, expiresAt: { gt: now } },
      data: { authTime: now, amr: merged },
    });
    return count === 1;
  }

  /**
   * Revokes every other session of the identity and the refresh tokens issued in them (a password change:
   * whoever knew the old one may be signed in elsewhere); `keepSessionId` and its tokens stay. Returns how
   * many sessions ended.
   */
  async revokeOtherSessions(tx: Tx, identityId: string, keepSessionId: string, now = new Date()): Promise<number> {
    await tx.refreshToken.updateMany({
      where: { identityId, sessionId: { not: keepSessionId }, revokedAt: null },
      data: { revokedAt: now },
    });
    const ended = await tx.session.updateManyAndReturn({
      where: { identityId, id: { not: keepSessionId }, revokedAt: null },
      data: { revokedAt: now },
      select: ENDED,
    });
    return this.ended(tx, ended);
  }

  /**
   * Revokes every session of the identity and the refresh tokens issued in them, in the caller's transaction or
   * one of its own; returns how many sessions.
   */
  async revokeAll(tx: Tx | undefined, identityId: string, now = new Date()): Promise<number> {
    if (!tx) return this.prisma.$transaction((own) => this.revokeAll(own, identityId, now));
    await tx.refreshToken.updateMany({ where: { identityId, revokedAt: null }, data: { revokedAt: now } });
    const ended = await tx.session.updateManyAndReturn({
      where: { identityId, revokedAt: null },
      data: { revokedAt: now },
      select: ENDED,
    });
    return this.ended(tx, ended);
  }

  /** The identity's sessions, newest first (at most `take`): what the admin API shows, live or not. */
  listForIdentity(identityId: string, take: number): Promise<SessionRow[]> {
    return this.prisma.session.findMany({
      where: { identityId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take,
    });
  }

  /** One session of the identity; undefined when it has none with this id. */
  async findOfIdentity(identityId: string, sessionId: string): Promise<SessionRow | undefined> {
    return (await this.prisma.session.findFirst({ where: { id: sessionId, identityId } })) ?? undefined;
  }

  /**
   * Revokes one session of the identity and the refresh tokens issued in it, in one transaction. False when the
   * identity has no such session, or it was revoked already (its tokens were revoked with it).
   */
  async revokeOne(identityId: string, sessionId: string, now = new Date()): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const ended = await tx.session.updateManyAndReturn({
        where: { id: sessionId, identityId, revokedAt: null },
        data: { revokedAt: now },
        select: ENDED,
      });
      if (ended.length === 0) return false;
      await tx.refreshToken.updateMany({ where: { sessionId, revokedAt: null }, data: { revokedAt: now } });
      await this.ended(tx, ended);
      return true;
    });
  }

  /**
   * Ends a live session of the project and the refresh tokens issued in it, in one transaction (a logout). The
   * identity whose session it was, or undefined when there was no such live session (ended already: a second
   * logout changes nothing).
   */
  async endLive(projectId: string, sessionId: string, now = new Date()): Promise<{ identityId: string } | undefined> {
    return this.prisma.$transaction(async (tx) => {
      const ended = await tx.session.updateManyAndReturn({
        where: { id: sessionId, projectId, revokedAt: null, expiresAt: { gt: now } },
        data: { revokedAt: now },
        select: ENDED,
      });
      const [session] = ended;
      if (!session) return undefined;
      await tx.refreshToken.updateMany({ where: { sessionId, revokedAt: null }, data: { revokedAt: now } });
      await this.ended(tx, ended);
      return { identityId: session.identityId };
    });
  }

  /** The session a live refresh token of this client was issued in; undefined for anything else. */
  async sessionOfRefreshToken(
    tokenHash: string,
    client: { projectId: string; applicationId: string },
    now = new Date(),
  ): Promise<string | undefined> {
    const token = await this.prisma.refreshToken.findUnique({
      where: { tokenHash },
      select: { sessionId: true, projectId: true, applicationId: true, revokedAt: true, expiresAt: true },
    });
    if (!token || token.projectId !== client.projectId || token.applicationId !== client.applicationId)
      return undefined;
    return token.revokedAt === null && token.expiresAt > now ? token.sessionId : undefined;
  }

  /** Revokes a session together with the refresh tokens issued in it (a replayed authorization code). */
  async revoke(sessionId: string, now: Date): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.refreshToken.updateMany({ where: { sessionId, revokedAt: null }, data: { revokedAt: now } });
      const ended = await tx.session.updateManyAndReturn({
        where: { id: sessionId, revokedAt: null },
        data: { revokedAt: now },
        select: ENDED,
      });
      await this.ended(tx, ended);
    });
  }

  /**
   * Stores a refresh token unless its session has been revoked, in one statement: a session revoked while the
   * token was being issued (a replayed code racing its first use) can never gain a live refresh token.
   * False when nothing was stored.
   */
  async createRefreshToken(data: RefreshTokenInsert): Promise<boolean> {
    const inserted = await this.sql.query(CREATE_REFRESH_TOKEN, [
      data.id,
      data.projectId,
      data.applicationId,
      data.identityId,
      data.sessionId,
      data.familyId,
      data.tokenHash,
      data.scope,
      data.amr,
      data.authTime,
      data.expiresAt,
      data.familyExpiresAt,
    ]);
    return inserted.length === 1;
  }

  /**
   * Rotates a live refresh token of this client in one statement: marks it rotated and, while it and its family
   * are unexpired, stores its successor (same family, scope, amr and auth_time; idle expiry capped by the family's).
   * A token can be rotated once, even under concurrent use, and only by the client (and tenant) it was issued to —
   * another client presenting it spends nothing. A token whose session was revoked is not live either. Undefined
   * when no such token has this hash; `successorStored` false when it had expired (spent, nothing issued).
   */
  async rotateRefreshToken(
    tokenHash: string,
    client: { projectId: string; applicationId: string },
    successor: { id: string; tokenHash: string; idleExpiresAt: Date },
    now: Date,
  ): Promise<(RefreshTokenRow & { successorStored: boolean }) | undefined> {
    const rows = await this.sql.query(ROTATE_REFRESH_TOKEN, [
      now,
      tokenHash,
      client.projectId,
      client.applicationId,
      successor.id,
      successor.tokenHash,
      successor.idleExpiresAt,
    ]);
    return rows[0];
  }

  /** Undoes `rotateRefreshToken` for a request refused before anything was issued: the successor goes too. */
  async unrotateRefreshToken(id: string, successorId: string): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.refreshToken.deleteMany({ where: { id: successorId } }),
      this.prisma.refreshToken.updateMany({ where: { id, revokedAt: null }, data: { rotatedAt: null } }),
    ]);
  }

  /** The refresh token with this hash and whether its session was revoked. */
  findRefreshToken(tokenHash: string): Promise<(RefreshTokenRow & { session: { revokedAt: Date | null } }) | null> {
    return this.prisma.refreshToken.findUnique({
      where: { tokenHash },
      include: { session: { select: { revokedAt: true } } },
    });
  }

  /** Revokes every refresh token of a login (reuse detected, code replayed). */
  async revokeRefreshTokenFamily(familyId: string, now: Date): Promise<void> {
    await this.prisma.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: now } });
  }

  /**
   * Revokes the family of a live refresh token of this client (RFC 7009 §2.1: revoking a refresh token ends the
   * grant it belongs to). False when the client holds no such token: another client's token is left alone.
   */
  async revokeRefreshTokenOfClient(
    tokenHash: string,
    client: { projectId: string; applicationId: string },
    now: Date,
  ): Promise<boolean> {
    const revoked = await this.prisma.$executeRaw`
      UPDATE refresh_tokens SET revoked_at = ${now}
      WHERE revoked_at IS NULL AND family_id = (
        SELECT family_id FROM refresh_tokens
        WHERE token_hash = ${tokenHash} AND project_id = ${client.projectId}::uuid
          AND application_id = ${client.applicationId}::uuid)`;
    return revoked > 0;
  }

  /** Records an access token as revoked until it expires (a second revocation changes nothing). */
  async revokeAccessToken(projectId: string, jti: string, expiresAt: Date): Promise<void> {
    await this.prisma.revokedAccessToken.createMany({ data: [{ jti, projectId, expiresAt }], skipDuplicates: true });
  }

  async isAccessTokenRevoked(jti: string): Promise<boolean> {
    return (await this.prisma.revokedAccessToken.count({ where: { jti } })) > 0;
  }
}

/** rotateRefreshToken's one statement: $1 now, $2 the token's hash, $3–$4 the client, $5–$7 the successor. */
const ROTATE_REFRESH_TOKEN = preparedStatement<RefreshTokenRow & { successorStored: boolean }>(
  'sessions.rotate_refresh_token',
  `WITH rotated AS (
     UPDATE refresh_tokens AS t SET rotated_at = $1::timestamptz
     FROM sessions AS s
     WHERE t.token_hash = $2 AND t.project_id = $3::uuid AND t.application_id = $4::uuid
       AND t.rotated_at IS NULL AND t.revoked_at IS NULL AND s.id = t.session_id AND s.revoked_at IS NULL
     RETURNING t.*
   ), successor AS (
     INSERT INTO refresh_tokens (id, project_id, application_id, identity_id, session_id, family_id, token_hash,
                                 scope, amr, auth_time, expires_at, family_expires_at)
     SELECT $5::uuid, r.project_id, r.application_id, r.identity_id, r.session_id, r.family_id, $6, r.scope, r.amr,
            r.auth_time, LEAST($7::timestamptz, r.family_expires_at), r.family_expires_at
     FROM rotated AS r
     WHERE r.expires_at > $1::timestamptz AND r.family_expires_at > $1::timestamptz
     RETURNING id
   )
   SELECT r.id, r.project_id AS "projectId", r.application_id AS "applicationId", r.identity_id AS "identityId",
          r.session_id AS "sessionId", r.family_id AS "familyId", r.token_hash AS "tokenHash", r.scope, r.amr,
          r.auth_time AS "authTime", r.expires_at AS "expiresAt", r.family_expires_at AS "familyExpiresAt",
          r.rotated_at AS "rotatedAt", r.revoked_at AS "revokedAt", r.created_at AS "createdAt",
          EXISTS (SELECT 1 FROM successor) AS "successorStored"
   FROM rotated AS r`,
);

/** $1 id, $2–$3 project and identity, $4 amr, $5 auth_time, $6 expiry, $7 device (JSON), $8 its fingerprint, $9 now. */
const CREATE_SESSION = preparedStatement<never>(
  'sessions.create',
  `INSERT INTO sessions (id, project_id, identity_id, amr, auth_time, expires_at, device, device_fingerprint, created_at)
   VALUES ($1::uuid, $2::uuid, $3::uuid, $4::text[], $5::timestamptz, $6::timestamptz, $7::jsonb, $8::text,
           $9::timestamptz)`,
);

/** $1 identity, $2 device fingerprint. */
const DEVICE_HISTORY = preparedStatement<DeviceHistory>(
  'sessions.device_history',
  `SELECT EXISTS (SELECT 1 FROM sessions WHERE identity_id = $1::uuid) AS "signedInBefore",
          EXISTS (SELECT 1 FROM sessions WHERE identity_id = $1::uuid AND device_fingerprint = $2::text) AS "knownDevice"`,
);

/** createRefreshToken's one statement: $1–$12 the token's columns; a row back when stored (its session is live). */
const CREATE_REFRESH_TOKEN = preparedStatement<{ id: string }>(
  'sessions.create_refresh_token',
  `INSERT INTO refresh_tokens (id, project_id, application_id, identity_id, session_id, family_id, token_hash, scope,
                               amr, auth_time, expires_at, family_expires_at)
   SELECT $1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::uuid, $6::uuid, $7::text, $8::text, $9::text[], $10::timestamptz,
          $11::timestamptz, $12::timestamptz
   WHERE EXISTS (SELECT 1 FROM sessions WHERE id = $5::uuid AND revoked_at IS NULL)
   RETURNING id`,
);
